// `eiabench check`: the CI gate. Compares a current result file against a
// committed baseline and decides pass, regression, compliance violation or
// invalid input, with a Markdown summary fit for a pull-request comment.
//
// Decision rules (docs/ANALYSIS.md has the user-facing version):
// - Cells are matched by their parameters. A baseline cell missing from the
//   current file, a current cell without one valid repetition, different
//   target kinds, or (with `strict`) a different scenario hash make the input
//   incomparable: exit 3.
// - Any non-compliant current cell is a compliance violation: exit 2,
//   whatever the metrics say (it wins over a regression).
// - Only metrics with a direction are gated. When both files ran on the
//   virtual clock a metric is deterministic and regresses when it is worse
//   by more than `tolerance` (relative). Otherwise it regresses only when the
//   two-sided Mann-Whitney U test is significant at `alpha` and the median is
//   worse by more than the metric's practical threshold: exit 1.
// - An explicit threshold (flag or a "gate" block) replaces the tolerance
//   for deterministic metrics as well.
// - A partial file (an interrupted run) is incomparable: exit 3.
//
// The gate block: {"thresholds_pct": {"metric": pct, ...}, "alpha": 0.05,
// "metrics": ["metric", ...]}, every key optional.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/analysis/metrics.h"
#include "harness/analysis/result_file.h"
#include "harness/analysis/stats.h"

namespace eiabench::analysis {

struct CheckOptions {
  // Significance level; unset: the scenario's gate.alpha, else 0.05.
  std::optional<double> alpha;
  // Relative tolerance for deterministic (virtual-clock) metrics.
  double tolerance = 1e-9;
  // Per-metric thresholds in percent from `--threshold metric=pct`; they
  // override the scenario's gate.thresholds_pct, which override defaults.
  std::map<std::string, double> thresholds_pct;
  // Metrics to gate; empty: the scenario's gate.metrics, else every metric
  // with a direction that both files have.
  std::vector<std::string> metrics;
  // A different scenario hash makes the files incomparable.
  bool strict = false;
  // A gate block given explicitly (`--gate FILE`); when it is a non-empty
  // object it replaces the scenario's "gate" block.
  nlohmann::json gate;
};

enum class Verdict {
  kUnchanged,    // within tolerance or threshold
  kWithinNoise,  // changed beyond the threshold but not significantly
  kNotTestable,  // worse beyond the threshold, too few repetitions to test
  kImproved,
  kRegressed,
};

std::string_view VerdictName(Verdict verdict);

struct MetricCheck {
  std::string cell;
  std::string metric;
  Direction direction = Direction::kNeutral;
  bool deterministic = false;
  double baseline = 0;  // medians over ok repetitions
  double current = 0;
  double change = 0;             // relative change, current vs baseline
  double threshold_pct = 0;      // what the worsening was held against
  std::string threshold_source;  // "tolerance", "default", "gate", "flag"
  UTestResult test;
  Verdict verdict = Verdict::kUnchanged;
};

struct CheckReport {
  int exit_code = 0;  // an ExitCode from harness/common/exit_codes.h
  std::string baseline_path, current_path;
  std::vector<std::string> baseline_facts, current_facts;  // for the header
  double alpha = 0.05;
  int cells_checked = 0;
  std::vector<MetricCheck> metrics;
  std::vector<std::string> compliance_violations;
  std::vector<std::string> invalid;  // why the inputs cannot be compared
  std::vector<std::string> notes;    // warnings that do not fail the gate

  int Count(Verdict verdict) const;
};

// Runs the gate. Never throws; the files must be loaded already (an
// unreadable file or a schema mismatch is the caller's exit 3).
CheckReport RunCheck(const ResultFile& baseline, const ResultFile& current,
                     const CheckOptions& options);

// The verdict and its evidence as GitHub-flavoured Markdown.
std::string RenderCheckMarkdown(const CheckReport& report);

}  // namespace eiabench::analysis
