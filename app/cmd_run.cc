// `eiabench run SCENARIO`: sweeps a scenario's matrix against a target and
// writes a result file (docs/SCENARIOS.md, docs/RESULTS.md).
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "harness/experiment/runner.h"

namespace eiabench::app {
namespace {

struct RunFlags {
  experiment::RunRequest request;
  std::string target;
};

std::string CommandLine(const RunFlags& f) {
  // Rebuilt from the parsed flags: never contains the API key (it comes
  // only from the environment).
  std::string line = "eiabench run " + f.request.scenario_path;
  if (!f.target.empty()) line += " --target " + f.target;
  if (f.request.out_dir != "results/runs")
    line += " --out " + f.request.out_dir;
  if (f.request.repetitions > 0)
    line += " --repetitions " + std::to_string(f.request.repetitions);
  for (const auto& s : f.request.sets) line += " --set " + s;
  if (f.request.events) line += " --events";
  if (f.request.resume) line += " --resume";
  if (f.request.force) line += " --force";
  return line;
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Sweep a scenario's matrix against a target and write a result file");
  cmd->add_option("scenario", flags->request.scenario_path,
                  "Scenario file (JSON), e.g. scenarios/quickstart.json")
      ->required();
  cmd->add_option("--target", flags->target,
                  "sim (virtual time), mock (in-process HTTP mock) or live "
                  "(api.eia.gov, key from EIA_API_KEY); default: the "
                  "scenario's")
      ->check(CLI::IsMember({"sim", "mock", "live"}));
  cmd->add_option("--out", flags->request.out_dir,
                  "Directory for the result file")
      ->capture_default_str();
  cmd->add_option("--repetitions", flags->request.repetitions,
                  "Repetitions per cell (overrides the scenario)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--set", flags->request.sets,
                  "Override a setting or collapse an axis: name=value "
                  "(repeatable), e.g. --set days_per_batch=45 --set "
                  "mock.latency_base_s=0.3");
  cmd->add_flag("--events", flags->request.events,
                "Also write a per-request NDJSON event log next to the "
                "result file");
  cmd->add_flag("--resume", flags->request.resume,
                "Continue the newest interrupted run of this scenario and "
                "target in --out, skipping finished repetitions");
  cmd->add_flag("--force", flags->request.force,
                "live: run even when the plan exceeds the hourly budget");
  cmd->callback([flags]() {
    RunFlags& f = *flags;
    if (!f.target.empty()) f.request.target = f.target;
    f.request.progress = isatty(STDERR_FILENO) == 1;
    f.request.command_line = CommandLine(f);
    SetExit(experiment::RunScenario(f.request, std::cout, std::cerr));
  });
}

}  // namespace eiabench::app
