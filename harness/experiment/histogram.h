// A compact log-linear latency histogram in microseconds, 3 significant
// digits (the HdrHistogram idea, written for eiabench: Debian has no C/C++
// HdrHistogram package).
//
// Values below 2048 µs are counted exactly. Above, each power-of-two range
// [2^k, 2^(k+1)) is cut into 1024 equal buckets, so a bucket is never wider
// than 1/1024 of the values it holds: any reported percentile is within
// 0.1 % of the exact value. Memory grows with the largest value recorded
// (about 8 KiB per doubling), not with the number of values.
//
// Not thread-safe; one recorder owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace eiabench::experiment {

class LatencyHistogram {
 public:
  // Records one value (negative values count as 0).
  void Record(int64_t value_us);

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return max_; }
  double mean() const;

  // The value at `percentile` (0..100) by nearest rank: the smallest
  // recorded value v such that at least percentile % of the values are
  // <= v, reported as the highest value of v's bucket and never above
  // max(). 0 when empty; 100 gives max() exactly.
  int64_t ValueAtPercentile(double percentile) const;

 private:
  static size_t IndexOf(int64_t value_us);
  static int64_t HighestInBucket(size_t index);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace eiabench::experiment
