#include "harness/analysis/stats.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace eiabench::analysis {
namespace {

struct Ranking {
  double rank_sum_a = 0;
  double tie_term = 0;  // sum over tie groups of (t^3 - t)
  bool has_ties = false;
};

// Mid-ranks of the pooled sample: tied values share the mean of the ranks
// they occupy.
Ranking RankPooled(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  pooled.reserve(a.size() + b.size());
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  Ranking ranking;
  size_t i = 0;
  while (i < pooled.size()) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    double t = static_cast<double>(j - i);
    double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) {
      if (pooled[k].second) ranking.rank_sum_a += mid_rank;
    }
    if (t > 1) {
      ranking.has_ties = true;
      ranking.tie_term += t * t * t - t;
    }
    i = j;
  }
  return ranking;
}

// Number of arrangements of n1 + n2 distinct values giving each U of the
// first sample, built by adding one sample value at a time: when the largest
// value belongs to the first sample it beats all n2 values of the second.
std::vector<double> ExactUCounts(int n1, int n2) {
  int max_u = n1 * n2;
  // counts[j][u] for the current i; i = 0 has exactly one arrangement (U=0).
  std::vector<std::vector<double>> counts(n2 + 1,
                                          std::vector<double>(max_u + 1, 0));
  for (int j = 0; j <= n2; ++j) counts[j][0] = 1;
  for (int i = 1; i <= n1; ++i) {
    std::vector<std::vector<double>> next(n2 + 1,
                                          std::vector<double>(max_u + 1, 0));
    for (int j = 0; j <= n2; ++j) {
      for (int u = 0; u <= max_u; ++u) {
        double from_a = u >= j ? counts[j][u - j] : 0;
        double from_b = j > 0 ? next[j - 1][u] : 0;
        next[j][u] = from_a + from_b;
      }
    }
    counts = std::move(next);
  }
  return counts[n2];
}

double ExactTwoSidedP(int n1, int n2, double u) {
  std::vector<double> counts = ExactUCounts(n1, n2);
  double total = 0;
  for (double c : counts) total += c;
  double tail_u = std::min(u, n1 * n2 - u);
  double tail = 0;
  for (int k = 0; k <= static_cast<int>(std::floor(tail_u + 1e-9)); ++k) {
    tail += counts[k];
  }
  return std::min(1.0, 2 * tail / total);
}

double NormalTwoSidedP(int n1, int n2, double u, double tie_term) {
  double n = n1 + n2;
  double mean_u = n1 * n2 / 2.0;
  double variance = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (variance <= 0) return 1;  // every value tied: no evidence of a shift
  double z = std::max(0.0, std::fabs(u - mean_u) - 0.5) / std::sqrt(variance);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

}  // namespace

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  double lower = *std::max_element(values.begin(), values.begin() + mid);
  return (lower + upper) / 2;
}

UTestResult MannWhitneyU(const std::vector<double>& a,
                         const std::vector<double>& b) {
  UTestResult result;
  int n1 = static_cast<int>(a.size());
  int n2 = static_cast<int>(b.size());
  if (n1 < kMinTestRepetitions || n2 < kMinTestRepetitions) return result;

  Ranking ranking = RankPooled(a, b);
  result.u = ranking.rank_sum_a - n1 * (n1 + 1) / 2.0;
  bool exact = !ranking.has_ties && n1 <= kMaxExactSampleSize &&
               n2 <= kMaxExactSampleSize;
  result.method = exact ? UTestMethod::kExact : UTestMethod::kNormal;
  result.p_value = exact ? ExactTwoSidedP(n1, n2, result.u)
                         : NormalTwoSidedP(n1, n2, result.u, ranking.tie_term);
  // The most extreme outcome (complete separation) bounds what is reachable.
  result.min_p_value =
      exact ? ExactTwoSidedP(n1, n2, 0) : NormalTwoSidedP(n1, n2, 0, 0);
  return result;
}

double RelativeChange(double before, double after) {
  if (before != 0) return (after - before) / std::fabs(before);
  if (after == 0) return 0;
  return (after - before) / ((std::fabs(before) + std::fabs(after)) / 2);
}

}  // namespace eiabench::analysis
