// Each subcommand of `eiabench` lives in its own file and registers itself on
// the top-level CLI11 app. A command's callback returns an ExitCode through
// SetExit(); main() returns it.
#pragma once

#include <CLI/CLI.hpp>

namespace eiabench::app {

// Records the exit code a subcommand's callback wants main() to return.
void SetExit(int code);
int ExitCodeForMain();

void AddMockCommand(CLI::App& app);       // app/cmd_mock.cc
void AddExtractCommand(CLI::App& app);    // app/cmd_extract.cc
void AddRunCommand(CLI::App& app);        // app/cmd_run.cc
void AddAnalysisCommands(CLI::App& app);  // app/cmd_analysis.cc
void AddScaleOutCommands(CLI::App& app);  // app/cmd_scaleout.cc

}  // namespace eiabench::app
