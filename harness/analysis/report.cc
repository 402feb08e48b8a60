#include "harness/analysis/report.h"

#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "harness/analysis/result_file.h"
#include "harness/common/exit_codes.h"

extern char** environ;

namespace eiabench::analysis {
namespace {

namespace fs = std::filesystem;

std::string ResolvePython(const ReportOptions& options) {
  if (!options.python.empty()) return options.python;
  if (access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return "python3";
}

std::string ResolveScript(const ReportOptions& options) {
  if (!options.script.empty()) return options.script;
  if (const char* env = std::getenv("EIABENCH_PLOT_SCRIPT"); env && *env) {
    return env;
  }
  return std::string(EIABENCH_ANALYSIS_SCRIPT_DIR) + "/plot_report.py";
}

std::vector<std::string> ScriptArguments(const ReportOptions& options,
                                         const std::string& python,
                                         const std::string& script) {
  std::vector<std::string> args = {python,         script,
                                   "--out",        options.out_dir,
                                   "--format",     options.image_format,
                                   "--batch-axis", options.batch_axis,
                                   "--line-axis",  options.line_axis};
  if (!options.x_axis.empty()) {
    args.insert(args.end(), {"--x-axis", options.x_axis});
  }
  if (!options.y_axis.empty()) {
    args.insert(args.end(), {"--y-axis", options.y_axis});
  }
  args.insert(args.end(), options.inputs.begin(), options.inputs.end());
  return args;
}

// Runs argv without a shell (no quoting problems with paths) and returns the
// exit status, or -1 when the program could not be started.
int RunProgram(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) !=
      0) {
    return -1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ReportResult Fail(int code, std::string error) {
  return {code, std::move(error), ""};
}

}  // namespace

ReportResult GenerateReport(const ReportOptions& options) {
  if (options.inputs.empty()) return Fail(kExitUsage, "no result file given");
  if (options.out_dir.empty()) return Fail(kExitUsage, "--out is required");
  if (options.image_format != "png" && options.image_format != "svg") {
    return Fail(kExitUsage,
                fmt::format("--image-format \"{}\" is not png or svg",
                            options.image_format));
  }
  // The script trusts its inputs; they are validated here first.
  LoadedResults loaded = LoadResultFiles(options.inputs);
  if (!loaded.error.empty()) return Fail(kExitInvalidRun, loaded.error);

  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) {
    return Fail(kExitEnvironment, fmt::format("{}: cannot create: {}",
                                              options.out_dir, ec.message()));
  }
  std::string python = ResolvePython(options);
  std::string script = ResolveScript(options);
  if (!fs::exists(script)) {
    return Fail(kExitEnvironment,
                fmt::format("{}: plot script not found", script));
  }
  int status = RunProgram(ScriptArguments(options, python, script));
  if (status != 0) {
    return Fail(kExitEnvironment,
                fmt::format("{} {} failed (status {}); is python3-matplotlib "
                            "installed (scripts/setup.sh)?",
                            python, script, status));
  }
  std::string html = (fs::path(options.out_dir) / "index.html").string();
  if (!fs::exists(html)) {
    return Fail(kExitEnvironment, fmt::format("{} was not written", html));
  }
  return {kExitOk, "", html};
}

}  // namespace eiabench::analysis
