// Loading, cell matching, `compare` and `table` output, line by line.
#include "harness/analysis/compare.h"

#include <catch2/catch.hpp>

#include "harness/analysis/metrics.h"
#include "harness/analysis/table.h"
#include "tests/analysis/test_data.h"

namespace eiabench::analysis {
namespace {

using testing::DataPath;
using testing::Lines;
using testing::LoadData;

TEST_CASE("a file of another schema version is refused with its version",
          "[analysis]") {
  LoadedResult r = LoadResultFile(DataPath("schema_v2.json"));
  CHECK_FALSE(r.file.has_value());
  CHECK_THAT(r.error, Catch::Contains("schema_version 2 is not supported"));
}

TEST_CASE("an unreadable or non-JSON file is refused with its path",
          "[analysis]") {
  CHECK_THAT(LoadResultFile("/nonexistent/x.json").error,
             Catch::Contains("/nonexistent/x.json: cannot read"));
  CHECK_THAT(ParseResultFile("{not json", "bad.json").error,
             Catch::Contains("bad.json: not a JSON object"));
  CHECK_THAT(ParseResultFile(R"({"schema_version": 1})", "c.json").error,
             Catch::Contains("cells is missing"));
}

TEST_CASE("a loaded file exposes cells, medians and the clock mode",
          "[analysis]") {
  ResultFile f = LoadData("base_mock.json");
  CHECK(f.scenario_name == "ci-smoke");
  CHECK(f.clock_mode == "scaled");
  CHECK_FALSE(f.Deterministic());
  REQUIRE(f.cells.size() == 2);
  CHECK(f.cells[0].id == "days_per_batch=45");
  CHECK(f.cells[0].Median("records_per_s") == 102);
  CHECK_FALSE(f.cells[0].Median("no_such_metric").has_value());
}

TEST_CASE("parameters match whatever their key order or number spelling",
          "[analysis]") {
  CHECK(CanonicalParamsKey(nlohmann::json::parse(R"({"a": 45, "b": "x"})")) ==
        CanonicalParamsKey(nlohmann::json::parse(R"({"b": "x", "a": 45.0})")));
}

TEST_CASE("cells without a partner are kept and listed per missing file",
          "[analysis]") {
  std::vector<ResultFile> files = {LoadData("base_mock.json"),
                                   LoadData("partner_mock.json")};
  auto matches = MatchCells(files);
  REQUIRE(matches.size() == 3);
  CHECK(matches[0].id == "days_per_batch=45");
  CHECK(matches[0].Complete());
  CHECK(matches[1].id == "days_per_batch=60");
  CHECK(matches[1].cells[1] == nullptr);
  CHECK(matches[2].id == "days_per_batch=120");
  CHECK(matches[2].cells[0] == nullptr);

  Comparison c = Compare(files, {{"records_per_s"}, 0.05});
  auto lines = Lines(RenderComparison(c, OutputFormat::kText, false));
  REQUIRE(lines.size() == 9);
  // Missing values are "-"; numbers align right, text left.
  CHECK(lines[4] ==
        "days_per_batch=120  records_per_s  -                  "
        "1000  -                   -               -/yes");
  CHECK(lines[5].empty());
  CHECK(lines[6] == "Cells without a partner:");
  CHECK(lines[7] == "  days_per_batch=60: missing in partner_mock");
  CHECK(lines[8] == "  days_per_batch=120: missing in base_mock");
}

TEST_CASE("compare writes Markdown with value, change, p and compliance",
          "[analysis]") {
  std::vector<ResultFile> files = {LoadData("base_mock.json"),
                                   LoadData("drop_mock.json")};
  Comparison c = Compare(files, {{"records_per_s"}, 0.05});
  auto lines = Lines(RenderComparison(c, OutputFormat::kMarkdown, false));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] ==
        "| cell | metric | base_mock | drop_mock | delta drop_mock | "
        "p drop_mock | compliant |");
  CHECK(lines[1] == "|---|---|---|---|---|---|---|");
  // 102 -> 82 over five separated values: exact p = 2/252.
  CHECK(lines[2] ==
        "| days_per_batch=45 | records_per_s | 102 | 82 | -19.6% | 0.0079 | "
        "yes/yes |");
  // 200..204 vs 199,200,201,202,205: three tied pairs, U = 15.5, mean
  // 12.5, variance 25/12 * (11 - 18/90) = 22.5, z = 2.5 / 4.743, p = 0.5982.
  CHECK(lines[3] ==
        "| days_per_batch=60 | records_per_s | 202 | 201 | -0.5% | 0.5982 | "
        "yes/yes |");
}

TEST_CASE("compare writes CSV with one row per cell and metric", "[analysis]") {
  std::vector<ResultFile> files = {LoadData("base_sim.json"),
                                   LoadData("faster_sim.json")};
  Comparison c = Compare(files, {{"records_per_s", "http_429"}, 0.05});
  auto lines = Lines(RenderComparison(c, OutputFormat::kCsv, false));
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] ==
        "cell,metric,base_sim,faster_sim,delta faster_sim,p faster_sim,"
        "compliant");
  CHECK(lines[1] ==
        "days_per_batch=45 max_concurrent_batches=2,records_per_s,3000,3100,"
        "+3.3%,exact,yes/yes");
  CHECK(lines[2] ==
        "days_per_batch=45 max_concurrent_batches=2,http_429,0,0,+0.0%,exact,"
        "yes/yes");
  CHECK(lines[3] ==
        "days_per_batch=60 max_concurrent_batches=2,records_per_s,3200,3200,"
        "+0.0%,exact,yes/yes");
}

TEST_CASE("compare says when there are too few repetitions to test",
          "[analysis]") {
  std::vector<ResultFile> files = {LoadData("base_mock.json"),
                                   LoadData("partner_mock.json")};
  Comparison c = Compare(files, {{"records_per_s"}, 0.05});
  REQUIRE(c.cells[0].metrics[0].tests[1].Testable());
  auto json =
      nlohmann::json::parse(RenderComparison(c, OutputFormat::kJson, false));
  CHECK(json["unmatched"].size() == 2);
  CHECK(json["cells"][1]["present"] == nlohmann::json({true, false}));
  CHECK(json["cells"][2]["metrics"][0]["medians"][1] == 1000.0);
  CHECK(FormatPValue(UTestResult{}, false) == "n/a (too few reps)");
}

TEST_CASE("compare marks a non-compliant side in the compliance column",
          "[analysis]") {
  std::vector<ResultFile> files = {LoadData("base_sim.json"),
                                   LoadData("noncompliant_sim.json")};
  TextTable t = ComparisonTable(Compare(files, {{"records_per_s"}, 0.05}));
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].back() == "yes/yes");
  CHECK(t.rows[1].back() == "yes/no");
}

TEST_CASE("text output colours only when asked", "[analysis]") {
  std::vector<ResultFile> files = {LoadData("base_mock.json"),
                                   LoadData("drop_mock.json")};
  Comparison c = Compare(files, {{"records_per_s"}, 0.05});
  CHECK(RenderComparison(c, OutputFormat::kText, false).find('\033') ==
        std::string::npos);
  CHECK(RenderComparison(c, OutputFormat::kText, true).find("\033[31m") !=
        std::string::npos);
}

TEST_CASE("table puts the files side by side, one row per cell", "[analysis]") {
  std::vector<ResultFile> files = {LoadData("base_sim.json"),
                                   LoadData("grid_sim.json")};
  TableOptions options;
  options.metrics = {"records_per_s", "http_429"};
  options.sort_metric = "records_per_s";
  auto lines = Lines(RenderMarkdown(BuildTable(files, options)));
  REQUIRE(lines.size() == 10);
  CHECK(lines[0] ==
        "| file | cell | reps | compliant | records_per_s | http_429 |");
  // Best first: records/s is higher-is-better.
  CHECK(lines[2] ==
        "| ci-smoke | days_per_batch=60 max_concurrent_batches=2 | 3/3 | yes | "
        "3200 | 0 |");
  CHECK(lines[3] ==
        "| grid | days_per_batch=60 max_concurrent_batches=2 | 3/3 | no | "
        "3001 | 0 |");
  CHECK(lines[9] ==
        "| grid | days_per_batch=30 max_concurrent_batches=1 | 3/3 | yes | "
        "1001 | 0 |");
}

TEST_CASE("table sorts lower-is-better metrics ascending unless told",
          "[analysis]") {
  std::vector<ResultFile> files = {LoadData("grid_sim.json")};
  TableOptions options;
  options.metrics = {"latency_p50_us"};
  options.sort_metric = "latency_p50_us";
  TextTable t = BuildTable(files, options);
  CHECK(t.rows.front()[4] == "1000000");
  options.ascending = false;
  CHECK(BuildTable(files, options).rows.front()[4] == "1300000");
}

TEST_CASE("table CSV quotes fields that contain commas", "[analysis]") {
  TextTable t;
  t.header = {"a", "b"};
  t.AddRow({"x,y", "say \"hi\""});
  auto lines = Lines(RenderCsv(t));
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == "\"x,y\",\"say \"\"hi\"\"\"");
}

TEST_CASE("metric directions follow the results doc", "[analysis]") {
  CHECK(MetricDirection("records_per_s") == Direction::kHigherIsBetter);
  CHECK(MetricDirection("latency_p99_us") == Direction::kLowerIsBetter);
  CHECK(MetricDirection("intended_latency_max_us") ==
        Direction::kLowerIsBetter);
  CHECK(MetricDirection("time_pacing_s") == Direction::kLowerIsBetter);
  CHECK(MetricDirection("http_429") == Direction::kLowerIsBetter);
  CHECK(MetricDirection("requests") == Direction::kNeutral);
  CHECK(MetricDirection("http_2xx") == Direction::kNeutral);
  CHECK(MetricDirection("something_new") == Direction::kNeutral);
  CHECK(DefaultThresholdPct("latency_p99_us") == 25);
  CHECK(DefaultThresholdPct("records_per_s") == 10);
}

}  // namespace
}  // namespace eiabench::analysis
