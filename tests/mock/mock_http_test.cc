// MockServer over real HTTP on 127.0.0.1, ephemeral ports.
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>

#include "tests/mock/mock_http_util.h"

namespace eiabench::mock::testing {
namespace {

TEST_CASE("the server answers a data query over HTTP", "[mock]") {
  RunningServer s(ServerTestOptions());
  CHECK(s.server.base_url() ==
        "http://127.0.0.1:" + std::to_string(s.server.port()) + "/v2");
  auto client = s.Client();
  auto res = client.Get(std::string(kFuelData) + "?" +
                        SeedQuery("2024-01-01", "2024-01-01"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  OJson page = Parse(res->body);
  CHECK(page["response"]["total"] == "5");
  // The trailing slash is optional.
  auto no_slash = client.Get("/v2/electricity/rto/fuel-type-data/data?" +
                             SeedQuery("2024-01-01", "2024-01-01"));
  REQUIRE(no_slash);
  CHECK(no_slash->body == res->body);
}

TEST_CASE("the key is accepted from the X-Api-Key header with X-Params",
          "[mock]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  httplib::Headers headers = {
      {"X-Api-Key", "K"},
      {"X-Params",
       R"({"frequency":"hourly","data":["value"],"facets":{"respondent":["PACW"]},"start":"2024-01-01T00","end":"2024-01-01T01","offset":0,"length":5000})"}};
  auto res = client.Get("/v2/electricity/rto/fuel-type-data/data/", headers);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(Parse(res->body)["response"]["total"] == "10");
  auto missing = client.Get("/v2/electricity/rto/fuel-type-data/data/");
  REQUIRE(missing);
  CHECK(missing->status == 403);
}

TEST_CASE("POST with a JSON body is a data query", "[mock]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  auto res = client.Post(
      "/v2/electricity/rto/region-data/data/?api_key=K",
      R"({"frequency":"hourly","data":["value"],"facets":{"respondent":["PJM"],"type":["D"]},"start":"2024-01-01T00","end":"2024-01-01T09"})",
      "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(Parse(res->body)["response"]["total"] == "10");
}

TEST_CASE("pages fetched over HTTP add up to the truth endpoint's checksum",
          "[mock]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  std::string params =
      "frequency=hourly&data[]=value&facets[respondent][]=PACW&facets["
      "respondent][]=BPAT&start=2024-01-01T00&end=2024-02-10T00";
  auto truth_res =
      client.Get("/_mock/truth/electricity/rto/fuel-type-data/data?" + params);
  REQUIRE(truth_res);
  REQUIRE(truth_res->status == 200);
  OJson truth = Parse(truth_res->body);
  uint64_t sum = 0, rows = 0;
  for (int page = 0; page < 10; ++page) {
    auto res = client.Get(std::string(kFuelData) + "?" + params +
                          "&api_key=K&offset=" + std::to_string(page * 5000));
    REQUIRE(res);
    OJson body = Parse(res->body);
    if (body["response"]["data"].empty()) break;
    sum += PageChecksum(body);
    rows += body["response"]["data"].size();
    CHECK(body["response"]["total"] ==
          std::to_string(truth["rows"].get<uint64_t>()));
  }
  CHECK(rows == truth["rows"].get<uint64_t>());
  CHECK(Hex(sum) == truth["checksum"]);
  // The route may also come as a parameter.
  auto by_param =
      client.Get("/_mock/truth?route=electricity/rto/fuel-type-data&" + params);
  REQUIRE(by_param);
  CHECK(Parse(by_param->body) == truth);
  auto no_route = client.Get("/_mock/truth?" + params);
  REQUIRE(no_route);
  CHECK(no_route->status == 400);
}

TEST_CASE("two servers with the same seed serve the same bytes", "[mock]") {
  std::string first, second;
  std::string target = std::string(kRegionData) +
                       "?data[]=value&start=2024-05-01T00&end=2024-05-01T03&"
                       "length=300&api_key=K";
  {
    RunningServer s(ServerTestOptions(9));
    auto res = s.Client().Get(target);
    REQUIRE(res);
    first = res->body;
  }
  {
    RunningServer s(ServerTestOptions(9));
    auto res = s.Client().Get(target);
    REQUIRE(res);
    second = res->body;
  }
  CHECK(first == second);
}

TEST_CASE("the rate limit answers 429 over HTTP and stats report the window",
          "[mock]") {
  ServerOptions options = ServerTestOptions();
  options.model.rate_limit.limit = 2;
  RunningServer s(options);
  auto client = s.Client();
  CHECK(client.Get("/v2/?api_key=K")->status == 200);
  CHECK(client.Get("/v2/?api_key=K")->status == 200);
  auto over = client.Get("/v2/?api_key=K");
  REQUIRE(over);
  CHECK(over->status == 429);
  CHECK(Parse(over->body)["error"]["code"] == "OVER_RATE_LIMIT");
  OJson stats = Parse(client.Get("/_mock/stats")->body);
  CHECK(stats["windows"][0]["max_requests_in_window"] == 3);
  CHECK(stats["by_route"]["listing"]["429"] == 1);
  CHECK(client.Post("/_mock/reset", "", "application/json")->status == 200);
  CHECK(client.Get("/v2/?api_key=K")->status == 200);
}

TEST_CASE("a reset fault closes the connection without a response", "[mock]") {
  ServerOptions options = ServerTestOptions();
  options.model.faults.reset = 1;
  RunningServer s(options);
  auto client = s.Client();
  auto res = client.Get("/v2/?api_key=K");
  CHECK_FALSE(res);
}

TEST_CASE("a truncated fault delivers fewer bytes than Content-Length",
          "[mock]") {
  ServerOptions options = ServerTestOptions();
  options.model.faults.truncated = 1;
  RunningServer s(options);
  auto client = s.Client();
  auto res = client.Get(std::string(kFuelData) + "?" +
                        SeedQuery("2024-01-01", "2024-01-05"));
  // httplib reports a short body as a failed read.
  CHECK_FALSE(res);
}

TEST_CASE("a malformed-JSON fault is a 200 that does not parse", "[mock]") {
  ServerOptions options = ServerTestOptions();
  options.model.faults.malformed_json = 1;
  RunningServer s(options);
  auto res = s.Client().Get(std::string(kFuelData) + "?" +
                            SeedQuery("2024-01-01", "2024-01-01"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(OJson::parse(res->body, nullptr, false).is_discarded());
}

TEST_CASE("Stop returns promptly while a request is stalled", "[mock]") {
  ServerOptions options = ServerTestOptions();
  options.model.faults.stall = 1;
  options.model.faults.stall_s = 3600;
  auto server = std::make_unique<MockServer>(options);
  std::string error;
  REQUIRE(server->Start("127.0.0.1", 0, &error));
  httplib::Client client("127.0.0.1", server->port());
  client.set_read_timeout(1, 0);
  auto res = client.Get("/v2/?api_key=K");
  CHECK_FALSE(res);  // the client's timeout fires first
  server->Stop();    // must not wait for the hour-long stall
  CHECK(server->port() > 0);
}

TEST_CASE("requests on one connection share a connection id", "[mock]") {
  ServerOptions options = ServerTestOptions();
  options.model.latency = {"conn", 0, 0, 1000, 0};
  // Time scale 1000: a 1 s new-connection cost is 1 ms of real time.
  options.time_scale = 1000;
  RunningServer s(options);
  auto client = s.Client();
  client.set_keep_alive(true);
  REQUIRE(client.Get("/v2/?api_key=K"));
  REQUIRE(client.Get("/v2/?api_key=K"));
  OJson stats = Parse(client.Get("/_mock/stats")->body);
  CHECK(stats["requests"] == 2);
  CHECK(stats["new_connections"] == 1);
}

}  // namespace
}  // namespace eiabench::mock::testing

namespace eiabench::mock::testing {
namespace {

TEST_CASE("a client accepting brotli gets an uncompressed body", "[mock]") {
  RunningServer s(ServerTestOptions());
  auto client = s.Client();
  httplib::Headers headers = {{"Accept-Encoding", "gzip, deflate, br"}};
  auto res = client.Get(
      std::string(kFuelData) + "?" + SeedQuery("2024-01-01", "2024-01-03"),
      headers);
  REQUIRE(res);
  CHECK(res->get_header_value("Content-Encoding").empty());
  CHECK(Parse(res->body)["response"]["total"] == "245");
}

// The accept-queue size of this process's listening socket on `port`
// (TCP_INFO reports it in tcpi_sacked for a listening socket), or -1.
int ListenBacklog(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int backlog = -1;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    int listening = 0;
    socklen_t len = sizeof(listening);
    sockaddr_in local{};
    socklen_t local_len = sizeof(local);
    if (fd <= 2 ||
        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 ||
        listening == 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        local.sin_family != AF_INET || ntohs(local.sin_port) != port) {
      continue;
    }
    tcp_info info{};
    socklen_t info_len = sizeof(info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_len) == 0) {
      backlog = static_cast<int>(info.tcpi_sacked);
    }
    break;
  }
  closedir(dir);
  return backlog;
}

TEST_CASE("the listening socket queues more than httplib's 5 connections",
          "[mock]") {
  RunningServer s(ServerTestOptions());
  // 256 clients connecting at once must not overflow the accept queue
  // (their SYNs would be dropped and retried seconds later).
  CHECK(ListenBacklog(s.server.port()) >= 256);
  CHECK(s.Client().Get("/v2/?api_key=K")->status == 200);
}

}  // namespace
}  // namespace eiabench::mock::testing
