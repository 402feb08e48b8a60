// Exact window counting, the histogram against a sorted array, aggregates.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "harness/experiment/histogram.h"
#include "harness/experiment/stats.h"
#include "harness/experiment/window_meter.h"

using eiabench::FromSeconds;
using eiabench::Nanos;
using namespace eiabench::experiment;

namespace {
std::vector<Nanos> Seconds(std::initializer_list<double> s) {
  std::vector<Nanos> out;
  for (double v : s) out.push_back(FromSeconds(v));
  return out;
}
}  // namespace

TEST_CASE("a window holding exactly the limit is compliant",
          "[experiment][window]") {
  auto c = MeasureWindow(Seconds({0, 1, 2, 9.999}), {10, 4});
  REQUIRE(c.max_count == 4);
  REQUIRE(c.headroom == 0.0);
  REQUIRE(c.compliant());
  REQUIRE_FALSE(c.first_violation_s.has_value());
}

TEST_CASE("one send over the limit is a violation at that send's time",
          "[experiment][window]") {
  auto c = MeasureWindow(Seconds({0, 1, 2, 3, 9.5}), {10, 4});
  REQUIRE(c.max_count == 5);
  REQUIRE_FALSE(c.compliant());
  REQUIRE(c.first_violation_s == Approx(9.5));
  REQUIRE(c.headroom == Approx(-0.25));
}

TEST_CASE("a send exactly one window later starts a new window",
          "[experiment][window]") {
  // [t, t + W) is half-open: 0 and 10 never share a 10 s window.
  auto c = MeasureWindow(Seconds({0, 1, 2, 3, 10}), {10, 4});
  REQUIRE(c.max_count == 4);
  REQUIRE(c.compliant());
}

TEST_CASE("fixed windows miss a burst across their boundary",
          "[experiment][window]") {
  // 4 sends just before t = 10 and 4 just after: each aligned window holds
  // 4, yet the sliding window [9, 19) holds 8.
  auto c =
      MeasureWindow(Seconds({9, 9.2, 9.4, 9.6, 10, 10.2, 10.4, 10.6}), {10, 4});
  REQUIRE(c.fixed_window_max == 4);
  REQUIRE(c.max_count == 8);
  REQUIRE_FALSE(c.compliant());
  REQUIRE(c.first_violation_s == Approx(10.0));
}

TEST_CASE("unsorted send times are counted as if sorted",
          "[experiment][window]") {
  auto c = MeasureWindow(Seconds({5, 0, 3, 20, 1}), {10, 3});
  REQUIRE(c.max_count == 4);
  REQUIRE(c.first_violation_s == Approx(5));
}

TEST_CASE("the server's count alone can make a window non-compliant",
          "[experiment][window]") {
  auto c = MeasureWindow(Seconds({0, 1}), {10, 4});
  c.server_max_count = 5;
  REQUIRE_FALSE(c.compliant());
}

TEST_CASE("the window series counts sends in the trailing window",
          "[experiment][window]") {
  auto series = SampleWindowSeries(Seconds({0, 1, 2, 12}), {10, 4}, 13);
  REQUIRE(series.t_s.size() == 13);
  REQUIRE(series.count[0] == 1);   // t = 0: the send at 0
  REQUIRE(series.count[2] == 3);   // t = 2: 0, 1, 2
  REQUIRE(series.count[10] == 2);  // t = 10: (0, 10] holds 1 and 2
  REQUIRE(series.count[12] == 1);  // t = 12: (2, 12] holds 12 only
}

TEST_CASE("histogram percentiles stay within 0.1 % of a sorted array",
          "[experiment][histogram]") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(12.0, 1.5);  // ~160 ms median
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<int64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    auto rank = static_cast<size_t>(std::ceil(p / 100 * values.size()));
    double exact = static_cast<double>(values[rank - 1]);
    double got = static_cast<double>(h.ValueAtPercentile(p));
    INFO("p" << p << " exact " << exact << " got " << got);
    REQUIRE(got >= exact);
    REQUIRE(got <= exact * 1.001 + 1);
  }
  REQUIRE(h.ValueAtPercentile(100) == values.back());
  REQUIRE(h.min() == values.front());
  REQUIRE(h.count() == values.size());
}

TEST_CASE("small histogram values are exact", "[experiment][histogram]") {
  LatencyHistogram h;
  for (int v : {5, 1, 3, 2, 4}) h.Record(v);
  REQUIRE(h.ValueAtPercentile(50) == 3);
  REQUIRE(h.ValueAtPercentile(20) == 1);
  REQUIRE(h.ValueAtPercentile(21) == 2);
  REQUIRE(h.mean() == Approx(3));
  REQUIRE(LatencyHistogram().ValueAtPercentile(50) == 0);
}

TEST_CASE("aggregates match hand-computed values", "[experiment][stats]") {
  Aggregate a = Summarize({2, 4, 4, 4, 5, 5, 7, 9}, 1);
  REQUIRE(a.n == 8);
  REQUIRE(a.median == Approx(4.5));
  REQUIRE(a.mean == Approx(5));
  REQUIRE(a.min == 2);
  REQUIRE(a.max == 9);
  REQUIRE(a.stddev == Approx(std::sqrt(32.0 / 7)));
  REQUIRE(a.cv == Approx(std::sqrt(32.0 / 7) / 5));
  REQUIRE(a.ci95_low <= a.median);
  REQUIRE(a.ci95_high >= a.median);
  REQUIRE(a.ci95_low >= 2);
  REQUIRE(a.ci95_high <= 9);
}

TEST_CASE("the bootstrap interval is reproducible from its seed",
          "[experiment][stats]") {
  std::vector<double> v = {10, 12, 9, 11, 13, 8, 10.5};
  Aggregate a = Summarize(v, 99), b = Summarize(v, 99);
  REQUIRE(a.ci95_low == b.ci95_low);
  REQUIRE(a.ci95_high == b.ci95_high);
}

TEST_CASE("one value has a zero spread and a point interval",
          "[experiment][stats]") {
  Aggregate a = Summarize({3.5}, 1);
  REQUIRE(a.stddev == 0);
  REQUIRE(a.ci95_low == 3.5);
  REQUIRE(a.ci95_high == 3.5);
}
