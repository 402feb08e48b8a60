// eiabench: a benchmark harness for rate-limited API ingestion.
//
// This file only assembles the subcommands; each lives in app/cmd_*.cc and
// calls into the libraries.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"
#include "build_info.h"
#include "harness/common/exit_codes.h"

namespace eiabench::app {
namespace {
int g_exit_code = kExitOk;
}  // namespace

void SetExit(int code) { g_exit_code = code; }
int ExitCodeForMain() { return g_exit_code; }

}  // namespace eiabench::app

int main(int argc, char** argv) {
  using namespace eiabench;
  CLI::App app{
      "eiabench: a benchmark harness for rate-limited API ingestion "
      "(EIA Open Data API v2)"};
  app.require_subcommand(1);
  app.set_version_flag(
      "--version", fmt::format("eiabench {} ({}, {})", build::kVersion,
                               build::kGitSha, build::kBuildType));

  app::AddMockCommand(app);
  app::AddExtractCommand(app);
  app::AddRunCommand(app);
  app::AddAnalysisCommands(app);
  app::AddScaleOutCommands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line naming the problem, then the documented usage exit code.
    std::fprintf(stderr, "eiabench: error: %s\n", e.what());
    return kExitUsage;
  }
  return app::ExitCodeForMain();
}
