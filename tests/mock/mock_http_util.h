// A mock server on an ephemeral port for tests that go over real HTTP.
#pragma once

#include <httplib.h>

#include <string>

#include "mock_server/server.h"
#include "tests/mock/mock_test_util.h"

namespace eiabench::mock::testing {

// Unlimited rate, a fixed seed, idle connections kept long enough that no
// idle close races a reuse.
inline ServerOptions ServerTestOptions(uint64_t seed = 5) {
  ServerOptions o;
  o.model.seed = seed;
  o.model.rate_limit.limit = 0;
  o.threads = 8;
  o.keep_alive_timeout_s = 30;
  return o;
}

// A started server that always stops, even when a REQUIRE fails.
struct RunningServer {
  explicit RunningServer(ServerOptions options) : server(std::move(options)) {
    std::string error;
    REQUIRE(server.Start("127.0.0.1", 0, &error));
  }
  ~RunningServer() { server.Stop(); }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server.port());
    c.set_read_timeout(10, 0);
    c.set_connection_timeout(5, 0);
    return c;
  }
  MockServer server;
};

// GET `target` (path and query); fails the test when there is no response.
inline httplib::Result MustGet(httplib::Client& client,
                               const std::string& target) {
  auto res = client.Get(target);
  INFO(target);
  REQUIRE(res);
  return res;
}

}  // namespace eiabench::mock::testing
