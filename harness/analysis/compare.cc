#include "harness/analysis/compare.h"

#include <fmt/core.h>

#include <map>

namespace eiabench::analysis {
namespace {

std::vector<std::string> PresentMetrics(
    const std::vector<ResultFile>& files,
    const std::vector<std::string>& wanted) {
  std::vector<std::string> present;
  for (const auto& metric : wanted) {
    for (const auto& file : files) {
      auto names = file.MetricNames();
      if (std::find(names.begin(), names.end(), metric) != names.end()) {
        present.push_back(metric);
        break;
      }
    }
  }
  return present;
}

MetricComparison CompareMetric(const CellMatch& match,
                               const std::string& metric) {
  MetricComparison mc;
  mc.metric = metric;
  mc.direction = MetricDirection(metric);
  size_t n = match.cells.size();
  mc.medians.resize(n);
  mc.changes.resize(n);
  mc.tests.resize(n);
  std::vector<double> reference;
  if (match.cells[0]) reference = match.cells[0]->Values(metric);
  for (size_t i = 0; i < n; ++i) {
    if (!match.cells[i]) continue;
    mc.medians[i] = match.cells[i]->Median(metric);
    if (i == 0 || !mc.medians[0] || !mc.medians[i]) continue;
    mc.changes[i] = RelativeChange(*mc.medians[0], *mc.medians[i]);
    mc.tests[i] = MannWhitneyU(reference, match.cells[i]->Values(metric));
  }
  return mc;
}

std::string CompliantText(const Cell* cell) {
  if (!cell) return "-";
  return cell->compliant ? "yes" : "no";
}

// Green when the change is significant (or exact) and better, red when worse.
Tone ChangeTone(const MetricComparison& mc, size_t i, bool deterministic,
                double alpha) {
  if (!mc.changes[i] || *mc.changes[i] == 0) return Tone::kPlain;
  if (!deterministic && !mc.tests[i].Significant(alpha)) return Tone::kMuted;
  double worse = WorseningFraction(mc.direction, 1, 1 + *mc.changes[i]);
  if (worse > 0) return Tone::kBad;
  if (worse < 0) return Tone::kGood;
  return Tone::kPlain;
}

std::vector<std::string> UnmatchedLines(const Comparison& comparison) {
  std::vector<std::string> lines;
  for (const auto& cc : comparison.cells) {
    const CellMatch& match = cc.match;
    if (match.Complete()) continue;
    std::vector<std::string> missing;
    for (size_t i = 0; i < match.cells.size(); ++i) {
      if (!match.cells[i]) missing.push_back(comparison.labels[i]);
    }
    std::string joined;
    for (const auto& m : missing) joined += (joined.empty() ? "" : ", ") + m;
    lines.push_back(fmt::format("{}: missing in {}", match.id, joined));
  }
  return lines;
}

nlohmann::json OptionalJson(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json ComparisonJson(const Comparison& comparison) {
  using nlohmann::json;
  json out = {{"files", json::array()},
              {"alpha", comparison.alpha},
              {"cells", json::array()},
              {"unmatched", json::array()}};
  for (size_t i = 0; i < comparison.labels.size(); ++i) {
    out["files"].push_back({{"label", comparison.labels[i]},
                            {"path", comparison.paths[i]},
                            {"deterministic", comparison.deterministic[i]}});
  }
  for (const auto& cc : comparison.cells) {
    json cell = {{"id", cc.match.id},
                 {"params", cc.match.params},
                 {"present", json::array()},
                 {"compliant", json::array()},
                 {"metrics", json::array()}};
    for (const Cell* c : cc.match.cells) {
      cell["present"].push_back(c != nullptr);
      cell["compliant"].push_back(c ? json(c->compliant) : json(nullptr));
    }
    for (const auto& mc : cc.metrics) {
      json metric = {{"name", mc.metric},
                     {"direction", DirectionName(mc.direction)},
                     {"medians", json::array()},
                     {"changes", json::array()},
                     {"p_values", json::array()},
                     {"significant", json::array()}};
      for (size_t i = 0; i < mc.medians.size(); ++i) {
        metric["medians"].push_back(OptionalJson(mc.medians[i]));
        metric["changes"].push_back(OptionalJson(mc.changes[i]));
        bool testable = i > 0 && mc.tests[i].Testable();
        metric["p_values"].push_back(testable ? json(mc.tests[i].p_value)
                                              : json(nullptr));
        metric["significant"].push_back(
            testable ? json(mc.tests[i].Significant(comparison.alpha))
                     : json(nullptr));
      }
      cell["metrics"].push_back(std::move(metric));
    }
    out["cells"].push_back(std::move(cell));
  }
  for (const auto& line : UnmatchedLines(comparison)) {
    out["unmatched"].push_back(line);
  }
  return out;
}

}  // namespace

bool CellMatch::Complete() const {
  for (const Cell* cell : cells) {
    if (!cell) return false;
  }
  return true;
}

std::vector<CellMatch> MatchCells(const std::vector<ResultFile>& files) {
  std::vector<CellMatch> matches;
  std::map<std::string, size_t> by_key;
  for (size_t f = 0; f < files.size(); ++f) {
    for (const auto& cell : files[f].cells) {
      auto [it, inserted] = by_key.emplace(cell.key, matches.size());
      if (inserted) {
        matches.push_back({cell.key, cell.id, cell.params,
                           std::vector<const Cell*>(files.size(), nullptr)});
      }
      // A file listing the same parameters twice keeps its first cell.
      auto& slot = matches[it->second].cells[f];
      if (!slot) slot = &cell;
    }
  }
  return matches;
}

Comparison Compare(const std::vector<ResultFile>& files,
                   const CompareOptions& options) {
  Comparison comparison;
  comparison.alpha = options.alpha;
  for (const auto& file : files) {
    comparison.labels.push_back(file.label);
    comparison.paths.push_back(file.path);
    comparison.deterministic.push_back(file.Deterministic());
  }
  auto wanted =
      options.metrics.empty() ? DefaultCompareMetrics() : options.metrics;
  auto metrics = PresentMetrics(files, wanted);
  for (auto& match : MatchCells(files)) {
    CellComparison cc;
    cc.match = std::move(match);
    for (const auto& metric : metrics) {
      cc.metrics.push_back(CompareMetric(cc.match, metric));
    }
    comparison.cells.push_back(std::move(cc));
  }
  return comparison;
}

std::string FormatPValue(const UTestResult& test, bool deterministic) {
  if (deterministic) return "exact";
  if (!test.Testable()) return "n/a (too few reps)";
  return fmt::format("{:.4f}", test.p_value);
}

TextTable ComparisonTable(const Comparison& comparison) {
  TextTable table;
  table.header = {"cell", "metric", comparison.labels[0]};
  for (size_t i = 1; i < comparison.labels.size(); ++i) {
    table.header.push_back(comparison.labels[i]);
    table.header.push_back("delta " + comparison.labels[i]);
    table.header.push_back("p " + comparison.labels[i]);
  }
  table.header.push_back("compliant");
  for (const auto& cc : comparison.cells) {
    std::string compliant;
    for (size_t i = 0; i < cc.match.cells.size(); ++i) {
      compliant += (i == 0 ? "" : "/") + CompliantText(cc.match.cells[i]);
    }
    for (const auto& mc : cc.metrics) {
      std::vector<std::string> row = {cc.match.id, mc.metric,
                                      FormatNumber(mc.medians[0])};
      std::vector<Tone> tones(3, Tone::kPlain);
      for (size_t i = 1; i < mc.medians.size(); ++i) {
        bool deterministic =
            comparison.deterministic[0] && comparison.deterministic[i];
        bool comparable = mc.changes[i].has_value();
        row.push_back(FormatNumber(mc.medians[i]));
        row.push_back(FormatPercent(mc.changes[i]));
        row.push_back(comparable ? FormatPValue(mc.tests[i], deterministic)
                                 : "-");
        tones.push_back(Tone::kPlain);
        tones.push_back(ChangeTone(mc, i, deterministic, comparison.alpha));
        tones.push_back(Tone::kPlain);
      }
      row.push_back(compliant);
      bool violation = compliant.find("no") != std::string::npos;
      tones.push_back(violation ? Tone::kBad : Tone::kPlain);
      table.AddRow(std::move(row), std::move(tones));
    }
  }
  return table;
}

std::string RenderComparison(const Comparison& comparison, OutputFormat format,
                             bool color) {
  if (format == OutputFormat::kJson) {
    return ComparisonJson(comparison).dump(2) + "\n";
  }
  TextTable table = ComparisonTable(comparison);
  if (format == OutputFormat::kCsv) return RenderCsv(table);
  std::string out = format == OutputFormat::kMarkdown
                        ? RenderMarkdown(table)
                        : RenderText(table, color);
  auto unmatched = UnmatchedLines(comparison);
  if (!unmatched.empty()) {
    out += format == OutputFormat::kMarkdown ? "\nCells without a partner:\n\n"
                                             : "\nCells without a partner:\n";
    for (const auto& line : unmatched) {
      out += (format == OutputFormat::kMarkdown ? "- " : "  ") + line + "\n";
    }
  }
  return out;
}

}  // namespace eiabench::analysis
