// The EIA Open Data API v2 as plain code: request in, response out.
//
// EiaModel holds everything the API does: parsing a request (query string,
// X-Params header or POST body), validating it, generating rows
// deterministically from the seed, the rate limiter, the latency and fault
// model. It knows nothing about sockets or real time: the caller says what
// time it is (model time since the model's epoch) and the model says how
// long the answer should take and which fault, if any, to act out. The HTTP
// server (mock_server/server.h) is a thin adapter around it; the `sim`
// transport calls it directly on a virtual clock, so the two can never
// disagree about what the API does.
//
// Thread safety: Handle(), Stats(), Reset() and ComputeTruth() may be called
// from many threads at once (the HTTP server's pool).
//
// Row checksum (shared contract with the client, implemented independently
// there): a result set's checksum is the wrapping 64-bit sum of one hash per
// row, printed as 16 lower-case hex digits. A row's hash is XXH3-64 (seed 0,
// the xxHash library's XXH3_64bits) over the row's
// canonical string: for every field in the order the response writes them,
// key + "=" + value + ";", where value is the JSON string's unescaped
// content or the 4 characters `null` for a JSON null. Example:
//   period=2024-01-01T00;respondent=PACW;respondent-name=PacifiCorp West;
//   fueltype=NG;type-name=Natural Gas;value=512;value-units=megawatthours;
// RowHash() in mock_server/result_set.h computes it from parsed fields.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace eiabench::mock {

struct MockRequest {
  std::string method;  // "GET" or "POST"
  std::string path;    // "/v2/electricity/rto/fuel-type-data/data/"
  std::string query;   // raw query string without '?', still percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // any case
  std::string body;                                          // POST JSON body
  uint64_t connection_id = 0;   // same value for requests on one connection
  bool new_connection = false;  // first request on its connection
};

// A fault the transport must act out. The model already shaped the body for
// the faults that concern it (kMalformedJson: a cut body with status 200;
// kServerError/kUnavailable: the error body); for the others the body is
// the full, correct answer and the transport damages the delivery:
//   kStall       answer after `delay` (longer than any sane client timeout);
//   kReset       close the connection with a TCP reset, no response at all;
//   kTruncated   send the headers with the full Content-Length, then part of
//                the body, then close.
enum class FaultKind {
  kNone,
  kServerError,
  kUnavailable,
  kStall,
  kReset,
  kTruncated,
  kMalformedJson
};

const char* FaultKindName(FaultKind kind);

struct MockResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::nanoseconds delay{0};  // model time the answer takes
  FaultKind fault = FaultKind::kNone;
  uint64_t rows = 0;  // data rows in the body
};

// Latency = base + per_row x rows + new_connection (first request on a
// connection, standing for TCP and TLS set-up to a far host) + jitter drawn
// from an exponential distribution with the given mean. All in model time.
struct LatencyProfile {
  std::string name = "instant";
  double base_ms = 0;
  double per_row_us = 0;
  double new_connection_ms = 0;
  double jitter_mean_ms = 0;
};

// "instant": no latency. "eia": calibrated to the live API as the seed's
// recordings show it (about 0.25 s for a small page, about 1 s for a full
// 5,000-row page; first call on a connection +150 ms). Returns false for an
// unknown name.
bool LatencyProfileByName(const std::string& name, LatencyProfile* out);

// Probabilities per request (each in [0, 1], sum <= 1). Drawn from a hash
// of (seed, request number), so a run with the same seed and the same
// request order sees the same faults.
struct FaultOptions {
  double server_error = 0;    // 500 "Something unexpected happened."
  double unavailable = 0;     // 503
  double stall = 0;           // answer after stall_s
  double reset = 0;           // TCP reset, no response
  double truncated = 0;       // body cut short of Content-Length
  double malformed_json = 0;  // 200 with a broken JSON body
  double stall_s = 600;       // model seconds a stall lasts
};

// Per-key limits, exact sliding windows in model time: a request is
// admitted when fewer than `limit` admitted requests of the same key fall in
// the window (t - window, t]. Rejected requests do not count toward the
// limit unless count_rejected is set (they always count as arrivals in the
// stats). limit 0 disables a window.
struct RateLimitOptions {
  int64_t limit = 5000;
  double window_s = 3600;
  int64_t burst_per_second = 0;  // second window of 1 s; 0 = off
  // Instead of 429 OVER_RATE_LIMIT, suspend the key: 403 for suspend_s.
  bool suspend = false;
  double suspend_s = 3600;
  bool count_rejected = false;
  // X-RateLimit-Limit/-Remaining on every answer and Retry-After on 429,
  // both off by default as on the live API.
  bool headers = false;
};

// Memory bounds of the limiter and of the arrivals statistic.
//
// The arrivals statistic (Stats(): the largest number of requests any one
// key made within any window) keeps at most ArrivalCap(limit) timestamps
// per key and window: max(4 x limit, kArrivalCapFloor). Below the cap the
// count is exact; a window that reaches it is reported as saturated, with
// max_requests_in_window equal to the cap (a lower bound). Any count that
// large is far past any enforced limit, so a compliance verdict is
// unchanged.
inline constexpr int64_t kArrivalCapFloor = 65'536;
inline constexpr size_t ArrivalCap(int64_t limit) {
  constexpr int64_t kHuge = int64_t{1} << 40;  // keeps 4 x limit in range
  return static_cast<size_t>(
      std::max(kArrivalCapFloor, 4 * std::min(limit, kHuge)));
}
// Keys with limiter state at one time (or the number of configured keys if
// larger). When a new key arrives and all slots are taken, keys with no
// arrival in any window and no suspension are dropped (which changes no
// answer); if none is idle, the new key is answered 403 API_KEY_INVALID
// ("Too many distinct api_keys in use"). Only reachable without --api-key,
// where any non-empty key is accepted. Worst-case timestamp memory is
// kMaxKeys x 2 windows x (ArrivalCap + limit) x 8 bytes.
inline constexpr size_t kMaxKeys = 256;

struct ModelOptions {
  uint64_t seed = 1;
  // Accepted keys. Empty: any non-empty key is accepted.
  std::vector<std::string> api_keys;
  RateLimitOptions rate_limit;
  LatencyProfile latency;
  FaultOptions faults;
  double null_rate = 0;  // share of values written as null, in [0, 1]
};

class EiaModel {
 public:
  explicit EiaModel(ModelOptions options);
  ~EiaModel();
  EiaModel(const EiaModel&) = delete;
  EiaModel& operator=(const EiaModel&) = delete;

  // Answers one request arriving at model time `now`. Never throws for bad
  // input: errors are answered as the live API answers them. Also serves
  // the control routes /_mock/stats, /_mock/reset and /_mock/truth (no key
  // needed, not rate-limited, not counted).
  MockResponse Handle(const MockRequest& request, std::chrono::nanoseconds now);

  // What /_mock/stats serves: requests by route and status, rows and bytes
  // served, faults injected, and per rate-limit window the largest number of
  // requests any one key made within any window of that length (arrivals:
  // every request with an accepted key counts, admitted or not; exact below
  // ArrivalCap(limit), else the cap with "saturated": true), and `keys`, the
  // keys holding limiter state.
  nlohmann::json Stats(std::chrono::nanoseconds now) const;

  // Clears the limiter, the stats and the request counter (fault draws start
  // over): the model behaves as if freshly built.
  void Reset();

  // Exact row count and order-independent checksum (16 hex digits, see the
  // file comment) of the whole result of a data query (same parameters as
  // /data; offset and length are ignored). Throws std::invalid_argument with
  // the API's error message when the path is not a data route, the
  // parameters are invalid or a value sort exceeds kMaxValueSortRows.
  struct Truth {
    uint64_t rows;
    std::string checksum;
  };
  Truth ComputeTruth(const MockRequest& data_query) const;

  const ModelOptions& options() const { return options_; }

  // Timestamps the limiter and the arrivals statistic hold right now, over
  // all keys and windows (for tests and diagnostics of the memory bound).
  size_t StoredTimestamps() const;

 private:
  struct State;
  MockResponse HandleApi(const MockRequest& request,
                         std::chrono::nanoseconds now);
  MockResponse HandleControl(const MockRequest& request,
                             std::chrono::nanoseconds now);

  ModelOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace eiabench::mock
