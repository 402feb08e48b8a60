// Crash and resume: `eiabench extract` and `eiabench run` are killed with
// SIGKILL at seeded-random points and resumed; the finished output must be
// exact (the mock's truth checksum, recomputed from the output file) and a
// resumed sweep must not redo a repetition that was already saved.
//
// The suite runs EIABENCH_CRASH_TRIALS trials (default 6 for extract, 3 for
// run); scripts/crash-resume.sh runs 25 of each. A trial's outcome does not
// depend on where the kill lands: it may come before the first durable page,
// mid-job, or after the child finished, and each of those must end exact.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "harness/common/exit_codes.h"
#include "tests/reliability/rel_util.h"

using namespace eiabench;
using namespace eiabench::reliability;
namespace fs = std::filesystem;

namespace {

int Trials(int fallback) {
  const char* env = std::getenv("EIABENCH_CRASH_TRIALS");
  int n = env ? std::atoi(env) : 0;
  return n > 0 && n <= 1000 ? n : fallback;
}

// The child's last --json summary line.
nlohmann::json LastSummary(const std::string& stdout_path) {
  std::string text = ReadAll(stdout_path);
  size_t at = text.rfind("{\"exit_code\"");
  if (at == std::string::npos) return nlohmann::json::object();
  return nlohmann::json::parse(text.substr(at, text.find('\n', at) - at),
                               nullptr, false);
}

// Kills `pid` after `delay` unless it exits first; true if the kill landed.
bool KillAfter(pid_t pid, std::chrono::milliseconds delay, int* exit_code) {
  auto deadline = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  *exit_code = WaitExit(pid);
  return true;
}

}  // namespace

TEST_CASE("extract killed at random points resumes to the exact truth",
          "[reliability][crash]") {
  mock::ServerOptions mo = SmallMockOptions(21);
  mo.model.latency.base_ms = 4;  // ~200 pages: a job of about a second
  // 25 trials make ~10 000 requests with one key: more than the default
  // 5000 per hour, which would (correctly) end late trials in exit 3.
  mo.model.rate_limit.limit = 0;
  LiveMock m(mo);
  ExtractOptions o = SmallJob(m.base_url());
  auto truth = TruthOf(m.server(), o);
  ::setenv("EIA_API_KEY", kFakeKey, 1);
  std::mt19937 rng(2026);
  // Kill points are drawn over the length of one uninterrupted job on this
  // machine, so that they land mid-job whatever its speed. Only where the
  // kills land depends on timing; every trial must end exact regardless.
  int64_t job_ms = 0;
  {
    std::string dir = FreshDir("crash-extract-timing");
    auto started = std::chrono::steady_clock::now();
    REQUIRE(RunEiabench(ExtractArgs(o, dir + "/out.sqlite"), dir + "/stdout",
                        dir + "/stderr") == kExitOk);
    job_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - started)
                 .count();
    job_ms = std::clamp<int64_t>(job_ms, 20, 5000);
  }
  int trials = Trials(6), exact = 0, mid_job = 0;
  for (int trial = 0; trial < trials; ++trial) {
    bool sqlite = trial % 2 == 0;
    std::string dir = FreshDir("crash-extract-" + std::to_string(trial));
    std::string out = dir + (sqlite ? "/out.sqlite" : "/out.jsonl");
    std::string log_out = dir + "/stdout", log_err = dir + "/stderr";
    auto args = ExtractArgs(o, out);
    int first_exit = -1;
    auto delay = std::chrono::milliseconds(rng() % job_ms);
    bool killed =
        KillAfter(SpawnEiabench(args, log_out, log_err), delay, &first_exit);
    args.push_back("--resume");
    int rc = RunEiabench(args, log_out, log_err);
    INFO("trial " << trial << " killed after " << delay.count()
                  << " ms: " << ReadAll(log_err));
    if (!killed) CHECK(first_exit == kExitOk);
    REQUIRE(rc == kExitOk);
    nlohmann::json summary = LastSummary(log_out);
    CHECK(summary["checksum"] == truth.checksum);
    CHECK(summary["rows_total"] == truth.rows);
    CHECK(summary["duplicates"] == 0);
    uint64_t resumed = summary["pages_resumed"].get<uint64_t>();
    mid_job += killed && resumed > 0 && summary["pages_ok"] > 0;
    bool file_exact = false;
    if (sqlite) {
      auto db = SqliteTruth(out, "electricity_rto_region_data");
      file_exact = db.first == truth.rows && db.second == truth.checksum;
    } else {
      std::set<std::string> lines;
      uint64_t count = 0;
      std::ifstream in(out);
      for (std::string line; std::getline(in, line); ++count)
        lines.insert(line);
      file_exact = count == truth.rows && lines.size() == truth.rows;
    }
    CHECK(file_exact);
    exact += file_exact && summary["checksum"] == truth.checksum;
  }
  CHECK(exact == trials);
  WARN("extract crash/resume: " << exact << "/" << trials << " exact, "
                                << mid_job << " killed mid-job, rows lost 0");
}

namespace {

constexpr char kSweep[] = R"({
  "name": "crash-sweep",
  "description": "reliability: a small sweep to interrupt",
  "target": "mock",
  "workload": {"route": "electricity/rto/fuel-type-data",
               "respondents": ["PACW"], "start": "2024-01-01",
               "end": "2024-01-03", "passes": 1},
  "mock": {"profile": "instant", "latency_base_s": 0.01},
  "settings": {"days_per_batch": 1},
  "matrix": {"axes": {"request_length": [40, 90, 360]}},
  "limits": [{"window_s": 3600, "limit": 5000}],
  "repetitions": 3,
  "seed": 7
})";

// The single result file in `dir` ("" when none was written yet).
std::string ResultFile(const std::string& dir) {
  if (!fs::exists(dir)) return "";
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string p = e.path().string();
    if (p.size() > 5 && p.ends_with(".json") && !p.ends_with(".events.json"))
      return p;
  }
  return "";
}

}  // namespace

TEST_CASE("a sweep killed at random points resumes without redoing work",
          "[reliability][crash]") {
  std::mt19937 rng(77);
  int trials = Trials(3), survived = 0;
  for (int trial = 0; trial < trials; ++trial) {
    std::string dir = FreshDir("crash-run-" + std::to_string(trial));
    std::string scenario = dir + "/sweep.json";
    WriteAll(scenario, kSweep);
    std::string out = dir + "/out";
    std::vector<std::string> args = {"run", scenario, "--out", out};
    std::string log_out = dir + "/stdout", log_err = dir + "/stderr";
    int first_exit = -1;
    auto delay = std::chrono::milliseconds(100 + rng() % 2500);
    bool killed =
        KillAfter(SpawnEiabench(args, log_out, log_err), delay, &first_exit);
    std::string path = ResultFile(out);
    nlohmann::json before = nlohmann::json::object();
    if (!path.empty()) before = nlohmann::json::parse(ReadAll(path));
    bool partial = before.value("partial", false);
    int rc = kExitOk;
    if (!killed) {
      CHECK(first_exit == kExitOk);
    } else {
      // Killed before the first write: nothing to resume, run afresh.
      if (!partial) args.pop_back(), args.push_back(out);
      if (partial) args.push_back("--resume");
      rc = RunEiabench(args, log_out, log_err);
    }
    INFO("trial " << trial << " killed after " << delay.count()
                  << " ms: " << ReadAll(log_err));
    REQUIRE(rc == kExitOk);
    path = ResultFile(out);
    REQUIRE_FALSE(path.empty());
    nlohmann::json after = nlohmann::json::parse(ReadAll(path));
    CHECK_FALSE(after.contains("partial"));
    bool ok = true;
    for (size_t c = 0; c < after["cells"].size(); ++c) {
      const auto& reps = after["cells"][c]["repetitions"];
      std::set<int> seen;
      for (const auto& r : reps) seen.insert(r["rep"].get<int>());
      ok = ok && reps.size() == 3 && seen.size() == 3;
      for (const auto& r : reps) ok = ok && r["status"] == "ok";
      // A repetition saved before the kill is kept byte for byte.
      if (partial) {
        for (const auto& old : before["cells"][c]["repetitions"]) {
          bool kept = false;
          for (const auto& r : reps) kept = kept || r == old;
          ok = ok && kept;
        }
      }
    }
    CHECK(ok);
    survived += ok;
  }
  CHECK(survived == trials);
  WARN("run crash/resume: " << survived << "/" << trials
                            << " resumed without redoing a repetition");
}
