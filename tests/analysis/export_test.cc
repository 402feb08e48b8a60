// `export`: Google Benchmark JSON checked field by field against a file that
// libbenchmark 1.7.1 itself wrote (data/gbench_1.7.1_reference.json, from a
// two-repetition benchmark with a user counter), and CSV line by line.
#include "harness/analysis/export.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/analysis/test_data.h"

namespace eiabench::analysis {
namespace {

using nlohmann::json;
using testing::DataPath;
using testing::Lines;
using testing::LoadData;

json Reference() {
  std::ifstream in(DataPath("gbench_1.7.1_reference.json"));
  return json::parse(in);
}

// Same JSON kind; integers and floats both count as numbers, as every
// reader of the format (Python's json, JavaScript) treats them.
bool SameKind(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return true;
  return a.type() == b.type();
}

// Every key of `reference` is in `ours` with a value of the same kind.
void RequireFieldsLike(const json& reference, const json& ours) {
  for (auto& [key, value] : reference.items()) {
    INFO("field " << key);
    REQUIRE(ours.contains(key));
    CHECK(SameKind(value, ours[key]));
  }
}

const json* FirstOfType(const json& benchmarks, const std::string& run_type,
                        const std::string& aggregate = "") {
  for (const auto& b : benchmarks) {
    if (b["run_type"] != run_type) continue;
    if (!aggregate.empty() && b["aggregate_name"] != aggregate) continue;
    return &b;
  }
  return nullptr;
}

TEST_CASE("the gbench export has every context field Google Benchmark writes",
          "[analysis]") {
  json ours = ExportGoogleBenchmark(LoadData("base_mock.json"));
  RequireFieldsLike(Reference()["context"], ours["context"]);
  CHECK(ours["context"]["num_cpus"] == 2);
  CHECK(ours["context"]["eiabench_clock_mode"] == "scaled");
}

TEST_CASE("gbench iteration entries have Google Benchmark's fields",
          "[analysis]") {
  json ours = ExportGoogleBenchmark(LoadData("base_mock.json"));
  json reference = Reference();
  const json* ref = FirstOfType(reference["benchmarks"], "iteration");
  const json* it = FirstOfType(ours["benchmarks"], "iteration");
  REQUIRE(ref);
  REQUIRE(it);
  RequireFieldsLike(*ref, *it);
  CHECK((*it)["name"] == "ci-smoke/days_per_batch=45");
  CHECK((*it)["run_name"] == (*it)["name"]);
  CHECK((*it)["repetitions"] == 5);
  CHECK((*it)["repetition_index"] == 0);
  CHECK((*it)["iterations"].is_number_integer());
  CHECK((*it)["time_unit"] == "ms");
  CHECK((*it)["real_time"] == 100000.0);  // duration_s 100 in ms
  CHECK((*it)["items_per_second"] == 100.0);
  CHECK((*it)["records_per_s"] == 100.0);
}

TEST_CASE("gbench aggregates are named and computed as Google Benchmark does",
          "[analysis]") {
  json ours = ExportGoogleBenchmark(LoadData("base_mock.json"));
  json reference = Reference()["benchmarks"];
  for (const char* kind : {"mean", "median", "stddev", "cv"}) {
    INFO(kind);
    const json* ref = FirstOfType(reference, "aggregate", kind);
    const json* agg = FirstOfType(ours["benchmarks"], "aggregate", kind);
    REQUIRE(ref);
    REQUIRE(agg);
    RequireFieldsLike(*ref, *agg);
    CHECK((*agg)["name"] == "ci-smoke/days_per_batch=45_" + std::string(kind));
    CHECK((*agg)["aggregate_unit"] == (*ref)["aggregate_unit"]);
  }
  const json* median = FirstOfType(ours["benchmarks"], "aggregate", "median");
  CHECK((*median)["items_per_second"] == 102.0);
  CHECK((*median)["iterations"] == 5);
  // 100..104: sample stddev sqrt(2.5).
  const json* stddev = FirstOfType(ours["benchmarks"], "aggregate", "stddev");
  CHECK((*stddev)["records_per_s"].get<double>() == Approx(1.5811388));
}

TEST_CASE("gbench entries come in Google Benchmark's order per family",
          "[analysis]") {
  json ours = ExportGoogleBenchmark(LoadData("base_mock.json"));
  auto& b = ours["benchmarks"];
  REQUIRE(b.size() == 2 * (5 + 4));
  for (int i = 0; i < 5; ++i) CHECK(b[i]["run_type"] == "iteration");
  CHECK(b[5]["aggregate_name"] == "mean");
  CHECK(b[8]["aggregate_name"] == "cv");
  CHECK(b[9]["family_index"] == 1);
}

TEST_CASE("the CSV export has one row per repetition with parameters first",
          "[analysis]") {
  auto lines = Lines(ExportCsv(LoadData("base_sim.json")));
  REQUIRE(lines.size() == 1 + 6);
  CHECK(lines[0] ==
        "cell_index,cell_id,days_per_batch,max_concurrent_batches,rep,status,"
        "compliant,completeness,duration_s,http_429,latency_p50_us,"
        "latency_p99_us,peak_in_flight,records,records_per_request,"
        "records_per_s,requests,requests_per_hour,requests_per_s,"
        "time_backoff_s,time_in_flight_s,time_pacing_s,time_parse_s,"
        "time_sink_s");
  CHECK(lines[1] ==
        "0,days_per_batch=45 max_concurrent_batches=2,45,2,0,ok,true,1,100,0,"
        "800000,1200000,2,300000,50000,3000,6,216,0.06,0,40,50,5,5");
}

}  // namespace
}  // namespace eiabench::analysis
