// The per-request bookkeeping on the extractor's and the recorder's hot
// paths, in nanoseconds per operation: the limiter's decision (Pacer), the
// latency histogram's record, and the exact sliding-window compliance
// meter (per send time measured).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "harness/client/pacer.h"
#include "harness/experiment/histogram.h"
#include "harness/experiment/window_meter.h"

namespace eiabench::bench {
namespace {

// One limiter decision as the extractor makes it: ask for the earliest
// conforming start, then record the start there. All three limits are on
// (gap, per-second cap, GCRA with a burst), the most work a decision does.
void BM_PacerDecision(benchmark::State& state) {
  PacerOptions options;
  options.delay_between_operations_s = 0.2;
  options.max_operations_per_second = 4;
  options.requests_per_hour = 4990;
  options.burst = 10;
  Pacer pacer(options);
  Nanos now{0};
  for (auto _ : state) {
    Nanos start = pacer.EarliestStart(now);
    pacer.RecordStart(start);
    now = start + Nanos(1000);
    benchmark::DoNotOptimize(now);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PacerDecision);

// Recording one latency, values spread over 1 ms .. ~1 s like real calls.
void BM_HistogramRecord(benchmark::State& state) {
  experiment::LatencyHistogram histogram;
  uint64_t x = 88172645463325252ULL;
  std::vector<int64_t> values(4096);
  for (auto& v : values) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
    v = 1000 + static_cast<int64_t>(x % 1000000);
  }
  size_t i = 0;
  for (auto _ : state) {
    histogram.Record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HistogramRecord);

// The window meter works on a run's whole send log after the run (sort +
// two-pointer pass). Reported per send, for runs of 5,000 and 100,000
// requests spaced 0.72 s apart with jitter.
void BM_WindowMeterPerSend(benchmark::State& state) {
  const int64_t sends = state.range(0);
  std::vector<Nanos> times;
  times.reserve(static_cast<size_t>(sends));
  uint64_t x = 2463534242ULL;
  for (int64_t i = 0; i < sends; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    times.push_back(Nanos(i * 720'000'000LL + int64_t(x % 100'000'000)));
  }
  experiment::RateLimit limit{3600, 5000};
  for (auto _ : state) {
    auto result = experiment::MeasureWindow(times, limit);
    benchmark::DoNotOptimize(result.max_count);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * sends);
  state.counters["ns_per_send"] = benchmark::Counter(
      static_cast<double>(state.iterations() * sends),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_WindowMeterPerSend)->Arg(5000)->Arg(100000);

}  // namespace
}  // namespace eiabench::bench

BENCHMARK_MAIN();
