// A real redis-server for tests: LocalRedisServer started by the
// constructor (free loopback port, append-only file with fsync on every
// write, private temporary directory) and stopped by the destructor.
// Stop() + Start() is a Redis restart that keeps the data.
#pragma once

#include <string>

#include "harness/scaleout/local_redis.h"

namespace eiabench::testing {

class RedisFixture : public scaleout::LocalRedisServer {
 public:
  RedisFixture() { Start(); }
  bool ok() const { return running(); }
};

// A fresh temporary directory, removed with its files by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace eiabench::testing
