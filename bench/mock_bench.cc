// The mock's hot path: one data request through EiaModel::Handle, i.e.
// parsing the query, generating the page's rows from the seed and writing
// the JSON body. Bytes/s is body bytes produced; the HTTP layer is not
// included (the loopback and wrk numbers cover it).
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "mock_server/eia_model.h"

namespace eiabench::bench {
namespace {

mock::MockRequest DataRequest(int length) {
  mock::MockRequest request;
  request.method = "GET";
  request.path = "/v2/electricity/rto/fuel-type-data/data/";
  request.query =
      "frequency=hourly&data[0]=value&facets[respondent][]=PACW"
      "&start=2024-01-01T00&end=2024-12-31T23"
      "&sort[0][column]=period&sort[0][direction]=asc&offset=0&length=" +
      std::to_string(length) + "&api_key=bench-key";
  return request;
}

void BM_MockDataPage(benchmark::State& state) {
  const int length = static_cast<int>(state.range(0));
  mock::ModelOptions options;
  options.rate_limit.limit = 0;  // the limiter is not what is measured
  mock::EiaModel model(options);
  const mock::MockRequest request = DataRequest(length);
  std::chrono::nanoseconds now{0};
  uint64_t bytes = 0, rows = 0;
  for (auto _ : state) {
    mock::MockResponse response = model.Handle(request, now);
    now += std::chrono::milliseconds(1);
    if (response.status != 200) {
      state.SkipWithError(
          ("status " + std::to_string(response.status)).c_str());
      break;
    }
    bytes += response.body.size();
    rows += response.rows;
    benchmark::DoNotOptimize(response.body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["records_per_s"] = benchmark::Counter(
      static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["requests_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MockDataPage)->Arg(5000)->Arg(1);

}  // namespace
}  // namespace eiabench::bench

BENCHMARK_MAIN();
