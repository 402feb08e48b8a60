// A scale-out worker: takes pages of a job from Redis until the job is done.
//
// For every page, in this order:
//   1. take a permit from the global limiter (so the permit, not the page,
//      is what a worker waits for: a waiting worker holds no lease);
//   2. claim one page (a lease of JobSpec::lease);
//   3. fetch it through the pipeline's CurlTransport and parse it with its
//      PageParser (rows checked against the batch's `total`);
//   4. on a retryable failure (429, 5xx, transport error, malformed or short
//      page) back off with full jitter (honouring Retry-After), renew the
//      lease, take a new permit and try again, up to max_attempts; then
//      record the page as failed in Redis;
//   5. write its rows to the worker's own file and commit durably;
//   6. acknowledge it (a batch's first page also queues the batch's other
//      pages, now that `total` is known).
// A worker that dies between 5 and 6 leaves a committed page that is not
// acknowledged: its lease expires, another worker redoes it, and merge
// keeps one copy.
//
// When Redis is unreachable the worker takes no new work and retries with
// exponential backoff for `redis_outage`; then it exits with
// kExitEnvironment. Nothing committed is ever lost: it stays in the file and
// is merged (or its page is redone) later.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/client/events.h"
#include "harness/scaleout/redis_client.h"

namespace eiabench::scaleout {

struct WorkerOptions {
  RedisUrl redis;
  std::string job;
  // Unique per worker process (host-pid by default in the CLI). Names the
  // lease owner and the limiter's grant entries.
  std::string worker_id;
  // The worker's own output file (created if missing).
  std::string out_path;
  // Overrides the spec's base URL (e.g. a host-local proxy); empty = spec.
  std::string base_url;
  // The API key; never sent to Redis, logged or written.
  std::string api_key;
  // How long Redis may stay unreachable before the worker gives up.
  std::chrono::milliseconds redis_outage{std::chrono::seconds(60)};
  // Stop after this many pages (0 = no limit); for tests and benchmarks.
  uint64_t max_pages = 0;
  // Turns true on SIGINT/SIGTERM: the worker finishes (or releases) the page
  // in hand and exits with kExitInterrupted.
  const std::atomic<bool>* stop = nullptr;
  // Receives every HTTP attempt (optional), on the worker's thread. Event
  // times are API time since the worker's start.
  ExtractObserver* observer = nullptr;
  // Non-empty: also append every HTTP attempt to this JSON Lines file, with
  // absolute Unix times (`*_unix_ns`, real time) so that events of workers
  // in different processes can be put on one time line.
  std::string events_path;
};

struct WorkerResult {
  int exit_code = 0;             // harness/common/exit_codes.h
  std::string error;             // one line, redacted; empty on success
  uint64_t pages_done = 0;       // pages this worker acknowledged first
  uint64_t pages_duplicate = 0;  // pages someone else had acknowledged
  uint64_t pages_failed = 0;
  uint64_t rows = 0;  // rows written by this worker
  uint64_t requests = 0;
  uint64_t retries = 0;
  uint64_t http_429 = 0;
  double duration_s = 0;  // from start to exit, real time
};

// Runs a worker to the end of the job (or a stop, or a fatal error).
// Exit codes: kExitOk (job complete, nothing failed); kExitInvalidRun (the
// job ended with failed pages); kExitApiRejected (400/403/404: this worker
// stopped, the page is recorded as failed); kExitUsage (no such job, bad
// spec); kExitEnvironment (Redis unreachable for too long, output not
// writable); kExitInterrupted (stop).
WorkerResult RunWorker(const WorkerOptions& options);

}  // namespace eiabench::scaleout
