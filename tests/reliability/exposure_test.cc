// Hanging servers, key secrecy and network exposure.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness/client/sinks.h"
#include "harness/common/exit_codes.h"
#include "tests/reliability/rel_util.h"

using namespace eiabench;
using namespace eiabench::reliability;
namespace fs = std::filesystem;

namespace {

// Resident set size of this process in kB (/proc/self/status VmRSS).
long RssKb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

// A listener that accepts every connection and never writes a byte. It
// keeps the sockets and reports, when stopped, how many the client closed.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~SilentServer() {
    Stop();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  // Stops accepting; idempotent. Counts below are read after it.
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v2";
  }
  // Accepted connections the peer has closed (read returns 0 or an error).
  int ClosedByPeer() const {
    int closed = 0;
    for (int c : clients_) {
      char byte;
      pollfd p{c, POLLIN, 0};
      // Drain the request bytes, then look for end of stream.
      while (::poll(&p, 1, 0) > 0) {
        ssize_t n = ::recv(c, &byte, 1, MSG_DONTWAIT);
        if (n <= 0) {
          ++closed;
          break;
        }
      }
    }
    return closed;
  }
  int accepted() const { return static_cast<int>(clients_.size()); }

 private:
  void Loop() {
    // Bounded by stop_: polls every 20 ms.
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c >= 0) clients_.push_back(c);
      }
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<int> clients_;  // read after the thread joined
};

}  // namespace

TEST_CASE("a server that accepts and never answers gives clean timeouts",
          "[reliability][load]") {
  long rss_before = RssKb();
  SilentServer server;
  ExtractOptions o = SmallJob(server.base_url());
  o.end = "2024-01-20T23";  // 4 batches
  o.max_concurrent_batches = 4;
  o.timeout_s = 0.3;
  o.max_attempts = 3;
  NullSink sink;
  ExtractSummary s = RunExtract(o, sink);  // the transport is gone after it
  server.Stop();
  long rss_after = RssKb();
  INFO(s.error);
  CHECK(s.exit_code == kExitInvalidRun);
  CHECK(s.rows == 0);
  CHECK(s.batches_failed == 4);
  CHECK(s.requests == 12);  // 4 first pages x 3 attempts, nothing more
  CHECK(s.transport_errors == s.requests);
  CHECK(s.error.find("failed after all retries") != std::string::npos);
  // Bounded memory: 12 hung requests must not grow the process by much.
  CHECK(rss_after - rss_before < 32 * 1024);
  // Every connection the client opened, it closed again: no leaked sockets.
  CHECK(server.accepted() > 0);
  CHECK(server.ClosedByPeer() == server.accepted());
  WARN("silent server: " << s.requests << " requests timed out cleanly, RSS "
                         << rss_before << " -> " << rss_after << " kB");
}

namespace {

// Every regular file under `dir` that contains `needle`.
std::vector<std::string> FilesContaining(const std::string& dir,
                                         const std::string& needle,
                                         int* files) {
  std::vector<std::string> hits;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++*files;
    if (ReadAll(entry.path().string()).find(needle) != std::string::npos)
      hits.push_back(entry.path().string());
  }
  return hits;
}

constexpr char kSecretSweep[] = R"({
  "name": "secret-sweep",
  "description": "reliability: artefacts of a run must not hold the key",
  "target": "mock",
  "workload": {"route": "electricity/rto/fuel-type-data",
               "respondents": ["PACW"], "start": "2024-01-01",
               "end": "2024-01-02", "passes": 1},
  "mock": {"profile": "instant", "fault_rate": 0.1},
  "settings": {"days_per_batch": 1, "request_length": 30, "max_attempts": 20,
               "backoff_base_s": 0.001, "backoff_max_s": 0.01,
               "timeout_s": 0.5},
  "matrix": {"axes": {"max_concurrent_batches": [1, 2]}},
  "limits": [{"window_s": 3600, "limit": 5000}],
  "repetitions": 1,
  "seed": 3
})";

}  // namespace

TEST_CASE("no artefact of extract or run contains the API key",
          "[reliability][secrets]") {
  std::string dir = FreshDir("secrets");
  std::string key_dir = FreshDir("secrets-keyfile");  // not an artefact
  WriteAll(key_dir + "/key", std::string(kFakeKey) + "\n");
  ::setenv("EIA_API_KEY", kFakeKey, 1);
  mock::ServerOptions mo = SmallMockOptions(4);
  mo.model.faults.server_error = 0.05;
  mo.model.faults.reset = 0.05;
  mo.model.faults.malformed_json = 0.05;
  LiveMock m(mo);
  ExtractOptions o = SmallJob(m.base_url());
  o.end = "2024-01-05T23";
  o.request_length = 24;
  std::string log_out = dir + "/stdout", log_err = dir + "/stderr";
  int runs = 0;
  auto extract = [&](std::vector<std::string> args, int want) {
    args.insert(args.end(), {"--max-attempts", "20", "--backoff-base", "0.001",
                             "--backoff-max", "0.01"});
    CHECK(RunEiabench(args, log_out, log_err) == want);
    ++runs;
  };
  // Every sink, the seed's raw file round trip, the key in the query and
  // in a header, from the environment and from a file.
  for (const char* ext : {".sqlite", ".jsonl", ".csv"})
    extract(ExtractArgs(o, dir + "/out" + ext), kExitOk);
  auto args = ExtractArgs(o, dir + "/raw.jsonl");
  args.insert(args.end(), {"--raw-json-dir", dir + "/raw", "--key-in-header",
                           "--api-key-file", key_dir + "/key"});
  extract(args, kExitOk);
  // A resumed run, a refused key and an unreachable target.
  args = ExtractArgs(o, dir + "/out.sqlite");
  args.push_back("--resume");
  extract(args, kExitOk);
  {
    mock::ServerOptions strict = SmallMockOptions(4);
    strict.model.api_keys = {"some-other-key"};
    LiveMock refusing(strict);
    ExtractOptions r = o;
    r.base_url = refusing.base_url();
    extract(ExtractArgs(r, dir + "/refused.sqlite"), kExitApiRejected);
  }
  ExtractOptions dead = o;
  dead.base_url = "http://127.0.0.1:1/v2";
  extract(ExtractArgs(dead, dir + "/dead.jsonl"), kExitEnvironment);
  // The key reached the mock (so the search below means something).
  CHECK(m.server().model().Stats(m.server().ModelNow())["keys"] == 1);

  // A sweep on the in-process mock with an event log, and a live plan the
  // budget refuses before any request.
  std::string scenario = dir + "/sweep.json";
  WriteAll(scenario, kSecretSweep);
  CHECK(RunEiabench({"run", scenario, "--out", dir + "/runs", "--events"},
                    log_out, log_err) == kExitOk);
  CHECK(
      RunEiabench({"run", scenario, "--target", "live", "--repetitions", "1000",
                   "--set", "workload.end=2024-12-31", "--out", dir + "/live"},
                  log_out, log_err) == kExitUsage);
  runs += 2;
  int files = 0;
  auto hits = FilesContaining(dir, kFakeKey, &files);
  for (const auto& h : hits) FAIL_CHECK("key found in " << h);
  CHECK(hits.empty());
  CHECK(files >= 12);
  CHECK(fs::exists(dir + "/raw"));
  WARN("secrets: " << runs << " runs, " << files
                   << " artefacts searched, key hits " << hits.size());
}

TEST_CASE("eiabench mock listens on 127.0.0.1 unless told otherwise",
          "[reliability][exposure]") {
  std::string dir = FreshDir("bind");
  pid_t pid =
      SpawnEiabench({"mock", "--port", "0"}, dir + "/out", dir + "/err");
  std::string line;
  for (int i = 0; i < 500 && line.empty(); ++i) {  // at most 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::string text = ReadAll(dir + "/out");
    if (text.find('\n') != std::string::npos) line = text;
  }
  int port = 0;
  if (auto at = line.rfind(':'); at != std::string::npos)
    port = std::atoi(line.c_str() + at + 1);
  // The kernel's own table: the listener's local address is 127.0.0.1.
  char wanted[32];
  std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
  std::string tcp = ReadAll("/proc/net/tcp");
  char any[32];
  std::snprintf(any, sizeof any, "00000000:%04X", port);
  ::kill(pid, SIGTERM);
  int code = WaitExit(pid);
  INFO(line << ReadAll(dir + "/err"));
  CHECK(line.find("listening on http://127.0.0.1:") == 0);
  CHECK(port > 0);
  CHECK(tcp.find(wanted) != std::string::npos);
  CHECK(tcp.find(any) == std::string::npos);
  CHECK(code == kExitOk);
}

TEST_CASE("https to a self-signed server fails verification, not silently",
          "[reliability][exposure]") {
  std::string dir = FreshDir("tls");
  std::string gen =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
      "-subj /CN=127.0.0.1 -keyout " +
      dir + "/k.pem -out " + dir + "/c.pem >/dev/null 2>&1";
  if (std::system(gen.c_str()) != 0) {
    WARN("openssl not available: TLS case not run");
    return;
  }
  // A one-file TLS server that answers any request with {}; it exits on
  // its own after 20 s without a connection.
  WriteAll(dir + "/tls.py", R"(import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
s.settimeout(20)
print(s.getsockname()[1], flush=True)
while True:
    try:
        conn, _ = s.accept()
    except socket.timeout:
        break
    try:
        t = ctx.wrap_socket(conn, server_side=True)
        t.recv(4096)
        t.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        t.close()
    except Exception:
        conn.close()
)");
  std::string cmd = "python3 " + dir + "/tls.py " + dir + "/c.pem " + dir +
                    "/k.pem > " + dir + "/port & echo $! > " + dir + "/pid";
  REQUIRE(std::system(cmd.c_str()) == 0);
  int port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {  // at most 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    port = std::atoi(ReadAll(dir + "/port").c_str());
  }
  REQUIRE(port > 0);
  ExtractOptions o =
      SmallJob("https://127.0.0.1:" + std::to_string(port) + "/v2");
  o.max_attempts = 1;
  NullSink sink;
  ExtractSummary s = RunExtract(o, sink);
  ::kill(std::atoi(ReadAll(dir + "/pid").c_str()), SIGTERM);
  INFO(s.error);
  CHECK(s.exit_code != kExitOk);
  CHECK(s.rows == 0);
  CHECK_FALSE(s.error.empty());
}
