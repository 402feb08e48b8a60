// Scale-out subcommands: `worker`, `job plan|status|delete|run-local`,
// `merge`. Thin: parse flags, call harness/scaleout, print one summary.
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.h"
#include "harness/common/exit_codes.h"
#include "harness/scaleout/job_queue.h"
#include "harness/scaleout/job_spec.h"
#include "harness/scaleout/local_cluster.h"
#include "harness/scaleout/merge.h"
#include "harness/scaleout/worker.h"

namespace eiabench::app {
namespace {

using namespace eiabench::scaleout;

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "eiabench: error: %s\n", message.c_str());
  SetExit(code);
  return code;
}

// The Redis URL from --redis, or EIABENCH_REDIS_URL (which keeps a password
// off the command line).
std::optional<RedisUrl> ResolveRedis(const std::string& flag) {
  std::string text = flag;
  if (text.empty()) {
    const char* env = std::getenv("EIABENCH_REDIS_URL");
    text = env != nullptr ? env : "";
  }
  if (text.empty()) {
    Fail(kExitUsage, "--redis URL (or EIABENCH_REDIS_URL) is required");
    return std::nullopt;
  }
  std::string error;
  auto url = ParseRedisUrl(text, &error);
  if (!url) Fail(kExitUsage, "--redis: " + error);
  return url;
}

// The API key from EIA_API_KEY or --api-key-file; never printed.
std::optional<std::string> ResolveApiKey(const std::string& file) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      Fail(kExitUsage, "--api-key-file: cannot read " + file);
      return std::nullopt;
    }
    std::string key;
    std::getline(in, key);
    while (!key.empty() &&
           std::isspace(static_cast<unsigned char>(key.back()))) {
      key.pop_back();
    }
    return key;
  }
  const char* env = std::getenv("EIA_API_KEY");
  return std::string(env != nullptr ? env : "");
}

// --- Workload flags shared by `job plan` and `job run-local` -------------

struct SpecFlags {
  JobSpec spec;
  std::vector<std::string> facets;
  std::vector<std::string> data = {"value"};
  double rate_limit_per_hour = 5000;
  double rate_limit_per_second = 0;
  int64_t margin_ms = 50;
  double lease_s = 120;
};

void AddSpecFlags(CLI::App* cmd, SpecFlags* f) {
  ExtractOptions& o = f->spec.extract;
  cmd->add_option("--base-url", o.base_url, "API base URL")
      ->capture_default_str();
  cmd->add_option("--route", o.route, "e.g. electricity/rto/fuel-type-data")
      ->required();
  cmd->add_option("--facet", f->facets,
                  "facet filter ID=V1,V2 (repeatable), e.g. respondent=PACW");
  cmd->add_option("--start", o.start, "first period, YYYY-MM-DDTHH")
      ->required();
  cmd->add_option("--end", o.end, "last period (inclusive), YYYY-MM-DDTHH")
      ->required();
  cmd->add_option("--frequency", o.frequency, "hourly or daily")
      ->capture_default_str();
  cmd->add_option("--data", f->data, "data column (repeatable)")
      ->capture_default_str();
  cmd->add_option("--days-per-batch", o.days_per_batch)->capture_default_str();
  cmd->add_option("--request-length", o.request_length, "rows per page")
      ->capture_default_str();
  cmd->add_option("--max-attempts", o.max_attempts)->capture_default_str();
  cmd->add_option("--backoff-base-s", o.backoff_base_s)->capture_default_str();
  cmd->add_option("--backoff-max-s", o.backoff_max_s)->capture_default_str();
  cmd->add_option("--timeout-s", o.timeout_s)->capture_default_str();
  cmd->add_option("--connect-timeout-s", o.connect_timeout_s)
      ->capture_default_str();
  cmd->add_option("--rate-limit-per-hour", f->rate_limit_per_hour,
                  "shared budget: requests per sliding hour, all workers "
                  "together (0 = none)")
      ->capture_default_str();
  cmd->add_option("--rate-limit-per-second", f->rate_limit_per_second,
                  "optional second window: requests per sliding second")
      ->capture_default_str();
  cmd->add_option("--limiter", f->spec.limiter.name,
                  "budget name: jobs sharing one API key share one name")
      ->capture_default_str();
  cmd->add_option("--time-scale", f->spec.limiter.time_scale,
                  "API seconds per real second (a time-scaled mock)")
      ->capture_default_str();
  cmd->add_option("--limit-margin-ms", f->margin_ms,
                  "real ms added to every window for delivery jitter")
      ->capture_default_str();
  cmd->add_option("--lease-s", f->lease_s,
                  "real seconds a claimed page stays with its worker")
      ->capture_default_str();
}

// Turns the parsed flags into a spec; one-line error on a bad value.
std::optional<JobSpec> BuildSpec(SpecFlags& f) {
  JobSpec spec = f.spec;
  for (const std::string& facet : f.facets) {
    size_t eq = facet.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == facet.size()) {
      Fail(kExitUsage, "--facet must be ID=V1[,V2...], got '" + facet + "'");
      return std::nullopt;
    }
    std::vector<std::string> values;
    std::stringstream list(facet.substr(eq + 1));
    for (std::string v; std::getline(list, v, ',');) {
      if (!v.empty()) values.push_back(v);
    }
    spec.extract.facets.emplace_back(facet.substr(0, eq), values);
  }
  spec.extract.data_columns = f.data;
  if (f.rate_limit_per_hour < 0 || f.rate_limit_per_second < 0 ||
      f.spec.limiter.time_scale <= 0 || f.lease_s <= 0 || f.margin_ms < 0) {
    Fail(kExitUsage,
         "--rate-limit-*, --limit-margin-ms must be >= 0 and --time-scale, "
         "--lease-s > 0");
    return std::nullopt;
  }
  if (f.rate_limit_per_hour >= 1) {
    spec.limiter.windows.push_back(
        {static_cast<uint64_t>(f.rate_limit_per_hour), std::chrono::hours(1)});
  }
  if (f.rate_limit_per_second >= 1) {
    spec.limiter.windows.push_back(
        {static_cast<uint64_t>(f.rate_limit_per_second),
         std::chrono::seconds(1)});
  }
  spec.limiter.margin = std::chrono::milliseconds(f.margin_ms);
  spec.lease =
      std::chrono::milliseconds(static_cast<int64_t>(f.lease_s * 1000));
  if (auto bad = ValidateOptions(spec.extract)) {
    Fail(kExitUsage, *bad);
    return std::nullopt;
  }
  return spec;
}

// --- job plan ---------------------------------------------------------------

struct PlanFlags {
  std::string redis, job;
  SpecFlags spec;
  bool reset = false, retry_failed = false, json = false;
};

void RunPlan(PlanFlags& f) {
  auto redis = ResolveRedis(f.redis);
  auto spec = redis ? BuildSpec(f.spec) : std::nullopt;
  if (!spec) return;
  PlanJobOptions options;
  options.reset = f.reset;
  options.retry_failed = f.retry_failed;
  PlanJobResult r = PlanJob(*redis, f.job, *spec, options);
  if (r.exit_code != kExitOk) {
    Fail(r.exit_code, r.error);
    return;
  }
  const char* what = r.outcome == PlanOutcome::kCreated ? "created" : "exists";
  if (f.json) {
    fmt::print("{}\n", nlohmann::json{{"job", f.job},
                                      {"outcome", what},
                                      {"batches", r.batches},
                                      {"requeued_failed", r.requeued_failed}}
                           .dump());
  } else {
    fmt::print("job {} {}: {} batches; {} failed pages requeued\n", f.job, what,
               r.batches, r.requeued_failed);
  }
}

// --- job status -----------------------------------------------------------

void PrintStatus(const std::string& job, const JobStatus& s, bool json) {
  nlohmann::json failures = s.failures;
  nlohmann::json workers = nlohmann::json::object();
  for (const auto& [w, report] : s.workers) {
    workers[w] = nlohmann::json::parse(report, nullptr, false);
  }
  const char* state =
      s.complete() ? "complete"
      : s.pages_failed > 0 && s.pages_ready == 0 && s.pages_leased == 0
          ? "failed"
          : "running";
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"job", job},
                                      {"state", state},
                                      {"pages_total", s.pages_total},
                                      {"pages_done", s.pages_done},
                                      {"pages_ready", s.pages_ready},
                                      {"pages_leased", s.pages_leased},
                                      {"pages_failed", s.pages_failed},
                                      {"rows", s.rows},
                                      {"requests", s.requests},
                                      {"retries", s.retries},
                                      {"requeued", s.requeued},
                                      {"duplicate_acks", s.duplicate_acks},
                                      {"created_ms", s.created_ms},
                                      {"finished_ms", s.finished_ms},
                                      {"failures", failures},
                                      {"workers", workers}}
                           .dump());
    return;
  }
  fmt::print(
      "job {}: {}\n  pages: {} done of {} known ({} ready, {} leased, {} "
      "failed)\n  rows: {}  requests: {}  retries: {}  leases requeued: {}\n",
      job, state, s.pages_done, s.pages_total, s.pages_ready, s.pages_leased,
      s.pages_failed, s.rows, s.requests, s.retries, s.requeued);
  for (const auto& [page, reason] : s.failures) {
    fmt::print("  failed page {}: {}\n", page, reason);
  }
  for (const auto& [w, report] : s.workers) {
    fmt::print("  worker {}: {}\n", w, report);
  }
}

struct StatusFlags {
  std::string redis, job;
  bool json = false;
};

void RunStatus(const StatusFlags& f) {
  auto redis = ResolveRedis(f.redis);
  if (!redis) return;
  RedisClient client(*redis);
  RedisRetryPolicy policy;
  policy.max_outage = std::chrono::seconds(5);
  JobQueue queue(client, f.job, policy);
  std::string error;
  auto status = queue.Status(&error);
  if (!status) {
    Fail(kExitEnvironment, error);
    return;
  }
  if (!status->exists) {
    Fail(kExitUsage, "no job named '" + f.job + "' in " + redis->Redacted());
    return;
  }
  PrintStatus(f.job, *status, f.json);
}

void RunDelete(const StatusFlags& f) {
  auto redis = ResolveRedis(f.redis);
  if (!redis) return;
  RedisClient client(*redis);
  JobQueue queue(client, f.job, RedisRetryPolicy{});
  std::string error;
  if (!queue.Delete(&error)) Fail(kExitEnvironment, error);
}

// --- worker -----------------------------------------------------------------

struct WorkerFlags {
  std::string redis, job, worker_id, out, base_url, api_key_file, events;
  double redis_timeout_s = 60;
  uint64_t max_pages = 0;
  bool json = false, quiet = false;
};

void RunWorkerCommand(WorkerFlags& f) {
  auto redis = ResolveRedis(f.redis);
  if (!redis) return;
  auto key = ResolveApiKey(f.api_key_file);
  if (!key) return;
  if (auto bad = ValidateJobName(f.job)) {
    Fail(kExitUsage, *bad);
    return;
  }
  if (f.redis_timeout_s <= 0) {
    Fail(kExitUsage, "--redis-timeout-s must be > 0");
    return;
  }
  WorkerOptions o;
  o.redis = *redis;
  o.job = f.job;
  if (f.worker_id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    f.worker_id = std::string(host) + "-" + std::to_string(getpid());
  }
  o.worker_id = f.worker_id;
  o.out_path = f.out.empty() ? f.job + "-" + f.worker_id + ".sqlite" : f.out;
  o.base_url = f.base_url;
  o.api_key = *key;
  o.redis_outage =
      std::chrono::milliseconds(static_cast<int64_t>(f.redis_timeout_s * 1000));
  o.max_pages = f.max_pages;
  o.events_path = f.events;
  o.stop = &g_stop;
  InstallStopHandlers();

  WorkerResult r = RunWorker(o);
  if (!r.error.empty()) {
    std::fprintf(stderr, "eiabench: worker %s: %s\n", o.worker_id.c_str(),
                 r.error.c_str());
  }
  SetExit(r.exit_code);
  if (f.quiet) return;
  nlohmann::json j = {{"worker", o.worker_id},
                      {"exit_code", r.exit_code},
                      {"pages_done", r.pages_done},
                      {"pages_duplicate", r.pages_duplicate},
                      {"pages_failed", r.pages_failed},
                      {"rows", r.rows},
                      {"requests", r.requests},
                      {"retries", r.retries},
                      {"http_429", r.http_429},
                      {"duration_s", r.duration_s},
                      {"out", o.out_path}};
  if (f.json) {
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print(
        "worker {}: {} pages, {} rows, {} requests ({} retries) in "
        "{:.2f} s -> {}\n",
        o.worker_id, r.pages_done, r.rows, r.requests, r.retries, r.duration_s,
        o.out_path);
  }
}

// --- merge ------------------------------------------------------------------

struct MergeFlags {
  std::vector<std::string> inputs;
  std::string out, redis, job;
  bool json = false;
};

void RunMerge(const MergeFlags& f) {
  MergeOptions o;
  o.inputs = f.inputs;
  o.out_path = f.out;
  if (!f.redis.empty() || !f.job.empty()) {
    if (f.job.empty()) {
      Fail(kExitUsage, "--redis needs --job (and --job needs --redis)");
      return;
    }
    auto redis = ResolveRedis(f.redis);
    if (!redis) return;
    o.redis = *redis;
    o.job = f.job;
  }
  MergeResult r = Merge(o);
  if (r.exit_code != kExitOk) {
    Fail(r.exit_code, r.error);
    return;
  }
  if (f.json) {
    fmt::print("{}\n",
               nlohmann::json{{"rows", r.rows},
                              {"pages", r.pages},
                              {"duplicate_pages_dropped", r.duplicate_pages},
                              {"checksum", r.checksum_hex},
                              {"out", f.out}}
                   .dump());
  } else {
    fmt::print(
        "merged {} rows from {} pages ({} duplicate pages dropped), "
        "checksum {}{}\n",
        r.rows, r.pages, r.duplicate_pages, r.checksum_hex,
        f.out.empty() ? "" : " -> " + f.out);
  }
}

// --- job run-local
// ------------------------------------------------------------

struct RunLocalFlags {
  SpecFlags spec;
  std::string redis, job = "local", work_dir, api_key_file;
  int workers = 1;
  double timeout_s = 600;
  bool json = false;
};

void RunLocal(RunLocalFlags& f) {
  auto spec = BuildSpec(f.spec);
  if (!spec) return;
  auto key = ResolveApiKey(f.api_key_file);
  if (!key) return;
  LocalClusterOptions o;
  o.workers = f.workers;
  o.spec = *spec;
  o.api_key = *key;
  o.job = f.job;
  o.work_dir = f.work_dir;
  o.timeout = std::chrono::seconds(static_cast<int64_t>(f.timeout_s));
  if (!f.redis.empty()) {
    auto redis = ResolveRedis(f.redis);
    if (!redis) return;
    o.redis = *redis;
  }
  LocalClusterResult r = RunLocalCluster(o);
  nlohmann::json j = {{"workers", r.workers},
                      {"exit_code", r.exit_code},
                      {"records", r.records},
                      {"pages", r.pages},
                      {"requests", r.requests},
                      {"retries", r.retries},
                      {"duplicate_pages", r.duplicate_pages},
                      {"checksum", r.checksum_hex},
                      {"duration_s", r.duration_s},
                      {"records_per_s", r.records_per_s}};
  if (r.exit_code != kExitOk) Fail(r.exit_code, r.error);
  if (f.json) {
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print(
        "{} workers: {} records, {} requests in {:.2f} s = {:.0f} "
        "records/s (checksum {})\n",
        r.workers, r.records, r.requests, r.duration_s, r.records_per_s,
        r.checksum_hex);
  }
}

}  // namespace

void AddScaleOutCommands(CLI::App& app) {
  // Flag storage lives as long as the app (main's stack frame).
  static PlanFlags plan;
  static StatusFlags status, del;
  static WorkerFlags worker;
  static MergeFlags merge;
  static RunLocalFlags local;

  CLI::App* job = app.add_subcommand(
      "job", "plan, inspect and run scale-out jobs kept in Redis");
  job->require_subcommand(1);

  CLI::App* p = job->add_subcommand(
      "plan", "plan a job into Redis (idempotent: same spec = no change)");
  p->add_option("--redis", plan.redis, "redis://[:PASSWORD@]HOST:PORT[/DB]");
  p->add_option("--job", plan.job, "job name")->required();
  AddSpecFlags(p, &plan.spec);
  p->add_flag("--reset", plan.reset, "delete an existing job of this name");
  p->add_flag("--retry-failed", plan.retry_failed,
              "requeue pages that exhausted their retries");
  p->add_flag("--json", plan.json, "one JSON line on stdout");
  p->callback([] { RunPlan(plan); });

  CLI::App* s = job->add_subcommand("status", "show a job's progress");
  s->add_option("--redis", status.redis, "redis://HOST:PORT");
  s->add_option("--job", status.job, "job name")->required();
  s->add_flag("--json", status.json, "one JSON object on stdout");
  s->callback([] { RunStatus(status); });

  CLI::App* d = job->add_subcommand("delete", "delete a job's keys");
  d->add_option("--redis", del.redis, "redis://HOST:PORT");
  d->add_option("--job", del.job, "job name")->required();
  d->callback([] { RunDelete(del); });

  CLI::App* l = job->add_subcommand(
      "run-local", "plan a job and run it with N local worker processes");
  AddSpecFlags(l, &local.spec);
  l->add_option("--workers", local.workers, "worker processes")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  l->add_option("--redis", local.redis,
                "use this Redis (default: a private redis-server)");
  l->add_option("--job", local.job)->capture_default_str();
  l->add_option("--work-dir", local.work_dir,
                "keep worker files and merged.jsonl here");
  l->add_option("--api-key-file", local.api_key_file,
                "file holding the key (default: EIA_API_KEY)");
  l->add_option("--run-timeout-s", local.timeout_s, "whole-run bound (real s)")
      ->capture_default_str();
  l->add_flag("--json", local.json, "one JSON line on stdout");
  l->callback([] { RunLocal(local); });

  CLI::App* w = app.add_subcommand(
      "worker", "take pages of a Redis job until it is done");
  w->add_option("--redis", worker.redis,
                "redis://[:PASSWORD@]HOST:PORT[/DB] (or EIABENCH_REDIS_URL)");
  w->add_option("--job", worker.job, "job name")->required();
  w->add_option("--worker-id", worker.worker_id,
                "unique id (default HOSTNAME-PID)");
  w->add_option("--out", worker.out,
                "this worker's SQLite file (default JOB-ID.sqlite)");
  w->add_option("--base-url", worker.base_url,
                "override the job's base URL on this host");
  w->add_option("--api-key-file", worker.api_key_file,
                "file holding the key (default: EIA_API_KEY)");
  w->add_option("--redis-timeout-s", worker.redis_timeout_s,
                "give up (exit 5) after Redis is unreachable this long")
      ->capture_default_str();
  w->add_option("--max-pages", worker.max_pages, "stop after N pages");
  w->add_option("--events", worker.events,
                "append every HTTP attempt to this JSON Lines file");
  w->add_flag("--json", worker.json, "one JSON line on stdout");
  w->add_flag("--quiet", worker.quiet, "no summary on stdout");
  w->callback([] { RunWorkerCommand(worker); });

  CLI::App* m = app.add_subcommand(
      "merge", "merge worker files into one data set, each row exactly once");
  m->add_option("inputs", merge.inputs, "worker SQLite files")->required();
  m->add_option("--out", merge.out, "merged JSON Lines output");
  m->add_option("--redis", merge.redis,
                "also check against the job in this Redis");
  m->add_option("--job", merge.job, "job name for the check");
  m->add_flag("--json", merge.json, "one JSON line on stdout");
  m->callback([] { RunMerge(merge); });
}

}  // namespace eiabench::app
