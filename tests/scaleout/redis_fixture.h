// A real redis-server for tests: started on a free loopback port with
// persistence on (append-only file, fsync on every write) in a private
// temporary directory, and stopped (SIGTERM, then SIGKILL) by the
// destructor. Restart() stops it and starts it again on the same port and
// directory, so the data comes back from the append-only file.
#pragma once

#include <sys/types.h>

#include <string>

namespace eiabench::testing {

class RedisFixture {
 public:
  // Starts the server; on failure `ok()` is false and `error()` says why.
  RedisFixture();
  ~RedisFixture();
  RedisFixture(const RedisFixture&) = delete;
  RedisFixture& operator=(const RedisFixture&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string url() const;  // redis://127.0.0.1:PORT
  const std::string& dir() const { return dir_; }

  // Graceful stop (SIGTERM: Redis flushes the append-only file).
  void Stop();
  // Starts again on the same port and directory. Returns false on failure.
  bool Start();

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;
  std::string error_;
};

// A fresh temporary directory (removed with its files by the destructor).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace eiabench::testing
