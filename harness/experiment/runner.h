// The scenario runner behind `eiabench run`: expands a scenario's matrix,
// runs every cell's repetitions against a target, measures each one with a
// Recorder, and writes a result file (docs/RESULTS.md).
//
// Targets:
//   sim   the mock's EiaModel in-process on a VirtualClock (SimTransport):
//         deterministic for a seed, no sockets, no real time;
//   mock  a MockServer started in-process on an ephemeral 127.0.0.1 port,
//         new for every repetition (fresh limiter and stats), driven by the
//         real libcurl pipeline on a ScaledClock when time_scale != 1;
//   live  the EIA API with the key from EIA_API_KEY; the whole plan's
//         request cost is printed first and a plan above the hourly budget
//         is refused unless forced.
//
// Not thread-safe: one run at a time per process (it installs SIGINT and
// SIGTERM handlers for the duration of the run).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/client/extractor.h"
#include "harness/experiment/recorder.h"
#include "harness/experiment/scenario.h"
#include "mock_server/eia_model.h"

namespace eiabench::experiment {

struct RunRequest {
  std::string scenario_path;
  std::optional<std::string> target;  // overrides the scenario's
  std::string out_dir = "results/runs";
  int repetitions = 0;            // 0: the scenario's
  std::vector<std::string> sets;  // "name=value" overrides
  bool events = false;            // write an NDJSON event log
  bool resume = false;            // continue a partial run
  bool force = false;             // live: allow a plan over budget
  bool progress = false;          // live progress line on stderr
  std::string command_line;       // recorded in the context block
  // Where the result file went (set by RunScenario when one was written).
  std::string* result_path = nullptr;
};

// Runs the request; returns an exit code from harness/common/exit_codes.h:
// kExitOk; kExitUsage (bad scenario, flag or value: nothing ran);
// kExitEnvironment (mock cannot start, output not writable);
// kExitComplianceViolation (a window exceeded and the scenario sets
// require_compliance); kExitInvalidRun (a repetition failed or was
// invalid); kExitInterrupted. The summary table goes to `out`, messages
// and the progress line to `err`.
int RunScenario(const RunRequest& request, std::ostream& out,
                std::ostream& err);

// Everything one cell needs, resolved before the first request.
struct CellPlan {
  Cell cell;
  ExtractOptions options;
  mock::ModelOptions model;
  int passes = 1;
  std::optional<uint64_t> rows_per_pass;      // the range's truth
  std::optional<uint64_t> full_history_rows;  // 2015-2024, one pass
  uint64_t requests_per_pass = 0;             // planned (cost estimate)
};

// How one repetition went.
struct RepetitionOutcome {
  std::string status = "ok";  // "ok" | "invalid" | "failed"
  std::string reason;         // one line when not ok
  Recorder::Result result;
  bool interrupted = false;
};

struct TargetEnv {
  std::string kind;  // "sim" | "mock" | "live"
  double time_scale = 1.0;
  std::string api_key;  // live only; never written anywhere
  std::vector<RateLimit> limits;
  std::ostream* events = nullptr;
  // Progress reporting, owned by RunScenario.
  void* progress = nullptr;
};

// Runs repetition `rep` of one cell. This is the single place a cell is
// executed: a later `workers` axis (N processes sharing a Redis budget)
// branches here.
RepetitionOutcome RunRepetition(const CellPlan& plan, size_t cell_index,
                                int rep, const TargetEnv& env);

// Model options for a cell's "mock" section (profile, latency, faults,
// rate limit) and the scenario seed.
mock::ModelOptions ModelOptionsFor(const Json& mock, uint64_t seed);

}  // namespace eiabench::experiment
