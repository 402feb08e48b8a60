#include "tests/scaleout/redis_fixture.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "harness/scaleout/redis_client.h"

namespace eiabench::testing {
namespace {

// Asks the kernel for a free port by binding port 0, then releases it. The
// tiny race with another process grabbing it is accepted: Start() fails
// loudly if it happens.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool WaitForPing(int port, std::chrono::seconds limit) {
  scaleout::RedisUrl url;
  url.port = port;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    scaleout::RedisClient client(url, std::chrono::milliseconds(500));
    std::string error;
    auto reply = client.Command({"PING"}, &error);
    if (reply && reply->str == "PONG") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "eiabench-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

RedisFixture::RedisFixture() {
  TempDir probe;  // only to pick a unique name; the fixture owns its own dir
  dir_ = probe.path() + "-redis";
  std::filesystem::create_directories(dir_);
  port_ = FreePort();
  if (port_ == 0) {
    error_ = "no free port";
    return;
  }
  Start();
}

RedisFixture::~RedisFixture() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string RedisFixture::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

bool RedisFixture::Start() {
  if (pid_ > 0) return true;
  const std::string port = std::to_string(port_);
  const std::string log_path = dir_ + "/redis.log";
  pid_t pid = fork();
  if (pid < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid == 0) {
    // The child: a quiet redis-server bound to loopback only.
    execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind",
           "127.0.0.1", "--dir", dir_.c_str(), "--appendonly", "yes",
           "--appendfsync", "always", "--save", "", "--daemonize", "no",
           "--logfile", log_path.c_str(), "--protected-mode", "yes",
           static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  if (!WaitForPing(port_, std::chrono::seconds(10))) {
    error_ = "redis-server did not answer PING on port " + port;
    Stop();
    return false;
  }
  return true;
}

void RedisFixture::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  // Redis exits within milliseconds on SIGTERM; bound the wait anyway.
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace eiabench::testing
