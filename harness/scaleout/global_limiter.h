// One request budget shared by every worker, kept in Redis.
//
// An exact sliding window per configured window (e.g. 5,000 per 3,600 s and
// optionally 10 per 1 s): each window is a sorted set of grant times, and
// one Lua script checks every window and records the grant in all of them
// atomically. A permit is granted only if, for every window, fewer than
// `limit` grants happened in the last `window` (inclusive of the boundary):
// so in any interval of that length at most `limit` permits exist, whatever
// the number of workers and hosts. All times come from Redis's clock, so
// workers' clocks may drift freely.
//
// Why a sliding window and not GCRA: the API counts requests in a sliding
// window, and an exact window of the same length is the only limiter that
// can use the whole budget (a GCRA without burst spreads requests evenly;
// with a burst it can exceed the window count).
//
// The server counts arrivals, the limiter counts grants; a request granted
// at t arrives at t + d where d varies from one request to the next. The
// limiter therefore lengthens every window by `margin` (real time): two
// grants `window + margin` apart can never arrive within `window` of each
// other unless their delays differ by more than the margin.
//
// Keys: eiabench:limiter:{NAME}:<window_ms> (one sorted set per window),
// expiring on their own when unused. The limiter's name is the API key's
// budget: every job that uses the same key should use the same name. Not
// thread-safe (it uses the caller's RedisClient).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/scaleout/redis_client.h"

namespace eiabench::scaleout {

struct LimitWindow {
  uint64_t limit = 5000;
  // Window length in the API's (model) time; divided by the time scale.
  std::chrono::milliseconds window{std::chrono::hours(1)};
};

struct LimiterConfig {
  std::string name = "default";
  std::vector<LimitWindow> windows;  // empty: no limit at all
  // Model seconds per real second (a time-scaled mock); 1 for real APIs.
  double time_scale = 1.0;
  // Real time added to every window for delivery jitter (see above).
  std::chrono::milliseconds margin{std::chrono::milliseconds(50)};
};

struct PermitResult {
  bool granted = false;
  // When refused: real time until a permit could be granted.
  std::chrono::microseconds wait{0};
};

class GlobalLimiter {
 public:
  // `client` must outlive the limiter. `token` makes this worker's grant
  // entries unique (e.g. the worker id).
  GlobalLimiter(RedisClient& client, LimiterConfig config, std::string token,
                RedisRetryPolicy policy,
                const std::atomic<bool>* stop = nullptr);

  // One attempt: grants a permit now or says how long to wait. nullopt when
  // Redis stayed unreachable past the retry policy (`*error` set).
  std::optional<PermitResult> TryAcquire(std::string* error);

  // Blocks until a permit is granted (sleeping the waits the script
  // returns). Returns false with `*error` when Redis is unreachable past the
  // policy or `*stop` turned true.
  bool Acquire(std::string* error);

  // The window lengths in real ms, as enforced (scaled, plus margin).
  std::vector<int64_t> EnforcedWindowsMs() const;

 private:
  RedisClient& client_;
  LimiterConfig config_;
  std::string token_;
  RedisRetryPolicy policy_;
  const std::atomic<bool>* stop_;
  uint64_t sequence_ = 0;
};

}  // namespace eiabench::scaleout
