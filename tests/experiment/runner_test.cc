// The runner end to end: sim determinism, sim and mock agreeing, result
// files field by field, exit codes, resume; and the SimTransport alone.
#include "harness/experiment/runner.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/common/exit_codes.h"
#include "harness/experiment/result_file.h"
#include "harness/experiment/sim_transport.h"

namespace fs = std::filesystem;
using namespace eiabench;
using namespace eiabench::experiment;

namespace {

// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string templ =
        (fs::temp_directory_path() / "eiabench-test-XXXXXX").string();
    REQUIRE(mkdtemp(templ.data()) != nullptr);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const {
    return (fs::path(path_) / name).string();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Ten days of PACW in 5-day batches: a handful of requests.
const char* kSmall = R"({
  "name": "small",
  "workload": {"start": "2024-01-01", "end": "2024-01-10", "passes": 1},
  "mock": {"profile": "instant", "latency_base_s": 0.01},
  "settings": {"days_per_batch": 5, "seed_sleep_s": 0.01},
  "matrix": {"axes": {"client_mode": ["seed", "honest"],
                      "request_length": [5000, 300]},
             "zip": [["client_mode", "request_length"]]},
  "limits": [{"window_s": 3600, "limit": 5000}, {"window_s": 1, "limit": 50}],
  "repetitions": 2,
  "seed": 7
})";

std::string Write(const TempDir& dir, const std::string& name,
                  const std::string& text) {
  std::string path = dir.File(name);
  std::ofstream(path) << text;
  return path;
}

struct Run {
  int code = -1;
  Json doc;
  std::string out, err;
};

Run RunIt(const std::string& scenario, const std::string& target,
          const std::string& out_dir, std::vector<std::string> sets = {},
          bool resume = false) {
  RunRequest req;
  req.scenario_path = scenario;
  req.target = target;
  req.out_dir = out_dir;
  req.sets = std::move(sets);
  req.resume = resume;
  std::string path;
  req.result_path = &path;
  std::ostringstream out, err;
  Run r;
  r.code = RunScenario(req, out, err);
  r.out = out.str();
  r.err = err.str();
  if (!path.empty()) {
    std::ifstream in(path);
    r.doc = Json::parse(in);
  }
  return r;
}

Json WithoutRunEnvironment(Json doc) {
  doc.erase("context");
  doc["summary"].erase("wall_time_s");
  return doc;
}

}  // namespace

TEST_CASE("a sim run is identical for the same seed apart from context",
          "[experiment][runner]") {
  TempDir dir;
  std::string scenario = Write(dir, "small.json", kSmall);
  Run a = RunIt(scenario, "sim", dir.File("a"));
  Run b = RunIt(scenario, "sim", dir.File("b"));
  INFO(a.err);
  REQUIRE(a.code == kExitOk);
  REQUIRE(b.code == kExitOk);
  REQUIRE(WithoutRunEnvironment(a.doc) == WithoutRunEnvironment(b.doc));
}

TEST_CASE("sim and mock agree on requests and records for the same cell",
          "[experiment][runner]") {
  TempDir dir;
  std::string scenario = Write(dir, "small.json", kSmall);
  Run sim = RunIt(scenario, "sim", dir.File("sim"));
  Run mock = RunIt(scenario, "mock", dir.File("mock"));
  INFO(sim.err << mock.err);
  REQUIRE(sim.code == kExitOk);
  REQUIRE(mock.code == kExitOk);
  for (size_t cell = 0; cell < 2; ++cell) {
    const Json& s = sim.doc["cells"][cell]["repetitions"][0]["metrics"];
    const Json& m = mock.doc["cells"][cell]["repetitions"][0]["metrics"];
    INFO("cell " << cell);
    REQUIRE(s["requests"] == m["requests"]);
    REQUIRE(s["records"] == m["records"]);
    REQUIRE(s["completeness"] == m["completeness"]);
  }
}

TEST_CASE("a result file carries every documented field",
          "[experiment][runner]") {
  TempDir dir;
  Run r = RunIt(Write(dir, "small.json", kSmall), "sim", dir.File("out"));
  REQUIRE(r.code == kExitOk);
  const Json& d = r.doc;
  REQUIRE(d["schema_version"] == 1);
  REQUIRE(d["kind"] == "eiabench.run");
  REQUIRE_FALSE(d.contains("partial"));
  for (const char* k :
       {"harness_version", "git_sha", "git_dirty", "build_type", "compiler",
        "libcurl_version", "host", "cpu_model", "cores", "kernel", "timestamp",
        "clock_mode", "time_scale", "seed", "command"})
    REQUIRE(d["context"].contains(k));
  REQUIRE(d["context"]["clock_mode"] == "virtual");
  REQUIRE(d["context"]["seed"] == 7);
  REQUIRE(d["scenario"]["name"] == "small");
  REQUIRE(d["scenario_hash"].get<std::string>().size() == 16);
  REQUIRE(d["target"]["kind"] == "sim");
  REQUIRE(d["target"]["limits"].size() == 2);
  REQUIRE(d["target"]["max_rows_per_request"] == 5000);
  REQUIRE(d["cells"].size() == 2);

  const Json& honest = d["cells"][1];
  REQUIRE(honest["index"] == 1);
  REQUIRE(honest["id"] == "client_mode=honest request_length=300");
  REQUIRE(honest["params"]["client_mode"] == "honest");
  REQUIRE(honest["settings"]["days_per_batch"] == 5);
  REQUIRE(honest["settings"]["paginate"] == true);
  REQUIRE(honest["config_hash"].get<std::string>().size() == 16);
  REQUIRE(honest["repetitions"].size() == 2);
  REQUIRE(honest["compliant"] == true);

  const Json& rep = honest["repetitions"][0];
  REQUIRE(rep["rep"] == 0);
  REQUIRE(rep["status"] == "ok");
  REQUIRE(rep["invalid_reason"].is_null());
  REQUIRE(rep["compliant"] == true);
  const Json& m = rep["metrics"];
  // 10 days x 24 hours x 5 series; 5-day batches of 600 rows, 300 a page.
  REQUIRE(m["records"] == 1200);
  REQUIRE(m["requests"] == 4);
  REQUIRE(m["completeness"] == 1.0);
  REQUIRE(m["records_per_request"] == 300.0);
  REQUIRE(m["page_fill"] == Approx(0.06));
  REQUIRE(m["http_2xx"] == 4);
  REQUIRE(m["http_429"] == 0);
  REQUIRE(m["latency_p50_us"] == 10000);
  REQUIRE(m["ceiling_records_per_s"] == Approx(5000.0 * 5000 / 3600));
  for (const char* k :
       {"duration_s", "records_per_s", "requests_per_s", "requests_per_hour",
        "efficiency", "retries", "failed_pages", "backoff_s",
        "intended_latency_p99_us", "connections_opened",
        "connection_reuse_ratio", "peak_in_flight", "time_pacing_s",
        "time_in_flight_s", "time_backoff_s", "projected_records_per_hour",
        "projected_full_history_hours"})
    REQUIRE(m.contains(k));
  // Real CPU time would break exact comparison in virtual time.
  REQUIRE_FALSE(m.contains("time_parse_s"));

  const Json& w = rep["compliance"][0];
  REQUIRE(w["window_s"] == 3600.0);
  REQUIRE(w["limit"] == 5000);
  REQUIRE(w["max_count"] == 4);
  REQUIRE(w["headroom"] == Approx(1 - 4.0 / 5000));
  REQUIRE(w["first_violation_s"].is_null());
  REQUIRE(w["fixed_window_max"] == 4);
  REQUIRE(w["server_max_count"] == 4);
  REQUIRE(rep["compliance"][1]["window_s"] == 1.0);
  REQUIRE(rep["latency_spectrum_us"].size() == 5);
  REQUIRE(rep["window_series"]["window_s"] == 3600.0);
  REQUIRE(rep["window_series"]["count"].back() == 4);

  const Json& agg = honest["aggregates"]["records_per_s"];
  for (const char* k : {"n", "median", "mean", "min", "max", "stddev", "cv",
                        "ci95_low", "ci95_high"})
    REQUIRE(agg.contains(k));
  REQUIRE(agg["n"] == 2);
  REQUIRE(d["summary"]["cells"] == 2);
  REQUIRE(d["summary"]["repetitions"] == 4);
  REQUIRE(d["summary"]["compliant_cells"] == 2);
  REQUIRE(d["summary"]["invalid_repetitions"] == 0);
}

TEST_CASE("the seed client loses the rows the seed lost",
          "[experiment][runner]") {
  TempDir dir;
  Run r = RunIt(Write(dir, "small.json", kSmall), "sim", dir.File("out"));
  const Json& m = r.doc["cells"][0]["repetitions"][0]["metrics"];
  // Date-only 5-day batches [01-01, 01-05], [01-06, 01-10] return 97 hours
  // each (end = T00), 485 rows, one GET each, no paging.
  REQUIRE(m["requests"] == 2);
  REQUIRE(m["records"] == 970);
  REQUIRE(m["completeness"] == Approx(970.0 / 1200));
  REQUIRE(r.doc["cells"][0]["settings"]["batch_end"] == "date_only");
}

TEST_CASE("a required compliance violation exits with its own code",
          "[experiment][runner]") {
  TempDir dir;
  std::string scenario = Write(dir, "tight.json", R"({
    "name": "tight",
    "workload": {"start": "2024-01-01", "end": "2024-01-10"},
    "settings": {"days_per_batch": 1},
    "limits": [{"window_s": 3600, "limit": 3}],
    "require_compliance": true})");
  Run r = RunIt(scenario, "sim", dir.File("out"));
  REQUIRE(r.code == kExitComplianceViolation);
  const Json& w = r.doc["cells"][0]["repetitions"][0]["compliance"][0];
  REQUIRE(w["max_count"] == 10);
  REQUIRE(w["compliant"] == false);
  REQUIRE(w["first_violation_s"].is_number());
}

TEST_CASE("a bad scenario or flag exits with the usage code and names it",
          "[experiment][runner]") {
  TempDir dir;
  std::string bad =
      Write(dir, "bad.json", R"({"name": "b", "settings": {"pool": 3}})");
  Run r = RunIt(bad, "sim", dir.File("out"));
  REQUIRE(r.code == kExitUsage);
  REQUIRE(r.err.find("$.settings.pool") != std::string::npos);
  Run s = RunIt(Write(dir, "ok.json", kSmall), "sim", dir.File("out"),
                {"days_per_batch=-1"});
  REQUIRE(s.code == kExitUsage);
  REQUIRE(s.err.find("days_per_batch=-1") != std::string::npos);
  REQUIRE(RunIt(dir.File("missing.json"), "sim", dir.File("out")).code ==
          kExitUsage);
}

TEST_CASE("resuming finishes a partial run without redoing repetitions",
          "[experiment][runner]") {
  TempDir dir;
  std::string scenario = Write(dir, "small.json", kSmall);
  Run full = RunIt(scenario, "sim", dir.File("out"));
  REQUIRE(full.code == kExitOk);
  // Make the file look interrupted after cell 0: cell 1 has no repetitions.
  Json partial = full.doc;
  partial["partial"] = true;
  partial["cells"][1]["repetitions"] = Json::array();
  std::string error;
  std::string path;
  for (const auto& e : fs::directory_iterator(dir.File("out")))
    path = e.path().string();
  REQUIRE(WriteJsonFile(path, partial, &error));
  Run resumed = RunIt(scenario, "sim", dir.File("out"), {}, true);
  INFO(resumed.err);
  REQUIRE(resumed.code == kExitOk);
  REQUIRE_FALSE(resumed.doc.contains("partial"));
  REQUIRE(WithoutRunEnvironment(resumed.doc) ==
          WithoutRunEnvironment(full.doc));
  REQUIRE(RunIt(scenario, "sim", dir.File("out"), {}, true).code ==
          kExitUsage);  // nothing left to resume
}

TEST_CASE("the sim transport reuses at most pool_maxsize connections",
          "[experiment][sim]") {
  mock::ModelOptions mo;
  mo.latency.base_ms = 100;
  mo.latency.new_connection_ms = 50;
  mock::EiaModel model(mo);
  VirtualClock clock;
  SimTransport t(model, clock, {1, true, 60});
  const std::string url =
      "http://sim/v2/electricity/rto/fuel-type-data/data/?frequency=hourly"
      "&data[0]=value&facets[respondent][]=PACW&start=2024-01-01T00"
      "&end=2024-01-01T00&api_key=k";
  t.Submit({1, "GET", url, {}, ""});
  t.Submit({2, "GET", url, {}, ""});
  REQUIRE(t.connections_opened() == 2);
  auto done = t.Poll(Nanos::max());
  REQUIRE(done.size() == 2);  // both at 150 ms
  REQUIRE(clock.Now() == FromSeconds(0.15));
  REQUIRE(done[0].status == 200);
  REQUIRE(done[0].new_connection);
  // One connection was kept; the next request reuses it, without the cost.
  t.Submit({3, "GET", url, {}, ""});
  REQUIRE(t.connections_opened() == 2);
  done = t.Poll(Nanos::max());
  REQUIRE(done.size() == 1);
  REQUIRE_FALSE(done[0].new_connection);
  REQUIRE(done[0].finished_at - done[0].started_at == FromSeconds(0.1));
}

TEST_CASE("the sim transport times out a stalled request",
          "[experiment][sim]") {
  mock::ModelOptions mo;
  mo.faults.stall = 1.0;
  mo.faults.stall_s = 600;
  mock::EiaModel model(mo);
  VirtualClock clock;
  SimTransport t(model, clock, {10, true, 20});
  t.Submit({1,
            "GET",
            "http://sim/v2/electricity/rto/fuel-type-data/data/"
            "?frequency=hourly&api_key=k",
            {},
            ""});
  REQUIRE(t.Poll(FromSeconds(5)).empty());
  REQUIRE(clock.Now() == FromSeconds(5));
  auto done = t.Poll(Nanos::max());
  REQUIRE(done.size() == 1);
  REQUIRE(done[0].error == TransportError::kTimeout);
  REQUIRE(clock.Now() == FromSeconds(20));
}
