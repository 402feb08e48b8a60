// End-to-end: the extractor over real HTTP (CurlTransport, 127.0.0.1,
// ephemeral ports) against the mock server, checked against the mock's truth
// checksum, which the mock computes independently of the client.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "harness/client/curl_transport.h"
#include "harness/client/extractor.h"
#include "harness/client/sinks.h"
#include "harness/common/exit_codes.h"
#include "mock_server/server.h"

extern char** environ;

using namespace eiabench;
namespace fs = std::filesystem;

namespace {

constexpr char kKey[] = "e2eSECRETkey0123456789abcdefghijklmnopqr";

struct Recorder : ExtractObserver {
  std::vector<RequestEvent> events;
  void OnRequest(const RequestEvent& e) override { events.push_back(e); }
};

// A started mock, always stopped by the destructor.
struct Mock {
  mock::MockServer server;
  explicit Mock(mock::ServerOptions o) : server(std::move(o)) {
    std::string error;
    REQUIRE(server.Start("127.0.0.1", 0, &error));
  }
  ~Mock() { server.Stop(); }
};

mock::ServerOptions MockOptions() {
  mock::ServerOptions o;
  o.threads = 8;
  o.keep_alive_timeout_s = 30;  // no idle close racing a reuse
  return o;
}

ExtractOptions Options(const Mock& m) {
  ExtractOptions o;
  o.base_url = m.server.base_url();
  o.route = "electricity/rto/region-data";
  o.facets = {{"respondent", {"PJM", "MISO"}}, {"type", {"D", "NG"}}};
  o.start = "2024-01-01T00";
  o.end = "2024-02-29T23";  // 1440 hours x 4 series = 5760 rows
  o.days_per_batch = 10;
  o.request_length = 700;
  o.api_key = kKey;
  o.backoff_base_s = 0.01;
  o.backoff_max_s = 0.05;
  o.timeout_s = 10;
  return o;
}

mock::EiaModel::Truth Truth(Mock& m, const ExtractOptions& o) {
  PlanResult plan = MakePlan(o, 1);
  std::string url = BuildPageUrl(o, plan.plan.batches[0], 0, 1);
  // Same facets, whole range: replace the batch bounds with the range's.
  ExtractOptions whole = o;
  PlannedBatch all = plan.plan.batches[0];
  all.start_param = o.start;
  all.end_param = o.end;
  url = BuildPageUrl(whole, all, 0, 1);
  mock::MockRequest req;
  req.method = "GET";
  size_t q = url.find('?');
  req.path = url.substr(url.find("/v2/"), q - url.find("/v2/"));
  req.query = url.substr(q + 1);
  return m.server.model().ComputeTruth(req);
}

ExtractSummary Extract(const ExtractOptions& o, RowSink& sink,
                       Recorder* rec = nullptr, double scale = 1.0) {
  ScaledClock clock(scale);
  std::string error;
  auto transport = MakeCurlTransport(CurlOptionsFrom(o), clock, &error);
  REQUIRE(transport);
  return Extractor(o, *transport, clock, sink, rec).Run();
}

std::string TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() /
                 ("eiabench-e2e-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// Rows and checksum of a SQLite table, recomputed from its columns (table
// column order = response field order).
std::pair<uint64_t, std::string> DbTruth(const std::string& path,
                                         const std::string& table) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string sql = "SELECT * FROM " + table;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  uint64_t rows = 0, sum = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string canonical;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      auto* text = sqlite3_column_text(st, i);
      canonical += sqlite3_column_name(st, i);
      canonical += '=';
      canonical += text ? reinterpret_cast<const char*>(text) : "null";
      canonical += ';';
    }
    sum += XXH3_64bits(canonical.data(), canonical.size());
    ++rows;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return {rows, ChecksumHex(sum)};
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `eiabench` with `args`, stdout/stderr to files; returns the pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out,
            const std::string& err) {
  std::string binary = std::string(EIABENCH_BINARY_DIR) + "/eiabench";
  std::vector<char*> argv;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(),
                       environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> CliArgs(const ExtractOptions& o,
                                 const std::string& out) {
  return {"extract",
          "--route",
          o.route,
          "--facet",
          "respondent=PJM,MISO",
          "--facet",
          "type=D,NG",
          "--start",
          o.start,
          "--end",
          o.end,
          "--days-per-batch",
          std::to_string(o.days_per_batch),
          "--request-length",
          std::to_string(o.request_length),
          "--max-concurrent-batches",
          "2",
          "--base-url",
          o.base_url,
          "--out",
          out,
          "--json"};
}

}  // namespace

TEST_CASE("an extraction needing many pages matches the mock's truth",
          "[client][e2e]") {
  Mock m(MockOptions());
  ExtractOptions o = Options(m);
  o.max_concurrent_batches = 3;
  std::string path = TempDir("many") + "/out.sqlite";
  auto sink = MakeSink(SinkKind::kSqlite, path);
  Recorder rec;
  ExtractSummary s = Extract(o, *sink, &rec);
  std::string error;
  REQUIRE(sink->Close(&error));
  auto truth = Truth(m, o);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.rows == truth.rows);
  CHECK(s.checksum_hex == truth.checksum);
  CHECK(s.pages_ok > s.batches);  // batches needed several pages
  auto db = DbTruth(path, "electricity_rto_region_data");
  CHECK(db.first == truth.rows);
  CHECK(db.second == truth.checksum);
  CHECK(s.connections_opened <= 3);  // reused across requests
}

TEST_CASE("every retry class recovers under fault injection", "[client][e2e]") {
  mock::ServerOptions mo = MockOptions();
  mo.model.seed = 11;
  mo.model.faults.server_error = 0.08;
  mo.model.faults.unavailable = 0.06;
  mo.model.faults.reset = 0.08;
  mo.model.faults.truncated = 0.08;
  mo.model.faults.malformed_json = 0.08;
  Mock m(mo);
  ExtractOptions o = Options(m);
  o.request_length = 300;  // ~20 pages
  o.max_attempts = 20;
  NullSink sink;
  ExtractSummary s = Extract(o, sink);
  auto truth = Truth(m, o);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.checksum_hex == truth.checksum);
  CHECK(s.rows == truth.rows);
  CHECK(s.http_5xx > 0);
  CHECK(s.transport_errors > 0);
  CHECK(s.bad_bodies > 0);
  CHECK(s.retries == s.requests - s.pages_ok);
}

TEST_CASE("a timed-out request is retried", "[client][e2e]") {
  mock::ServerOptions mo = MockOptions();
  mo.model.seed = 5;
  mo.model.faults.stall = 0.4;
  mo.model.faults.stall_s = 5;
  Mock m(mo);
  ExtractOptions o = Options(m);
  o.end = "2024-01-10T23";
  o.request_length = 100;  // 10 pages
  o.timeout_s = 0.3;
  o.max_attempts = 30;
  NullSink sink;
  ExtractSummary s = Extract(o, sink);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.transport_errors > 0);
  CHECK(s.checksum_hex == Truth(m, o).checksum);
}

TEST_CASE("the mock's 429 Retry-After is honoured", "[client][e2e]") {
  mock::ServerOptions mo = MockOptions();
  // Ten quick requests against 3 per second: the fourth is refused even
  // on a loaded machine.
  mo.model.rate_limit.limit = 3;
  mo.model.rate_limit.window_s = 1;
  mo.model.rate_limit.headers = true;
  Mock m(mo);
  ExtractOptions o = Options(m);
  o.end = "2024-01-10T23";
  o.request_length = 100;  // 960 rows: 10 pages
  o.max_attempts = 20;
  NullSink sink;
  Recorder rec;
  ExtractSummary s = Extract(o, sink, &rec);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.http_429 > 0);
  CHECK(s.checksum_hex == Truth(m, o).checksum);
  for (size_t i = 0; i + 1 < rec.events.size(); ++i) {
    const RequestEvent& e = rec.events[i];
    if (e.outcome != Outcome::kRateLimited || e.retry_after_s < 0) continue;
    for (size_t j = i + 1; j < rec.events.size(); ++j) {
      if (rec.events[j].page_id != e.page_id) continue;
      CHECK(rec.events[j].started_at - e.finished_at >=
            FromSeconds(e.retry_after_s) - std::chrono::milliseconds(1));
      break;
    }
  }
}

TEST_CASE("a bad key stops the run with exit 6 naming the cause",
          "[client][e2e]") {
  mock::ServerOptions mo = MockOptions();
  mo.model.api_keys = {"the-only-good-key"};
  Mock m(mo);
  ExtractOptions o = Options(m);
  NullSink sink;
  ExtractSummary s = Extract(o, sink);
  CHECK(s.exit_code == kExitApiRejected);
  CHECK(s.error.find("403") != std::string::npos);
  CHECK(s.error.find("API_KEY_INVALID") != std::string::npos);
  CHECK(s.error.find(kKey) == std::string::npos);
  CHECK(s.requests == 1);
}

TEST_CASE("the client's limiter keeps the server's sliding hour in bounds",
          "[client][e2e]") {
  // One real second is one hour on both sides.
  mock::ServerOptions mo = MockOptions();
  mo.time_scale = 3600;
  mo.model.rate_limit.limit = 40;
  Mock m(mo);
  ExtractOptions o = Options(m);
  o.end = "2024-01-15T23";  // 1440 rows at 25 per page: 58 requests
  o.request_length = 25;
  o.max_concurrent_batches = 4;
  o.burst = 4;
  o.requests_per_hour = 30;  // GCRA bound: 33 per sliding hour
  o.timeout_s = 36000;       // 10 real seconds
  o.connect_timeout_s = 36000;
  NullSink sink;
  ExtractSummary s = Extract(o, sink, nullptr, 3600);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.http_429 == 0);
  auto stats = m.server.model().Stats(m.server.ModelNow());
  CHECK(stats["windows"][0]["max_requests_in_window"].get<int64_t>() <= 40);
  CHECK(s.checksum_hex == Truth(m, o).checksum);
}

TEST_CASE("fill planning asks for full 5000-row pages", "[client][e2e]") {
  Mock m(MockOptions());
  ExtractOptions o = Options(m);
  o.route = "electricity/rto/fuel-type-data";
  o.facets = {{"respondent", {"PACW"}}};
  o.start = "2024-01-01T00";
  o.end = "2024-05-31T23";  // 3648 hours x 5 fuels
  o.planning = PlanningMode::kFill;
  o.request_length = 5000;
  NullSink sink;
  Recorder rec;
  ExtractSummary s = Extract(o, sink, &rec);
  CHECK(s.exit_code == kExitOk);
  REQUIRE(rec.events.size() == 5);  // the probe, then 4 pages
  for (size_t i = 1; i + 1 < rec.events.size(); ++i)
    CHECK(rec.events[i].rows == 5000);
  CHECK(s.checksum_hex == Truth(m, o).checksum);
}

TEST_CASE("resume after kill -9 finishes with every row exactly once",
          "[client][e2e]") {
  mock::ServerOptions mo = MockOptions();
  mo.model.latency.base_ms = 15;
  Mock m(mo);
  ExtractOptions o = Options(m);
  o.request_length = 150;  // ~40 requests of >= 15 ms
  ::setenv("EIA_API_KEY", kKey, 1);
  std::mt19937 rng(42);
  for (const char* ext : {".sqlite", ".jsonl"}) {
    std::string dir = TempDir(std::string("kill") + ext);
    std::string out = dir + "/out" + ext;
    auto args = CliArgs(o, out);
    std::string log_out = dir + "/stdout", log_err = dir + "/stderr";
    int resumes = 0;
    int rc = -1;
    // Kill at random points, resuming each time, until a run completes.
    for (int round = 0; round < 8 && rc != 0; ++round) {
      auto a = args;
      if (round > 0) a.push_back("--resume");
      pid_t pid = Spawn(a, log_out, log_err);
      if (round < 3) {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(50 + rng() % 250));
        ::kill(pid, SIGKILL);
      }
      rc = Wait(pid);
      resumes += round > 0;
    }
    INFO(Slurp(log_err));
    REQUIRE(rc == 0);
    auto truth = Truth(m, o);
    if (std::string(ext) == ".sqlite") {
      auto db = DbTruth(out, "electricity_rto_region_data");
      CHECK(db.first == truth.rows);
      CHECK(db.second == truth.checksum);
    } else {
      std::ifstream in(out);
      uint64_t lines = 0;
      for (std::string line; std::getline(in, line);) ++lines;
      CHECK(lines == truth.rows);
    }
    // The last run's summary covers the whole output.
    std::string summary = Slurp(log_out);
    summary = summary.substr(summary.rfind("{\"exit_code\""));
    CHECK(summary.find("\"checksum\":\"" + truth.checksum + "\"") !=
          std::string::npos);
    CHECK(resumes >= 1);
  }
}

TEST_CASE("the API key appears in no output, log, error or file",
          "[client][e2e]") {
  Mock m(MockOptions());
  ExtractOptions o = Options(m);
  o.end = "2024-01-05T23";
  std::string dir = TempDir("secret");
  ::setenv("EIA_API_KEY", kKey, 1);
  auto args = CliArgs(o, dir + "/out.jsonl");
  args.push_back("--raw-json-dir");
  args.push_back(dir + "/raw");
  CHECK(Wait(Spawn(args, dir + "/stdout", dir + "/stderr")) == 0);
  // A refused key and an unreachable target must not echo it either.
  Mock strict([] {
    mock::ServerOptions so = MockOptions();
    so.model.api_keys = {"another"};
    return so;
  }());
  args = CliArgs(o, dir + "/refused.jsonl");
  args[std::find(args.begin(), args.end(), "--base-url") - args.begin() + 1] =
      strict.server.base_url();
  CHECK(Wait(Spawn(args, dir + "/stdout", dir + "/stderr")) ==
        kExitApiRejected);
  args[std::find(args.begin(), args.end(), "--base-url") - args.begin() + 1] =
      "http://127.0.0.1:1/v2";
  args.push_back("--max-attempts");
  args.push_back("1");
  CHECK(Wait(Spawn(args, dir + "/stdout", dir + "/stderr")) ==
        kExitEnvironment);
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    INFO(entry.path());
    CHECK(Slurp(entry.path().string()).find(kKey) == std::string::npos);
  }
  CHECK(files > 5);
  CHECK(Slurp(dir + "/stderr").find("API_KEY_INVALID") != std::string::npos);
}
