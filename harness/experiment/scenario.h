// Scenario files: what to sweep, against what, how often.
//
// A scenario is a JSON object (schema: scenarios/scenario.schema.json,
// documented in docs/SCENARIOS.md):
//
//   name, description            text; the description carries the seed's
//                                published figure for the seed's experiments
//   target                       "sim" | "mock" | "live" (overridable by
//                                --target)
//   workload {route, frequency, respondents, start, end, passes}
//   mock {profile, latency_base_s, ...}   the mock model for sim and mock
//   settings {knob: value}       fixed pipeline settings for every cell
//   matrix {axes: {name: [v...]}, zip: [[name...]], exclude: [{name: v}]}
//   limits [{window_s, limit}]   the rate limits to check
//   repetitions, warmup, order ("sequential"|"interleaved"|"random"),
//   time_scale, seed, require_compliance
//
// An axis or --set name is a settings knob ("days_per_batch") or a dotted
// path into workload or mock ("workload.end", "mock.latency_base_s").
//
// Loading never throws: errors come back as a ScenarioError naming the JSON
// path and the offending value. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/experiment/window_meter.h"

namespace eiabench::experiment {

using Json = nlohmann::ordered_json;

struct ScenarioError {
  std::string path;     // "$.matrix.axes.days_per_batch[1]"
  std::string message;  // "must be an integer >= 1, got -3"
  // One line: control characters (a key may hold an escaped newline) are
  // shown as '?'.
  std::string ToString() const {
    std::string line = path + ": " + message;
    for (char& c : line)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return line;
  }
};

struct Matrix {
  // Axis name -> values, in file order (the first axis varies slowest).
  std::vector<std::pair<std::string, std::vector<Json>>> axes;
  // Groups of axes that vary together (equal lengths), as one dimension.
  std::vector<std::vector<std::string>> zip;
  // Cells whose params match every pair of one entry are dropped.
  std::vector<Json> exclude;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string target = "sim";
  Json workload;  // resolved, defaults filled in
  Json mock;      // resolved
  Json settings;  // as written (defaults are the pipeline's)
  Matrix matrix;
  std::vector<RateLimit> limits;
  int repetitions = 1;
  int warmup = 0;
  std::string order = "sequential";
  double time_scale = 1.0;
  uint64_t seed = 42;
  bool require_compliance = false;

  // The fully resolved scenario as JSON (what result files embed).
  Json ToJson() const;
};

// One point of the matrix: the scenario's fixed values with the cell's
// axis values applied.
struct Cell {
  size_t index = 0;
  std::string id;  // "days_per_batch=45 max_concurrent_batches=2"
  Json params;     // axis name -> value
  Json workload;
  Json mock;
  Json settings;
};

// Parses and validates. `source` names the file in messages.
std::optional<Scenario> ParseScenario(const std::string& text,
                                      ScenarioError* error);
std::optional<Scenario> LoadScenario(const std::string& path,
                                     ScenarioError* error);

// Applies "name=value" (value parsed as JSON, else taken as a string). A
// matrix axis collapses to that single value; anything else becomes a fixed
// value. Validates like the file.
bool ApplyOverride(Scenario* scenario, const std::string& assignment,
                   ScenarioError* error);

// Checks what spans several fields (a known route, start not after end);
// ParseScenario calls it, and the runner again after --set overrides.
bool ValidateScenario(const Scenario& scenario, ScenarioError* error);

// The cells of the matrix in expansion order (cartesian product of the
// dimensions, zip groups as one dimension, exclusions removed). A scenario
// without axes has one cell.
std::vector<Cell> ExpandMatrix(const Scenario& scenario);

// The order repetitions run in: (cell index, rep) pairs. "sequential" runs
// each cell's repetitions back to back; "interleaved" runs rep 0 of every
// cell, then rep 1...; "random" shuffles the interleaved order with the
// scenario's seed.
std::vector<std::pair<size_t, int>> ExecutionOrder(const Scenario& scenario,
                                                   size_t cells);

// 16 hex digits of FNV-1a 64 over the compact dump of `value` (keys in
// their stored order).
std::string HashJson(const Json& value);

}  // namespace eiabench::experiment
