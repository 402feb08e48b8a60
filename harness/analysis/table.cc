#include "harness/analysis/table.h"

#include <fmt/core.h>

#include <algorithm>
#include <optional>
#include <set>

#include "harness/analysis/metrics.h"

namespace eiabench::analysis {
namespace {

struct Row {
  std::vector<std::string> cells;
  std::optional<double> sort_value;
};

// Scenario names are the readable label; the file label disambiguates
// two runs of the same scenario.
std::vector<std::string> FileNames(const std::vector<ResultFile>& files) {
  std::multiset<std::string> names;
  for (const auto& f : files) names.insert(f.scenario_name);
  std::vector<std::string> out;
  for (const auto& f : files) {
    out.push_back(names.count(f.scenario_name) > 1 ? f.label : f.scenario_name);
  }
  return out;
}

std::vector<std::string> PresentMetrics(
    const std::vector<ResultFile>& files,
    const std::vector<std::string>& wanted) {
  std::set<std::string> present;
  for (const auto& f : files) {
    for (const auto& name : f.MetricNames()) present.insert(name);
  }
  std::vector<std::string> out;
  for (const auto& m : wanted) {
    if (present.count(m)) out.push_back(m);
  }
  return out;
}

void SortRows(std::vector<Row>& rows, const TableOptions& options) {
  if (options.sort_metric.empty()) return;
  bool ascending = options.ascending.value_or(
      MetricDirection(options.sort_metric) == Direction::kLowerIsBetter);
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (!a.sort_value || !b.sort_value) {
      return a.sort_value.has_value() && !b.sort_value.has_value();
    }
    return ascending ? *a.sort_value < *b.sort_value
                     : *a.sort_value > *b.sort_value;
  });
}

}  // namespace

TextTable BuildTable(const std::vector<ResultFile>& files,
                     const TableOptions& options) {
  auto wanted =
      options.metrics.empty() ? DefaultTableMetrics() : options.metrics;
  auto metrics = PresentMetrics(files, wanted);
  auto names = FileNames(files);

  std::vector<Row> rows;
  for (size_t f = 0; f < files.size(); ++f) {
    for (const auto& cell : files[f].cells) {
      Row row;
      row.cells = {
          names[f], cell.id,
          fmt::format("{}/{}", cell.OkRepetitions(), cell.repetitions.size()),
          cell.compliant ? "yes" : "no"};
      for (const auto& m : metrics) {
        row.cells.push_back(FormatNumber(cell.Median(m)));
      }
      if (!options.sort_metric.empty()) {
        row.sort_value = cell.Median(options.sort_metric);
      }
      rows.push_back(std::move(row));
    }
  }
  SortRows(rows, options);

  TextTable table;
  table.header = {"file", "cell", "reps", "compliant"};
  for (const auto& m : metrics) table.header.push_back(m);
  for (auto& row : rows) {
    std::vector<Tone> tones(row.cells.size(), Tone::kPlain);
    if (row.cells[3] == "no") tones[3] = Tone::kBad;
    table.AddRow(std::move(row.cells), std::move(tones));
  }
  return table;
}

}  // namespace eiabench::analysis
