// The mock's memory bounds: the limiter keeps only the last `limit`
// admitted timestamps, the arrivals statistic at most ArrivalCap(limit) per
// key and window (then reports the window as saturated), and at most
// kMaxKeys keys hold state. EiaModel is called directly on model time: no
// sockets, no real time.
#include <string>

#include "mock_test_util.h"

namespace eiabench::mock::testing {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

ModelOptions Limited(int64_t limit, double window_s) {
  ModelOptions o;
  o.seed = 7;
  o.rate_limit.limit = limit;
  o.rate_limit.window_s = window_s;
  return o;
}

// The cheapest request that passes the gateway: the API's 404.
MockRequest Cheap(const std::string& key) {
  return Get("/v2/nothing-here", "api_key=" + key);
}

std::string HeaderValue(const MockResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST_CASE("the bounded limiter admits exactly the limit and slides", "[mock]") {
  EiaModel model(Limited(3, 10));
  auto q = Cheap("K");
  for (int i = 0; i < 3; ++i) {
    CHECK(model.Handle(q, seconds(i)).status == 404);
  }
  // The fourth, and every later one inside the window, is over.
  for (int i = 0; i < 50; ++i) {
    CHECK(model.Handle(q, seconds(3) + milliseconds(i)).status == 429);
  }
  // The window slides one admitted request at a time.
  CHECK(model.Handle(q, milliseconds(9999)).status == 429);
  CHECK(model.Handle(q, seconds(10)).status == 404);
  CHECK(model.Handle(q, seconds(10)).status == 429);
  CHECK(model.Handle(q, seconds(11)).status == 404);
  CHECK(model.Handle(q, seconds(12)).status == 404);
  CHECK(model.Handle(q, seconds(12)).status == 429);
  // Arrivals in (0 s, 10 s]: 1, 2, the 50 at 3 s, 9.999, 10, 10.
  auto stats = model.Stats(seconds(12));
  CHECK(stats["windows"][0]["max_requests_in_window"] == 56);
  CHECK_FALSE(stats["windows"][0].contains("saturated"));
}

TEST_CASE("the limiter holds at most `limit` admitted timestamps", "[mock]") {
  ModelOptions options = Limited(3, 3600);
  options.rate_limit.burst_per_second = 0;
  EiaModel model(options);
  for (int i = 0; i < 100; ++i) {
    model.Handle(Cheap("K"), milliseconds(i));
  }
  // 100 arrivals in each of the two windows (all within one second), and
  // 3 admitted timestamps for the hour window; none for the burst window,
  // which has no limit.
  CHECK(model.StoredTimestamps() == 100 + 100 + 3);
}

TEST_CASE("a window without a limit keeps no admitted timestamps", "[mock]") {
  EiaModel model(Limited(0, 3600));
  for (int i = 0; i < 10; ++i) {
    CHECK(model.Handle(Cheap("K"), seconds(i)).status == 404);
  }
  // Arrivals only: 10 in the hour window, 1 in the last second.
  CHECK(model.StoredTimestamps() == 10 + 1);
}

TEST_CASE("count_rejected keeps a hammering key out until it waits", "[mock]") {
  ModelOptions options = Limited(2, 10);
  options.rate_limit.count_rejected = true;
  options.rate_limit.headers = true;
  EiaModel model(options);
  auto q = Cheap("K");
  CHECK(model.Handle(q, seconds(0)).status == 404);
  CHECK(model.Handle(q, seconds(1)).status == 404);
  // Counted: 0, 1, 2. Silent from here, the key would be back at t = 11,
  // when t = 1 leaves.
  auto at2 = model.Handle(q, seconds(2));
  CHECK(at2.status == 429);
  CHECK(HeaderValue(at2, "Retry-After") == "9");
  CHECK(model.Handle(q, seconds(3)).status == 429);
  // Without count_rejected t = 10.5 would be admitted (only t = 1 is left
  // of the admitted ones); the counted rejections at 2 and 3 keep it out.
  auto later = model.Handle(q, milliseconds(10500));
  CHECK(later.status == 429);
  CHECK(HeaderValue(later, "Retry-After") == "3");  // t = 3 leaves at 13
  CHECK(model.Handle(q, milliseconds(13500)).status == 404);
  // Held: 2 admitted (10.5, 13.5), 2 arrivals in the 10 s window, 1 in
  // the last second.
  CHECK(model.StoredTimestamps() == 2 + 2 + 1);
}

TEST_CASE("a window past the arrival cap reports saturated and stays bounded",
          "[mock]") {
  EiaModel model(Limited(0, 3600));
  const size_t cap = ArrivalCap(0);
  REQUIRE(cap == static_cast<size_t>(kArrivalCapFloor));
  // All arrivals within 0.07 s: both the hour and the one-second window
  // hold every one of them.
  int64_t t_us = 0;
  for (size_t i = 0; i < cap; ++i)
    model.Handle(Cheap("K"), microseconds(t_us++));
  auto exact = model.Stats(microseconds(t_us));
  CHECK(exact["windows"][0]["max_requests_in_window"] == cap);
  CHECK_FALSE(exact["windows"][0].contains("saturated"));
  CHECK(model.StoredTimestamps() == 2 * cap);

  for (int i = 0; i < 100; ++i) model.Handle(Cheap("K"), microseconds(t_us++));
  auto full = model.Stats(microseconds(t_us));
  for (const auto& w : full["windows"]) {
    CHECK(w["max_requests_in_window"] == cap);
    CHECK(w["saturated"] == true);
  }
  CHECK(model.StoredTimestamps() == 2 * cap);
}

TEST_CASE("the arrival cap grows with the limit", "[mock]") {
  CHECK(ArrivalCap(0) == 65'536);
  CHECK(ArrivalCap(5'000) == 65'536);
  CHECK(ArrivalCap(100'000) == 400'000);
  CHECK(ArrivalCap(INT64_MAX) > 0);
}

TEST_CASE("a saturated window past the limit is still a violation", "[mock]") {
  // A limited window saturates only far past its limit: the reported count
  // (the cap) exceeds the limit, which is what compliance checks compare.
  for (int64_t limit : {1, 5'000, 16'384, 16'385, 1'000'000}) {
    CHECK(static_cast<int64_t>(ArrivalCap(limit)) > limit);
  }
}

TEST_CASE("at most kMaxKeys keys hold state; a new key beyond them is 403",
          "[mock]") {
  EiaModel model(Limited(5, 3600));
  for (size_t i = 0; i < kMaxKeys; ++i) {
    CHECK(model.Handle(Cheap("key" + std::to_string(i)), seconds(1)).status ==
          404);
  }
  auto refused = model.Handle(Cheap("one-too-many"), seconds(2));
  CHECK(refused.status == 403);
  CHECK(refused.body.find("API_KEY_INVALID") != std::string::npos);
  CHECK(refused.body.find("Too many distinct api_keys") != std::string::npos);
  // Known keys keep their exact limiter state.
  CHECK(model.Handle(Cheap("key0"), seconds(3)).status == 404);
  CHECK(model.Stats(seconds(2))["keys"] == kMaxKeys);
  // An hour after their last request the keys are idle and make room;
  // key0, active at t = 3 s, is kept.
  CHECK(model.Handle(Cheap("newcomer"), seconds(3602)).status == 404);
  CHECK(model.Stats(seconds(3602))["keys"] == 2);
}

TEST_CASE("a suspended key keeps its state when idle keys are dropped",
          "[mock]") {
  ModelOptions options = Limited(1, 3600);
  options.rate_limit.suspend = true;
  options.rate_limit.suspend_s = 10'000;
  EiaModel model(options);
  CHECK(model.Handle(Cheap("S"), seconds(0)).status == 404);
  CHECK(model.Handle(Cheap("S"), seconds(1)).status == 403);
  for (size_t i = 1; i < kMaxKeys; ++i) {
    model.Handle(Cheap("key" + std::to_string(i)), seconds(2));
  }
  // All windows are empty at t = 3700 s; S is still suspended.
  CHECK(model.Handle(Cheap("newcomer"), seconds(3700)).status == 404);
  CHECK(model.Stats(seconds(3700))["keys"] == 2);
  CHECK(model.Handle(Cheap("S"), seconds(3701)).status == 403);
  CHECK(model.Handle(Cheap("S"), seconds(10'002)).status == 404);
}

TEST_CASE("configured keys are never refused for lack of key slots", "[mock]") {
  ModelOptions options = Limited(0, 3600);
  for (size_t i = 0; i < kMaxKeys + 10; ++i) {
    options.api_keys.push_back("key" + std::to_string(i));
  }
  EiaModel model(options);
  for (const std::string& key : options.api_keys) {
    CHECK(model.Handle(Cheap(key), seconds(1)).status == 404);
  }
}

}  // namespace
}  // namespace eiabench::mock::testing
