#include "harness/experiment/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace eiabench::experiment {

namespace {
constexpr int kBootstrapResamples = 2000;

double SortedMedian(const std::vector<double>& sorted) {
  size_t n = sorted.size();
  if (n == 0) return 0;
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// Percentile-bootstrap of the median. std::uniform_int_distribution is not
// specified bit for bit across standard libraries, so indices come straight
// from the 64-bit generator (the modulo bias is negligible for small n).
void BootstrapMedianCi(const std::vector<double>& values, uint64_t seed,
                       Aggregate* out) {
  std::mt19937_64 rng(seed);
  std::vector<double> medians(kBootstrapResamples);
  std::vector<double> sample(values.size());
  for (double& m : medians) {
    for (double& v : sample) v = values[rng() % values.size()];
    std::sort(sample.begin(), sample.end());
    m = SortedMedian(sample);
  }
  std::sort(medians.begin(), medians.end());
  out->ci95_low = medians[static_cast<size_t>(0.025 * kBootstrapResamples)];
  out->ci95_high =
      medians[static_cast<size_t>(0.975 * kBootstrapResamples) - 1];
}
}  // namespace

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return SortedMedian(values);
}

Aggregate Summarize(const std::vector<double>& values, uint64_t seed) {
  Aggregate out;
  out.n = values.size();
  if (values.empty()) return out;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  out.min = sorted.front();
  out.max = sorted.back();
  out.median = SortedMedian(sorted);
  out.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) /
             static_cast<double>(out.n);
  if (out.n >= 2) {
    double ss = 0;
    for (double v : sorted) ss += (v - out.mean) * (v - out.mean);
    out.stddev = std::sqrt(ss / static_cast<double>(out.n - 1));
    BootstrapMedianCi(sorted, seed, &out);
  } else {
    out.ci95_low = out.ci95_high = out.median;
  }
  out.cv = out.mean != 0 ? out.stddev / std::fabs(out.mean) : 0;
  return out;
}

}  // namespace eiabench::experiment
