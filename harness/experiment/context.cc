#include "harness/experiment/context.h"

#include <curl/curl.h>
#include <fmt/core.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "build_info.h"

namespace eiabench::experiment {

namespace {

// Runs a short command and returns its first line of output ("" on any
// failure). Used only for `git`, with a fixed argument list.
std::string FirstLine(const std::string& command, bool* ok) {
  *ok = false;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "";
  std::array<char, 256> buffer{};
  std::string out;
  bool any = false;
  while (fgets(buffer.data(), buffer.size(), pipe)) {
    if (!any) out = buffer.data();
    any = true;
  }
  *ok = pclose(pipe) == 0;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

void AddGit(Json* j) {
  std::string dir = EIABENCH_SOURCE_DIR;
  bool ok = false;
  std::string sha = FirstLine(
      fmt::format("git -C '{}' rev-parse HEAD 2>/dev/null", dir), &ok);
  if (!ok || sha.size() != 40) {
    (*j)["git_sha"] = build::kGitSha;
    (*j)["git_dirty"] = nullptr;  // unknown: no git at run time
    return;
  }
  (*j)["git_sha"] = sha;
  bool status_ok = false;
  std::string changes = FirstLine(
      fmt::format("git -C '{}' status --porcelain --untracked-files=no "
                  "2>/dev/null",
                  dir),
      &status_ok);
  (*j)["git_dirty"] = status_ok ? Json(!changes.empty()) : Json(nullptr);
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    size_t colon = line.find(':');
    if (colon != std::string::npos) return line.substr(colon + 2);
  }
  return "unknown";
}

std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace

Json MakeContext(const ContextInput& input) {
  Json j;
  j["harness_version"] = build::kVersion;
  AddGit(&j);
  j["build_type"] = build::kBuildType;
  j["compiler"] = build::kCompiler;
  j["libcurl_version"] = curl_version_info(CURLVERSION_NOW)->version;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  j["host"] = host;
  j["cpu_model"] = CpuModel();
  j["cores"] = std::thread::hardware_concurrency();
  utsname uts{};
  uname(&uts);
  j["kernel"] = fmt::format("{} {}", uts.sysname, uts.release);
  j["timestamp"] = UtcNow();
  j["clock_mode"] = input.clock_mode;
  j["time_scale"] = input.time_scale;
  j["seed"] = input.seed;
  j["command"] = input.command;
  return j;
}

}  // namespace eiabench::experiment
