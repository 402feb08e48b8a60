// `eiabench compare`: cells of several result files matched by their
// parameters, and per chosen metric each file's median, the change against
// the first file and a two-sided Mann-Whitney U test on the repetitions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/analysis/metrics.h"
#include "harness/analysis/result_file.h"
#include "harness/analysis/stats.h"
#include "harness/analysis/text_table.h"

namespace eiabench::analysis {

// One cell across files: `cells[i]` is file i's cell with this key, or null
// when file i has no cell with these parameters.
struct CellMatch {
  std::string key;
  std::string id;
  nlohmann::json params;
  std::vector<const Cell*> cells;

  bool Complete() const;
};

// Matches cells by CanonicalParamsKey. The order is the first file's cell
// order, then cells that only later files have, in their order. Pointers
// refer into `files`, which must outlive the result.
std::vector<CellMatch> MatchCells(const std::vector<ResultFile>& files);

struct MetricComparison {
  std::string metric;
  Direction direction = Direction::kNeutral;
  std::vector<std::optional<double>> medians;  // per file
  std::vector<std::optional<double>> changes;  // vs file 0; [0] empty
  std::vector<UTestResult> tests;              // vs file 0; [0] unused
};

struct CellComparison {
  CellMatch match;
  std::vector<MetricComparison> metrics;
};

struct Comparison {
  std::vector<std::string> labels;
  std::vector<std::string> paths;
  std::vector<bool> deterministic;    // per file: virtual clock
  std::vector<CellComparison> cells;  // one per matched cell
  double alpha = 0.05;
};

struct CompareOptions {
  std::vector<std::string> metrics;  // empty: DefaultCompareMetrics()
  double alpha = 0.05;
};

// Compares every later file against files[0]. A metric no file has is left
// out. `files` must outlive the result.
Comparison Compare(const std::vector<ResultFile>& files,
                   const CompareOptions& options);

// The comparison as a table: cell, metric, then per file its value and (for
// later files) the change, the p-value; last the compliance per file.
TextTable ComparisonTable(const Comparison& comparison);
// The full rendering in `format`; text and Markdown end with the list of
// cells that have no partner.
std::string RenderComparison(const Comparison& comparison, OutputFormat format,
                             bool color);

// Text of a U test for a table cell: "0.0079", "n/a (too few reps)", or
// "exact" when both sides are deterministic.
std::string FormatPValue(const UTestResult& test, bool deterministic);

}  // namespace eiabench::analysis
