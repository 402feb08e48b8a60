// The runner's `workers` axis: a cell served by N local `eiabench worker`
// processes sharing one Redis rate budget. It needs the eiabench binary
// (the runner forks it) and Debian's redis-server, so it drives the real
// command line.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Run {
  int exit_code = -1;
  nlohmann::json result;
};

Run RunScenario(const std::string& args, const fs::path& out) {
  fs::remove_all(out);
  std::string cmd = std::string(EIABENCH_BINARY_DIR) + "/eiabench run " +
                    EIABENCH_SOURCE_DIR + "/scenarios/scaleout-workers.json" +
                    " --out " + out.string() + " " + args + " >" +
                    (out.string() + ".log") + " 2>&1";
  Run run;
  int status = std::system(cmd.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (fs::exists(out)) {
    for (const auto& entry : fs::directory_iterator(out)) {
      std::ifstream in(entry.path());
      run.result = nlohmann::json::parse(in);
    }
  }
  return run;
}

}  // namespace

TEST_CASE("a workers axis runs each cell on N processes, complete and "
          "within the shared budget",
          "[experiment][scaleout]") {
  fs::path out = fs::temp_directory_path() /
                 ("eiabench-workers-" + std::to_string(getpid()));
  // A shorter range keeps the test quick; the budget still binds for two.
  Run run = RunScenario("--set workload.end=2024-01-20", out);
  REQUIRE(run.exit_code == 0);
  const auto& cells = run.result.at("cells");
  REQUIRE(cells.size() == 3);
  for (const auto& cell : cells) {
    const auto& rep = cell.at("repetitions").at(0);
    CHECK(rep.at("status") == "ok");
    CHECK(rep.at("metrics").at("records") == 20 * 120);
    CHECK(rep.at("metrics").at("completeness") == 1.0);
    for (const auto& window : rep.at("compliance")) {
      CHECK(window.at("compliant") == true);
      CHECK(window.at("server_max_count") <= window.at("limit"));
    }
  }
  CHECK(cells[2].at("params").at("workers") == 4);
  CHECK(cells[2].at("repetitions").at(0).at("metrics").at("peak_in_flight") >=
        2);
  fs::remove_all(out);
  fs::remove(out.string() + ".log");
}

TEST_CASE("a workers axis on the sim target is refused as an invalid run",
          "[experiment][scaleout]") {
  fs::path out = fs::temp_directory_path() /
                 ("eiabench-workers-sim-" + std::to_string(getpid()));
  Run run = RunScenario("--target sim --set workload.end=2024-01-02", out);
  CHECK(run.exit_code == 3);
  fs::remove_all(out);
  fs::remove(out.string() + ".log");
}
