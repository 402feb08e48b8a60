// Aggregate statistics over a cell's repetitions.
//
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace eiabench::experiment {

struct Aggregate {
  size_t n = 0;
  double median = 0, mean = 0, min = 0, max = 0;
  double stddev = 0;  // sample standard deviation (n - 1); 0 when n < 2
  double cv = 0;      // stddev / |mean|; 0 when the mean is 0
  // 95 % percentile-bootstrap confidence interval of the median: 2,000
  // resamples drawn with a generator seeded by `seed`, so the same values
  // and seed always give the same interval. Equal to the median when n < 2.
  double ci95_low = 0, ci95_high = 0;
};

// The median of `values` (the mean of the two middle values for even n).
double Median(std::vector<double> values);

Aggregate Summarize(const std::vector<double>& values, uint64_t seed);

}  // namespace eiabench::experiment
