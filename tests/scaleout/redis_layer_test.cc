// The Redis layer on a real redis-server: URL parsing, the reliable queue's
// state transitions, and the global sliding-window limiter.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "harness/scaleout/global_limiter.h"
#include "harness/scaleout/job_queue.h"
#include "harness/scaleout/local_redis.h"
#include "harness/scaleout/redis_client.h"
#include "tests/scaleout/redis_fixture.h"

using namespace eiabench::scaleout;
using eiabench::testing::RedisFixture;
using std::chrono::milliseconds;

namespace {

RedisUrl UrlOf(const RedisFixture& redis) {
  std::string error;
  auto url = ParseRedisUrl(redis.url(), &error);
  REQUIRE(url);
  return *url;
}

RedisRetryPolicy ShortRetry() {
  RedisRetryPolicy p;
  p.max_outage = milliseconds(300);
  return p;
}

}  // namespace

TEST_CASE("a Redis URL yields host, port, database and password",
          "[scaleout]") {
  std::string error;
  auto url = ParseRedisUrl("redis://:s3cret@10.0.0.5:6380/2", &error);
  REQUIRE(url);
  CHECK(url->host == "10.0.0.5");
  CHECK(url->port == 6380);
  CHECK(url->db == 2);
  CHECK(url->password == "s3cret");
  CHECK(url->Redacted() == "redis://:***@10.0.0.5:6380/2");

  auto plain = ParseRedisUrl("redis://localhost", &error);
  REQUIRE(plain);
  CHECK(plain->port == 6379);
  CHECK(plain->db == 0);

  auto v6 = ParseRedisUrl("redis://[::1]:7000", &error);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 7000);
}

TEST_CASE("a malformed Redis URL is refused with a reason", "[scaleout]") {
  std::string error;
  CHECK_FALSE(ParseRedisUrl("http://127.0.0.1:6379", &error));
  CHECK(error.find("redis://") != std::string::npos);
  CHECK_FALSE(ParseRedisUrl("redis://127.0.0.1:99999", &error));
  CHECK(error.find("port") != std::string::npos);
  CHECK_FALSE(ParseRedisUrl("redis://:6379", &error));
  CHECK_FALSE(ParseRedisUrl("redis://host:6379/x", &error));
  CHECK_FALSE(ParseRedisUrl("redis://user@host", &error));
  CHECK_FALSE(ParseRedisUrl("redis://user:@host", &error));

  auto acl = ParseRedisUrl("redis://eia:pw@host:7000", &error);
  REQUIRE(acl);
  CHECK(acl->user == "eia");
  CHECK(acl->password == "pw");
  CHECK(acl->Redacted() == "redis://eia:***@host:7000");
  CHECK(acl->Full() == "redis://eia:pw@host:7000");
}

TEST_CASE("an unreachable Redis is reported after the retry budget",
          "[scaleout]") {
  RedisUrl url;
  url.port = FindFreeLoopbackPort();  // bound, released: nothing listens
  RedisClient client(url, milliseconds(200));
  std::string error;
  auto reply = CommandWithRetry(client, {"PING"}, ShortRetry(), &error);
  CHECK_FALSE(reply);
  INFO(error);
  CHECK(error.find("Redis") != std::string::npos);
}

TEST_CASE(
    "a planned page is claimed once, acknowledged once, and the job "
    "completes",
    "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  RedisClient client(UrlOf(redis));
  JobQueue queue(client, "q1", ShortRetry());
  std::string error;

  auto plan = queue.Plan("{\"spec\":1}", {{"a", "pa"}, {"b", "pb"}}, &error);
  REQUIRE(plan);
  CHECK(*plan == PlanOutcome::kCreated);
  CHECK(*queue.Plan("{\"spec\":1}", {{"a", "pa"}}, &error) ==
        PlanOutcome::kExisting);
  CHECK(*queue.Plan("{\"spec\":2}", {}, &error) == PlanOutcome::kConflict);

  auto first = queue.Claim(1, milliseconds(60000), "w1", &error);
  REQUIRE(first);
  REQUIRE(first->leases.size() == 1);
  CHECK(first->leases[0].page_id == "a");
  CHECK(first->leases[0].payload == "pa");

  auto second = queue.Claim(5, milliseconds(60000), "w2", &error);
  REQUIRE(second);
  REQUIRE(second->leases.size() == 1);
  CHECK(second->leases[0].page_id == "b");

  // The first page reveals one more page; acknowledging twice counts once.
  CHECK(*queue.Ack("a", "w1", "w1", 10, {{"c", "pc"}}, &error));
  CHECK_FALSE(*queue.Ack("a", "w1", "w1", 10, {{"c", "pc"}}, &error));
  CHECK(*queue.Ack("b", "w2", "w2", 7, {}, &error));
  auto third = queue.Claim(5, milliseconds(60000), "w1", &error);
  REQUIRE(third);
  REQUIRE(third->leases.size() == 1);
  CHECK(third->leases[0].page_id == "c");
  CHECK(*queue.Ack("c", "w1", "w1", 3, {{"c", "pc"}}, &error));

  auto status = queue.Status(&error);
  REQUIRE(status);
  CHECK(status->complete());
  CHECK(status->pages_total == 3);
  CHECK(status->pages_done == 3);
  CHECK(status->rows == 20);
  CHECK(status->duplicate_acks == 1);
  CHECK(status->finished_ms > 0);
}

TEST_CASE("an expired lease puts the page back for another worker",
          "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  RedisClient client(UrlOf(redis));
  JobQueue queue(client, "q2", ShortRetry());
  std::string error;
  REQUIRE(queue.Plan("{}", {{"p", "x"}}, &error));

  auto dead = queue.Claim(1, milliseconds(1), "dead-worker", &error);
  REQUIRE(dead);
  REQUIRE(dead->leases.size() == 1);
  std::this_thread::sleep_for(milliseconds(20));

  auto other = queue.Claim(1, milliseconds(60000), "live-worker", &error);
  REQUIRE(other);
  REQUIRE(other->leases.size() == 1);
  CHECK(other->leases[0].page_id == "p");
  // The dead worker's lease is gone: it can neither extend nor fail it.
  CHECK_FALSE(*queue.Extend("p", "dead-worker", milliseconds(1000), &error));
  CHECK_FALSE(*queue.Fail("p", "dead-worker", "late", &error));
  CHECK(*queue.Extend("p", "live-worker", milliseconds(1000), &error));
  auto status = queue.Status(&error);
  REQUIRE(status);
  CHECK(status->requeued == 1);
  CHECK(status->pages_leased == 1);
}

TEST_CASE("a failed page is recorded and can be requeued", "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  RedisClient client(UrlOf(redis));
  JobQueue queue(client, "q3", ShortRetry());
  std::string error;
  REQUIRE(queue.Plan("{}", {{"p", "x"}}, &error));
  REQUIRE(queue.Claim(1, milliseconds(60000), "w", &error));
  CHECK(*queue.Fail("p", "w", "HTTP 500 after 3 attempts", &error));

  auto status = queue.Status(&error);
  REQUIRE(status);
  CHECK(status->pages_failed == 1);
  CHECK(status->failures.at("p") == "HTTP 500 after 3 attempts");
  auto none = queue.Claim(1, milliseconds(60000), "w", &error);
  REQUIRE(none);
  CHECK(none->leases.empty());
  CHECK(none->failed == 1);

  CHECK(*queue.RequeueFailed(&error) == 1);
  auto again = queue.Claim(1, milliseconds(60000), "w", &error);
  REQUIRE(again);
  CHECK(again->leases.size() == 1);
}

TEST_CASE("the global limiter grants exactly the window's limit",
          "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  RedisClient a(UrlOf(redis));
  RedisClient b(UrlOf(redis));
  LimiterConfig config;
  config.name = "t1";
  config.windows = {{5, std::chrono::hours(1)}};
  GlobalLimiter first(a, config, "a", ShortRetry());
  GlobalLimiter second(b, config, "b", ShortRetry());
  std::string error;

  // Two workers share one budget: five grants in total, then refusals
  // that name a wait close to the whole window.
  int granted = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = (i % 2 == 0 ? first : second).TryAcquire(&error);
    REQUIRE(r);
    if (r->granted) ++granted;
  }
  CHECK(granted == 5);
  auto refused = first.TryAcquire(&error);
  REQUIRE(refused);
  CHECK_FALSE(refused->granted);
  CHECK(refused->wait > std::chrono::minutes(59));
}

TEST_CASE(
    "a limiter window slides: a permit returns once the oldest grant "
    "leaves the window",
    "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  RedisClient client(UrlOf(redis));
  LimiterConfig config;
  config.name = "t2";
  config.windows = {{2, milliseconds(3600000)}};
  config.time_scale = 36000;  // one model hour = 100 ms real
  config.margin = milliseconds(0);
  GlobalLimiter limiter(client, config, "w", ShortRetry());
  std::string error;
  REQUIRE(limiter.TryAcquire(&error)->granted);
  REQUIRE(limiter.TryAcquire(&error)->granted);
  auto refused = limiter.TryAcquire(&error);
  REQUIRE(refused);
  CHECK_FALSE(refused->granted);
  CHECK(refused->wait <= milliseconds(101));
  // Acquire() sleeps the advised wait and then gets the permit.
  CHECK(limiter.Acquire(&error));
}

TEST_CASE("queue state survives a Redis restart with persistence on",
          "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  RedisClient client(UrlOf(redis));
  JobQueue queue(client, "q4", ShortRetry());
  std::string error;
  REQUIRE(queue.Plan("{}", {{"a", "1"}, {"b", "2"}}, &error));
  REQUIRE(queue.Claim(1, milliseconds(60000), "w", &error));
  REQUIRE(*queue.Ack("a", "w", "w", 4, {}, &error));

  redis.Stop();
  REQUIRE(redis.Start());
  // The client reconnects by itself on the next command.
  auto status = queue.Status(&error);
  REQUIRE(status);
  CHECK(status->pages_done == 1);
  CHECK(status->pages_ready == 1);
  CHECK(status->rows == 4);
}

TEST_CASE(
    "a password-protected Redis accepts the URL's password and refuses "
    "a wrong one without echoing it",
    "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  {
    RedisClient admin(UrlOf(redis));
    std::string error;
    REQUIRE(admin.Command({"CONFIG", "SET", "requirepass", "s3cret"}, &error));
  }
  std::string error;
  auto good = ParseRedisUrl(
      "redis://:s3cret@127.0.0.1:" + std::to_string(redis.port()), &error);
  REQUIRE(good);
  RedisClient client(*good);
  auto pong = client.Command({"PING"}, &error);
  REQUIRE(pong);
  CHECK(pong->str == "PONG");

  auto bad = ParseRedisUrl(
      "redis://:wrong-pass@127.0.0.1:" + std::to_string(redis.port()), &error);
  REQUIRE(bad);
  RedisClient refused(*bad);
  CHECK_FALSE(refused.Connect(&error));
  CHECK(error.find("password") != std::string::npos);
  CHECK(error.find("wrong-pass") == std::string::npos);
}
