// `eiabench extract`: loads a date range of EIA data completely and exactly
// once into a sink (SQLite by default), paced, retried and resumable.
#include <fmt/core.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "app/commands.h"
#include "harness/client/curl_transport.h"
#include "harness/client/extractor.h"
#include "harness/client/sinks.h"
#include "harness/common/exit_codes.h"
#include "harness/scaleout/job_spec.h"

namespace eiabench::app {
namespace {

struct ExtractFlags {
  ExtractOptions o;
  std::vector<std::string> facets;
  std::string out;
  std::string sink;
  std::string api_key_file;
  bool key_in_header = false;
  bool json = false;
  bool no_progress = false;
  std::string planning = "days";
  std::string batch_end = "exclusive_hour";
  std::string http_version = "1.1";
  std::string compression = "none";
  double time_scale = 1.0;
  // Scale-out (harness/scaleout): plan the job into Redis instead of
  // running it here.
  std::string redis;
  std::string job;
};

Extractor* g_extractor = nullptr;

extern "C" void OnSignal(int) {
  if (g_extractor) g_extractor->RequestStop();
}

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "eiabench extract: error: %s\n", message.c_str());
  return code;
}

// "respondent=PJM,MISO" -> {"respondent", {"PJM", "MISO"}}.
bool ParseFacet(const std::string& text,
                std::pair<std::string, std::vector<std::string>>* out) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return false;
  out->first = text.substr(0, eq);
  std::stringstream values(text.substr(eq + 1));
  for (std::string v; std::getline(values, v, ',');) {
    if (v.empty()) return false;
    out->second.push_back(v);
  }
  return true;
}

// The key from EIA_API_KEY or --api-key-file (first line, trimmed). Never
// printed: errors only say where it was looked for.
bool LoadKey(const ExtractFlags& f, std::string* key, std::string* error) {
  if (!f.api_key_file.empty()) {
    std::ifstream in(f.api_key_file);
    if (!in || !std::getline(in, *key)) {
      *error = "cannot read --api-key-file " + f.api_key_file;
      return false;
    }
  } else if (const char* env = std::getenv("EIA_API_KEY")) {
    *key = env;
  }
  while (!key->empty() && std::isspace(static_cast<unsigned char>(key->back())))
    key->pop_back();
  if (key->empty()) {
    *error = "no API key: set EIA_API_KEY or pass --api-key-file";
    return false;
  }
  return true;
}

bool ApplyEnums(ExtractFlags& f, std::string* error) {
  static const std::map<std::string, PlanningMode> kPlanning = {
      {"days", PlanningMode::kDays}, {"fill", PlanningMode::kFill}};
  static const std::map<std::string, BatchEnd> kBatchEnd = {
      {"exclusive_hour", BatchEnd::kExclusiveHour},
      {"date_only", BatchEnd::kDateOnly}};
  static const std::map<std::string, HttpVersion> kHttp = {
      {"1.1", HttpVersion::kHttp1_1}, {"2", HttpVersion::kHttp2}};
  static const std::map<std::string, Compression> kCompression = {
      {"none", Compression::kNone},
      {"gzip", Compression::kGzip},
      {"br", Compression::kBr}};
  auto pick = [&](const auto& table, const std::string& value, const char* flag,
                  auto* out) {
    auto it = table.find(value);
    if (it == table.end()) {
      *error = std::string(flag) + ": unknown value '" + value + "'";
      return false;
    }
    *out = it->second;
    return true;
  };
  if (!pick(kPlanning, f.planning, "--planning", &f.o.planning) ||
      !pick(kBatchEnd, f.batch_end, "--batch-end", &f.o.batch_end) ||
      !pick(kHttp, f.http_version, "--http-version", &f.o.http_version) ||
      !pick(kCompression, f.compression, "--compression", &f.o.compression))
    return false;
  for (const auto& text : f.facets) {
    std::pair<std::string, std::vector<std::string>> facet;
    if (!ParseFacet(text, &facet)) {
      *error = "--facet: expected id=value[,value...], got '" + text + "'";
      return false;
    }
    f.o.facets.push_back(std::move(facet));
  }
  f.o.key_placement =
      f.key_in_header ? KeyPlacement::kHeader : KeyPlacement::kQuery;
  if (f.time_scale <= 0) {
    *error = "--time-scale: must be > 0";
    return false;
  }
  return true;
}

std::string Duration(double s) {
  if (s < 0 || s > 1e7) return "?";
  int total = static_cast<int>(s + 0.5);
  if (total >= 3600)
    return fmt::format("{}h{:02}m", total / 3600, total / 60 % 60);
  return fmt::format("{}m{:02}s", total / 60, total % 60);
}

struct ProgressState {
  double limit_per_hour = 0;
};

// One status line on stderr, rewritten in place (TTY only).
void ShowProgress(const Extractor::Progress& p, void* user) {
  auto* state = static_cast<ProgressState*>(user);
  double elapsed_s = ToSeconds(p.now);
  double rate = elapsed_s > 0 ? static_cast<double>(p.rows) / elapsed_s : 0;
  double done = p.batches ? static_cast<double>(p.batches_done) /
                                static_cast<double>(p.batches)
                          : 0;
  double eta_s = done > 0 ? elapsed_s * (1 - done) / done : -1;
  std::string limit = state->limit_per_hour > 0
                          ? fmt::format("/{:.0f}", state->limit_per_hour)
                          : "";
  std::fprintf(stderr,
               "\r\x1b[K%5.1f%% rows %llu | requests %llu | %.0f rows/s | "
               "%llu%s req/h | ETA %s",
               done * 100, static_cast<unsigned long long>(p.rows),
               static_cast<unsigned long long>(p.requests), rate,
               static_cast<unsigned long long>(p.requests_last_hour),
               limit.c_str(), Duration(eta_s).c_str());
}

std::string SummaryJson(const ExtractSummary& s) {
  std::string error;
  for (char c : s.error) {
    if (c == '"' || c == '\\') error.push_back('\\');
    error.push_back(c < 0x20 ? ' ' : c);
  }
  return fmt::format(
      "{{\"exit_code\":{},\"error\":\"{}\",\"rows\":{},\"rows_total\":{},"
      "\"checksum\":\"{}\",\"batches\":{},\"pages_ok\":{},"
      "\"pages_resumed\":{},\"pages_failed\":{},\"batches_failed\":{},"
      "\"requests\":{},\"retries\":{},\"http_429\":{},\"http_5xx\":{},"
      "\"transport_errors\":{},\"bad_bodies\":{},\"warnings\":{},"
      "\"gaps\":{},\"duplicates\":{},\"bytes\":{},"
      "\"connections_opened\":{},\"duration_s\":{:.3f}}}",
      s.exit_code, error, s.rows, s.rows_total, s.checksum_hex, s.batches,
      s.pages_ok, s.pages_resumed, s.pages_failed, s.batches_failed, s.requests,
      s.retries, s.http_429, s.http_5xx, s.transport_errors, s.bad_bodies,
      s.warnings, s.gaps, s.duplicates, s.bytes, s.connections_opened,
      s.duration_s);
}

// `--redis URL --job NAME`: plans the job for `eiabench worker`s (see
// docs/SCALE_OUT.md). The key stays local; workers read their own.
int PlanScaleOutJob(ExtractFlags& f) {
  if (f.redis.empty() || f.job.empty()) {
    return Fail(kExitUsage, "--redis and --job go together");
  }
  std::string error;
  auto url = scaleout::ParseRedisUrl(f.redis, &error);
  if (!url) return Fail(kExitUsage, "--redis: " + error);
  scaleout::JobSpec spec = scaleout::JobSpecFromExtract(f.o);
  spec.limiter.time_scale = f.time_scale;
  scaleout::PlanJobResult r = scaleout::PlanJob(*url, f.job, spec, {});
  if (r.exit_code != kExitOk) return Fail(r.exit_code, r.error);
  std::printf("job %s %s in %s: %llu batches; start workers with `eiabench "
              "worker --redis URL --job %s`\n",
              f.job.c_str(),
              r.outcome == scaleout::PlanOutcome::kCreated ? "planned"
                                                           : "exists",
              url->Redacted().c_str(),
              static_cast<unsigned long long>(r.batches), f.job.c_str());
  return kExitOk;
}

int RunExtract(ExtractFlags& f) {
  std::string error;
  if (!ApplyEnums(f, &error)) return Fail(kExitUsage, error);
  if (!LoadKey(f, &f.o.api_key, &error)) return Fail(kExitUsage, error);
  if (auto why = ValidateOptions(f.o)) return Fail(kExitUsage, *why);
  if (!f.redis.empty() || !f.job.empty()) return PlanScaleOutJob(f);

  SinkKind kind = SinkKindForPath(f.out);
  if (!f.sink.empty()) {
    auto parsed = ParseSinkKind(f.sink);
    if (!parsed) return Fail(kExitUsage, "--sink: unknown '" + f.sink + "'");
    kind = *parsed;
  }
  if (kind != SinkKind::kNull && f.out.empty())
    return Fail(kExitUsage, "--out is required (or --sink null)");

  std::unique_ptr<Clock> clock = std::make_unique<ScaledClock>(f.time_scale);
  auto transport = MakeCurlTransport(CurlOptionsFrom(f.o), *clock, &error);
  if (!transport) return Fail(kExitEnvironment, error);
  auto sink = MakeSink(kind, f.out);

  Extractor extractor(f.o, *transport, *clock, *sink, nullptr);
  ProgressState progress{f.o.requests_per_hour};
  bool show_progress = !f.no_progress && ::isatty(STDERR_FILENO);
  if (show_progress)
    extractor.SetProgressCallback(ShowProgress, &progress,
                                  FromSeconds(0.2 * f.time_scale));
  g_extractor = &extractor;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  ExtractSummary s = extractor.Run();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_extractor = nullptr;
  if (show_progress) std::fputc('\n', stderr);

  if (!sink->Close(&error) && s.exit_code == kExitOk) {
    s.exit_code = kExitEnvironment;
    s.error = Redact(error, f.o.api_key);
  }
  if (f.json) {
    std::printf("%s\n", SummaryJson(s).c_str());
  } else if (s.exit_code != kExitUsage) {
    std::printf(
        "rows %llu (output total %llu), checksum %s, pages %llu ok / %llu "
        "resumed / %llu failed, requests %llu (retries %llu), %.1f s\n",
        static_cast<unsigned long long>(s.rows),
        static_cast<unsigned long long>(s.rows_total), s.checksum_hex.c_str(),
        static_cast<unsigned long long>(s.pages_ok),
        static_cast<unsigned long long>(s.pages_resumed),
        static_cast<unsigned long long>(s.pages_failed),
        static_cast<unsigned long long>(s.requests),
        static_cast<unsigned long long>(s.retries), s.duration_s);
  }
  if (s.exit_code != kExitOk) Fail(s.exit_code, s.error);
  return s.exit_code;
}

void AddKnobs(CLI::App* cmd, ExtractFlags& f) {
  ExtractOptions& o = f.o;
  cmd->add_option("--days-per-batch", o.days_per_batch,
                  "Days per batch (planning days)")
      ->capture_default_str();
  cmd->add_option("--planning", f.planning, "days | fill")
      ->capture_default_str();
  cmd->add_option("--request-length", o.request_length,
                  "Rows asked per page (API maximum 5000)")
      ->capture_default_str();
  cmd->add_option("--paginate", o.paginate,
                  "false reproduces the seed: one page per batch")
      ->capture_default_str();
  cmd->add_option("--batch-end", f.batch_end,
                  "exclusive_hour | date_only (seed: 23 h lost per batch)")
      ->capture_default_str();
  cmd->add_option("--max-concurrent-batches", o.max_concurrent_batches,
                  "Batches in flight at once")
      ->capture_default_str();
  cmd->add_flag("--serial-requests", o.serial_requests,
                "Seed: never overlap requests");
  cmd->add_option("--delay-between-operations", o.delay_between_operations_s,
                  "Minimum seconds between request starts (global)")
      ->capture_default_str();
  cmd->add_option("--max-operations-per-second", o.max_operations_per_second,
                  "Cap on request starts per second (0 = off)")
      ->capture_default_str();
  cmd->add_option("--requests-per-hour", o.requests_per_hour,
                  "GCRA sustained rate (0 = off)")
      ->capture_default_str();
  cmd->add_option("--burst", o.burst, "GCRA burst")->capture_default_str();
  cmd->add_option("--pre-request-sleep", o.pre_request_sleep_s,
                  "Seed: blocking sleep before every GET (s)")
      ->capture_default_str();
  cmd->add_flag("--seed-limiter", o.seed_limiter,
                "Seed: the seed's flawed delay limiter");
  cmd->add_option("--pool-maxsize", o.pool_maxsize,
                  "Connections kept for reuse (CURLMOPT_MAXCONNECTS)")
      ->capture_default_str();
  cmd->add_option("--max-host-connections", o.max_host_connections,
                  "Connections per host at once (0 = unlimited)")
      ->capture_default_str();
  cmd->add_option("--pool-connections", o.pool_connections,
                  "urllib3 per-host pools: no effect with one host")
      ->capture_default_str();
  cmd->add_option("--http-version", f.http_version, "1.1 | 2")
      ->capture_default_str();
  cmd->add_option("--keep-alive", o.keep_alive, "Reuse connections")
      ->capture_default_str();
  cmd->add_option("--compression", f.compression, "none | gzip | br")
      ->capture_default_str();
  cmd->add_option("--connect-timeout", o.connect_timeout_s, "Seconds")
      ->capture_default_str();
  cmd->add_option("--timeout", o.timeout_s, "Whole request, seconds (0 = none)")
      ->capture_default_str();
  cmd->add_option("--max-attempts", o.max_attempts, "Attempts per page")
      ->capture_default_str();
  cmd->add_option("--backoff-base", o.backoff_base_s, "Seconds")
      ->capture_default_str();
  cmd->add_option("--backoff-max", o.backoff_max_s, "Seconds")
      ->capture_default_str();
  cmd->add_option("--rng-seed", o.rng_seed, "Seeds the backoff jitter")
      ->capture_default_str();
  cmd->add_option("--user-agent", o.user_agent)->capture_default_str();
  cmd->add_option("--ca-file", o.ca_file, "CA bundle for https");
  cmd->add_option("--raw-json-dir", o.raw_json_dir,
                  "Seed: write and re-read every raw response here");
}

}  // namespace

void AddExtractCommand(CLI::App& app) {
  auto flags = std::make_shared<ExtractFlags>();
  ExtractFlags& f = *flags;
  CLI::App* cmd = app.add_subcommand(
      "extract", "Load a date range of EIA data completely and exactly once");
  cmd->add_option("--route", f.o.route, "e.g. electricity/rto/region-data")
      ->required();
  cmd->add_option("--facet", f.facets, "id=value[,value...] (repeatable)");
  cmd->add_option("--start", f.o.start, "YYYY-MM-DDTHH (inclusive)")
      ->required();
  cmd->add_option("--end", f.o.end, "YYYY-MM-DDTHH (inclusive)")->required();
  cmd->add_option("--frequency", f.o.frequency, "hourly | daily")
      ->capture_default_str();
  cmd->add_option("--out", f.out, "Output file (.sqlite, .jsonl, .csv)");
  cmd->add_option("--sink", f.sink, "sqlite | jsonl | csv | null");
  cmd->add_option("--base-url", f.o.base_url, "API base URL")
      ->capture_default_str();
  cmd->add_option("--api-key-file", f.api_key_file,
                  "File holding the key (else EIA_API_KEY)");
  cmd->add_flag("--key-in-header", f.key_in_header,
                "Send the key as X-Api-Key instead of api_key=");
  cmd->add_flag("--resume", f.o.resume, "Skip pages already saved");
  cmd->add_flag("--json", f.json, "One-line JSON summary on stdout");
  cmd->add_flag("--no-progress", f.no_progress, "No progress line");
  cmd->add_option("--time-scale", f.time_scale,
                  "Clock seconds per real second (for a time-scaled mock)")
      ->capture_default_str();
  cmd->add_option("--redis", f.redis,
                  "Plan into this Redis for `eiabench worker`s instead of "
                  "running here (with --job)");
  cmd->add_option("--job", f.job, "Scale-out job name (with --redis)");
  AddKnobs(cmd, f);
  cmd->callback([flags] { SetExit(RunExtract(*flags)); });
}

}  // namespace eiabench::app
