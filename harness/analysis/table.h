// `eiabench table`: one table across several result files, one row per cell,
// the chosen metrics (medians over the cell's repetitions) as columns.
#pragma once

#include <string>
#include <vector>

#include "harness/analysis/result_file.h"
#include "harness/analysis/text_table.h"

namespace eiabench::analysis {

struct TableOptions {
  std::vector<std::string> metrics;  // empty: DefaultTableMetrics()
  // Sort rows by this metric, best first by its direction (descending for
  // higher-is-better and neutral, ascending for lower-is-better); rows
  // without the metric go last. Empty: file order, then cell order.
  std::string sort_metric;
  // Overrides the direction-derived order: true ascending, false descending.
  std::optional<bool> ascending;
};

// Columns: file (the scenario name, or the file label when two files share
// a scenario name), cell, reps ("ok/total"), compliant, then each metric that
// at least one file has.
TextTable BuildTable(const std::vector<ResultFile>& files,
                     const TableOptions& options);

}  // namespace eiabench::analysis
