// The HTTP face of the mock: a cpp-httplib server around one EiaModel.
//
// The adapter maps real time to model time (model_now = real time since
// Start() x time_scale), asks the model for the answer, sleeps the model's
// delay / time_scale of real time, and acts out the model's fault:
//   kReset      the connection is reset (TCP RST) before any response byte;
//   kTruncated  headers promise the full Content-Length, half the body is
//               sent, then the connection closes;
//   kStall      the answer is held for the stall duration (bounded, and cut
//               short by Stop());
//   others      as the model wrote them (status and body).
// Each connection is served by one pool thread from accept to close, so the
// adapter knows exactly which requests share a connection.
//
// Thread safety: Start() and Stop() from one controlling thread; model() is
// thread-safe; port() and base_url() after Start().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mock_server/eia_model.h"

namespace eiabench::mock {

struct ServerOptions {
  ModelOptions model;
  // Model seconds per real second: 60 makes an hour-long rate-limit window
  // pass in a minute and divides every latency by 60.
  double time_scale = 1.0;
  // Handler threads. Each sleeping (latency) request holds one, so this
  // bounds the requests in flight; extra connections queue.
  int threads = 64;
  // Seconds an idle keep-alive connection stays open (real time). Stop()
  // may wait this long for idle connections to close.
  int keep_alive_timeout_s = 5;
  // Answer gzip to clients that ask for it (as the live API does). Clients
  // that also accept brotli get an uncompressed body: httplib would pick
  // brotli, which is far too slow for 5,000-row pages.
  bool gzip = true;
};

class MockServer {
 public:
  explicit MockServer(ServerOptions options);
  ~MockServer();  // stops
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds host:port (port 0 = ephemeral) and serves on a background thread.
  // Returns false and sets `error` (one line) when the bind fails or the
  // server is already started.
  bool Start(const std::string& host, int port, std::string* error);

  int port() const { return port_; }
  std::string host() const { return host_; }
  // "http://127.0.0.1:PORT/v2"
  std::string base_url() const;

  // Stops accepting, wakes sleeping handlers (stalls, latency) and joins the
  // threads. Idempotent.
  void Stop();

  EiaModel& model() { return *model_; }

  // Model time now (real time since Start() x time_scale).
  std::chrono::nanoseconds ModelNow() const;

 private:
  class Impl;
  // Sleeps `real` unless Stop() comes first; returns false when stopped.
  bool SleepReal(std::chrono::nanoseconds real);

  ServerOptions options_;
  std::unique_ptr<EiaModel> model_;
  std::unique_ptr<Impl> impl_;
  std::thread listener_;
  std::string host_;
  int port_ = 0;
  std::chrono::steady_clock::time_point epoch_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace eiabench::mock
