// Result files (docs/RESULTS.md, results/schema.json): building the JSON of
// a repetition and of a cell's aggregates, writing files atomically, and
// finding an interrupted run's partial file for --resume.
//
// Thread-safe (no shared state); file functions touch only the paths given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/experiment/recorder.h"
#include "harness/experiment/scenario.h"

namespace eiabench::experiment {

inline constexpr int kSchemaVersion = 1;

// One entry of a cell's "repetitions".
Json RepetitionJson(int rep, const std::string& status,
                    const std::string& invalid_reason,
                    const Recorder::Result& result);

// "aggregates": for every metric of the repetitions with status "ok" (all
// repetitions when none is ok), n/median/mean/min/max/stddev/cv and the
// bootstrap 95 % CI of the median, seeded by `seed`.
Json AggregatesJson(const Json& repetitions, uint64_t seed);

// True when every repetition of the cell is compliant.
bool CellCompliant(const Json& repetitions);

// Writes `doc` to `path` through a temporary file and a rename, so a reader
// (or a crash) never sees half a file. False with a one-line *error.
bool WriteJsonFile(const std::string& path, const Json& doc,
                   std::string* error);

// The newest file in `dir` named "<scenario>-<target>-*.json" that is
// marked "partial": true and has `scenario_hash`. Returns its path and
// content.
std::optional<std::pair<std::string, Json>> FindPartialRun(
    const std::string& dir, const std::string& scenario,
    const std::string& target, const std::string& scenario_hash);

}  // namespace eiabench::experiment
