// `eiabench report`: charts and one HTML page from result files.
//
// The charts are drawn by scripts/plot_report.py with Debian's
// python3-matplotlib (installed by scripts/setup.sh); this code validates the
// inputs, finds the interpreter and the script, runs it and checks what it
// wrote. docs/ANALYSIS.md explains the choice.
#pragma once

#include <string>
#include <vector>

namespace eiabench::analysis {

struct ReportOptions {
  std::vector<std::string> inputs;  // result files
  std::string out_dir;              // created if missing
  // Heat-map axes; empty: the first two parameters with 2+ distinct values.
  std::string x_axis, y_axis;
  // Records/s against `batch_axis`, one line per `line_axis` value.
  std::string batch_axis = "days_per_batch";
  std::string line_axis = "max_concurrent_batches";
  std::string image_format = "png";  // "png" or "svg"
  // Interpreter; empty: /usr/bin/python3 when it exists (Debian's, which
  // sees python3-matplotlib), else "python3" from PATH.
  std::string python;
  // Plot script; empty: $EIABENCH_PLOT_SCRIPT, else the source tree's
  // scripts/plot_report.py.
  std::string script;
};

struct ReportResult {
  int exit_code = 0;      // an ExitCode
  std::string error;      // one line when exit_code != 0
  std::string html_path;  // out_dir/index.html on success
};

// Validates the inputs (exit 3 if one is unreadable or of another schema),
// the options (exit 4), runs the script (exit 5 if the interpreter, the
// script or matplotlib is missing or the script fails) and confirms that
// index.html was written. Blocks until the script exits.
ReportResult GenerateReport(const ReportOptions& options);

}  // namespace eiabench::analysis
