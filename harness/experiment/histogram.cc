#include "harness/experiment/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace eiabench::experiment {

namespace {
// 2048 exact sub-buckets cover 0..2047; from there on each doubling adds
// 1024 buckets of width 2^shift. 1/1024 < 10^-3 gives 3 significant digits.
constexpr int64_t kExactLimit = 2048;
constexpr int64_t kHalf = 1024;
}  // namespace

size_t LatencyHistogram::IndexOf(int64_t value_us) {
  if (value_us < kExactLimit) return static_cast<size_t>(value_us);
  // shift >= 1: value >> shift lands in [1024, 2048).
  int shift = std::bit_width(static_cast<uint64_t>(value_us)) - 11;
  int64_t sub = (value_us >> shift) - kHalf;
  return static_cast<size_t>(kExactLimit + (shift - 1) * kHalf + sub);
}

int64_t LatencyHistogram::HighestInBucket(size_t index) {
  auto i = static_cast<int64_t>(index);
  if (i < kExactLimit) return i;
  int64_t shift = (i - kExactLimit) / kHalf + 1;
  int64_t sub = (i - kExactLimit) % kHalf + kHalf;
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t value_us) {
  value_us = std::max<int64_t>(value_us, 0);
  size_t index = IndexOf(value_us);
  if (index >= counts_.size()) counts_.resize(index + 1, 0);
  ++counts_[index];
  min_ = count_ ? std::min(min_, value_us) : value_us;
  max_ = std::max(max_, value_us);
  sum_ += value_us;
  ++count_;
}

double LatencyHistogram::mean() const {
  return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile >= 100.0) return max_;
  percentile = std::max(percentile, 0.0);
  auto rank = static_cast<uint64_t>(
      std::ceil(percentile / 100.0 * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(HighestInBucket(i), max_);
  }
  return max_;
}

}  // namespace eiabench::experiment
