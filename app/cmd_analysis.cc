// `compare`, `table`, `check`, `export` and `report`: the commands that read
// result files (docs/ANALYSIS.md). Each prints its output to stdout, one-line
// errors to stderr, and sets an exit code from harness/common/exit_codes.h.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "app/commands.h"
#include "harness/analysis/check.h"
#include "harness/analysis/compare.h"
#include "harness/analysis/export.h"
#include "harness/analysis/report.h"
#include "harness/analysis/table.h"
#include "harness/common/exit_codes.h"

namespace eiabench::app {
namespace {

using namespace eiabench::analysis;

void Error(int code, const std::string& message) {
  std::fprintf(stderr, "eiabench: error: %s\n", message.c_str());
  SetExit(code);
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    Error(kExitEnvironment, fmt::format("{}: cannot write", path));
    return false;
  }
  return true;
}

std::optional<OutputFormat> FormatOrError(const std::string& name) {
  auto format = ParseOutputFormat(name);
  if (!format) {
    Error(kExitUsage,
          fmt::format("--format \"{}\" is not text, markdown, csv or json",
                      name));
  }
  return format;
}

// Colour only for a human at a terminal reading the text format.
bool UseColor(OutputFormat format) {
  return format == OutputFormat::kText && isatty(STDOUT_FILENO);
}

// "metric=pct" pairs from --threshold.
bool ParseThresholds(const std::vector<std::string>& pairs,
                     std::map<std::string, double>& out) {
  for (const auto& pair : pairs) {
    auto eq = pair.find('=');
    char* end = nullptr;
    double pct =
        eq == std::string::npos ? -1 : std::strtod(pair.c_str() + eq + 1, &end);
    if (eq == 0 || eq == std::string::npos || end == pair.c_str() + eq + 1 ||
        *end != '\0' || !(pct >= 0)) {
      Error(kExitUsage,
            fmt::format("--threshold \"{}\" is not metric=percent", pair));
      return false;
    }
    out[pair.substr(0, eq)] = pct;
  }
  return true;
}

// Partial files (interrupted runs) are shown but flagged; `check` refuses
// them.
void WarnPartial(const std::vector<ResultFile>& files) {
  for (const auto& file : files) {
    if (file.partial) {
      std::fprintf(stderr,
                   "eiabench: warning: %s is partial (interrupted or still "
                   "running)\n",
                   file.path.c_str());
    }
  }
}

// The gate block from --gate FILE: the file's "gate" member if it has one
// (a scenario file), else the whole object.
bool LoadGate(const std::string& path, nlohmann::json& gate) {
  if (path.empty()) return true;
  std::ifstream in(path);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (!in.good() && !in.eof()) doc = nlohmann::json::value_t::discarded;
  if (doc.is_discarded() || !doc.is_object()) {
    Error(kExitUsage,
          fmt::format("--gate {}: not a readable JSON object", path));
    return false;
  }
  gate = doc.contains("gate") ? doc["gate"] : doc;
  if (!gate.is_object()) {
    Error(kExitUsage,
          fmt::format("--gate {}: \"gate\" is not an object", path));
    return false;
  }
  return true;
}

struct CompareArgs {
  std::vector<std::string> files;
  std::vector<std::string> metrics;
  std::string format = "text";
  double alpha = 0.05;
};

void RunCompare(const CompareArgs& args) {
  auto format = FormatOrError(args.format);
  if (!format) return;
  LoadedResults loaded = LoadResultFiles(args.files);
  if (!loaded.error.empty()) return Error(kExitInvalidRun, loaded.error);
  WarnPartial(loaded.files);
  Comparison comparison = Compare(loaded.files, {args.metrics, args.alpha});
  std::fputs(RenderComparison(comparison, *format, UseColor(*format)).c_str(),
             stdout);
  SetExit(kExitOk);
}

void AddCompare(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Compare result files cell by cell against the first file (medians, "
      "change, Mann-Whitney U p-value, compliance)");
  cmd->add_option("files", args->files,
                  "Result files; the first is the "
                  "reference")
      ->required()
      ->expected(2, -1);
  cmd->add_option("--metric", args->metrics,
                  "Metric to compare (repeatable; default: records_per_s, "
                  "requests_per_hour, records_per_request, completeness, "
                  "latency_p99_us, http_429)");
  cmd->add_option("--format", args->format, "text|markdown|csv|json");
  cmd->add_option("--alpha", args->alpha, "Significance level")
      ->check(CLI::Range(0.0, 1.0));
  cmd->callback([args] { RunCompare(*args); });
}

struct TableArgs {
  std::vector<std::string> files;
  std::vector<std::string> metrics;
  std::string sort;
  bool ascending = false, descending = false;
  std::string format = "text";
};

void RunTable(const TableArgs& args) {
  auto format = FormatOrError(args.format);
  if (!format) return;
  LoadedResults loaded = LoadResultFiles(args.files);
  if (!loaded.error.empty()) return Error(kExitInvalidRun, loaded.error);
  WarnPartial(loaded.files);
  TableOptions options{args.metrics, args.sort, std::nullopt};
  if (args.ascending) options.ascending = true;
  if (args.descending) options.ascending = false;
  TextTable table = BuildTable(loaded.files, options);
  std::string out;
  switch (*format) {
    case OutputFormat::kText:
      out = RenderText(table, UseColor(*format));
      break;
    case OutputFormat::kMarkdown:
      out = RenderMarkdown(table);
      break;
    case OutputFormat::kCsv:
      out = RenderCsv(table);
      break;
    case OutputFormat::kJson:
      out = RenderJsonRows(table).dump(2) + "\n";
      break;
  }
  std::fputs(out.c_str(), stdout);
  SetExit(kExitOk);
}

void AddTable(CLI::App& app) {
  auto args = std::make_shared<TableArgs>();
  auto* cmd = app.add_subcommand(
      "table",
      "One table across result files: a row per cell, the chosen "
      "metrics (medians) as columns");
  cmd->add_option("files", args->files, "Result files")->required();
  cmd->add_option("--metric", args->metrics, "Column metric (repeatable)");
  cmd->add_option("--sort", args->sort,
                  "Sort by this metric, best first by its direction");
  auto* asc = cmd->add_flag("--ascending", args->ascending,
                            "Sort ascending whatever the direction");
  cmd->add_flag("--descending", args->descending,
                "Sort descending whatever the direction")
      ->excludes(asc);
  cmd->add_option("--format", args->format, "text|markdown|csv|json");
  cmd->callback([args] { RunTable(*args); });
}

struct CheckArgs {
  std::string baseline, current, markdown, gate;
  std::vector<std::string> thresholds, metrics;
  std::optional<double> alpha;
  double tolerance = 1e-9;
  bool strict = false;
};

void RunCheckCommand(const CheckArgs& args) {
  CheckOptions options;
  if (!ParseThresholds(args.thresholds, options.thresholds_pct)) return;
  if (!LoadGate(args.gate, options.gate)) return;
  options.alpha = args.alpha;
  options.tolerance = args.tolerance;
  options.metrics = args.metrics;
  options.strict = args.strict;
  LoadedResults loaded = LoadResultFiles({args.baseline, args.current});
  if (!loaded.error.empty()) return Error(kExitInvalidRun, loaded.error);

  CheckReport report = RunCheck(loaded.files[0], loaded.files[1], options);
  std::string markdown = RenderCheckMarkdown(report);
  std::fputs(markdown.c_str(), stdout);
  if (!args.markdown.empty() && !WriteFile(args.markdown, markdown)) return;
  SetExit(report.exit_code);
}

void AddCheck(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand(
      "check",
      "The CI gate: exit 0 pass, 1 regression, 2 compliance violation, "
      "3 invalid or incomparable input, 4 usage error");
  cmd->add_option("--baseline", args->baseline, "Baseline result file")
      ->required();
  cmd->add_option("current", args->current, "Current result file")->required();
  cmd->add_option("--threshold", args->thresholds,
                  "Practical threshold metric=percent (repeatable)");
  cmd->add_option("--metric", args->metrics,
                  "Gate only these metrics (repeatable)");
  cmd->add_option("--alpha", args->alpha, "Significance level (0.05)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--tolerance", args->tolerance,
                  "Relative tolerance for deterministic metrics (1e-9)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--gate", args->gate,
                  "JSON file with a gate block (thresholds_pct, alpha, "
                  "metrics), or a scenario file holding one");
  cmd->add_flag("--strict", args->strict,
                "A different scenario hash is incomparable (exit 3)");
  cmd->add_option("--markdown", args->markdown,
                  "Also write the Markdown summary to this file");
  cmd->callback([args] { RunCheckCommand(*args); });
}

struct ExportArgs {
  std::string file, format, out;
};

void RunExport(const ExportArgs& args) {
  if (args.format != "gbench" && args.format != "csv") {
    return Error(kExitUsage, fmt::format("--format \"{}\" is not gbench or csv",
                                         args.format));
  }
  LoadedResult loaded = LoadResultFile(args.file);
  if (!loaded.file) return Error(kExitInvalidRun, loaded.error);
  std::string text = args.format == "gbench"
                         ? ExportGoogleBenchmark(*loaded.file).dump(2) + "\n"
                         : ExportCsv(*loaded.file);
  if (args.out.empty()) {
    std::fputs(text.c_str(), stdout);
  } else if (!WriteFile(args.out, text)) {
    return;
  }
  SetExit(kExitOk);
}

void AddExport(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export", "Write a result file as Google Benchmark JSON or CSV");
  cmd->add_option("file", args->file, "Result file")->required();
  cmd->add_option("--format", args->format, "gbench|csv")->required();
  cmd->add_option("--out", args->out, "Output file (default: stdout)");
  cmd->callback([args] { RunExport(*args); });
}

void AddReport(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report", "Charts and one HTML page (index.html) from result files");
  cmd->add_option("files", options->inputs, "Result files")->required();
  cmd->add_option("--out", options->out_dir, "Output directory")->required();
  cmd->add_option("--x-axis", options->x_axis, "Heat-map x axis parameter");
  cmd->add_option("--y-axis", options->y_axis, "Heat-map y axis parameter");
  cmd->add_option("--batch-axis", options->batch_axis,
                  "Parameter on the x axis of records/s vs batch size");
  cmd->add_option("--line-axis", options->line_axis,
                  "Parameter drawn as one line each (concurrency)");
  cmd->add_option("--image-format", options->image_format, "png|svg");
  cmd->add_option("--python", options->python, "Python interpreter");
  cmd->add_option("--script", options->script, "Plot script");
  cmd->callback([options] {
    ReportResult result = GenerateReport(*options);
    if (result.exit_code != kExitOk) {
      return Error(result.exit_code, result.error);
    }
    std::printf("%s\n", result.html_path.c_str());
    SetExit(kExitOk);
  });
}

}  // namespace

void AddAnalysisCommands(CLI::App& app) {
  AddCompare(app);
  AddTable(app);
  AddCheck(app);
  AddExport(app);
  AddReport(app);
}

}  // namespace eiabench::app
