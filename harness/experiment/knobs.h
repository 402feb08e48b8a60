// The names a scenario may set, their types and ranges, and how a cell's
// values become the pipeline's ExtractOptions.
//
// Three sections:
//   settings   pipeline knobs, named exactly as ExtractOptions fields
//              (days_per_batch, delay_between_operations_s, ...), plus
//              client_mode ("honest" | "seed") and seed_sleep_s;
//   workload   what to load: route, frequency, respondents, start, end,
//              passes;
//   mock       the mock model for sim and mock targets: profile and the
//              latency and fault parameters.
// (harness/experiment/cell_options.h turns a cell into ExtractOptions.)
// Pure functions over constant tables: thread-safe.
#pragma once

#include <string>

#include "harness/experiment/scenario.h"

namespace eiabench::experiment {

enum class Section { kWorkload, kMock, kSettings };

// "days_per_batch" -> settings; "workload.end" -> workload; "mock.X" ->
// mock. False for a name no section knows.
bool ResolveKnobPath(const std::string& name, Section* section,
                     std::string* knob);

// Checks one value; on failure *message says what was expected and what
// came ("must be an integer >= 1, got -3", "unknown key").
bool ValidateKnob(Section section, const std::string& knob, const Json& value,
                  std::string* message);

Json DefaultWorkload();
Json DefaultMock();

}  // namespace eiabench::experiment
