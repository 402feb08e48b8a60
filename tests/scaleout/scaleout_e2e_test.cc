// Scale-out end to end: real worker processes (`eiabench worker` from the
// build directory), a real redis-server, and the mock over HTTP on
// loopback. Each test checks that the merged output is exactly the mock's
// truth (row count and checksum): every row once, none missing.
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/client/period.h"
#include "harness/common/exit_codes.h"
#include "harness/scaleout/job_queue.h"
#include "harness/scaleout/job_spec.h"
#include "harness/scaleout/local_redis.h"
#include "harness/scaleout/merge.h"
#include "mock_server/server.h"
#include "tests/scaleout/redis_fixture.h"

using namespace eiabench;
using namespace eiabench::scaleout;
using eiabench::testing::RedisFixture;
using eiabench::testing::TempDir;
using std::chrono::milliseconds;

namespace {

constexpr const char* kKey = "scaleout-test-key";
constexpr const char* kRoute = "electricity/rto/fuel-type-data";
// Every wait in these tests is bounded by this (real time).
constexpr auto kBound = std::chrono::seconds(50);

// A mock with the live API's limit (5,000 per sliding hour), time-scaled.
std::unique_ptr<mock::MockServer> StartMock(double time_scale,
                                            double base_latency_ms = 0) {
  mock::ServerOptions options;
  options.time_scale = time_scale;
  options.model.rate_limit.limit = 5000;
  options.model.rate_limit.window_s = 3600;
  options.model.latency.base_ms = base_latency_ms;
  options.threads = 16;
  options.keep_alive_timeout_s = 30;  // no idle close racing a reuse
  auto server = std::make_unique<mock::MockServer>(options);
  std::string error;
  REQUIRE(server->Start("127.0.0.1", 0, &error));
  return server;
}

// PACW fuel-type data (5 series per hour) for `days` days from 2024-01-01,
// one hour (5 rows) per page, one day per batch: 24 pages per batch.
JobSpec MakeSpec(const std::string& base_url, int days, double time_scale) {
  JobSpec spec;
  spec.extract.base_url = base_url;
  spec.extract.route = kRoute;
  spec.extract.facets = {{"respondent", {"PACW"}}};
  spec.extract.start = "2024-01-01T00";
  spec.extract.end =
      FormatHour(*ParseHour("2024-01-01T00", false) + days * 24 - 1);
  spec.extract.days_per_batch = 1;
  spec.extract.request_length = 5;
  spec.extract.max_attempts = 8;
  spec.extract.backoff_base_s = 0.05 * time_scale;
  spec.extract.backoff_max_s = 0.5 * time_scale;
  spec.extract.timeout_s = 60 * time_scale;
  spec.limiter.name = "e2e";
  spec.limiter.windows = {{5000, std::chrono::hours(1)}};
  spec.limiter.time_scale = time_scale;
  spec.limiter.margin = milliseconds(100);
  spec.lease = milliseconds(1000);
  return spec;
}

mock::EiaModel::Truth TruthOf(mock::MockServer& server, const JobSpec& spec) {
  mock::MockRequest request;
  request.method = "GET";
  request.path = std::string("/v2/") + kRoute + "/data/";
  request.query =
      "frequency=hourly&data[0]=value&facets[respondent][]=PACW"
      "&start=" +
      spec.extract.start + "&end=" + spec.extract.end;
  return server.model().ComputeTruth(request);
}

RedisUrl UrlOf(const RedisFixture& redis) {
  std::string error;
  return *ParseRedisUrl(redis.url(), &error);
}

void PlanInto(const RedisFixture& redis, const std::string& job,
              const JobSpec& spec) {
  PlanJobResult plan = PlanJob(UrlOf(redis), job, spec, {});
  INFO(plan.error);
  REQUIRE(plan.exit_code == kExitOk);
}

// `eiabench worker` as a child process; the key goes through the
// environment, as the CLI documents.
pid_t SpawnWorker(const RedisFixture& redis, const std::string& job,
                  const std::string& id, const std::string& out,
                  const std::string& base_url = "",
                  const std::string& key = kKey,
                  const std::string& stderr_path = "") {
  const std::string binary = std::string(EIABENCH_BINARY_DIR) + "/eiabench";
  std::vector<std::string> args = {
      binary,  "worker", "--redis",     redis.url(),
      "--job", job,      "--worker-id", id,
      "--out", out,      "--quiet",     "--redis-timeout-s",
      "20"};
  if (!base_url.empty()) {
    args.push_back("--base-url");
    args.push_back(base_url);
  }
  pid_t pid = fork();
  if (pid == 0) {
    setenv("EIA_API_KEY", key.c_str(), 1);
    if (!stderr_path.empty()) {
      std::FILE* err = std::fopen(stderr_path.c_str(), "w");
      if (err != nullptr) dup2(fileno(err), 2);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for a child, bounded; a child still running at the bound is killed
// and reported as -1.
int WaitExit(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + kBound;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

JobStatus StatusOf(const RedisFixture& redis, const std::string& job) {
  RedisClient client(UrlOf(redis));
  JobQueue queue(client, job, RedisRetryPolicy{});
  std::string error;
  auto status = queue.Status(&error);
  REQUIRE(status);
  return *status;
}

// Polls (bounded) until `done(status)` holds; returns whether it did.
template <typename Pred>
bool WaitForStatus(const RedisFixture& redis, const std::string& job,
                   Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + kBound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done(StatusOf(redis, job))) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

void CheckMergedAgainstTruth(const RedisFixture& redis, const std::string& job,
                             const std::vector<std::string>& files,
                             const mock::EiaModel::Truth& truth) {
  MergeOptions merge;
  merge.inputs = files;
  merge.redis = UrlOf(redis);
  merge.job = job;
  MergeResult merged = Merge(merge);
  INFO(merged.error);
  REQUIRE(merged.exit_code == kExitOk);
  CHECK(merged.rows == truth.rows);
  CHECK(merged.checksum_hex == truth.checksum);
}

// A TCP listener that never accepts or answers: a request sent to it hangs
// (the kernel completes the handshake), so a worker fetching from it holds
// its lease until killed.
class BlackHole {
 public:
  BlackHole() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~BlackHole() { close(fd_); }
  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v2";
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE(
    "three workers share one budget: the mock never sees more than "
    "5,000 requests per sliding hour and the merged rows match the "
    "truth",
    "[scaleout]") {
  // 720x: the mock's hour is 5 s of real time.
  constexpr double kScale = 720;
  RedisFixture redis;
  REQUIRE(redis.ok());
  auto server = StartMock(kScale);
  TempDir dir;
  const JobSpec spec = MakeSpec(server->base_url(), 12, kScale);  // 288 pages

  // Another client of the same key has already spent 4,900 of the hour's
  // requests, so the workers' 288 requests must wait for the window to
  // slide: the limit is binding, not theoretical. The earlier requests are
  // sent first (4 connections) and recorded in the shared limiter after
  // they arrived, never before, so the limiter can only over-count them.
  constexpr int kEarlier = 4900;
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&server] {
      httplib::Client http("127.0.0.1", server->port());
      const std::string path =
          std::string("/v2/") + kRoute +
          "/data/?frequency=hourly&facets[respondent][]=PACW"
          "&start=2024-01-01T00&end=2024-01-01T00"
          "&length=1&api_key=" +
          kKey;
      for (int i = 0; i < kEarlier / 4; ++i) http.Get(path.c_str());
    });
  }
  for (std::thread& t : senders) t.join();
  {
    RedisClient client(UrlOf(redis));
    std::string error;
    auto now = client.Command({"TIME"}, &error);
    REQUIRE(now);
    const std::string score =
        now->elements[0].str +
        std::string(6 - now->elements[1].str.size(), '0') +
        now->elements[1].str;
    std::vector<std::string> zadd = {"ZADD", "eiabench:limiter:{e2e}:3600000"};
    for (int i = 0; i < kEarlier; ++i) {
      zadd.push_back(score);
      zadd.push_back("earlier-client:" + std::to_string(i));
    }
    REQUIRE(client.Command(zadd, &error));
  }
  REQUIRE(server->model().Stats(server->ModelNow()).at("requests") == kEarlier);

  PlanInto(redis, "budget", spec);
  std::vector<std::string> files;
  std::vector<pid_t> pids;
  for (int i = 0; i < 3; ++i) {
    files.push_back(dir.path() + "/w" + std::to_string(i) + ".sqlite");
    pids.push_back(
        SpawnWorker(redis, "budget", "w" + std::to_string(i), files.back()));
  }
  for (pid_t pid : pids) CHECK(WaitExit(pid) == kExitOk);

  const auto stats = server->model().Stats(server->ModelNow());
  const auto& hour = stats.at("windows").at(0);
  INFO(stats.dump());
  CHECK(hour.at("window_s").get<double>() == 3600);
  CHECK(hour.at("max_requests_in_window").get<int64_t>() <= 5000);
  CHECK(stats.at("by_route").dump().find("429") == std::string::npos);
  CheckMergedAgainstTruth(redis, "budget", files, TruthOf(*server, spec));
  server->Stop();
}

TEST_CASE(
    "a worker killed with SIGKILL mid-job has its leased page redone "
    "by the others and the merged rows still match the truth",
    "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  auto server = StartMock(1.0, 5);
  BlackHole hole;
  TempDir dir;
  const JobSpec spec = MakeSpec(server->base_url(), 5, 1.0);  // 120 pages
  PlanInto(redis, "kill", spec);

  // w0 fetches from a target that never answers, so it is inside a
  // request, holding a lease, when it is killed.
  std::vector<std::string> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back(dir.path() + "/w" + std::to_string(i) + ".sqlite");
  }
  pid_t doomed = SpawnWorker(redis, "kill", "w0", files[0], hole.base_url());
  pid_t w1 = SpawnWorker(redis, "kill", "w1", files[1]);
  pid_t w2 = SpawnWorker(redis, "kill", "w2", files[2]);
  RedisClient client(UrlOf(redis));
  bool holds_lease = false;
  const auto deadline = std::chrono::steady_clock::now() + kBound;
  while (!holds_lease && std::chrono::steady_clock::now() < deadline) {
    std::string error;
    auto owners =
        client.Command({"HVALS", "eiabench:job:{kill}:owner"}, &error);
    REQUIRE(owners);
    for (const RedisReply& o : owners->elements) {
      if (o.str.rfind("w0#", 0) == 0) holds_lease = true;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  REQUIRE(holds_lease);
  REQUIRE(WaitForStatus(redis, "kill",
                        [](const JobStatus& s) { return s.pages_done >= 10; }));
  kill(doomed, SIGKILL);
  waitpid(doomed, nullptr, 0);

  CHECK(WaitExit(w1) == kExitOk);
  CHECK(WaitExit(w2) == kExitOk);
  const JobStatus status = StatusOf(redis, "kill");
  CHECK(status.complete());
  CHECK(status.requeued >= 1);  // w0's page went back to the queue
  CheckMergedAgainstTruth(redis, "kill", files, TruthOf(*server, spec));
  server->Stop();
}

TEST_CASE(
    "restarting Redis mid-job (persistence on) pauses the workers and "
    "the job still completes exactly",
    "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  auto server = StartMock(1.0, 5);
  TempDir dir;
  const JobSpec spec = MakeSpec(server->base_url(), 5, 1.0);  // 120 pages
  PlanInto(redis, "restart", spec);
  std::vector<std::string> files;
  std::vector<pid_t> pids;
  for (int i = 0; i < 3; ++i) {
    files.push_back(dir.path() + "/w" + std::to_string(i) + ".sqlite");
    pids.push_back(
        SpawnWorker(redis, "restart", "w" + std::to_string(i), files.back()));
  }
  REQUIRE(WaitForStatus(redis, "restart",
                        [](const JobStatus& s) { return s.pages_done >= 20; }));
  redis.Stop();
  std::this_thread::sleep_for(milliseconds(300));
  REQUIRE(redis.Start());

  for (pid_t pid : pids) CHECK(WaitExit(pid) == kExitOk);
  CHECK(StatusOf(redis, "restart").complete());
  CheckMergedAgainstTruth(redis, "restart", files, TruthOf(*server, spec));
  server->Stop();
}

TEST_CASE("a worker whose Redis stays unreachable exits 5 with a clear error",
          "[scaleout]") {
  TempDir dir;
  const std::string binary = std::string(EIABENCH_BINARY_DIR) + "/eiabench";
  const std::string command =
      binary + " worker --redis redis://127.0.0.1:" +
      std::to_string(FindFreeLoopbackPort()) + " --job j --out " + dir.path() +
      "/w.sqlite --redis-timeout-s 0.3 2>" + dir.path() + "/err.txt";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == kExitEnvironment);
  std::FILE* f = std::fopen((dir.path() + "/err.txt").c_str(), "r");
  REQUIRE(f != nullptr);
  char line[512] = {};
  CHECK(std::fgets(line, sizeof(line), f) != nullptr);
  std::fclose(f);
  CHECK(std::string(line).find("Redis") != std::string::npos);
}

TEST_CASE(
    "a rejected API key stops the worker with exit 6, records the page "
    "as failed and never prints the key",
    "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  mock::ServerOptions options;
  options.model.api_keys = {"the-only-good-key"};
  options.threads = 4;
  options.keep_alive_timeout_s = 30;  // no idle close racing a reuse
  mock::MockServer server(options);
  std::string error;
  REQUIRE(server.Start("127.0.0.1", 0, &error));
  TempDir dir;
  PlanInto(redis, "badkey", MakeSpec(server.base_url(), 1, 1.0));

  const std::string secret = "very-secret-wrong-key-123";
  pid_t pid = SpawnWorker(redis, "badkey", "w0", dir.path() + "/w0.sqlite", "",
                          secret, dir.path() + "/err.txt");
  CHECK(WaitExit(pid) == kExitApiRejected);
  std::ifstream err(dir.path() + "/err.txt");
  const std::string text((std::istreambuf_iterator<char>(err)),
                         std::istreambuf_iterator<char>());
  CHECK(text.find("HTTP 403") != std::string::npos);
  CHECK(text.find(secret) == std::string::npos);
  const JobStatus status = StatusOf(redis, "badkey");
  CHECK(status.pages_failed == 1);
  for (const auto& [page, reason] : status.failures) {
    CHECK(reason.find(secret) == std::string::npos);
  }
  server.Stop();
}

TEST_CASE(
    "planning the same job twice changes nothing and a different spec "
    "under the same name is refused with exit 4",
    "[scaleout]") {
  RedisFixture redis;
  REQUIRE(redis.ok());
  const std::string plan =
      std::string(EIABENCH_BINARY_DIR) + "/eiabench job plan --redis " +
      redis.url() +
      " --job p --base-url http://127.0.0.1:9/v2"
      " --route electricity/rto/fuel-type-data --facet respondent=PACW"
      " --start 2024-01-01T00 --days-per-batch 1 >/dev/null 2>&1 --end ";
  auto exit_code = [](const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  CHECK(exit_code(plan + "2024-01-03T23") == kExitOk);
  CHECK(exit_code(plan + "2024-01-03T23") == kExitOk);
  CHECK(StatusOf(redis, "p").pages_total == 3);
  CHECK(exit_code(plan + "2024-01-04T23") == kExitUsage);
  CHECK(exit_code(plan + "2024-01-04T23 --reset") == kExitOk);
  CHECK(StatusOf(redis, "p").pages_total == 4);
}
