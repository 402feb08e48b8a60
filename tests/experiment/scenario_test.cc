// Scenario parsing, validation messages and matrix expansion.
#include "harness/experiment/scenario.h"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace eiabench::experiment;

namespace {
ScenarioError ErrorOf(const std::string& text) {
  ScenarioError error;
  auto s = ParseScenario(text, &error);
  REQUIRE_FALSE(s.has_value());
  return error;
}

Scenario Parse(const std::string& text) {
  ScenarioError error;
  auto s = ParseScenario(text, &error);
  INFO(error.ToString());
  REQUIRE(s.has_value());
  return *s;
}
}  // namespace

TEST_CASE("a cartesian matrix varies the first axis slowest",
          "[experiment][scenario]") {
  Scenario s = Parse(R"({"name": "t", "matrix": {"axes": {
      "days_per_batch": [30, 45], "max_concurrent_batches": [1, 2, 3]}}})");
  auto cells = ExpandMatrix(s);
  REQUIRE(cells.size() == 6);
  REQUIRE(cells[0].id == "days_per_batch=30 max_concurrent_batches=1");
  REQUIRE(cells[2].id == "days_per_batch=30 max_concurrent_batches=3");
  REQUIRE(cells[3].id == "days_per_batch=45 max_concurrent_batches=1");
  REQUIRE(cells[5].settings["days_per_batch"] == 45);
  REQUIRE(cells[5].index == 5);
}

TEST_CASE("zipped axes move together as one dimension",
          "[experiment][scenario]") {
  Scenario s = Parse(R"({"name": "t", "matrix": {
      "axes": {"workload.end": ["2024-03-01", "2024-04-01"],
               "days_per_batch": [60, 91],
               "client_mode": ["seed", "honest"]},
      "zip": [["workload.end", "days_per_batch"]]}})");
  auto cells = ExpandMatrix(s);
  REQUIRE(cells.size() == 4);
  REQUIRE(cells[0].workload["end"] == "2024-03-01");
  REQUIRE(cells[0].settings["days_per_batch"] == 60);
  REQUIRE(cells[1].settings["client_mode"] == "honest");
  REQUIRE(cells[2].workload["end"] == "2024-04-01");
  REQUIRE(cells[2].settings["days_per_batch"] == 91);
}

TEST_CASE("excluded combinations are dropped", "[experiment][scenario]") {
  Scenario s = Parse(R"({"name": "t", "matrix": {
      "axes": {"days_per_batch": [30, 45], "pool_maxsize": [10, 60]},
      "exclude": [{"days_per_batch": 30, "pool_maxsize": 60}]}})");
  auto cells = ExpandMatrix(s);
  REQUIRE(cells.size() == 3);
  for (const auto& c : cells)
    REQUIRE(c.id != "days_per_batch=30 pool_maxsize=60");
  REQUIRE(cells[2].index == 2);
}

TEST_CASE("a scenario without axes has one default cell",
          "[experiment][scenario]") {
  Scenario s = Parse(R"({"name": "t", "settings": {"days_per_batch": 9}})");
  auto cells = ExpandMatrix(s);
  REQUIRE(cells.size() == 1);
  REQUIRE(cells[0].id == "default");
  REQUIRE(cells[0].settings["days_per_batch"] == 9);
  REQUIRE(s.limits.size() == 1);
  REQUIRE(s.limits[0].limit == 5000);
}

TEST_CASE("an unknown key is named with its path", "[experiment][scenario]") {
  auto e = ErrorOf(R"({"name": "t", "settings": {"delay_s": 1}})");
  REQUIRE(e.path == "$.settings.delay_s");
  REQUIRE(e.message == "unknown key");
  REQUIRE(ErrorOf(R"({"name": "t", "colour": 1})").path == "$.colour");
}

TEST_CASE("a bad axis value names its index and value",
          "[experiment][scenario]") {
  auto e = ErrorOf(R"({"name": "t", "matrix": {"axes": {
      "days_per_batch": [30, -3]}}})");
  REQUIRE(e.path == "$.matrix.axes.days_per_batch[1]");
  REQUIRE(e.message.find("-3") != std::string::npos);
}

TEST_CASE("zip groups must have equal lengths", "[experiment][scenario]") {
  auto e = ErrorOf(R"({"name": "t", "matrix": {
      "axes": {"days_per_batch": [30, 45], "pool_maxsize": [1, 2, 3]},
      "zip": [["days_per_batch", "pool_maxsize"]]}})");
  REQUIRE(e.path == "$.matrix.zip[0][1]");
}

TEST_CASE("malformed values are rejected with the value shown",
          "[experiment][scenario]") {
  REQUIRE(ErrorOf("{").path == "$");
  REQUIRE(ErrorOf(R"({"name": "t", "repetitions": 0})").path ==
          "$.repetitions");
  REQUIRE(ErrorOf(R"({"name": "t", "target": "prod"})").path == "$.target");
  REQUIRE(
      ErrorOf(R"({"name": "t", "workload": {"start": "2024-13-01"}})").path ==
      "$.workload.start");
  REQUIRE(ErrorOf(R"({"name": "t", "limits": [{"window_s": 0, "limit": 5}]})")
              .path == "$.limits[0].window_s");
  REQUIRE(ErrorOf(R"({"name": "t", "settings": {"client_mode": "fast"}})")
              .message.find("\"fast\"") != std::string::npos);
  REQUIRE(ErrorOf(R"({"description": "no name"})").path == "$.name");
}

TEST_CASE("a set override collapses an axis or fixes a setting",
          "[experiment][scenario]") {
  Scenario s = Parse(R"({"name": "t", "matrix": {"axes": {
      "days_per_batch": [30, 45]}}})");
  ScenarioError e;
  REQUIRE(ApplyOverride(&s, "days_per_batch=45", &e));
  REQUIRE(ApplyOverride(&s, "mock.profile=eia", &e));
  REQUIRE(ApplyOverride(&s, "client_mode=seed", &e));
  auto cells = ExpandMatrix(s);
  REQUIRE(cells.size() == 1);
  REQUIRE(cells[0].settings["days_per_batch"] == 45);
  REQUIRE(cells[0].mock["profile"] == "eia");
  REQUIRE(cells[0].settings["client_mode"] == "seed");
  REQUIRE_FALSE(ApplyOverride(&s, "days_per_batch=0", &e));
  REQUIRE(e.path == "--set days_per_batch=0");
  REQUIRE_FALSE(ApplyOverride(&s, "nonsense=1", &e));
}

TEST_CASE("interleaved and random orders cover every repetition once",
          "[experiment][scenario]") {
  Scenario s = Parse(R"({"name": "t", "repetitions": 3,
                         "order": "interleaved"})");
  auto order = ExecutionOrder(s, 2);
  REQUIRE(order.size() == 6);
  REQUIRE(order[1] == std::make_pair(size_t{1}, 0));
  s.order = "random";
  auto shuffled = ExecutionOrder(s, 2);
  REQUIRE(shuffled == ExecutionOrder(s, 2));
  std::sort(shuffled.begin(), shuffled.end());
  std::sort(order.begin(), order.end());
  REQUIRE(shuffled == order);
}

TEST_CASE("every shipped scenario file validates", "[experiment][scenario]") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(EIABENCH_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".json") continue;
    if (entry.path().filename() == "scenario.schema.json") continue;
    ScenarioError error;
    INFO(entry.path().string() << ": " << error.ToString());
    auto s = LoadScenario(entry.path().string(), &error);
    INFO(error.ToString());
    REQUIRE(s.has_value());
    REQUIRE_FALSE(ExpandMatrix(*s).empty());
    ++files;
  }
  REQUIRE(files >= 0);
}

TEST_CASE("a matrix past 10,000 cells is refused before expansion",
          "[experiment]") {
  nlohmann::json axes;
  for (const char* axis : {"days_per_batch", "burst", "max_attempts"}) {
    axes[axis] = nlohmann::json::array();
    for (int i = 1; i <= 30; ++i) axes[axis].push_back(i);
  }
  nlohmann::json doc = {{"name", "huge"}, {"matrix", {{"axes", axes}}}};
  eiabench::experiment::ScenarioError error;
  auto s = eiabench::experiment::ParseScenario(doc.dump(), &error);
  REQUIRE_FALSE(s.has_value());
  CHECK(error.ToString().find("$.matrix") != std::string::npos);
  CHECK(error.ToString().find("27000 cells") != std::string::npos);
}

TEST_CASE("a zip counts once toward the matrix bound", "[experiment]") {
  nlohmann::json a = nlohmann::json::array(), b = nlohmann::json::array();
  for (int i = 1; i <= 100; ++i) a.push_back(i), b.push_back(i);
  nlohmann::json doc = {{"name", "zipped"},
                        {"matrix",
                         {{"axes", {{"days_per_batch", a}, {"burst", b}}},
                          {"zip", nlohmann::json::array({nlohmann::json::array(
                                      {"days_per_batch", "burst"})})}}}};
  eiabench::experiment::ScenarioError error;
  auto parsed = eiabench::experiment::ParseScenario(doc.dump(), &error);
  INFO(error.ToString());
  CHECK(parsed.has_value());
}

TEST_CASE(
    "a workload starting after its end or on an unknown route is "
    "refused",
    "[experiment]") {
  eiabench::experiment::ScenarioError error;
  nlohmann::json late = {
      {"name", "late"},
      {"workload", {{"start", "2024-02-01"}, {"end", "2024-01-31"}}}};
  REQUIRE_FALSE(
      eiabench::experiment::ParseScenario(late.dump(), &error).has_value());
  CHECK(error.ToString().find("$.workload.start") != std::string::npos);
  nlohmann::json same_day = {
      {"name", "one-day"},
      {"workload", {{"start", "2024-01-31"}, {"end", "2024-01-31"}}}};
  CHECK(
      eiabench::experiment::ParseScenario(same_day.dump(), &error).has_value());
  nlohmann::json nowhere = {{"name", "nowhere"},
                            {"workload", {{"route", "electricity/nope"}}}};
  REQUIRE_FALSE(
      eiabench::experiment::ParseScenario(nowhere.dump(), &error).has_value());
  CHECK(error.ToString().find("$.workload.route") != std::string::npos);
}

TEST_CASE("a refused scenario's error is one line whatever the input holds",
          "[experiment][scenario]") {
  // Found by fuzz_scenario_parser: a name holding an escaped newline was
  // echoed verbatim (fuzz/regressions/scenario_parser/newline-in-name.json).
  for (const char* text :
       {R"({"name":"a\nb","workload":{}})", R"({"name":"x","target":"a\nb"})",
        R"({"name":"x","order":"a\rb"})",
        R"({"name":"x","matrix":{"axes":{"a\nb":[1]}}})"}) {
    ScenarioError error;
    auto scenario = ParseScenario(text, &error);
    INFO(text);
    REQUIRE_FALSE(scenario);
    CHECK(error.ToString().find_first_of("\r\n") == std::string::npos);
  }
}

TEST_CASE("a matrix whose exclusions drop every cell is refused",
          "[experiment][scenario]") {
  // Found by fuzz_scenario_parser (fuzz/regressions/scenario_parser/
  // exclude-every-cell.json): the scenario was accepted and ran nothing.
  ScenarioError error;
  auto scenario = ParseScenario(
      R"({"name":"x","matrix":{"axes":{"days_per_batch":[1,1]},)"
      R"("exclude":[{"days_per_batch":1}]}})",
      &error);
  REQUIRE_FALSE(scenario);
  CHECK(error.path == "$.matrix.exclude");
  CHECK(error.message.find("every cell") != std::string::npos);
}
