// `eiabench mock`: serves the EIA API v2 mock until SIGINT/SIGTERM.
#include <fmt/core.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.h"
#include "harness/common/exit_codes.h"
#include "mock_server/server.h"

namespace eiabench::app {
namespace {

struct MockFlags {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string profile = "instant";
  std::string profile_file;
  uint64_t seed = 1;
  int64_t rate_limit_per_hour = 5000;
  int64_t burst_per_second = 0;
  double suspend_s = 0;
  bool rate_limit_headers = false;
  bool count_rejected = false;
  double time_scale = 1.0;
  std::vector<std::string> api_keys;
  int threads = 2;
  double null_rate = 0;
  mock::FaultOptions faults;
  // Latency overrides; negative means "keep the profile's value".
  double base_ms = -1, per_row_us = -1, new_connection_ms = -1,
         jitter_mean_ms = -1;
};

int UsageError(const std::string& message) {
  std::fprintf(stderr, "eiabench mock: error: %s\n", message.c_str());
  return kExitUsage;
}

bool Probability(double p) { return p >= 0 && p <= 1; }

// Reads a profile file: {"base_ms":..,"per_row_us":..,"new_connection_ms":..,
// "jitter_mean_ms":..,"faults":{"server_error":..,...,"stall_s":..}}.
bool LoadProfileFile(const std::string& path, mock::LatencyProfile* latency,
                     mock::FaultOptions* faults, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read --profile-file " + path;
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    *error = "--profile-file " + path + " is not a JSON object";
    return false;
  }
  try {
    for (auto& [key, value] : json.items()) {
      if (key == "name")
        latency->name = value.get<std::string>();
      else if (key == "base_ms")
        latency->base_ms = value.get<double>();
      else if (key == "per_row_us")
        latency->per_row_us = value.get<double>();
      else if (key == "new_connection_ms")
        latency->new_connection_ms = value.get<double>();
      else if (key == "jitter_mean_ms")
        latency->jitter_mean_ms = value.get<double>();
      else if (key == "faults") {
        for (auto& [fkey, fvalue] : value.items()) {
          double v = fvalue.get<double>();
          if (fkey == "server_error")
            faults->server_error = v;
          else if (fkey == "unavailable")
            faults->unavailable = v;
          else if (fkey == "stall")
            faults->stall = v;
          else if (fkey == "reset")
            faults->reset = v;
          else if (fkey == "truncated")
            faults->truncated = v;
          else if (fkey == "malformed_json")
            faults->malformed_json = v;
          else if (fkey == "stall_s")
            faults->stall_s = v;
          else {
            *error = "--profile-file: unknown fault '" + fkey + "'";
            return false;
          }
        }
      } else {
        *error = "--profile-file: unknown key '" + key + "'";
        return false;
      }
    }
  } catch (const nlohmann::json::exception&) {
    *error = "--profile-file " + path + ": a value has the wrong type";
    return false;
  }
  return true;
}

// Builds the server options; returns an error message or "".
std::string BuildOptions(const MockFlags& f, mock::ServerOptions* options) {
  mock::ModelOptions& m = options->model;
  if (!mock::LatencyProfileByName(f.profile, &m.latency)) {
    return "unknown --profile '" + f.profile + "' (instant or eia)";
  }
  m.faults = f.faults;
  if (!f.profile_file.empty()) {
    std::string error;
    if (!LoadProfileFile(f.profile_file, &m.latency, &m.faults, &error)) {
      return error;
    }
  }
  if (f.base_ms >= 0) m.latency.base_ms = f.base_ms;
  if (f.per_row_us >= 0) m.latency.per_row_us = f.per_row_us;
  if (f.new_connection_ms >= 0)
    m.latency.new_connection_ms = f.new_connection_ms;
  if (f.jitter_mean_ms >= 0) m.latency.jitter_mean_ms = f.jitter_mean_ms;
  const mock::FaultOptions& fo = m.faults;
  for (double p : {fo.server_error, fo.unavailable, fo.stall, fo.reset,
                   fo.truncated, fo.malformed_json}) {
    if (!Probability(p)) return "fault probabilities must be in [0, 1]";
  }
  if (fo.server_error + fo.unavailable + fo.stall + fo.reset + fo.truncated +
          fo.malformed_json >
      1) {
    return "fault probabilities sum to more than 1";
  }
  if (!Probability(f.null_rate)) return "--null-rate must be in [0, 1]";
  if (f.time_scale <= 0) return "--time-scale must be > 0";
  if (f.rate_limit_per_hour < 0) return "--rate-limit-per-hour must be >= 0";
  if (f.burst_per_second < 0) return "--burst-per-second must be >= 0";
  if (f.threads < 1 || f.threads > 4096) return "--threads must be 1..4096";
  if (f.port < 0 || f.port > 65535) return "--port must be 0..65535";
  for (const std::string& key : f.api_keys) {
    if (key.empty()) return "--api-key must not be empty";
  }
  m.seed = f.seed;
  m.api_keys = f.api_keys;
  m.null_rate = f.null_rate;
  m.rate_limit.limit = f.rate_limit_per_hour;
  m.rate_limit.window_s = 3600;
  m.rate_limit.burst_per_second = f.burst_per_second;
  m.rate_limit.suspend = f.suspend_s > 0;
  if (f.suspend_s > 0) m.rate_limit.suspend_s = f.suspend_s;
  m.rate_limit.headers = f.rate_limit_headers;
  m.rate_limit.count_rejected = f.count_rejected;
  options->time_scale = f.time_scale;
  options->threads = f.threads;
  return "";
}

int RunMock(const MockFlags& flags) {
  mock::ServerOptions options;
  std::string error = BuildOptions(flags, &options);
  if (!error.empty()) return UsageError(error);

  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only sigwait() below receives them.
  // A shell starts background jobs with SIGINT ignored, and an ignored
  // signal is discarded before sigwait() can see it: restore the defaults.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  mock::MockServer server(options);
  if (!server.Start(flags.host, flags.port, &error)) {
    std::fprintf(stderr, "eiabench mock: error: %s\n", error.c_str());
    return kExitEnvironment;
  }
  std::printf("listening on http://%s:%d\n", flags.host.c_str(), server.port());
  std::fflush(stdout);
  std::fprintf(stderr,
               "eiabench mock: profile %s, seed %llu, limit %lld/h, "
               "time scale %g\n",
               options.model.latency.name.c_str(),
               static_cast<unsigned long long>(flags.seed),
               static_cast<long long>(flags.rate_limit_per_hour),
               flags.time_scale);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  std::fprintf(stderr, "eiabench mock: stopped\n");
  return kExitOk;
}

}  // namespace

void AddMockCommand(CLI::App& app) {
  auto flags = std::make_shared<MockFlags>();
  CLI::App* cmd = app.add_subcommand(
      "mock", "Serve the EIA API v2 mock (electricity/rto routes) over HTTP");
  cmd->add_option("--host", flags->host, "Address to bind")
      ->capture_default_str();
  cmd->add_option("--port", flags->port, "Port to bind (0 = ephemeral)")
      ->capture_default_str();
  cmd->add_option("--profile", flags->profile,
                  "Latency profile: instant or eia")
      ->capture_default_str();
  cmd->add_option("--profile-file", flags->profile_file,
                  "JSON file with latency and fault settings");
  cmd->add_option("--seed", flags->seed, "Seed for data, latency and faults")
      ->capture_default_str();
  cmd->add_option("--rate-limit-per-hour", flags->rate_limit_per_hour,
                  "Requests per key per sliding hour (0 = unlimited)")
      ->capture_default_str();
  cmd->add_option("--burst-per-second", flags->burst_per_second,
                  "Requests per key per sliding second (0 = unlimited)");
  cmd->add_option("--suspend-s", flags->suspend_s,
                  "Over the limit, suspend the key (403) for this many model "
                  "seconds instead of answering 429");
  cmd->add_flag("--rate-limit-headers", flags->rate_limit_headers,
                "Send X-RateLimit-Limit/-Remaining and Retry-After");
  cmd->add_flag("--count-rejected", flags->count_rejected,
                "Rejected requests also count toward the limit");
  cmd->add_option("--time-scale", flags->time_scale,
                  "Model seconds per real second (divides every duration)")
      ->capture_default_str();
  cmd->add_option("--api-key", flags->api_keys,
                  "Accepted key (repeatable; none = any non-empty key)");
  cmd->add_option("--threads", flags->threads,
                  "Event-loop threads (delayed answers hold none)")
      ->capture_default_str();
  cmd->add_option("--null-rate", flags->null_rate,
                  "Share of values served as null");
  cmd->add_option("--fault-server-error", flags->faults.server_error,
                  "Probability of a 500");
  cmd->add_option("--fault-unavailable", flags->faults.unavailable,
                  "Probability of a 503");
  cmd->add_option("--fault-stall", flags->faults.stall,
                  "Probability of a stall");
  cmd->add_option("--fault-reset", flags->faults.reset,
                  "Probability of a connection reset");
  cmd->add_option("--fault-truncated", flags->faults.truncated,
                  "Probability of a truncated body");
  cmd->add_option("--fault-malformed-json", flags->faults.malformed_json,
                  "Probability of a malformed JSON body");
  cmd->add_option("--stall-s", flags->faults.stall_s,
                  "Model seconds a stall lasts")
      ->capture_default_str();
  cmd->add_option("--latency-base-ms", flags->base_ms,
                  "Override the profile's base latency");
  cmd->add_option("--latency-per-row-us", flags->per_row_us,
                  "Override the profile's per-row cost");
  cmd->add_option("--latency-new-connection-ms", flags->new_connection_ms,
                  "Override the profile's new-connection cost");
  cmd->add_option("--latency-jitter-ms", flags->jitter_mean_ms,
                  "Override the profile's mean exponential jitter");
  cmd->callback([flags] { SetExit(RunMock(*flags)); });
}

}  // namespace eiabench::app
