// What a scale-out job is: the workload (a subset of the pipeline's
// ExtractOptions), the shared rate budget and the lease length, serialised
// as JSON into Redis so that every worker, on any host, runs the same job.
//
// Only what must be identical across workers lives in the spec. What may
// differ per host stays on the worker's command line: the base URL override,
// the API key (never written to Redis), the output file.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/client/extractor.h"
#include "harness/scaleout/global_limiter.h"
#include "harness/scaleout/job_queue.h"
#include "harness/scaleout/redis_client.h"

namespace eiabench::scaleout {

struct JobSpec {
  // The workload. Used fields: base_url, route, facets, start, end,
  // frequency, data_columns, days_per_batch, request_length, key_placement,
  // max_attempts, backoff_base_s, backoff_max_s, connect_timeout_s,
  // timeout_s. Planning is always PlanningMode::kDays with honest
  // hour-exact batches (the seed-reproduction knobs make no sense here).
  ExtractOptions extract;
  // The shared budget (windows in the API's time; `time_scale` maps them
  // to real time for a time-scaled mock).
  LimiterConfig limiter;
  // How long a claimed page stays with its worker before anyone may take
  // it back (real time). Workers renew it before every retry, so it only
  // needs to cover one attempt (up to timeout_s) plus a backoff; the
  // default leaves room for the default 60 s timeout.
  std::chrono::milliseconds lease{std::chrono::seconds(120)};
};

// Deterministic JSON (sorted keys): re-planning an identical spec yields an
// identical string, which is what makes `job plan` idempotent.
std::string SpecToJson(const JobSpec& spec);
// Returns nullopt and a one-line `*error` for a malformed spec.
std::optional<JobSpec> SpecFromJson(const std::string& json,
                                    std::string* error);

// One page of work as queued in Redis.
struct PageTask {
  uint64_t page_id = 0;  // MakePageId(batch, page index)
  PlannedBatch batch;
  uint64_t offset = 0;
  uint64_t length = 0;
};
std::string PageTaskToJson(const PageTask& task);
std::optional<PageTask> PageTaskFromJson(const std::string& json,
                                         std::string* error);
PageEntry ToPageEntry(const PageTask& task);

// The first page of every batch of the spec's plan. Returns an error for an
// invalid workload (bad range, bad knob).
struct FirstPages {
  std::vector<PageTask> pages;
  std::string error;  // empty on success
};
FirstPages PlanFirstPages(const JobSpec& spec);

struct PlanJobResult {
  int exit_code = 0;  // kExitOk, kExitUsage (bad spec or conflict),
                      // kExitEnvironment (Redis unreachable)
  std::string error;  // one line
  PlanOutcome outcome = PlanOutcome::kCreated;
  uint64_t batches = 0;
  uint64_t requeued_failed = 0;
};

struct PlanJobOptions {
  // Delete an existing job of this name first (a fresh re-run).
  bool reset = false;
  // Put pages that exhausted their retries back in the queue (resume).
  bool retry_failed = false;
};

// Plans `spec` into Redis as job `job`: the library call behind
// `eiabench job plan` and `eiabench extract --redis URL --job NAME`.
// Idempotent: planning the same spec again changes nothing (kExisting); a
// different spec under the same name is refused (kExitUsage) unless
// `options.reset`.
PlanJobResult PlanJob(const RedisUrl& redis, const std::string& job,
                      const JobSpec& spec, const PlanJobOptions& options,
                      const RedisRetryPolicy& policy = {});

// A spec from the pipeline's options (what `eiabench extract --redis URL
// --job NAME` plans): the workload fields are copied; the shared budget is
// `requests_per_hour` per 3600 s (if set) and `max_operations_per_second`
// per 1 s (if >= 1), as exact sliding windows; no time scale.
JobSpec JobSpecFromExtract(const ExtractOptions& options);

// Checks a job name: 1-100 characters of [A-Za-z0-9._-].
std::optional<std::string> ValidateJobName(const std::string& job);

}  // namespace eiabench::scaleout
