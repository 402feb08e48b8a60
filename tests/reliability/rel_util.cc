#include "tests/reliability/rel_util.h"

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
#include <sstream>

#include "harness/client/curl_transport.h"

extern char** environ;

namespace eiabench::reliability {
namespace fs = std::filesystem;

LiveMock::LiveMock(mock::ServerOptions options) : server_(std::move(options)) {
  std::string error;
  REQUIRE(server_.Start("127.0.0.1", 0, &error));
}

LiveMock::~LiveMock() { server_.Stop(); }

mock::ServerOptions SmallMockOptions(uint64_t seed) {
  mock::ServerOptions o;
  o.model.seed = seed;
  // Stalled handlers hold a thread each until the stall ends; 32 threads
  // keep a 20 % stall rate from starving the healthy requests.
  o.threads = 32;
  o.keep_alive_timeout_s = 30;  // no idle close racing a reuse
  return o;
}

ExtractOptions SmallJob(const std::string& base_url) {
  ExtractOptions o;
  o.base_url = base_url;
  o.route = "electricity/rto/region-data";
  o.facets = {{"respondent", {"PJM"}}, {"type", {"D", "NG"}}};
  o.start = "2024-01-01T00";
  o.end = "2024-01-25T23";  // 600 hours x 2 series
  o.days_per_batch = 5;
  o.request_length = 6;
  o.api_key = kFakeKey;
  o.max_attempts = 30;
  o.backoff_base_s = 0.001;
  o.backoff_max_s = 0.01;
  o.timeout_s = 5;
  return o;
}

mock::EiaModel::Truth TruthOf(mock::MockServer& server,
                              const ExtractOptions& options) {
  PlannedBatch whole;
  whole.start_param = options.start;
  whole.end_param = options.end;
  std::string url = BuildPageUrl(options, whole, 0, 1);
  size_t path_at = url.find("/v2/");
  size_t query_at = url.find('?');
  mock::MockRequest request;
  request.method = "GET";
  request.path = url.substr(path_at, query_at - path_at);
  request.query = url.substr(query_at + 1);
  return server.model().ComputeTruth(request);
}

ExtractSummary RunExtract(const ExtractOptions& options, RowSink& sink) {
  RealClock clock;
  std::string error;
  auto transport = MakeCurlTransport(CurlOptionsFrom(options), clock, &error);
  REQUIRE(transport);
  return Extractor(options, *transport, clock, sink, nullptr).Run();
}

int64_t MockStatusCount(mock::MockServer& server, int status) {
  auto stats = server.model().Stats(server.ModelNow());
  int64_t n = 0;
  for (auto& [route, statuses] : stats["by_route"].items()) {
    auto it = statuses.find(std::to_string(status));
    if (it != statuses.end()) n += it->get<int64_t>();
  }
  return n;
}

int64_t MockFaultCount(mock::MockServer& server, const std::string& name) {
  auto stats = server.model().Stats(server.ModelNow());
  auto it = stats["faults"].find(name);
  return it == stats["faults"].end() ? 0 : it->get<int64_t>();
}

int64_t MockDataRequests(mock::MockServer& server) {
  auto stats = server.model().Stats(server.ModelNow());
  int64_t n = 0;
  for (auto& [route, statuses] : stats["by_route"].items())
    for (auto& [status, count] : statuses.items()) n += count.get<int64_t>();
  return n;
}

std::string FreshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() /
                 ("eiabench-rel-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteAll(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

pid_t SpawnEiabench(const std::vector<std::string>& args,
                    const std::string& out_path, const std::string& err_path) {
  std::string binary = std::string(EIABENCH_BINARY_DIR) + "/eiabench";
  std::vector<std::string> owned = args;
  std::vector<char*> argv = {binary.data()};
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(),
                       environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunEiabench(const std::vector<std::string>& args,
                const std::string& out_path, const std::string& err_path) {
  return WaitExit(SpawnEiabench(args, out_path, err_path));
}

std::pair<uint64_t, std::string> SqliteTruth(const std::string& path,
                                             const std::string& table) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  std::string sql = "SELECT * FROM " + table;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) ==
          SQLITE_OK);
  uint64_t rows = 0, sum = 0;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    // XXH3-64 over "column=value;" in table column order, which is the
    // response's field order.
    std::string canonical;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const unsigned char* text = sqlite3_column_text(statement, i);
      canonical += sqlite3_column_name(statement, i);
      canonical += '=';
      canonical += text ? reinterpret_cast<const char*>(text) : "null";
      canonical += ';';
    }
    uint64_t hash = XXH3_64bits(canonical.data(), canonical.size());
    sum += hash;
    ++rows;
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return {rows, ChecksumHex(sum)};
}

std::vector<std::string> ExtractArgs(const ExtractOptions& o,
                                     const std::string& out) {
  std::vector<std::string> args = {"extract", "--route", o.route};
  for (const auto& [facet, values] : o.facets) {
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
    args.insert(args.end(), {"--facet", facet + "=" + joined});
  }
  args.insert(args.end(),
              {"--start", o.start, "--end", o.end, "--days-per-batch",
               std::to_string(o.days_per_batch), "--request-length",
               std::to_string(o.request_length), "--base-url", o.base_url,
               "--out", out, "--json", "--no-progress"});
  return args;
}

}  // namespace eiabench::reliability
