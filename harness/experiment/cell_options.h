// How a cell's settings and workload become the pipeline's ExtractOptions,
// including what client_mode "seed" means. Pure functions: thread-safe.
#pragma once

#include <string>

#include "harness/client/extractor.h"
#include "harness/experiment/scenario.h"

namespace eiabench::experiment {

// The pre-request sleep a `seed` client uses when the scenario does not set
// seed_sleep_s: 0.72 s, the seed's client at its "ultimate" commit (phases
// 3-5); phases 1-2 ran with 0.3 s and their scenarios say so.
inline constexpr double kSeedSleepDefaultS = 0.72;

// Builds the pipeline options of one cell: defaults, then client_mode's
// behaviour, then every settings knob. `base_url` is the target's. Returns
// false with a one-line *error for a value the pipeline rejects.
bool CellOptions(const Cell& cell, const std::string& base_url,
                 ExtractOptions* options, std::string* error);

// Every resolved pipeline setting as JSON (the result file's "settings").
Json OptionsToJson(const ExtractOptions& options, const Cell& cell);

}  // namespace eiabench::experiment
