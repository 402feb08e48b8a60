#include "harness/experiment/runner.h"

#include <fmt/core.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "harness/client/curl_transport.h"
#include "harness/client/sinks.h"
#include "harness/common/exit_codes.h"
#include "harness/experiment/cell_options.h"
#include "harness/experiment/context.h"
#include "harness/experiment/result_file.h"
#include "harness/experiment/sim_transport.h"
#include "harness/scaleout/local_cluster.h"
#include "mock_server/server.h"

namespace eiabench::experiment {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr const char* kSimBaseUrl = "http://sim.invalid/v2";
constexpr const char* kLiveBaseUrl = "https://api.eia.gov/v2";
// The key sim and mock runs send: the mock accepts any non-empty key.
constexpr const char* kLocalKey = "eiabench-local";

// SIGINT/SIGTERM: stop the running extractor (async-signal-safe atomic
// stores only) and stop starting new repetitions.
std::atomic<bool> g_stop{false};
std::atomic<Extractor*> g_extractor{nullptr};

void OnRunSignal(int) {
  g_stop.store(true);
  if (Extractor* e = g_extractor.load()) e->RequestStop();
}

double RealSeconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

}  // namespace

// ---------------------------------------------------------------------------
// Model options and truth
// ---------------------------------------------------------------------------

mock::ModelOptions ModelOptionsFor(const Json& m, uint64_t seed) {
  mock::ModelOptions o;
  o.seed = seed;
  mock::LatencyProfileByName(m.value("profile", "instant"), &o.latency);
  if (m.contains("latency_base_s"))
    o.latency.base_ms = m["latency_base_s"].get<double>() * 1e3;
  if (m.contains("latency_per_row_us"))
    o.latency.per_row_us = m["latency_per_row_us"];
  if (m.contains("latency_jitter_s"))
    o.latency.jitter_mean_ms = m["latency_jitter_s"].get<double>() * 1e3;
  if (m.contains("new_connection_s"))
    o.latency.new_connection_ms = m["new_connection_s"].get<double>() * 1e3;
  if (m.contains("rate_limit_per_hour"))
    o.rate_limit.limit = m["rate_limit_per_hour"];
  if (m.contains("fault_rate")) {
    // One knob spread evenly over the six fault kinds.
    double each = m["fault_rate"].get<double>() / 6;
    o.faults = {each, each, each, each, each, each, o.faults.stall_s};
  }
  return o;
}

namespace {

// The `total` the model answers for one batch's first page: the exact row
// count of the batch, at the cost of a one-row page (the model counts rows
// without generating them). nullopt when the model refuses the query.
std::optional<uint64_t> ModelTotal(mock::EiaModel& model,
                                   const ExtractOptions& options,
                                   const PlannedBatch& batch) {
  mock::MockRequest request;
  request.method = "GET";
  SplitUrl(BuildPageUrl(options, batch, 0, 1), &request.path, &request.query);
  request.query += std::string("&api_key=") + kLocalKey;
  mock::MockResponse response = model.Handle(request, Nanos(0));
  if (response.status != 200) return std::nullopt;
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.contains("response")) return std::nullopt;
  const auto& total = body["response"].value("total", nlohmann::json());
  if (total.is_string()) return std::stoull(total.get<std::string>());
  if (total.is_number_unsigned()) return total.get<uint64_t>();
  return std::nullopt;
}

// Rows the model holds for `options`' whole range, read as the honest
// planner reads it (hour-exact bounds, a bare end date = the whole day).
std::optional<uint64_t> TruthRows(mock::EiaModel& model,
                                  ExtractOptions options) {
  options.days_per_batch = 100000;
  options.planning = PlanningMode::kDays;
  options.batch_end = BatchEnd::kExclusiveHour;
  PlanResult plan = MakePlan(options, 0);
  if (!plan.error.empty() || plan.plan.batches.size() != 1) return std::nullopt;
  return ModelTotal(model, options, plan.plan.batches[0]);
}

// Requests one pass will send: every planned batch's pages for the rows
// the model says it holds (the seed's date-only, unpaged plan: one GET per
// batch).
uint64_t PlannedRequests(mock::EiaModel& model, const ExtractOptions& options) {
  PlanResult plan = MakePlan(options, 5);
  if (!plan.error.empty()) return 0;
  uint64_t requests = 0;
  for (const PlannedBatch& b : plan.plan.batches)
    requests +=
        PagesForRows(ModelTotal(model, options, b).value_or(0), options);
  return requests;
}

bool BuildPlan(const Cell& cell, const Scenario& s, const std::string& target,
               CellPlan* plan, std::string* error) {
  plan->cell = cell;
  std::string base = target == "sim"    ? kSimBaseUrl
                     : target == "live" ? kLiveBaseUrl
                                        : "http://127.0.0.1:0/v2";
  if (!CellOptions(cell, base, &plan->options, error)) return false;
  plan->model = ModelOptionsFor(cell.mock, s.seed);
  plan->passes = cell.workload.value("passes", 1);
  mock::EiaModel model(plan->model);
  plan->rows_per_pass = TruthRows(model, plan->options);
  ExtractOptions history = plan->options;
  history.start = "2015-01-01T00";
  history.end = "2024-12-31T23";
  plan->full_history_rows = TruthRows(model, history);
  // Only a live plan needs its cost up front (one truth query per batch).
  if (target == "live")
    plan->requests_per_pass = PlannedRequests(model, plan->options);
  return true;
}

// ---------------------------------------------------------------------------
// Progress line
// ---------------------------------------------------------------------------

struct ProgressState {
  bool enabled = false;
  std::ostream* err = nullptr;
  SteadyClock::time_point run_start;
  SteadyClock::time_point last_print;
  size_t done = 0, total = 0;  // repetitions
  size_t cell = 0, cells = 0;
  int rep = 0, reps = 0;
  const Recorder* recorder = nullptr;
  RateLimit limit;
};

void PrintProgress(const Extractor::Progress& p, void* user) {
  auto* st = static_cast<ProgressState*>(user);
  if (!st || !st->enabled || !st->recorder) return;
  auto now = SteadyClock::now();
  if (now - st->last_print < std::chrono::milliseconds(200)) return;
  st->last_print = now;
  double real_s = RealSeconds(st->run_start);
  double virt_s = ToSeconds(p.now);
  double rate = virt_s > 0 ? static_cast<double>(p.rows) / virt_s : 0;
  int64_t in_window =
      st->recorder->SendsInWindow(p.now, FromSeconds(st->limit.window_s));
  double eta_s = st->done > 0 ? real_s / static_cast<double>(st->done) *
                                    static_cast<double>(st->total - st->done)
                              : 0;
  *st->err << fmt::format(
                  "\r\x1b[2Kcell {}/{} rep {}/{} | real {:.1f}s virt {:.1f}s "
                  "| {:.0f} rec/s | window {}/{} | ETA {:.0f}s",
                  st->cell + 1, st->cells, st->rep + 1, st->reps, real_s,
                  virt_s, rate, in_window, st->limit.limit, eta_s)
           << std::flush;
}

// ---------------------------------------------------------------------------
// One repetition
// ---------------------------------------------------------------------------

std::optional<int64_t> WindowFromStats(const nlohmann::json& stats,
                                       double window_s) {
  if (!stats.contains("windows")) return std::nullopt;
  for (const auto& w : stats["windows"]) {
    if (w.value("window_s", -1.0) == window_s)
      return w.value("max_requests_in_window", int64_t{0});
  }
  return std::nullopt;
}

std::vector<std::optional<int64_t>> ServerCounts(
    const nlohmann::json& stats, const std::vector<RateLimit>& limits) {
  std::vector<std::optional<int64_t>> out;
  for (const auto& l : limits)
    out.push_back(WindowFromStats(stats, l.window_s));
  return out;
}

// A scratch directory for the seed client's raw JSON round trip, removed
// when the repetition ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ =
        (fs::temp_directory_path() / "eiabench-raw-XXXXXX").string();
    if (mkdtemp(templ.data())) path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct PassResult {
  std::vector<ExtractSummary> summaries;
  bool interrupted = false;
};

// The seed fetched its two "data types" with one orchestrator, whose
// limiter spanned both; each pass here is a new Extractor with a new pacer.
// So before the next pass the runner keeps the gap the pacer would have
// kept after the last start: the delay (for the seed's limiter, measured
// from before its pre-request sleep, as the seed measured it) and the
// per-second cap. TODO: the GCRA state (requests_per_hour, burst) does not
// carry across passes; a multi-pass workload near the hourly limit should
// use one pass.
void WaitBetweenPasses(const ExtractOptions& o, Clock& clock,
                       Recorder& recorder) {
  if (recorder.send_times().empty()) return;
  double gap_s = o.delay_between_operations_s;
  if (o.max_operations_per_second > 0)
    gap_s = std::max(gap_s, 1.0 / o.max_operations_per_second);
  if (o.seed_limiter) gap_s -= o.pre_request_sleep_s;
  Nanos until = recorder.send_times().back() + FromSeconds(gap_s);
  Nanos now = clock.Now();
  if (until <= now) return;
  recorder.OnPacingWait(now, until);
  clock.SleepUntil(until);
}

PassResult RunPasses(const CellPlan& plan, ExtractOptions options,
                     Transport& transport, Clock& clock, Recorder& recorder,
                     const TargetEnv& env) {
  PassResult out;
  auto* progress = static_cast<ProgressState*>(env.progress);
  if (progress) progress->recorder = &recorder;
  for (int pass = 0; pass < plan.passes && !g_stop.load(); ++pass) {
    if (pass > 0) WaitBetweenPasses(options, clock, recorder);
    NullSink sink;
    Extractor extractor(options, transport, clock, sink, &recorder);
    if (progress && progress->enabled) {
      extractor.SetProgressCallback(
          &PrintProgress, progress,
          FromSeconds(env.kind == "sim" ? 60.0 : 0.5 * env.time_scale));
    }
    g_extractor.store(&extractor);
    if (g_stop.load()) extractor.RequestStop();
    out.summaries.push_back(extractor.Run());
    g_extractor.store(nullptr);
    if (out.summaries.back().exit_code == kExitInterrupted)
      out.interrupted = true;
    if (out.summaries.back().exit_code != kExitOk) break;
  }
  if (progress) progress->recorder = nullptr;
  out.interrupted = out.interrupted || g_stop.load();
  return out;
}

Recorder::Context MakeRecorderContext(const CellPlan& plan,
                                      const PassResult& passes,
                                      const TargetEnv& env) {
  Recorder::Context c;
  c.passes = passes.summaries;
  if (plan.rows_per_pass && env.kind != "live")
    c.expected_rows = *plan.rows_per_pass * plan.passes;
  c.full_history_rows = plan.full_history_rows;
  c.max_rows_per_request = 5000;
  c.limits = env.limits;
  c.max_concurrent_batches =
      plan.options.serial_requests ? 1 : plan.options.max_concurrent_batches;
  c.pre_request_sleep_s = plan.options.pre_request_sleep_s;
  c.virtual_time = env.kind == "sim";
  return c;
}

RepetitionOutcome Judge(const PassResult& passes, Recorder::Result result) {
  RepetitionOutcome out;
  out.result = std::move(result);
  out.interrupted = passes.interrupted;
  for (const ExtractSummary& s : passes.summaries) {
    if (s.exit_code == kExitOk) continue;
    out.status =
        s.exit_code == kExitInvalidRun || s.exit_code == kExitInterrupted
            ? "invalid"
            : "failed";
    out.reason = s.error;
    break;
  }
  if (passes.summaries.empty()) {
    out.status = "invalid";
    out.reason = "interrupted before the first request";
  }
  return out;
}

RepetitionOutcome RunSim(const CellPlan& plan, size_t cell, int rep,
                         const TargetEnv& env, ExtractOptions options) {
  mock::EiaModel model(plan.model);
  VirtualClock clock;
  SimTransport transport(
      model, clock,
      {options.pool_maxsize, options.keep_alive, options.timeout_s});
  Recorder recorder(env.events, cell, rep);
  PassResult passes = RunPasses(plan, options, transport, clock, recorder, env);
  Recorder::Context c = MakeRecorderContext(plan, passes, env);
  c.server_max_counts = ServerCounts(model.Stats(clock.Now()), env.limits);
  return Judge(passes, recorder.Finish(c));
}

std::optional<nlohmann::json> FetchMockStats(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  auto res = client.Get("/_mock/stats");
  if (!res || res->status != 200) return std::nullopt;
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

RepetitionOutcome RunMock(const CellPlan& plan, size_t cell, int rep,
                          const TargetEnv& env, ExtractOptions options) {
  mock::ServerOptions so;
  so.model = plan.model;
  so.time_scale = env.time_scale;
  mock::MockServer server(so);
  std::string error;
  RepetitionOutcome out;
  if (!server.Start("127.0.0.1", 0, &error)) {
    out.status = "failed";
    out.reason = "the mock did not start: " + error;
    return out;
  }
  options.base_url = server.base_url();
  ScaledClock clock(env.time_scale);
  Recorder recorder(env.events, cell, rep);
  PassResult passes;
  {
    auto transport = MakeCurlTransport(CurlOptionsFrom(options), clock, &error);
    if (!transport) {
      out.status = "failed";
      out.reason = "libcurl: " + error;
      return out;
    }
    passes = RunPasses(plan, options, *transport, clock, recorder, env);
  }  // the transport closes its connections before the server stops
  Recorder::Context c = MakeRecorderContext(plan, passes, env);
  if (auto stats = FetchMockStats(server.port()))
    c.server_max_counts = ServerCounts(*stats, env.limits);
  server.Stop();
  return Judge(passes, recorder.Finish(c));
}

RepetitionOutcome RunLive(const CellPlan& plan, size_t cell, int rep,
                          const TargetEnv& env, ExtractOptions options) {
  options.api_key = env.api_key;
  RealClock clock;
  Recorder recorder(env.events, cell, rep);
  std::string error;
  auto transport = MakeCurlTransport(CurlOptionsFrom(options), clock, &error);
  RepetitionOutcome out;
  if (!transport) {
    out.status = "failed";
    out.reason = "libcurl: " + error;
    return out;
  }
  PassResult passes =
      RunPasses(plan, options, *transport, clock, recorder, env);
  // The live API publishes no counter: the server view stays empty.
  return Judge(passes, recorder.Finish(MakeRecorderContext(plan, passes, env)));
}

// The `workers` axis: the cell's workload as one Redis job served by N
// local `eiabench worker` processes that share one rate budget (the cell's
// limits, enforced by the global limiter in a private redis-server). Their
// per-request events feed the same Recorder as a single-process run, so the
// metrics, compliance and the server's own count mean the same thing.
RepetitionOutcome RunWorkers(const CellPlan& plan, size_t cell, int rep,
                             const TargetEnv& env, ExtractOptions options,
                             int workers) {
  RepetitionOutcome out;
  if (env.kind != "mock") {
    out.status = "failed";
    out.reason = "workers > 1 needs the mock target (real processes)";
    return out;
  }
  mock::ServerOptions so;
  so.model = plan.model;
  so.time_scale = env.time_scale;
  mock::MockServer server(so);
  std::string error;
  if (!server.Start("127.0.0.1", 0, &error)) {
    out.status = "failed";
    out.reason = "the mock did not start: " + error;
    return out;
  }
  options.base_url = server.base_url();

  scaleout::LocalClusterOptions lo;
  lo.workers = workers;
  lo.spec = scaleout::JobSpecFromExtract(options);
  lo.spec.limiter.time_scale = env.time_scale;
  for (const RateLimit& l : env.limits) {
    scaleout::LimitWindow w;
    w.limit = static_cast<uint64_t>(l.limit);
    w.window =
        std::chrono::milliseconds(static_cast<int64_t>(l.window_s * 1000.0));
    lo.spec.limiter.windows.push_back(w);
  }
  lo.api_key = kLocalKey;
  scaleout::LocalClusterResult cluster = scaleout::RunLocalCluster(lo);

  Recorder recorder(env.events, cell, rep);
  for (const scaleout::ClusterEvent& e : cluster.events)
    recorder.OnRequest(e.event);
  // One summary stands for the whole cluster: its timed window runs from
  // the first worker's spawn to the last one's exit (process start-up and
  // Redis round trips included: that is the cost of scaling out).
  PassResult passes;
  ExtractSummary summary;
  summary.exit_code = cluster.exit_code;
  summary.error = cluster.error;
  summary.rows = cluster.records;
  summary.requests = cluster.requests;
  summary.retries = cluster.retries;
  summary.started_at = Nanos(0);
  summary.finished_at = FromSeconds(cluster.duration_s * env.time_scale);
  summary.duration_s = cluster.duration_s * env.time_scale;
  passes.summaries.push_back(summary);

  Recorder::Context c = MakeRecorderContext(plan, passes, env);
  c.max_concurrent_batches = workers;
  if (auto stats = FetchMockStats(server.port()))
    c.server_max_counts = ServerCounts(*stats, env.limits);
  server.Stop();
  return Judge(passes, recorder.Finish(c));
}

}  // namespace

RepetitionOutcome RunRepetition(const CellPlan& plan, size_t cell_index,
                                int rep, const TargetEnv& env) {
  ExtractOptions options = plan.options;
  options.api_key = kLocalKey;
  // Each repetition draws its own retry jitter, reproducibly.
  options.rng_seed = plan.model.seed * 1000003 + cell_index * 7919 + rep + 1;
  ScratchDir raw;
  if (plan.cell.settings.value("client_mode", "honest") == "seed")
    options.raw_json_dir = raw.path();
  int workers = plan.cell.settings.value("workers", 1);
  if (workers > 1)
    return RunWorkers(plan, cell_index, rep, env, options, workers);
  if (env.kind == "sim") return RunSim(plan, cell_index, rep, env, options);
  if (env.kind == "mock") return RunMock(plan, cell_index, rep, env, options);
  return RunLive(plan, cell_index, rep, env, options);
}

// ---------------------------------------------------------------------------
// The whole run
// ---------------------------------------------------------------------------

namespace {

struct RunState {
  Scenario scenario;
  std::string target;
  std::vector<CellPlan> plans;
  Json doc;
  std::string path;
};

int UsageError(std::ostream& err, const std::string& what) {
  err << "eiabench run: " << what << '\n';
  return kExitUsage;
}

// Loads the scenario and applies the command line; nullopt after printing
// the one-line error.
std::optional<Scenario> LoadWithOverrides(const RunRequest& req,
                                          std::ostream& err) {
  ScenarioError e;
  auto s = LoadScenario(req.scenario_path, &e);
  if (!s) {
    UsageError(err, req.scenario_path + ": " + e.ToString());
    return std::nullopt;
  }
  for (const std::string& set : req.sets) {
    if (!ApplyOverride(&*s, set, &e)) {
      UsageError(err, e.ToString());
      return std::nullopt;
    }
  }
  if (!ValidateScenario(*s, &e)) {
    UsageError(err, e.ToString());
    return std::nullopt;
  }
  if (req.repetitions > 0) s->repetitions = req.repetitions;
  if (req.target) s->target = *req.target;
  return s;
}

std::string UtcStamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

Json TargetJson(const RunState& st) {
  Json t;
  t["kind"] = st.target;
  t["base_url"] = st.target == "live"   ? Json(kLiveBaseUrl)
                  : st.target == "mock" ? Json("http://127.0.0.1:0/v2")
                                        : Json(nullptr);
  t["profile"] = st.scenario.mock.value("profile", "instant");
  t["limits"] = Json::array();
  for (const auto& l : st.scenario.limits)
    t["limits"].push_back({{"window_s", l.window_s}, {"limit", l.limit}});
  t["max_rows_per_request"] = 5000;
  return t;
}

std::string ClockMode(const RunState& st) {
  if (st.target == "sim") return "virtual";
  if (st.target == "mock" && st.scenario.time_scale != 1.0) return "scaled";
  return "real";
}

Json NewDocument(const RunState& st, const RunRequest& req) {
  Json doc;
  doc["schema_version"] = kSchemaVersion;
  doc["kind"] = "eiabench.run";
  doc["partial"] = true;
  ContextInput ci{ClockMode(st),
                  st.target == "mock" ? st.scenario.time_scale : 1.0,
                  st.scenario.seed, req.command_line};
  doc["context"] = MakeContext(ci);
  doc["scenario"] = st.scenario.ToJson();
  doc["scenario_hash"] = HashJson(doc["scenario"]);
  doc["target"] = TargetJson(st);
  doc["cells"] = Json::array();
  for (const CellPlan& p : st.plans) {
    Json c;
    c["index"] = p.cell.index;
    c["id"] = p.cell.id;
    c["params"] = p.cell.params;
    c["settings"] = OptionsToJson(p.options, p.cell);
    c["config_hash"] = HashJson(c["settings"]);
    c["repetitions"] = Json::array();
    c["aggregates"] = Json::object();
    c["compliant"] = true;
    doc["cells"].push_back(c);
  }
  return doc;
}

// Live: prints the whole plan's request cost and refuses a plan above the
// hourly budget (the first limit scaled to one hour) unless forced.
bool CheckLiveBudget(const RunState& st, const RunRequest& req,
                     std::ostream& err) {
  uint64_t per_rep = 0;
  for (const CellPlan& p : st.plans)
    per_rep += p.requests_per_pass * static_cast<uint64_t>(p.passes);
  uint64_t reps =
      static_cast<uint64_t>(st.scenario.repetitions + st.scenario.warmup);
  uint64_t total = per_rep * reps;
  const RateLimit& l = st.scenario.limits.front();
  double budget = static_cast<double>(l.limit) * 3600.0 / l.window_s;
  err << fmt::format(
      "eiabench run: live plan: {} cells x {} repetitions = about {} "
      "requests (budget {:.0f} per hour)\n",
      st.plans.size(), reps, total, budget);
  if (static_cast<double>(total) <= budget || req.force) return true;
  err << "eiabench run: the plan exceeds the hourly budget; refusing "
         "(use --force to run it anyway)\n";
  return false;
}

bool Done(const Json& cell, int rep) {
  for (const Json& r : cell["repetitions"])
    if (r["rep"] == rep) return true;
  return false;
}

void WarnIfScaledRunDistorted(const RunState& st, const Json& metrics,
                              std::ostream& err) {
  if (st.target != "mock" || st.scenario.time_scale <= 1.0) return;
  double duration = metrics.value("duration_s", 0.0);
  double other = metrics.value("time_other_s", 0.0);
  if (duration > 0 && other > 0.05 * duration)
    err << fmt::format(
        "\neiabench run: warning: at time scale {} the client's real "
        "overhead is {:.0f}% of the virtual duration; the scaled numbers "
        "overstate it (lower the scale)\n",
        st.scenario.time_scale, 100 * other / duration);
}

void Finalize(RunState* st, double wall_s, bool complete) {
  size_t reps = 0, invalid = 0, compliant_cells = 0;
  for (Json& c : st->doc["cells"]) {
    Json sorted = c["repetitions"];
    std::sort(sorted.begin(), sorted.end(),
              [](const Json& a, const Json& b) { return a["rep"] < b["rep"]; });
    c["repetitions"] = sorted;
    c["aggregates"] = AggregatesJson(c["repetitions"], st->scenario.seed);
    c["compliant"] = CellCompliant(c["repetitions"]);
    reps += c["repetitions"].size();
    for (const Json& r : c["repetitions"]) invalid += r["status"] != "ok";
    compliant_cells += c["compliant"].get<bool>();
  }
  if (complete) st->doc.erase("partial");
  st->doc["summary"] = {{"cells", st->doc["cells"].size()},
                        {"repetitions", reps},
                        {"compliant_cells", compliant_cells},
                        {"invalid_repetitions", invalid},
                        {"wall_time_s", wall_s}};
}

std::string MedianText(const Json& agg, const char* metric,
                       const char* format) {
  if (!agg.contains(metric)) return "-";
  return fmt::format(fmt::runtime(format), agg[metric]["median"].get<double>());
}

void PrintTable(const RunState& st, std::ostream& out) {
  out << fmt::format("\n{} on {} ({} cells)\n", st.scenario.name, st.target,
                     st.doc["cells"].size());
  out << fmt::format(
      "{:<46} {:>4} {:>7} {:>5} {:>9} {:>6} {:>6} {:>4} "
      "{:>11} {:>5} {:<11}\n",
      "cell", "reps", "records", "reqs", "records/s", "req/s", "compl", "peak",
      "max/window", "ok", "bound by");
  for (const Json& c : st.doc["cells"]) {
    const Json& a = c["aggregates"];
    std::string window = "-";
    std::string bound = "-";
    if (!c["repetitions"].empty()) {
      const Json& r0 = c["repetitions"][0];
      if (!r0["compliance"].empty())
        window = fmt::format("{}/{}",
                             r0["compliance"][0]["max_count"].get<int64_t>(),
                             r0["compliance"][0]["limit"].get<int64_t>());
      bound = r0["bound_by"];
    }
    std::string id = c["id"];
    if (id.size() > 46) id = id.substr(0, 43) + "...";
    out << fmt::format(
        "{:<46} {:>4} {:>7} {:>5} {:>9} {:>6} {:>6} {:>4} {:>11} {:>5} "
        "{:<11}\n",
        id, c["repetitions"].size(), MedianText(a, "records", "{:.0f}"),
        MedianText(a, "requests", "{:.0f}"),
        MedianText(a, "records_per_s", "{:.1f}"),
        MedianText(a, "requests_per_s", "{:.3f}"),
        MedianText(a, "completeness", "{:.3f}"),
        MedianText(a, "peak_in_flight", "{:.0f}"), window,
        c["compliant"].get<bool>() ? "yes" : "NO", bound);
  }
}

int ExitCodeOf(const RunState& st, bool interrupted) {
  if (interrupted) return kExitInterrupted;
  bool violation = false, invalid = false;
  for (const Json& c : st.doc["cells"]) {
    violation |= !c["compliant"].get<bool>();
    for (const Json& r : c["repetitions"]) invalid |= r["status"] != "ok";
  }
  if (violation && st.scenario.require_compliance)
    return kExitComplianceViolation;
  if (invalid) return kExitInvalidRun;
  return kExitOk;
}

// Prepares plans, the document and its path; an exit code when it fails.
std::optional<int> Prepare(const RunRequest& req, RunState* st,
                           std::ostream& err) {
  for (const Cell& cell : ExpandMatrix(st->scenario)) {
    CellPlan plan;
    std::string error;
    if (!BuildPlan(cell, st->scenario, st->target, &plan, &error))
      return UsageError(err, fmt::format("{}: cell \"{}\": {}",
                                         req.scenario_path, cell.id, error));
    st->plans.push_back(std::move(plan));
  }
  st->doc = NewDocument(*st, req);
  if (req.resume) {
    auto partial = FindPartialRun(req.out_dir, st->scenario.name, st->target,
                                  st->doc["scenario_hash"]);
    if (!partial)
      return UsageError(err, "--resume: no partial run of " +
                                 st->scenario.name + " on " + st->target +
                                 " in " + req.out_dir);
    st->path = partial->first;
    st->doc["cells"] = partial->second["cells"];
    err << "eiabench run: resuming " << st->path << '\n';
  } else {
    st->path =
        (fs::path(req.out_dir) / fmt::format("{}-{}-{}.json", st->scenario.name,
                                             st->target, UtcStamp()))
            .string();
  }
  return std::nullopt;
}

}  // namespace

int RunScenario(const RunRequest& req, std::ostream& out, std::ostream& err) {
  RunState st;
  auto scenario = LoadWithOverrides(req, err);
  if (!scenario) return kExitUsage;
  st.scenario = std::move(*scenario);
  st.target = st.scenario.target;
  TargetEnv env;
  env.kind = st.target;
  env.time_scale = st.target == "mock" ? st.scenario.time_scale : 1.0;
  env.limits = st.scenario.limits;
  if (st.target == "live") {
    const char* key = std::getenv("EIA_API_KEY");
    if (!key || !*key)
      return UsageError(err, "--target live needs EIA_API_KEY to be set");
    env.api_key = key;
  }
  if (auto code = Prepare(req, &st, err)) return *code;
  if (st.target == "live" && !CheckLiveBudget(st, req, err)) return kExitUsage;

  std::error_code mkdir_error;
  fs::create_directories(req.out_dir, mkdir_error);
  std::ofstream events;
  if (req.events) {
    std::string path = st.path.substr(0, st.path.size() - 5) + ".events.ndjson";
    events.open(path, std::ios::app);
    if (!events) {
      err << "eiabench run: cannot write " << path << '\n';
      return kExitEnvironment;
    }
    env.events = &events;
  }
  std::string error;
  if (!WriteJsonFile(st.path, st.doc, &error)) {
    err << "eiabench run: " << error << '\n';
    return kExitEnvironment;
  }

  ProgressState progress;
  progress.enabled = req.progress;
  progress.err = &err;
  progress.run_start = SteadyClock::now();
  progress.cells = st.plans.size();
  progress.reps = st.scenario.repetitions;
  progress.limit = st.scenario.limits.front();
  env.progress = &progress;

  g_stop.store(false);
  auto old_int = std::signal(SIGINT, OnRunSignal);
  auto old_term = std::signal(SIGTERM, OnRunSignal);
  auto order = ExecutionOrder(st.scenario, st.plans.size());
  progress.total = order.size();
  std::vector<int> warmed(st.plans.size(), 0);
  bool interrupted = false;
  for (const auto& [cell, rep] : order) {
    if (g_stop.load()) {
      interrupted = true;
      break;
    }
    Json& cell_doc = st.doc["cells"][cell];
    if (Done(cell_doc, rep)) {
      ++progress.done;
      continue;
    }
    progress.cell = cell;
    progress.rep = rep;
    // Warm-up repetitions run first and are discarded.
    for (; warmed[cell] < st.scenario.warmup && !g_stop.load(); ++warmed[cell])
      RunRepetition(st.plans[cell], cell, -1 - warmed[cell], env);
    RepetitionOutcome outcome = RunRepetition(st.plans[cell], cell, rep, env);
    if (outcome.interrupted) {
      interrupted = true;
      break;
    }
    WarnIfScaledRunDistorted(st, outcome.result.metrics, err);
    cell_doc["repetitions"].push_back(
        RepetitionJson(rep, outcome.status, outcome.reason, outcome.result));
    ++progress.done;
    Finalize(&st, RealSeconds(progress.run_start), false);
    if (!WriteJsonFile(st.path, st.doc, &error)) {
      err << "\neiabench run: " << error << '\n';
      std::signal(SIGINT, old_int);
      std::signal(SIGTERM, old_term);
      return kExitEnvironment;
    }
  }
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (progress.enabled) err << "\r\x1b[2K" << std::flush;

  Finalize(&st, RealSeconds(progress.run_start), !interrupted);
  if (!WriteJsonFile(st.path, st.doc, &error)) {
    err << "eiabench run: " << error << '\n';
    return kExitEnvironment;
  }
  PrintTable(st, out);
  out << "\nresult: " << st.path << '\n';
  if (interrupted)
    err << "eiabench run: interrupted; finished repetitions are saved, "
           "continue with --resume\n";
  if (req.result_path) *req.result_path = st.path;
  return ExitCodeOf(st, interrupted);
}

}  // namespace eiabench::experiment
