// A private redis-server child process on a free loopback port, for tests,
// benchmarks and `workers` cells that have no Redis of their own.
//
// Persistence is on (append-only file, fsync on every write, in `dir`), so
// Stop() + Start() on the same object is a Redis restart that keeps the
// data. The destructor stops the server (SIGTERM, then SIGKILL after 5 s)
// and removes the directory if this object created it.
#pragma once

#include <sys/types.h>

#include <string>

namespace eiabench::scaleout {

class LocalRedisServer {
 public:
  // `dir` empty: a fresh temporary directory, removed by the destructor.
  explicit LocalRedisServer(std::string dir = "");
  ~LocalRedisServer();
  LocalRedisServer(const LocalRedisServer&) = delete;
  LocalRedisServer& operator=(const LocalRedisServer&) = delete;

  // Starts redis-server (from PATH) and waits until it answers PING (at
  // most 10 s). Keeps the port across restarts. Returns false with a
  // one-line `error()` on failure.
  bool Start();
  // Graceful stop: Redis flushes its append-only file. Idempotent.
  void Stop();
  // Hard stop (SIGKILL), as a crash would.
  void Kill();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const;  // redis://127.0.0.1:PORT
  const std::string& dir() const { return dir_; }
  const std::string& error() const { return error_; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;
  bool own_dir_ = false;
  std::string error_;
};

// A free TCP port on 127.0.0.1 (bound then released; 0 on failure).
int FindFreeLoopbackPort();

}  // namespace eiabench::scaleout
