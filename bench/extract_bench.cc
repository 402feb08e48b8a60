// Whole extractions, in process:
//
//   BM_SimVirtualHour    one virtual hour of a 5,000 requests/hour run on the
//                        `sim` target (SimTransport over EiaModel with the
//                        `eia` latency profile, VirtualClock). The time per
//                        iteration is the real time one virtual hour costs.
//   BM_LoopbackExtract   the pipeline (CurlTransport, RealClock) against a
//                        MockServer with the `instant` profile on 127.0.0.1,
//                        null and SQLite sinks: records/s and requests/s.
//
// The mock runs in this process, so its threads share the machine with the
// client; scripts/bench.sh also measures the client as a separate process
// pinned away from the mock. All timings here are real (wall) time.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "harness/client/curl_transport.h"
#include "harness/client/extractor.h"
#include "harness/client/sinks.h"
#include "harness/experiment/sim_transport.h"
#include "mock_server/eia_model.h"
#include "mock_server/server.h"

namespace eiabench::bench {
namespace {

constexpr double kLimitPerHour = 5000;
constexpr double kVirtualHourS = 3600;

// Stops the extractor once a request finishes after one virtual hour.
class StopAfter : public ExtractObserver {
 public:
  explicit StopAfter(Nanos limit) : limit_(limit) {}
  void OnRequest(const RequestEvent& event) override {
    ++requests_;
    rows_ += event.rows;
    if (event.in_flight_at_start > peak_in_flight_)
      peak_in_flight_ = event.in_flight_at_start;
    if (event.finished_at >= limit_ && extractor_) extractor_->RequestStop();
  }
  Extractor* extractor_ = nullptr;
  uint64_t requests_ = 0, rows_ = 0;
  uint32_t peak_in_flight_ = 0;

 private:
  Nanos limit_;
};

// All respondents' fuel-type-data for six years: far more than an hour of
// requests at 5,000/h, whatever the page length.
ExtractOptions SimOptions(int request_length) {
  ExtractOptions o;
  o.base_url = "http://sim/v2";
  o.route = "electricity/rto/fuel-type-data";
  o.start = "2019-01-01T00";
  o.end = "2024-12-31T23";
  o.days_per_batch = 30;
  o.request_length = request_length;
  // Enough batches in flight that the pacer, not the ~1 s latency of a
  // full page, bounds the rate.
  o.max_concurrent_batches = 8;
  o.burst = 1;
  o.requests_per_hour = ComplianceSafeRate(kLimitPerHour, o.burst);
  o.api_key = "bench-key";
  return o;
}

void BM_SimVirtualHour(benchmark::State& state) {
  const int length = static_cast<int>(state.range(0));
  uint64_t requests = 0, rows = 0, http_429 = 0, peak_in_flight = 0;
  for (auto _ : state) {
    mock::ModelOptions model_options;
    mock::LatencyProfileByName("eia", &model_options.latency);
    model_options.rate_limit.limit = static_cast<int64_t>(kLimitPerHour);
    mock::EiaModel model(model_options);
    VirtualClock clock;
    experiment::SimTransport transport(model, clock, {});
    NullSink sink;
    StopAfter observer(FromSeconds(kVirtualHourS));
    Extractor extractor(SimOptions(length), transport, clock, sink, &observer);
    observer.extractor_ = &extractor;
    ExtractSummary summary = extractor.Run();
    if (summary.exit_code != 0 && summary.exit_code != 130) {
      state.SkipWithError(summary.error.c_str());
      break;
    }
    requests = observer.requests_;
    rows = observer.rows_;
    http_429 = summary.http_429;
    peak_in_flight = observer.peak_in_flight_;
  }
  state.counters["peak_in_flight"] = static_cast<double>(peak_in_flight);
  state.counters["virtual_hour_requests"] = static_cast<double>(requests);
  state.counters["http_429"] = static_cast<double>(http_429);
  state.counters["virtual_hour_records"] = static_cast<double>(rows);
}
// A full-page virtual hour costs tens of CPU-seconds: one iteration, one
// repetition, whatever the command line asks.
BENCHMARK(BM_SimVirtualHour)
    ->Arg(5000)
    ->Iterations(1)
    ->Repetitions(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SimVirtualHour)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One MockServer for every loopback iteration: starting it is not what is
// measured. Few handler threads: the client keeps at most 4 in flight.
mock::MockServer& LoopbackServer() {
  static std::unique_ptr<mock::MockServer> server = [] {
    mock::ServerOptions options;
    options.model.rate_limit.limit = 0;  // instant and unlimited
    options.threads = 8;
    auto s = std::make_unique<mock::MockServer>(options);
    std::string error;
    if (!s->Start("127.0.0.1", 0, &error)) {
      std::fprintf(stderr, "bench: mock did not start: %s\n", error.c_str());
      std::abort();
    }
    return s;
  }();
  return *server;
}

// Every respondent's fuel-type-data for one month: about 75 full pages.
void BM_LoopbackExtract(benchmark::State& state) {
  const bool sqlite = state.range(0) == 1;
  mock::MockServer& server = LoopbackServer();
  ExtractOptions o;
  o.base_url = server.base_url();
  o.route = "electricity/rto/fuel-type-data";
  o.start = "2024-01-01T00";
  o.end = "2024-01-31T23";
  o.days_per_batch = 1;
  o.max_concurrent_batches = 4;
  o.api_key = "bench-key";
  const std::string db =
      (std::filesystem::temp_directory_path() /
       ("eiabench_bench_" + std::to_string(::getpid()) + ".sqlite"))
          .string();
  uint64_t rows = 0, requests = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(db + suffix);
    RealClock clock;
    std::string error;
    auto transport = MakeCurlTransport(CurlOptionsFrom(o), clock, &error);
    auto sink = MakeSink(sqlite ? SinkKind::kSqlite : SinkKind::kNull, db);
    Extractor extractor(o, *transport, clock, *sink, nullptr);
    state.ResumeTiming();
    ExtractSummary summary = extractor.Run();
    sink->Close(&error);
    if (summary.exit_code != 0) {
      state.SkipWithError(summary.error.c_str());
      break;
    }
    rows += summary.rows;
    requests += summary.requests;
  }
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(db + suffix);
  state.counters["records_per_s"] = benchmark::Counter(
      static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["requests_per_s"] = benchmark::Counter(
      static_cast<double>(requests), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LoopbackExtract)
    ->ArgName("sqlite")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace eiabench::bench

BENCHMARK_MAIN();
