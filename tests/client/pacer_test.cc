#include "harness/client/pacer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "harness/client/extractor.h"

using namespace eiabench;

namespace {

// Drives the pacer with a random, bursty demand and returns the starts.
std::vector<Nanos> Simulate(const PacerOptions& o, int n, uint64_t seed) {
  Pacer pacer(o);
  std::mt19937_64 rng(seed);
  std::vector<Nanos> starts;
  Nanos now{0};
  for (int i = 0; i < n; ++i) {
    // Demand arrives in bursts with idle gaps of up to 20 minutes.
    if (rng() % 50 == 0) now += std::chrono::seconds(rng() % 1200);
    Nanos t = pacer.EarliestStart(now);
    pacer.RecordStart(t);
    starts.push_back(t);
    now = t;
  }
  return starts;
}

// The largest number of starts in any half-open window (t - w, t]; exact:
// every maximal window ends at a start.
size_t MaxInWindow(const std::vector<Nanos>& starts, Nanos w) {
  size_t best = 0, lo = 0;
  for (size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[lo] <= starts[hi] - w) ++lo;
    best = std::max(best, hi - lo + 1);
  }
  return best;
}

}  // namespace

TEST_CASE("GCRA never lets a sliding hour exceed rate + burst - 1",
          "[client]") {
  for (int burst : {1, 5, 40}) {
    for (double rate : {100.0, 1000.0, 4999.0}) {
      PacerOptions o;
      o.requests_per_hour = rate;
      o.burst = burst;
      auto starts = Simulate(o, 20000, static_cast<uint64_t>(burst * rate));
      CHECK(MaxInWindow(starts, std::chrono::hours(1)) <=
            static_cast<size_t>(rate) + burst - 1);
    }
  }
}

TEST_CASE("a compliance-safe rate keeps every hour within the server limit",
          "[client]") {
  PacerOptions o;
  o.burst = 10;
  o.requests_per_hour = ComplianceSafeRate(5000, o.burst);
  auto starts = Simulate(o, 30000, 7);
  CHECK(MaxInWindow(starts, std::chrono::hours(1)) <= 5000);
}

TEST_CASE("GCRA allows exactly burst starts back to back", "[client]") {
  PacerOptions o;
  o.requests_per_hour = 3600;
  o.burst = 3;
  Pacer p(o);
  for (int i = 0; i < 3; ++i) {
    CHECK(p.EarliestStart(Nanos(0)) == Nanos(0));
    p.RecordStart(Nanos(0));
  }
  CHECK(p.EarliestStart(Nanos(0)) == std::chrono::seconds(1));
}

TEST_CASE("the minimum gap holds between any two starts", "[client]") {
  PacerOptions o;
  o.delay_between_operations_s = 0.25;
  o.max_operations_per_second = 2;  // 0.5 s wins
  auto starts = Simulate(o, 500, 3);
  for (size_t i = 1; i < starts.size(); ++i)
    CHECK(starts[i] - starts[i - 1] >= std::chrono::milliseconds(500));
}

TEST_CASE("the seed limiter lets waiting requests fire back to back",
          "[client]") {
  PacerOptions o;
  o.delay_between_operations_s = 2.0;
  o.seed_limiter = true;
  Pacer p(o);
  p.RecordSeedStart(Nanos(0));
  // Two tasks become ready at 1.02 s: both compute the same wake time.
  Nanos ready = std::chrono::milliseconds(1020);
  CHECK(p.SeedWake(ready) == std::chrono::seconds(2));
  CHECK(p.SeedWake(ready) == p.SeedWake(ready));
  // The proper limiter ignores the delay in seed mode.
  CHECK(p.EarliestStart(ready) == ready);
}
