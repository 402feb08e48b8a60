// Fuzzes scenario loading (JSON parse, validation, overrides, matrix
// expansion) with arbitrary files.
//
// Invariants: a refused scenario names a path and a one-line message; an
// accepted one round-trips through ToJson and expands to at least one cell.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/experiment/scenario.h"

namespace {

// Cells the matrix would expand to, saturating at `cap`.
size_t CellsUpTo(const eiabench::experiment::Scenario& s, size_t cap) {
  size_t cells = 1;
  for (const auto& [name, values] : s.matrix.axes) {
    cells *= values.empty() ? 1 : values.size();
    if (cells > cap) return cap + 1;
  }
  return cells;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eiabench::experiment;
  std::string text(reinterpret_cast<const char*>(data), size);
  ScenarioError error;
  std::optional<Scenario> scenario = ParseScenario(text, &error);
  if (!scenario) {
    if (error.message.empty()) __builtin_trap();
    if (error.ToString().find('\n') != std::string::npos) __builtin_trap();
    return 0;
  }
  (void)scenario->ToJson().dump();
  // Expansion is what a run does next; the validator bounds the matrix, and
  // the fuzzer only expands what a test machine can hold.
  if (CellsUpTo(*scenario, 100000) <= 100000) {
    if (ExpandMatrix(*scenario).empty()) __builtin_trap();
  }
  // An override shaped by the input's own first bytes.
  std::string assignment = text.substr(0, std::min<size_t>(text.size(), 40));
  Scenario copy = *scenario;
  ScenarioError override_error;
  ApplyOverride(&copy, assignment, &override_error);
  ApplyOverride(&copy, "days_per_batch=" + assignment, &override_error);
  return 0;
}
