// The reliable page queue of a scale-out job, kept in Redis.
//
// A job is a set of pages (one HTTP request each). Every page id is in
// exactly one of these states, and every transition is one atomic Lua
// script, so any number of workers on any number of hosts can share a job:
//
//   ready  --Claim-->  leased  --Ack-->   done
//     ^                  |  \--Fail-->   failed --RequeueFailed--> ready
//     +---lease expired--+
//
// A claimed page carries a lease that expires at a Redis-clock time (the
// workers' clocks never matter). A worker acknowledges a page only after its
// rows are durably written to the worker's sink; if the worker dies first,
// the lease expires and the next Claim() by anyone puts the page back at the
// head of the ready list. A page acknowledged twice (a slow worker whose
// lease had expired) is counted once; its rows exist in two sinks and
// `eiabench merge` keeps one copy (see merge.h).
//
// Ack may add pages (the first page of a batch reveals how many more pages
// the batch has). New page ids are deterministic, so adding the same page
// twice is a no-op.
//
// Redis keys (NAME is the job name; the braces keep them in one cluster
// slot): eiabench:job:{NAME}:meta (hash: spec and counters), :ready (list),
// :leased (zset scored by lease expiry in Redis-clock ms), :owner (hash page
// -> lease token), :pages (hash page -> payload), :done (hash page ->
// "worker rows"), :failed (hash page -> reason), :workers (hash worker ->
// last report).
//
// Every method runs through CommandWithRetry: while Redis is unreachable it
// retries with backoff, and returns nullopt (with `*error`) once the outage
// exceeds the policy or `*stop` turns true. Every script is safe to run
// twice. Not thread-safe (it uses the caller's RedisClient).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/scaleout/redis_client.h"

namespace eiabench::scaleout {

// A page waiting to be queued: its id and an opaque payload (JSON).
struct PageEntry {
  std::string id;
  std::string payload;
};

// A page a worker holds.
struct Lease {
  std::string page_id;
  std::string payload;
};

struct ClaimResult {
  std::vector<Lease> leases;  // empty when nothing was ready
  uint64_t ready = 0;         // pages still ready after this claim
  uint64_t leased = 0;        // pages leased by anyone after this claim
  uint64_t failed = 0;        // pages that exhausted their retries
  // When nothing was claimable: ms until the earliest lease expires (-1 if
  // nothing is leased), so a waiting worker knows how long to sleep.
  int64_t next_expiry_ms = -1;
};

struct JobStatus {
  bool exists = false;
  std::string spec;  // the planned job (JSON)
  uint64_t pages_total = 0;
  uint64_t pages_done = 0;
  uint64_t pages_ready = 0;
  uint64_t pages_leased = 0;
  uint64_t pages_failed = 0;
  uint64_t rows = 0;
  uint64_t requests = 0;  // HTTP attempts reported by workers
  uint64_t retries = 0;   // attempts that were retried
  uint64_t requeued = 0;  // expired leases put back
  uint64_t duplicate_acks = 0;
  int64_t created_ms = 0;   // Redis clock, Unix ms
  int64_t finished_ms = 0;  // when the last page was acknowledged; 0: not yet
  std::map<std::string, std::string> failures;  // page -> reason
  std::map<std::string, std::string> workers;   // worker -> last report
  bool complete() const {
    return exists && pages_total > 0 && pages_done == pages_total;
  }
};

enum class PlanOutcome {
  kCreated,   // the job did not exist; it is now queued
  kExisting,  // the same spec was already planned: nothing changed (resume)
  kConflict,  // a different spec exists under this name: nothing changed
};

class JobQueue {
 public:
  // `client` must outlive the queue. `stop` (optional) abandons Redis
  // retries early.
  JobQueue(RedisClient& client, std::string job, RedisRetryPolicy policy,
           const std::atomic<bool>* stop = nullptr);

  // Creates the job with `spec` and its initial pages, atomically, unless
  // it exists. Re-planning the same spec is a no-op, so `plan` is
  // idempotent.
  std::optional<PlanOutcome> Plan(const std::string& spec,
                                  const std::vector<PageEntry>& pages,
                                  std::string* error);

  // Puts expired leases back, then leases up to `max_pages` ready pages to
  // `token` for `lease` (Redis-clock time).
  std::optional<ClaimResult> Claim(size_t max_pages,
                                   std::chrono::milliseconds lease,
                                   const std::string& token,
                                   std::string* error);

  // Marks a page done with `rows` rows written by `worker`, and queues
  // `new_pages` (only if this ack is the first for the page). Returns true
  // if this ack counted, false if the page was already done.
  std::optional<bool> Ack(const std::string& page_id, const std::string& token,
                          const std::string& worker, uint64_t rows,
                          const std::vector<PageEntry>& new_pages,
                          std::string* error);

  // Pushes a held lease's expiry to now + `lease`. Returns false when the
  // lease is no longer this token's (it expired and was requeued).
  std::optional<bool> Extend(const std::string& page_id,
                             const std::string& token,
                             std::chrono::milliseconds lease,
                             std::string* error);

  // Records that a page exhausted its retries (`reason`: one line).
  std::optional<bool> Fail(const std::string& page_id, const std::string& token,
                           const std::string& reason, std::string* error);

  // Releases a held lease at once (a worker stopping politely).
  std::optional<bool> Release(const std::string& page_id,
                              const std::string& token, std::string* error);

  // Moves every failed page back to ready; returns how many.
  std::optional<uint64_t> RequeueFailed(std::string* error);

  // Adds to the job's request counters (HTTP attempts, retries).
  bool AddCounters(uint64_t requests, uint64_t retries, std::string* error);

  // Records a worker's last report (free text, e.g. JSON), for `job status`.
  bool ReportWorker(const std::string& worker, const std::string& report,
                    std::string* error);

  std::optional<JobStatus> Status(std::string* error);

  // Deletes every key of the job (not the limiter's).
  bool Delete(std::string* error);

  const std::string& job() const { return job_; }

 private:
  std::string Key(const char* suffix) const;
  std::optional<RedisReply> Run(const std::vector<std::string>& argv,
                                std::string* error);

  RedisClient& client_;
  std::string job_;
  RedisRetryPolicy policy_;
  const std::atomic<bool>* stop_;
};

}  // namespace eiabench::scaleout
