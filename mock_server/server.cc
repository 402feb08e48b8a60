#include "mock_server/server.h"

#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>

namespace eiabench::mock {
namespace {

// Which connection the current pool thread serves. httplib hands each
// accepted socket to one task that runs its whole keep-alive loop, so a
// per-task id is exactly a per-connection id.
thread_local uint64_t tl_connection_id = 0;
thread_local uint64_t tl_requests_on_connection = 0;

class ConnectionQueue : public httplib::TaskQueue {
 public:
  ConnectionQueue(size_t threads, std::atomic<uint64_t>* next_id)
      : pool_(threads), next_id_(next_id) {}

  void enqueue(std::function<void()> fn) override {
    uint64_t id = next_id_->fetch_add(1) + 1;
    pool_.enqueue([fn = std::move(fn), id] {
      tl_connection_id = id;
      tl_requests_on_connection = 0;
      fn();
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::atomic<uint64_t>* next_id_;
};

int SocketPort(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
  return -1;
}

// Finds this process's socket whose local and peer ports are the given
// ones: the server side of the connection a handler is answering. Faults
// are rare, so scanning /proc/self/fd is cheap enough.
int FindConnectionFd(int local_port, int remote_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    if (SocketPort(local) == local_port && SocketPort(peer) == remote_port) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

// Resets a TCP connection in place: connect() with AF_UNSPEC disconnects
// the socket, and Linux answers an established connection's disconnect
// with a RST. The descriptor stays valid, so httplib's later writes fail
// and its close() stays harmless.
void ResetConnection(const httplib::Request& req) {
  int fd = FindConnectionFd(req.local_port, req.remote_port);
  if (fd < 0) return;
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  connect(fd, &unspec, sizeof(unspec));
}

// cpp-httplib 0.11.4 (the compiled Debian library) listens with a backlog
// of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed when the library was built): 256
// clients connecting at once overflow the accept queue, the kernel drops
// their handshakes and they retry SYNs after 1, 3, 7, 15 s. Linux lets a
// listening socket call listen() again to change its backlog, so find our
// listening socket on `port` and raise it (the kernel caps it at
// net.core.somaxconn). Returns false when the socket is not found.
bool RaiseListenBacklog(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool raised = false;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    int listening = 0;
    socklen_t len = sizeof(listening);
    sockaddr_storage local{};
    socklen_t local_len = sizeof(local);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 ||
        listening == 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        SocketPort(local) != port) {
      continue;
    }
    raised = ::listen(fd, SOMAXCONN) == 0;
    break;
  }
  closedir(dir);
  return raised;
}

}  // namespace

class MockServer::Impl {
 public:
  httplib::Server http;
  std::atomic<uint64_t> next_connection_id{0};
};

MockServer::MockServer(ServerOptions options)
    : options_(std::move(options)),
      model_(std::make_unique<EiaModel>(options_.model)),
      impl_(std::make_unique<Impl>()) {
  if (options_.time_scale <= 0) options_.time_scale = 1.0;
  if (options_.threads < 1) options_.threads = 1;
}

MockServer::~MockServer() { Stop(); }

std::string MockServer::base_url() const {
  return "http://" + host_ + ":" + std::to_string(port_) + "/v2";
}

std::chrono::nanoseconds MockServer::ModelNow() const {
  auto real = std::chrono::steady_clock::now() - epoch_;
  double scaled =
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(real).count()) *
      options_.time_scale;
  return std::chrono::nanoseconds(static_cast<int64_t>(scaled));
}

bool MockServer::SleepReal(std::chrono::nanoseconds real) {
  if (real.count() <= 0) return !stopping_;
  std::unique_lock<std::mutex> lock(stop_mu_);
  return !stop_cv_.wait_for(lock, real, [this] { return stopping_.load(); });
}

bool MockServer::Start(const std::string& host, int port, std::string* error) {
  if (started_) {
    *error = "mock server already started";
    return false;
  }
  httplib::Server& http = impl_->http;
  size_t threads = static_cast<size_t>(options_.threads);
  std::atomic<uint64_t>* ids = &impl_->next_connection_id;
  http.new_task_queue = [threads, ids] {
    return new ConnectionQueue(threads, ids);
  };
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  http.set_tcp_nodelay(true);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    MockRequest request;
    request.method = req.method;
    request.path = req.path;
    size_t q = req.target.find('?');
    if (q != std::string::npos) request.query = req.target.substr(q + 1);
    request.headers.reserve(req.headers.size());
    for (const auto& [name, value] : req.headers) {
      request.headers.emplace_back(name, value);
    }
    request.body = req.body;
    request.connection_id = tl_connection_id;
    request.new_connection = tl_requests_on_connection++ == 0;

    MockResponse answer = model_->Handle(request, ModelNow());
    auto real_delay = std::chrono::nanoseconds(static_cast<int64_t>(
        static_cast<double>(answer.delay.count()) / options_.time_scale));
    if (!SleepReal(real_delay)) {
      // Stopping: drop the connection rather than hold Stop() up.
      ResetConnection(req);
      return;
    }

    std::string content_type = "application/json";
    for (auto& [name, value] : answer.headers) {
      if (name == "Content-Type") {
        content_type = value;
      } else {
        res.set_header(name, value);
      }
    }
    res.status = answer.status;
    if (answer.fault == FaultKind::kReset) {
      ResetConnection(req);
      return;
    }
    if (answer.fault == FaultKind::kTruncated) {
      auto body = std::make_shared<std::string>(std::move(answer.body));
      res.set_content_provider(
          body->size(), content_type,
          [body](size_t offset, size_t, httplib::DataSink& sink) {
            size_t half = body->size() / 2;
            if (offset < half) sink.write(body->data() + offset, half - offset);
            return false;  // httplib closes the connection short of length
          });
      return;
    }
    // httplib compresses a plain body whenever the client accepts it and
    // prefers brotli, which costs seconds per 5,000-row page. gzip (as the
    // live API) is kept when asked for without "br"; otherwise the body goes
    // out through a fixed-length provider, which httplib never compresses.
    std::string accept = req.get_header_value("Accept-Encoding");
    bool gzip_ok = options_.gzip && accept.find("br") == std::string::npos;
    if (gzip_ok) {
      res.body = std::move(answer.body);
      res.set_header("Content-Type", content_type);
      return;
    }
    auto body = std::make_shared<std::string>(std::move(answer.body));
    res.set_content_provider(
        body->size(), content_type,
        [body](size_t offset, size_t length, httplib::DataSink& sink) {
          sink.write(body->data() + offset, length);
          return true;
        });
  };
  // GET and HEAD are answered before httplib's routing, which would match
  // every path against a std::regex per request. POST goes through the
  // router: httplib reads a POST body only after the pre-routing hook.
  http.set_pre_routing_handler(
      [handler](const httplib::Request& req, httplib::Response& res) {
        if (req.method != "GET" && req.method != "HEAD") {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        handler(req, res);
        return httplib::Server::HandlerResponse::Handled;
      });
  http.Post(".*", handler);

  int bound = port == 0 ? http.bind_to_any_port(host)
                        : (http.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    *error = "cannot bind " + host + ":" + std::to_string(port);
    return false;
  }
  // Not fatal: with the small backlog the server still works, only bursts
  // of new connections wait for SYN retries.
  RaiseListenBacklog(bound);
  host_ = host;
  port_ = bound;
  epoch_ = std::chrono::steady_clock::now();
  started_ = true;
  listener_ = std::thread([&http] { http.listen_after_bind(); });
  // Stop() only works once the accept loop runs; wait for it (bounded).
  for (int i = 0; i < 5000 && !http.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void MockServer::Stop() {
  if (!started_) return;
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  impl_->http.stop();
  if (listener_.joinable()) listener_.join();
  started_ = false;
}

}  // namespace eiabench::mock
