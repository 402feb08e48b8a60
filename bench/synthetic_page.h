// Real-shaped EIA API v2 pages for the parser benchmarks.
//
// The benchmarks must parse what the live API sends, byte for byte in shape:
// a compact body with the recorded envelope (top-level `warnings` first on a
// truncated fuel-type-data page, `response` with `total` as a string, rows
// with every value a string, `description`, the `request` echo with `\/`
// escaped slashes, `apiVersion`, `ExcelAddInVersion`). The reference is
// /work/shared/fixtures/eia-recorded/
// ring-attention-energy__fuel-type-data_PACW_truncated_2.1.8.json: 5,000
// PACW rows of NG, OTH, SUN, WAT, WND, about 164 bytes per row when compact.
//
// This generator is independent of the mock server on purpose: a parser
// benchmark should not move when the mock's data model changes.
#pragma once

#include <cstdint>
#include <string>

namespace eiabench::bench {

struct SyntheticPageSpec {
  int rows = 5000;                  // rows in `data`
  uint64_t total = 5285;            // `total` (string); > rows adds warnings
  std::string respondent = "PACW";  // respondent id, PACW has a known name
  int first_hour_index = 0;         // hours after 2024-01-01T00
  uint64_t seed = 1;                // value stream
  int null_every = 0;               // every n-th value is null; 0 = none
};

// Returns a compact fuel-type-data page as the live API writes it. Rows
// cycle through the five PACW fuel types per hour, in period order.
// Deterministic for a spec.
std::string MakeFuelTypePage(const SyntheticPageSpec& spec);

}  // namespace eiabench::bench
