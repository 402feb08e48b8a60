// Order statistics and the Mann-Whitney U test used by `compare` and `check`.
// Pure functions; thread-safe.
#pragma once

#include <vector>

namespace eiabench::analysis {

// Fewer repetitions than this on either side: the U test is not run
// (Google Benchmark's compare.py uses the same floor and recommends 9+).
inline constexpr int kMinTestRepetitions = 2;
// Without ties and with both samples at most this large, the p-value comes
// from the exact distribution of U; otherwise from the normal approximation.
inline constexpr int kMaxExactSampleSize = 20;

// Median of `values`, averaging the two middle values for an even count.
// Returns 0 for an empty input (callers check emptiness first).
double Median(std::vector<double> values);

enum class UTestMethod { kNotTestable, kExact, kNormal };

struct UTestResult {
  UTestMethod method = UTestMethod::kNotTestable;
  // U of the first sample: pairs (a, b) with a > b, plus half of the ties.
  double u = 0;
  // Two-sided p-value; 1 when not testable.
  double p_value = 1;
  // The smallest two-sided p-value these sample sizes can produce (ties
  // aside); when it exceeds alpha no outcome can ever be significant.
  double min_p_value = 1;

  bool Testable() const { return method != UTestMethod::kNotTestable; }
  bool Significant(double alpha) const { return Testable() && p_value < alpha; }
};

// Two-sided Mann-Whitney U test of `a` against `b`.
// Method: when neither sample has fewer than kMinTestRepetitions values,
// the exact null distribution of U is used if there are no ties and both
// samples hold at most kMaxExactSampleSize values; otherwise the normal
// approximation with the tie correction of the variance and a continuity
// correction of 0.5. If every value is tied the p-value is 1.
UTestResult MannWhitneyU(const std::vector<double>& a,
                         const std::vector<double>& b);

// Relative change from `before` to `after` as a fraction:
// (after - before) / |before|; when `before` is 0, the change relative to the
// mean of both ((after - before) / ((|before| + |after|) / 2)), and 0 when
// both are 0. The same convention as compare.py.
double RelativeChange(double before, double after);

}  // namespace eiabench::analysis
