// The context block of a result file: what produced the numbers and where.
//
// Thread-safe; runs `git` and reads /proc once per call.
#pragma once

#include <string>

#include "harness/experiment/scenario.h"

namespace eiabench::experiment {

struct ContextInput {
  std::string clock_mode;  // "virtual" | "scaled" | "real"
  double time_scale = 1.0;
  uint64_t seed = 0;
  std::string command;  // the command line (never holds the API key)
};

// harness_version, git_sha and git_dirty (from `git` in the source tree at
// run time when available, else the SHA baked in at configure time with
// git_dirty null), build_type, compiler, libcurl_version, host, cpu_model,
// cores, kernel, timestamp (UTC, ISO 8601), clock_mode, time_scale, seed,
// command.
Json MakeContext(const ContextInput& input);

}  // namespace eiabench::experiment
