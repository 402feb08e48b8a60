// What each metric of docs/RESULTS.md means for a comparison: its direction
// (which way is better) and the default practical threshold `check` uses for
// noisy (non-virtual-clock) results. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eiabench::analysis {

enum class Direction { kHigherIsBetter, kLowerIsBetter, kNeutral };

// The direction from the metrics table of docs/RESULTS.md; a metric not in
// the table is neutral (reported, never gated).
Direction MetricDirection(std::string_view metric);
// "higher", "lower" or "neutral".
std::string_view DirectionName(Direction direction);

// Default practical threshold, in percent, for a noisy metric: 25 for
// latency tails (p99, p99.9, max), 15 for other microsecond metrics, 10 for
// everything else (throughput, counts, durations).
double DefaultThresholdPct(std::string_view metric);

// The metrics `compare` and `table` show when none is chosen.
std::vector<std::string> DefaultCompareMetrics();
std::vector<std::string> DefaultTableMetrics();

// The change from `before` to `after` expressed so that positive is worse:
// for lower-is-better metrics the relative change, for higher-is-better its
// negation, and 0 for neutral metrics.
double WorseningFraction(Direction direction, double before, double after);

}  // namespace eiabench::analysis
