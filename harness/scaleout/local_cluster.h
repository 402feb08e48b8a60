// Runs one job with N local worker processes: the `workers` axis of the
// scenario runner, and the engine of scripts/scaleout-bench.sh.
//
// Steps: start a private redis-server (unless a Redis URL is given), plan
// the job, spawn N `eiabench worker` child processes (each with its own
// output file and events file), wait for all of them (bounded by
// `timeout`), merge their files, and read their per-request events back.
// The wall time measured is from the first spawn to the last exit, so it
// includes process start-up and the Redis round trips (that is the cost of
// scaling out).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/client/events.h"
#include "harness/scaleout/job_spec.h"
#include "harness/scaleout/redis_client.h"

namespace eiabench::scaleout {

struct LocalClusterOptions {
  // The eiabench executable that provides `worker`; empty = this process's
  // own executable (/proc/self/exe), which is right inside `eiabench`.
  std::string binary;
  int workers = 1;
  JobSpec spec;         // spec.extract.base_url is the target
  std::string api_key;  // passed to workers through EIA_API_KEY
  // Redis to use; nullopt = a private redis-server for this run.
  std::optional<RedisUrl> redis;
  std::string job = "local";
  // Worker files, events and the merged output go here; empty = a
  // temporary directory removed afterwards.
  std::string work_dir;
  // Whole-run bound (real time); workers still running are killed.
  std::chrono::seconds timeout{600};
};

// One request as seen by the cluster: the worker's RequestEvent with its
// times moved to the cluster's time base (API time since the first spawn).
struct ClusterEvent {
  int worker = 0;
  RequestEvent event;
};

struct LocalClusterResult {
  int exit_code = 0;  // the worst of: plan, workers, merge
  std::string error;
  int workers = 0;
  std::vector<int> worker_exit_codes;
  uint64_t records = 0;  // merged rows, each exactly once
  uint64_t pages = 0;
  uint64_t requests = 0;
  uint64_t retries = 0;
  uint64_t duplicate_pages = 0;
  std::string checksum_hex;
  double duration_s = 0;  // real time, first spawn to last exit
  double records_per_s = 0;
  std::vector<ClusterEvent> events;
};

LocalClusterResult RunLocalCluster(const LocalClusterOptions& options);

}  // namespace eiabench::scaleout
