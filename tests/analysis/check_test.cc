// The gate's decisions and exit codes on hand-made result files.
#include "harness/analysis/check.h"

#include <catch2/catch.hpp>

#include "harness/common/exit_codes.h"
#include "tests/analysis/test_data.h"

namespace eiabench::analysis {
namespace {

using testing::Lines;
using testing::LoadData;

CheckReport Check(const std::string& base, const std::string& current,
                  CheckOptions options = {}) {
  return RunCheck(LoadData(base), LoadData(current), options);
}

const MetricCheck* Find(const CheckReport& report, const std::string& cell,
                        const std::string& metric) {
  for (const auto& m : report.metrics) {
    if (m.cell == cell && m.metric == metric) return &m;
  }
  return nullptr;
}

const std::string kCell45 = "days_per_batch=45 max_concurrent_batches=2";
const std::string kCell60 = "days_per_batch=60 max_concurrent_batches=2";

TEST_CASE("an identical deterministic run passes with exit 0", "[analysis]") {
  CheckReport r = Check("base_sim.json", "same_sim.json");
  CHECK(r.exit_code == kExitOk);
  CHECK(r.cells_checked == 2);
  CHECK(r.Count(Verdict::kRegressed) == 0);
  CHECK(r.invalid.empty());
}

TEST_CASE("a deterministic metric that is worse at all regresses with exit 1",
          "[analysis]") {
  CheckReport r = Check("base_sim.json", "slower_sim.json");
  CHECK(r.exit_code == kExitRegression);
  const MetricCheck* m = Find(r, kCell60, "records_per_s");
  REQUIRE(m);
  CHECK(m->deterministic);
  CHECK(m->verdict == Verdict::kRegressed);
  CHECK(m->change == Approx(-300.0 / 3200));
  CHECK(Find(r, kCell45, "records_per_s")->verdict == Verdict::kUnchanged);
  // Neutral metrics are reported nowhere in the gate.
  CHECK(Find(r, kCell60, "requests") == nullptr);
}

TEST_CASE("a deterministic improvement passes and is reported", "[analysis]") {
  CheckReport r = Check("base_sim.json", "faster_sim.json");
  CHECK(r.exit_code == kExitOk);
  CHECK(Find(r, kCell45, "records_per_s")->verdict == Verdict::kImproved);
}

TEST_CASE("an explicit threshold replaces the tolerance for exact metrics",
          "[analysis]") {
  CheckOptions options;
  options.metrics = {"records_per_s", "records"};
  options.thresholds_pct = {{"records_per_s", 10}, {"records", 10}};
  CheckReport r = Check("base_sim.json", "slower_sim.json", options);
  CHECK(r.exit_code == kExitOk);
  CHECK(Find(r, kCell60, "records_per_s")->threshold_source == "flag");
}

TEST_CASE("a different scenario hash is a note, or exit 3 with strict",
          "[analysis]") {
  CHECK(Check("base_sim.json", "slower_sim.json").notes.size() >= 1);
  CheckOptions options;
  options.strict = true;
  CheckReport r = Check("base_sim.json", "slower_sim.json", options);
  CHECK(r.exit_code == kExitInvalidRun);
  REQUIRE(r.invalid.size() == 1);
  CHECK_THAT(r.invalid[0], Catch::Contains("scenario hashes differ"));
}

TEST_CASE("a compliance violation fails with exit 2 whatever the metrics",
          "[analysis]") {
  CheckReport r = Check("base_sim.json", "noncompliant_sim.json");
  CHECK(r.exit_code == kExitComplianceViolation);
  CHECK(r.Count(Verdict::kRegressed) == 0);
  REQUIRE(r.compliance_violations.size() == 1);
  CHECK(r.compliance_violations[0] ==
        kCell60 +
            " (rep 0): window 3600 s, limit 5000, client max 5012, "
            "server max 5012");
}

TEST_CASE("a baseline cell missing from the current run is exit 3",
          "[analysis]") {
  CheckReport r = Check("base_sim.json", "missing_cell_sim.json");
  CHECK(r.exit_code == kExitInvalidRun);
  REQUIRE(r.invalid.size() == 1);
  CHECK(r.invalid[0] == kCell60 +
                            ": in the baseline but not in the current "
                            "run");
}

TEST_CASE("a current cell without a valid repetition is exit 3", "[analysis]") {
  CheckReport r = Check("base_sim.json", "invalid_sim.json");
  CHECK(r.exit_code == kExitInvalidRun);
  CHECK_THAT(r.invalid[0], Catch::Contains("no repetition of the current "
                                           "run is valid"));
}

TEST_CASE("results of different targets are incomparable", "[analysis]") {
  CheckReport r = Check("base_sim.json", "base_mock.json");
  CHECK(r.exit_code == kExitInvalidRun);
  CHECK_THAT(r.invalid[0], Catch::Contains("targets differ"));
}

TEST_CASE("a significant noisy drop beyond the threshold regresses",
          "[analysis]") {
  CheckReport r = Check("base_mock.json", "drop_mock.json");
  CHECK(r.exit_code == kExitRegression);
  const MetricCheck* m = Find(r, "days_per_batch=45", "records_per_s");
  REQUIRE(m);
  CHECK_FALSE(m->deterministic);
  CHECK(m->test.p_value == Approx(2.0 / 252));
  CHECK(m->threshold_pct == 10);
  CHECK(m->threshold_source == "default");
  CHECK(m->verdict == Verdict::kRegressed);
  CHECK(Find(r, "days_per_batch=60", "records_per_s")->verdict ==
        Verdict::kUnchanged);
}

TEST_CASE("a significant noisy drop within the threshold passes",
          "[analysis]") {
  CheckOptions options;
  options.metrics = {"records_per_s"};
  options.thresholds_pct = {{"records_per_s", 25}};
  CHECK(Check("base_mock.json", "drop_mock.json", options).exit_code ==
        kExitOk);
}

TEST_CASE("a large noisy change that is not significant passes", "[analysis]") {
  // The scenario's gate block lowers the threshold to 3%; 202 -> 210 is
  // +4% but the samples overlap (U = 10 of 25, exact p = 0.690).
  CheckReport r = Check("base_mock.json", "noisy_mock.json");
  CHECK(r.exit_code == kExitOk);
  const MetricCheck* m = Find(r, "days_per_batch=60", "records_per_s");
  REQUIRE(m);
  CHECK(m->threshold_source == "gate");
  CHECK(m->threshold_pct == 3);
  CHECK(m->test.p_value == Approx(0.690476));
  CHECK(m->verdict == Verdict::kWithinNoise);
}

TEST_CASE("an explicit gate block replaces the scenario's", "[analysis]") {
  CheckOptions options;
  options.gate = {{"thresholds_pct", {{"records_per_s", 50}}}};
  CheckReport r = Check("base_mock.json", "noisy_mock.json", options);
  CHECK(Find(r, "days_per_batch=60", "records_per_s")->threshold_pct == 50);
}

TEST_CASE("a partial result file is incomparable", "[analysis]") {
  ResultFile current = LoadData("same_sim.json");
  current.partial = true;
  CheckReport r = RunCheck(LoadData("base_sim.json"), current, {});
  CHECK(r.exit_code == kExitInvalidRun);
  CHECK_THAT(r.invalid[0], Catch::Contains("is partial"));
}

TEST_CASE("null and mistyped context fields do not break the gate",
          "[analysis]") {
  ResultFile current = LoadData("same_sim.json");
  current.context["git_dirty"] = nullptr;
  current.context["git_sha"] = 7;
  CheckReport r = RunCheck(LoadData("base_sim.json"), current, {});
  CHECK(r.exit_code == kExitOk);
  CHECK(r.current_facts[3] == "?");
}

TEST_CASE("the gate warns when the repetition count cannot reach alpha",
          "[analysis]") {
  CheckReport r = Check("three_reps_mock.json", "three_reps_mock.json");
  CHECK(r.exit_code == kExitOk);
  bool warned = false;
  for (const auto& note : r.notes) {
    warned |= note.find("no change can be significant") != std::string::npos;
  }
  CHECK(warned);
}

TEST_CASE("the Markdown summary leads with the verdict and the evidence",
          "[analysis]") {
  CheckReport r = Check("base_sim.json", "slower_sim.json");
  auto lines = Lines(RenderCheckMarkdown(r));
  REQUIRE(lines.size() > 12);
  CHECK(lines[0] == "## eiabench check: REGRESSION");
  CHECK(lines[1].empty());
  CHECK(lines[2] == "|  | baseline | current |");
  CHECK(lines[3] == "|---|---|---|");
  CHECK_THAT(lines[4], Catch::StartsWith("| file | `"));
  CHECK(lines[5] == "| scenario | ci-smoke (aaaa) | ci-smoke (bbbb) |");
  CHECK(lines[6] == "| target | sim, virtual clock | sim, virtual clock |");
  CHECK(lines[7] == "| git | 111111111111 | 111111111111 |");
  CHECK(lines[9] ==
        "2 cells, 26 metric comparisons (alpha 0.05): 3 "
        "regressed, 0 improved, 0 compliance violations.");
  CHECK(lines[11] == "### Changes beyond threshold");
  CHECK(lines[13] ==
        "| cell | metric | better | baseline | current | change | threshold | "
        "p | verdict |");
  CHECK(lines[15] == "| " + kCell60 +
                         " | records | higher | 320000 | 290000 | -9.4% | "
                         "exact (±1e-07%) | exact | REGRESSED |");
}

}  // namespace
}  // namespace eiabench::analysis
