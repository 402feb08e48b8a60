#include "harness/scaleout/local_cluster.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/common/exit_codes.h"
#include "harness/scaleout/local_redis.h"
#include "harness/scaleout/merge.h"

namespace eiabench::scaleout {
namespace {

namespace fs = std::filesystem;

std::string SelfExe() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "" : p.string();
}

pid_t SpawnWorker(const std::string& binary,
                  const std::vector<std::string>& args,
                  const std::string& api_key, const std::string& redis_url) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  // The child: the key travels in the environment, never on the command
  // line (where `ps` would show it).
  if (!api_key.empty()) setenv("EIA_API_KEY", api_key.c_str(), 1);
  setenv("EIABENCH_REDIS_URL", redis_url.c_str(), 1);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  _exit(127);
}

// Waits for every child until `deadline`; kills the rest after it.
std::vector<int> WaitAll(const std::vector<pid_t>& pids,
                         std::chrono::steady_clock::time_point deadline) {
  std::vector<int> codes(pids.size(), -1);
  size_t left = pids.size();
  while (left > 0) {
    for (size_t i = 0; i < pids.size(); ++i) {
      int status = 0;
      if (codes[i] != -1 || waitpid(pids[i], &status, WNOHANG) != pids[i]) {
        continue;
      }
      codes[i] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + SIGKILL;
      --left;
    }
    if (left == 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      for (size_t i = 0; i < pids.size(); ++i) {
        if (codes[i] != -1) continue;
        kill(pids[i], SIGKILL);
        waitpid(pids[i], nullptr, 0);
        codes[i] = kExitEnvironment;
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return codes;
}

// Reads a worker's events file (see `eiabench worker --events`) and moves
// its times to the cluster's base: API time since `epoch_unix_ns`.
void ReadEvents(const std::string& path, int worker, int64_t epoch_unix_ns,
                double scale, std::vector<ClusterEvent>* out) {
  std::ifstream in(path);
  std::string line;
  auto shift = [&](int64_t unix_ns) {
    return Nanos(static_cast<int64_t>(
        static_cast<double>(unix_ns - epoch_unix_ns) * scale));
  };
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;  // a torn last line of a killed worker
    ClusterEvent e;
    e.worker = worker;
    e.event.page_id = j.value("page", uint64_t{0});
    e.event.attempt = j.value("attempt", 0u);
    e.event.intended_start = shift(j.value("intended_unix_ns", int64_t{0}));
    e.event.started_at = shift(j.value("start_unix_ns", int64_t{0}));
    e.event.finished_at = shift(j.value("finish_unix_ns", int64_t{0}));
    e.event.outcome = static_cast<Outcome>(j.value("outcome", 0));
    e.event.status = j.value("status", 0);
    e.event.rows = j.value("rows", uint64_t{0});
    e.event.bytes = j.value("bytes", uint64_t{0});
    e.event.new_connection = j.value("new_connection", false);
    out->push_back(e);
  }
}

int64_t UnixNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LocalClusterResult RunLocalCluster(const LocalClusterOptions& o) {
  LocalClusterResult out;
  out.workers = o.workers;
  auto fail = [&](int code, std::string error) {
    out.exit_code = code;
    out.error = std::move(error);
    return out;
  };
  const std::string binary = o.binary.empty() ? SelfExe() : o.binary;
  if (binary.empty() || o.workers < 1) {
    return fail(kExitUsage, "need an eiabench binary and at least 1 worker");
  }

  // Where files go; a temporary directory is removed at the end.
  std::string dir = o.work_dir;
  std::unique_ptr<LocalRedisServer> temp_holder;  // owns a temp dir
  if (dir.empty()) {
    temp_holder = std::make_unique<LocalRedisServer>();
    dir = temp_holder->dir();
  }
  fs::create_directories(dir);

  std::unique_ptr<LocalRedisServer> private_redis;
  RedisUrl redis;
  if (o.redis) {
    redis = *o.redis;
  } else {
    private_redis = std::make_unique<LocalRedisServer>(dir + "/redis");
    fs::create_directories(dir + "/redis");
    if (!private_redis->Start()) {
      return fail(kExitEnvironment, private_redis->error());
    }
    redis.port = private_redis->port();
  }

  PlanJobOptions plan_options;
  plan_options.reset = true;  // a cell is always a fresh run
  PlanJobResult plan = PlanJob(redis, o.job, o.spec, plan_options);
  if (plan.exit_code != kExitOk) return fail(plan.exit_code, plan.error);

  // Spawn the workers; the clock starts at the first spawn.
  const int64_t epoch_unix_ns = UnixNowNs();
  const auto started = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  std::vector<std::string> outputs;
  for (int i = 0; i < o.workers; ++i) {
    const std::string id = "w" + std::to_string(i);
    outputs.push_back(dir + "/" + id + ".sqlite");
    fs::remove(outputs.back());
    fs::remove(dir + "/" + id + ".events.jsonl");
    pids.push_back(SpawnWorker(
        binary,
        {"worker", "--job", o.job, "--worker-id", id, "--out", outputs.back(),
         "--events", dir + "/" + id + ".events.jsonl", "--quiet"},
        o.api_key, redis.Full()));
  }
  out.worker_exit_codes = WaitAll(pids, started + o.timeout);
  out.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  for (int code : out.worker_exit_codes) {
    if (code != kExitOk && out.exit_code == kExitOk) {
      out.exit_code = code;
      out.error = "a worker exited with code " + std::to_string(code);
    }
  }

  MergeOptions merge;
  merge.inputs = outputs;
  merge.out_path = dir + "/merged.jsonl";
  merge.redis = redis;
  merge.job = o.job;
  MergeResult merged = Merge(merge);
  out.records = merged.rows;
  out.pages = merged.pages;
  out.duplicate_pages = merged.duplicate_pages;
  out.checksum_hex = merged.checksum_hex;
  if (merged.exit_code != kExitOk && out.exit_code == kExitOk) {
    out.exit_code = merged.exit_code;
    out.error = merged.error;
  }
  out.records_per_s = out.duration_s > 0 ? out.records / out.duration_s : 0;
  for (int i = 0; i < o.workers; ++i) {
    ReadEvents(dir + "/w" + std::to_string(i) + ".events.jsonl", i,
               epoch_unix_ns, o.spec.limiter.time_scale, &out.events);
  }
  for (const ClusterEvent& e : out.events) {
    ++out.requests;
    if (e.event.attempt > 0) ++out.retries;
  }
  return out;
}

}  // namespace eiabench::scaleout
