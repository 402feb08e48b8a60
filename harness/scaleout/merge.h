// `eiabench merge`: the worker files of a job -> one data set, every row
// exactly once.
//
// Each page is taken from exactly one worker file. A page present in
// several files (redone after an expired lease) must be identical in all
// of them (same row count and checksum); a disagreement is reported as a
// conflict and the merge fails rather than pick a side. Every row's hash is
// recomputed from the stored fields and checked against its page's
// checksum, so a corrupted file cannot slip through. Output: JSON Lines, one
// row object per line with fields in response order, pages in page-id
// order (batch, then page).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/scaleout/redis_client.h"

namespace eiabench::scaleout {

struct MergeOptions {
  std::vector<std::string> inputs;  // worker files
  std::string out_path;             // JSON Lines; empty = count only
  // When set, also checks against the job in Redis: every acknowledged page
  // must be present, and the job must be complete.
  std::optional<RedisUrl> redis;
  std::string job;
};

struct MergeResult {
  int exit_code = 0;  // kExitOk; kExitInvalidRun (conflict, corrupt or
                      // missing pages, incomplete job); kExitUsage (bad
                      // input file); kExitEnvironment (unwritable output,
                      // Redis unreachable)
  std::string error;
  uint64_t rows = 0;
  uint64_t pages = 0;
  uint64_t duplicate_pages = 0;  // copies dropped (identical)
  uint64_t checksum = 0;         // the contract's row checksum
  std::string checksum_hex;
};

MergeResult Merge(const MergeOptions& options);

}  // namespace eiabench::scaleout
