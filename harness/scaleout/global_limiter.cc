#include "harness/scaleout/global_limiter.h"

#include <algorithm>
#include <thread>

namespace eiabench::scaleout {
namespace {

// KEYS: one sorted set per window. ARGV: member, then limit/window-us
// pairs (same order as KEYS). Scores are Redis-clock microseconds, written
// with %.0f so that Lua's number formatting never rounds them.
// Returns {1, 0} when granted, {0, wait_us} when refused.
constexpr const char* kAcquireScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  -- Keep grants at or after now - window: the boundary counts.
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf',
             '(' .. string.format('%.0f', now - window))
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now + 1
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, string.format('%.0f', wait)} end
for i = 1, #KEYS do
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZADD', KEYS[i], string.format('%.0f', now), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], string.format('%.0f', window / 1000 + 1000))
end
return {1, '0'}
)lua";

}  // namespace

GlobalLimiter::GlobalLimiter(RedisClient& client, LimiterConfig config,
                             std::string token, RedisRetryPolicy policy,
                             const std::atomic<bool>* stop)
    : client_(client),
      config_(std::move(config)),
      token_(std::move(token)),
      policy_(policy),
      stop_(stop) {}

std::vector<int64_t> GlobalLimiter::EnforcedWindowsMs() const {
  std::vector<int64_t> out;
  const double scale = config_.time_scale > 0 ? config_.time_scale : 1.0;
  for (const LimitWindow& w : config_.windows) {
    out.push_back(static_cast<int64_t>(
                      static_cast<double>(w.window.count()) / scale + 0.999) +
                  config_.margin.count());
  }
  return out;
}

std::optional<PermitResult> GlobalLimiter::TryAcquire(std::string* error) {
  if (config_.windows.empty()) return PermitResult{true, {}};
  const std::vector<int64_t> windows_ms = EnforcedWindowsMs();
  std::vector<std::string> argv = {"EVAL", kAcquireScript,
                                   std::to_string(windows_ms.size())};
  for (size_t i = 0; i < windows_ms.size(); ++i) {
    // The key names the model window so that differently scaled runs of
    // the same limiter never share a set by accident.
    argv.push_back("eiabench:limiter:{" + config_.name +
                   "}:" + std::to_string(config_.windows[i].window.count()));
  }
  argv.push_back(token_ + ":" + std::to_string(++sequence_));
  for (size_t i = 0; i < windows_ms.size(); ++i) {
    argv.push_back(std::to_string(config_.windows[i].limit));
    argv.push_back(std::to_string(windows_ms[i] * 1000));
  }
  auto reply = CommandWithRetry(client_, argv, policy_, error, stop_);
  if (!reply) return std::nullopt;
  if (reply->is_error() || reply->elements.size() != 2) {
    *error = "Redis rejected the limiter script: " + reply->str;
    return std::nullopt;
  }
  PermitResult out;
  out.granted = reply->elements[0].AsInteger() == 1;
  out.wait = std::chrono::microseconds(reply->elements[1].AsInteger());
  return out;
}

bool GlobalLimiter::Acquire(std::string* error) {
  for (;;) {
    auto result = TryAcquire(error);
    if (!result) return false;
    if (result->granted) return true;
    if (stop_ != nullptr && stop_->load()) {
      *error = "stopped while waiting for a permit";
      return false;
    }
    // Sleep the advised wait, in slices so that a stop is noticed; never
    // longer than 200 ms at once so that other workers' grants expiring
    // are picked up.
    auto nap = std::min<std::chrono::microseconds>(
        result->wait, std::chrono::milliseconds(200));
    std::this_thread::sleep_for(std::max<std::chrono::microseconds>(
        nap, std::chrono::microseconds(200)));
  }
}

}  // namespace eiabench::scaleout
