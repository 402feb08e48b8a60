// Fuzzes the mock's request parsing: the query string, the X-Params JSON
// header, their validation, and the model's answer to the whole request.
//
// Input layout: the query string, then optionally a newline and the X-Params
// header text. Invariants: the model answers every request with a status
// (never throws), and a 200 data answer holds at most 5000 rows.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mock_server/catalog.h"
#include "mock_server/eia_model.h"
#include "mock_server/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eiabench::mock;
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\n');
  std::string query = input.substr(0, split);
  std::string x_params =
      split == std::string::npos ? "" : input.substr(split + 1);

  RawParams params = ParseQueryString(query);
  std::string error;
  if (!x_params.empty()) MergeJsonParams(x_params, params, &error);
  for (const Route& route : Routes()) {
    DataQuery parsed;
    QueryError query_error;
    BuildDataQuery(route, params, &parsed, &query_error);
  }

  static EiaModel* model = [] {
    ModelOptions options;
    options.rate_limit.limit = 0;  // no limiter: every request is answered
    return new EiaModel(options);
  }();
  MockRequest request;
  request.method = "GET";
  request.path = "/v2/electricity/rto/region-data/data/";
  request.query = query;
  if (!x_params.empty()) request.headers.push_back({"X-Params", x_params});
  MockResponse response = model->Handle(request, std::chrono::seconds(1));
  if (response.status < 100 || response.status > 599) __builtin_trap();
  if (response.status == 200 && response.rows > 5000) __builtin_trap();
  return 0;
}
