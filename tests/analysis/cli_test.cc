// The analysis commands through the real `eiabench` binary: every exit code
// of the contract, and the outputs written to files.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/common/exit_codes.h"
#include "tests/analysis/test_data.h"

namespace eiabench::analysis {
namespace {

namespace fs = std::filesystem;
using testing::DataPath;

const std::string kBinary = std::string(EIABENCH_BINARY_DIR) + "/eiabench";

// One directory per process: ctest runs test cases in parallel, each in
// its own process, and a shared out.txt let one case read another's output.
fs::path WorkDir() {
  fs::path dir = fs::path(EIABENCH_BINARY_DIR) / "tests" / "analysis" /
                 ("cli-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `eiabench ARGS`, stdout to OUT_NAME in the work dir; returns the exit
// code. Arguments are simple (no quotes needed) by construction.
int Run(const std::string& args, const std::string& out_name = "out.txt") {
  fs::path out = WorkDir() / out_name;
  std::string command = kBinary + " " + args + " >" + out.string() + " 2>" +
                        (WorkDir() / "err.txt").string();
  int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

std::string Data(const std::string& name) { return DataPath(name); }

TEST_CASE("check exits 0 when the run matches its baseline", "[analysis]") {
  CHECK(Run("check --baseline " + Data("base_sim.json") + " " +
            Data("same_sim.json")) == kExitOk);
  CHECK(ReadAll(WorkDir() / "out.txt").rfind("## eiabench check: PASS", 0) ==
        0);
}

TEST_CASE("check exits 1 on a regression", "[analysis]") {
  CHECK(Run("check --baseline " + Data("base_sim.json") + " " +
            Data("slower_sim.json")) == kExitRegression);
}

TEST_CASE("check exits 2 on a compliance violation", "[analysis]") {
  CHECK(Run("check --baseline " + Data("base_sim.json") + " " +
            Data("noncompliant_sim.json")) == kExitComplianceViolation);
}

TEST_CASE("check exits 3 on a schema mismatch or an unreadable file",
          "[analysis]") {
  CHECK(Run("check --baseline " + Data("base_sim.json") + " " +
            Data("schema_v2.json")) == kExitInvalidRun);
  CHECK_THAT(ReadAll(WorkDir() / "err.txt"),
             Catch::Contains("schema_version 2 is not supported"));
  CHECK(Run("check --baseline /nonexistent.json " + Data("same_sim.json")) ==
        kExitInvalidRun);
  CHECK(Run("check --strict --baseline " + Data("base_sim.json") + " " +
            Data("slower_sim.json")) == kExitInvalidRun);
}

TEST_CASE("check exits 4 on a usage error", "[analysis]") {
  CHECK(Run("check " + Data("same_sim.json")) == kExitUsage);
  CHECK(Run("check --threshold records_per_s --baseline " +
            Data("base_sim.json") + " " + Data("same_sim.json")) == kExitUsage);
  CHECK_THAT(ReadAll(WorkDir() / "err.txt"),
             Catch::Contains("--threshold \"records_per_s\""));
}

TEST_CASE("check writes the same Markdown to --markdown", "[analysis]") {
  fs::path md = WorkDir() / "summary.md";
  fs::remove(md);
  CHECK(Run("check --markdown " + md.string() + " --baseline " +
                Data("base_sim.json") + " " + Data("slower_sim.json"),
            "check_stdout.md") == kExitRegression);
  CHECK(ReadAll(md) == ReadAll(WorkDir() / "check_stdout.md"));
}

TEST_CASE("compare, table and export exit 0 and 4 on a bad format",
          "[analysis]") {
  std::string two = Data("base_mock.json") + " " + Data("drop_mock.json");
  CHECK(Run("compare " + two) == kExitOk);
  CHECK(Run("compare --format xml " + two) == kExitUsage);
  CHECK(Run("compare " + Data("base_mock.json")) == kExitUsage);
  CHECK(Run("table --sort records_per_s " + two) == kExitOk);
  CHECK(Run("table --format yaml " + two) == kExitUsage);
  CHECK(Run("export --format gbench " + Data("base_mock.json")) == kExitOk);
  CHECK(Run("export --format xml " + Data("base_mock.json")) == kExitUsage);
  CHECK(Run("export --format csv " + Data("schema_v2.json")) ==
        kExitInvalidRun);
}

TEST_CASE("export --out writes parseable Google Benchmark JSON", "[analysis]") {
  fs::path out = WorkDir() / "gbench.json";
  REQUIRE(Run("export --format gbench --out " + out.string() + " " +
              Data("grid_sim.json")) == kExitOk);
  auto json = nlohmann::json::parse(ReadAll(out));
  CHECK(json["benchmarks"].size() == 6 * (3 + 4));
}

}  // namespace
}  // namespace eiabench::analysis

namespace eiabench::analysis {
namespace {

// The gate both ways on real runs of scenarios/ci-smoke.json on the sim
// target (deterministic, so one repetition is enough): the build passes
// against a baseline it just recorded, and a deliberately slower
// configuration (a ten times longer delay between operations) fails.
TEST_CASE("the gate passes a rerun of its own baseline and fails a slower one",
          "[analysis]") {
  fs::path dir = WorkDir() / "gate";
  fs::remove_all(dir);
  std::string scenario =
      std::string(EIABENCH_SOURCE_DIR) + "/scenarios/ci-smoke.json";
  auto run = [&](const std::string& name, const std::string& extra) {
    REQUIRE(Run("run " + scenario + " --target sim --repetitions 1 --out " +
                    (dir / name).string() + " " + extra,
                "run_" + name + ".txt") == kExitOk);
    REQUIRE(fs::is_directory(dir / name));
    fs::directory_iterator it(dir / name);
    REQUIRE(it != fs::directory_iterator());
    return it->path().string();
  };
  std::string baseline = run("baseline", "");
  std::string same = run("same", "");
  std::string slower = run("slower", "--set delay_between_operations_s=0.5");

  CHECK(Run("check --baseline " + baseline + " " + same) == kExitOk);
  CHECK(Run("check --baseline " + baseline + " " + slower, "slower.md") ==
        kExitRegression);
  std::string summary = ReadAll(WorkDir() / "slower.md");
  CHECK_THAT(summary, Catch::Contains("| records_per_s | higher |"));
  CHECK_THAT(summary, Catch::Contains("REGRESSED"));
}

}  // namespace
}  // namespace eiabench::analysis
