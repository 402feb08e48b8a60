#include "harness/analysis/check.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "harness/analysis/compare.h"
#include "harness/analysis/text_table.h"
#include "harness/common/exit_codes.h"

namespace eiabench::analysis {
namespace {

using nlohmann::json;

// The explicit gate block, else the scenario's, from the current file (it
// describes the code under test) or else the baseline.
json GateBlock(const ResultFile& baseline, const ResultFile& current,
               const CheckOptions& options) {
  if (options.gate.is_object() && !options.gate.empty()) return options.gate;
  for (const ResultFile* file : {&current, &baseline}) {
    auto it = file->scenario.find("gate");
    if (it != file->scenario.end() && it->is_object()) return *it;
  }
  return json::object();
}

struct Threshold {
  double pct = 0;
  std::string source;
};

Threshold ResolveThreshold(const std::string& metric, bool deterministic,
                           const CheckOptions& options, const json& gate,
                           double tolerance) {
  if (auto it = options.thresholds_pct.find(metric);
      it != options.thresholds_pct.end()) {
    return {it->second, "flag"};
  }
  auto thresholds = gate.find("thresholds_pct");
  if (thresholds != gate.end() && thresholds->is_object()) {
    auto it = thresholds->find(metric);
    if (it != thresholds->end() && it->is_number()) {
      return {it->get<double>(), "gate"};
    }
  }
  if (deterministic) return {tolerance * 100, "tolerance"};
  return {DefaultThresholdPct(metric), "default"};
}

std::vector<std::string> GatedMetrics(const ResultFile& baseline,
                                      const ResultFile& current,
                                      const CheckOptions& options,
                                      const json& gate) {
  std::vector<std::string> chosen = options.metrics;
  auto listed = gate.find("metrics");
  if (chosen.empty() && listed != gate.end() && listed->is_array()) {
    for (const auto& m : *listed) {
      if (m.is_string()) chosen.push_back(m.get<std::string>());
    }
  }
  if (!chosen.empty()) return chosen;
  auto base_names = baseline.MetricNames();
  auto current_names = current.MetricNames();
  std::set<std::string> in_current(current_names.begin(), current_names.end());
  for (const auto& name : base_names) {
    if (in_current.count(name) &&
        MetricDirection(name) != Direction::kNeutral) {
      chosen.push_back(name);
    }
  }
  return chosen;
}

Verdict Decide(const MetricCheck& check, double alpha) {
  double worse =
      WorseningFraction(check.direction, check.baseline, check.current);
  double threshold = check.threshold_pct / 100;
  if (check.deterministic) {
    if (worse > threshold) return Verdict::kRegressed;
    if (worse < -threshold) return Verdict::kImproved;
    return Verdict::kUnchanged;
  }
  if (std::fabs(worse) <= threshold) return Verdict::kUnchanged;
  if (!check.test.Testable()) {
    return worse > 0 ? Verdict::kNotTestable : Verdict::kUnchanged;
  }
  if (!check.test.Significant(alpha)) return Verdict::kWithinNoise;
  return worse > 0 ? Verdict::kRegressed : Verdict::kImproved;
}

std::string DescribeViolation(const Cell& cell) {
  for (const auto& rep : cell.repetitions) {
    auto windows = rep.raw.find("compliance");
    if (windows == rep.raw.end() || !windows->is_array()) continue;
    for (const auto& w : *windows) {
      if (JsonBool(w, "compliant", true)) continue;
      return fmt::format(
          "{} (rep {}): window {} s, limit {}, client max {}, server max {}",
          cell.id, rep.rep, JsonNumber(w, "window_s", 0),
          JsonNumber(w, "limit", 0), JsonNumber(w, "max_count", 0),
          JsonNumber(w, "server_max_count", 0));
    }
  }
  return fmt::format("{}: marked non-compliant", cell.id);
}

std::vector<std::string> Facts(const ResultFile& file) {
  std::string sha = JsonString(file.context, "git_sha", "?");
  if (sha.size() > 12) sha.resize(12);
  bool dirty = JsonBool(file.context, "git_dirty", false);
  std::string hash = file.scenario_hash.substr(0, 12);
  return {fmt::format("`{}`", file.path),
          fmt::format("{} ({})", file.scenario_name, hash),
          fmt::format("{}, {} clock", file.target_kind, file.clock_mode),
          sha + (dirty ? " (dirty)" : "")};
}

void CheckComparable(const ResultFile& baseline, const ResultFile& current,
                     const CheckOptions& options, CheckReport& report) {
  for (const ResultFile* file : {&baseline, &current}) {
    if (file->partial) {
      report.invalid.push_back(fmt::format(
          "{} is partial (the run was interrupted or is still running)",
          file->path));
    }
  }
  if (!baseline.target_kind.empty() && !current.target_kind.empty() &&
      baseline.target_kind != current.target_kind) {
    report.invalid.push_back(
        fmt::format("targets differ: baseline ran on {}, current on {}",
                    baseline.target_kind, current.target_kind));
  }
  if (baseline.scenario_hash != current.scenario_hash) {
    std::string line =
        fmt::format("scenario hashes differ (baseline {}, current {})",
                    baseline.scenario_hash.substr(0, 12),
                    current.scenario_hash.substr(0, 12));
    if (options.strict) {
      report.invalid.push_back(line + " and --strict is set");
    } else {
      report.notes.push_back(line + ": cells are matched by parameters");
    }
  }
  if (baseline.clock_mode != current.clock_mode) {
    report.notes.push_back(fmt::format(
        "clock modes differ ({} vs {}): every metric is treated as noisy",
        baseline.clock_mode, current.clock_mode));
  }
}

// Fills report.metrics for one matched cell.
void CheckCell(const Cell& base, const Cell& now,
               const std::vector<std::string>& metrics, bool deterministic,
               const CheckOptions& options, const json& gate,
               CheckReport& report) {
  for (const auto& metric : metrics) {
    auto base_values = base.Values(metric);
    auto now_values = now.Values(metric);
    if (base_values.empty() || now_values.empty()) {
      if (!base_values.empty()) {
        report.notes.push_back(
            fmt::format("{}: {} is in the baseline but not in the current run",
                        now.id, metric));
      }
      continue;
    }
    MetricCheck check;
    check.cell = now.id;
    check.metric = metric;
    check.direction = MetricDirection(metric);
    check.deterministic = deterministic;
    check.baseline = Median(base_values);
    check.current = Median(now_values);
    check.change = RelativeChange(check.baseline, check.current);
    Threshold t = ResolveThreshold(metric, deterministic, options, gate,
                                   options.tolerance);
    check.threshold_pct = t.pct;
    check.threshold_source = t.source;
    check.test = MannWhitneyU(base_values, now_values);
    check.verdict = Decide(check, report.alpha);
    report.metrics.push_back(std::move(check));
  }
}

void CheckCells(const ResultFile& baseline, const ResultFile& current,
                const CheckOptions& options, const json& gate,
                CheckReport& report) {
  bool deterministic = baseline.Deterministic() && current.Deterministic();
  auto metrics = GatedMetrics(baseline, current, options, gate);
  std::vector<ResultFile> pair = {baseline, current};
  for (const auto& match : MatchCells(pair)) {
    const Cell* base = match.cells[0];
    const Cell* now = match.cells[1];
    if (!now) {
      report.invalid.push_back(fmt::format(
          "{}: in the baseline but not in the current run", match.id));
      continue;
    }
    if (!now->compliant) {
      report.compliance_violations.push_back(DescribeViolation(*now));
    }
    if (!base) {
      report.notes.push_back(
          fmt::format("{}: new cell, not in the baseline", match.id));
      continue;
    }
    if (now->OkRepetitions() == 0) {
      report.invalid.push_back(fmt::format(
          "{}: no repetition of the current run is valid", match.id));
      continue;
    }
    if (base->OkRepetitions() == 0) {
      report.notes.push_back(
          fmt::format("{}: no valid baseline repetition, not gated", match.id));
      continue;
    }
    ++report.cells_checked;
    CheckCell(*base, *now, metrics, deterministic, options, gate, report);
  }
}

void AddPowerNote(CheckReport& report) {
  for (const auto& m : report.metrics) {
    if (m.deterministic || !m.test.Testable()) continue;
    if (m.test.min_p_value >= report.alpha) {
      report.notes.push_back(fmt::format(
          "with these repetition counts no change can be significant at "
          "alpha {} (smallest possible p {:.3f}): run at least 4 "
          "repetitions per side, 9+ recommended",
          report.alpha, m.test.min_p_value));
    }
    return;
  }
}

std::string Headline(const CheckReport& report) {
  switch (report.exit_code) {
    case kExitOk:
      return "PASS";
    case kExitRegression:
      return "REGRESSION";
    case kExitComplianceViolation:
      return "COMPLIANCE VIOLATION";
    default:
      return "INVALID INPUT";
  }
}

std::string ThresholdText(const MetricCheck& m) {
  if (m.threshold_source == "tolerance") {
    return fmt::format("exact (±{:g}%)", m.threshold_pct);
  }
  return fmt::format("{:g}% ({})", m.threshold_pct, m.threshold_source);
}

TextTable MetricTable(const std::vector<const MetricCheck*>& rows) {
  TextTable table;
  table.header = {"cell",   "metric",    "better", "baseline", "current",
                  "change", "threshold", "p",      "verdict"};
  for (const MetricCheck* m : rows) {
    table.AddRow({m->cell, m->metric, std::string(DirectionName(m->direction)),
                  FormatNumber(m->baseline), FormatNumber(m->current),
                  FormatPercent(m->change), ThresholdText(*m),
                  FormatPValue(m->test, m->deterministic),
                  std::string(VerdictName(m->verdict))});
  }
  return table;
}

std::string Section(const std::string& title,
                    const std::vector<std::string>& lines) {
  if (lines.empty()) return "";
  std::string out = fmt::format("\n### {}\n\n", title);
  for (const auto& line : lines) out += "- " + line + "\n";
  return out;
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kUnchanged:
      return "unchanged";
    case Verdict::kWithinNoise:
      return "within noise";
    case Verdict::kNotTestable:
      return "worse, not testable";
    case Verdict::kImproved:
      return "improved";
    case Verdict::kRegressed:
      return "REGRESSED";
  }
  return "?";
}

int CheckReport::Count(Verdict verdict) const {
  return static_cast<int>(std::count_if(
      metrics.begin(), metrics.end(),
      [&](const MetricCheck& m) { return m.verdict == verdict; }));
}

CheckReport RunCheck(const ResultFile& baseline, const ResultFile& current,
                     const CheckOptions& options) {
  CheckReport report;
  report.baseline_path = baseline.path;
  report.current_path = current.path;
  report.baseline_facts = Facts(baseline);
  report.current_facts = Facts(current);
  json gate = GateBlock(baseline, current, options);
  report.alpha = options.alpha.value_or(JsonNumber(gate, "alpha", 0.05));

  CheckComparable(baseline, current, options, report);
  CheckCells(baseline, current, options, gate, report);
  AddPowerNote(report);
  if (report.Count(Verdict::kNotTestable) > 0) {
    report.notes.push_back(
        "some metrics are worse beyond their threshold but have fewer than "
        "2 repetitions per side: they cannot fail the gate");
  }

  if (!report.invalid.empty()) {
    report.exit_code = kExitInvalidRun;
  } else if (!report.compliance_violations.empty()) {
    report.exit_code = kExitComplianceViolation;
  } else if (report.Count(Verdict::kRegressed) > 0) {
    report.exit_code = kExitRegression;
  } else {
    report.exit_code = kExitOk;
  }
  return report;
}

std::string RenderCheckMarkdown(const CheckReport& report) {
  std::string out = fmt::format("## eiabench check: {}\n\n", Headline(report));
  TextTable files;
  files.header = {"", "baseline", "current"};
  const char* rows[] = {"file", "scenario", "target", "git"};
  for (size_t i = 0; i < 4; ++i) {
    files.AddRow({rows[i], report.baseline_facts[i], report.current_facts[i]});
  }
  out += RenderMarkdown(files);
  out += fmt::format(
      "\n{} cells, {} metric comparisons (alpha {}): {} regressed, {} "
      "improved, {} compliance violations.\n",
      report.cells_checked, report.metrics.size(), report.alpha,
      report.Count(Verdict::kRegressed), report.Count(Verdict::kImproved),
      report.compliance_violations.size());

  out += Section("Invalid input", report.invalid);
  out += Section("Compliance violations", report.compliance_violations);
  std::vector<const MetricCheck*> notable, all;
  for (const auto& m : report.metrics) {
    all.push_back(&m);
    if (m.verdict != Verdict::kUnchanged) notable.push_back(&m);
  }
  if (!notable.empty()) {
    out += "\n### Changes beyond threshold\n\n" +
           RenderMarkdown(MetricTable(notable));
  }
  out += Section("Notes", report.notes);
  if (!all.empty()) {
    out += "\n<details><summary>All checked metrics</summary>\n\n" +
           RenderMarkdown(MetricTable(all)) + "\n</details>\n";
  }
  return out;
}

}  // namespace eiabench::analysis
