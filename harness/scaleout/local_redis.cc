#include "harness/scaleout/local_redis.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "harness/scaleout/redis_client.h"

namespace eiabench::scaleout {
namespace {

bool WaitForPing(int port, std::chrono::seconds limit) {
  RedisUrl url;
  url.port = port;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    RedisClient client(url, std::chrono::milliseconds(500));
    std::string error;
    auto reply = client.Command({"PING"}, &error);
    if (reply && reply->str == "PONG") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string MakeTempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "eiabench-redis-XXXXXX")
          .string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  return mkdtemp(buf.data()) != nullptr ? std::string(buf.data()) : "";
}

}  // namespace

int FindFreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

LocalRedisServer::LocalRedisServer(std::string dir) : dir_(std::move(dir)) {
  if (dir_.empty()) {
    dir_ = MakeTempDir();
    own_dir_ = true;
  }
}

LocalRedisServer::~LocalRedisServer() {
  Stop();
  std::error_code ec;
  if (own_dir_ && !dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string LocalRedisServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

bool LocalRedisServer::Start() {
  if (pid_ > 0) return true;
  if (dir_.empty()) {
    error_ = "cannot create a directory for redis-server";
    return false;
  }
  // The port is picked once; a restart reuses it so clients reconnect to
  // the same URL. The tiny race with another process taking the port makes
  // Start() fail loudly, never silently.
  if (port_ == 0) port_ = FindFreeLoopbackPort();
  if (port_ == 0) {
    error_ = "no free loopback port for redis-server";
    return false;
  }
  const std::string port = std::to_string(port_);
  const std::string log_path = dir_ + "/redis.log";
  pid_t pid = fork();
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid == 0) {
    execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind",
           "127.0.0.1", "--dir", dir_.c_str(), "--appendonly", "yes",
           "--appendfsync", "always", "--save", "", "--daemonize", "no",
           "--logfile", log_path.c_str(), "--protected-mode", "yes",
           static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  if (!WaitForPing(port_, std::chrono::seconds(10))) {
    error_ = "redis-server did not answer on port " + port +
             " (is redis-server installed? see " + log_path + ")";
    Kill();
    return false;
  }
  return true;
}

void LocalRedisServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
}

void LocalRedisServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace eiabench::scaleout
