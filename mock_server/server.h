// The HTTP face of the mock: a GNU libmicrohttpd server around one
// EiaModel (see server.cc for why not cpp-httplib).
//
// The adapter maps real time to model time (model_now = real time since
// Start() x time_scale), asks the model for the answer, holds it for the
// model's delay / time_scale of real time (the connection is suspended, no
// thread waits), and acts out the model's fault:
//   kReset      the connection is reset (TCP RST) before any response byte;
//   kTruncated  headers promise the full Content-Length, half the body is
//               sent, then the connection closes;
//   kStall      the answer is held for the stall duration (bounded, and cut
//               short by Stop());
//   others      as the model wrote them (status and body).
// Each connection carries an id from accept to close, so the adapter knows
// exactly which requests share a connection. Methods other than GET, HEAD
// and POST get 405; a POST body over 1 MiB gets 413.
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
  // Event-loop threads, each serving its own connections. A delayed answer
  // holds no thread, so this bounds CPU parallelism, not requests in
  // flight; more threads than cores buys nothing.
  int threads = 2;
  // Seconds an idle keep-alive connection stays open (real time).
  int keep_alive_timeout_s = 5;
  // Answer gzip to clients that ask for it (as the live API does). Clients
  // that also accept brotli get an uncompressed body: brotli costs seconds
  // per 5,000-row page.
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

  ServerOptions options_;
  std::unique_ptr<EiaModel> model_;
  std::unique_ptr<Impl> impl_;
  std::string host_;
  int port_ = 0;
  std::chrono::steady_clock::time_point epoch_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace eiabench::mock
