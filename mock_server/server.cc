// The mock's HTTP front end on GNU libmicrohttpd: a pool of epoll event
// loops, each answering its own connections. A request is read, handed to
// EiaModel::Handle, and answered at once; an answer the model delays
// (latency profiles, stalls) suspends its connection and a timer thread
// resumes it when due, so a sleeping request holds no thread.
//
// Why not cpp-httplib (the first front end): it serves each connection on a
// thread of its own, polls before every read and writes headers and body
// in separate sends. On this project's 2-core machine that capped the mock
// near 9,000 one-row pages per server CPU-second, and its bare 404 path near
// 15,000, short of the 15,000 pages the harness needs the mock to sustain.
// docs/PERFORMANCE.md has the figures.
#include "mock_server/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <zlib.h>

#include <cstring>
#include <map>

namespace eiabench::mock {
namespace {

// A POST body larger than this is refused with 413: the API's own JSON
// parameter bodies are a few hundred bytes.
constexpr size_t kMaxBodyBytes = 1 << 20;
// Request line plus headers must fit in this much per connection; MHD
// answers 414/431 past it. Long facet lists stay far below.
constexpr size_t kConnectionMemory = 256 * 1024;

// Per connection (MHD's socket context).
struct Connection {
  uint64_t id = 0;
  uint64_t requests = 0;
};

// Per request (MHD's request context, created by the URI callback).
struct Exchange {
  std::string target;  // the request target as sent, query included
  std::string body;    // POST body
  bool body_too_large = false;
  bool started = false;  // the handler has seen the headers
  // A delayed answer waiting for its connection to be resumed.
  bool pending = false;
  MockResponse answer;
  bool gzip = false;
};

std::string GzipCompress(const std::string& in) {
  z_stream z{};
  // 15 + 16: a gzip wrapper, as HTTP's "gzip" coding means.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return {};
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

// A TCP reset: no FIN, the peer's next read fails with ECONNRESET.
void ResetSocket(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (info == nullptr) return;
  int fd = info->connect_fd;
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  connect(fd, &unspec, sizeof(unspec));
}

bool AcceptsGzipOnly(MHD_Connection* connection) {
  const char* accept = MHD_lookup_connection_value(
      connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
  if (accept == nullptr) return false;
  std::string_view a(accept);
  // Clients that also accept brotli get an uncompressed body (as with the
  // first front end: brotli for a 5,000-row page took seconds).
  return a.find("gzip") != std::string_view::npos &&
         a.find("br") == std::string_view::npos;
}

}  // namespace

// Connections whose answer is delayed, resumed by one timer thread.
class MockServer::Impl {
 public:
  explicit Impl(MockServer* server) : owner(server) {}

  // MHD's access handler: called once with the headers, once per piece of
  // the body, once at its end, and once more after a resume.
  MHD_Result HandleRequest(MHD_Connection* connection, const char* url,
                           const char* method, const char* upload_data,
                           size_t* upload_data_size, void** req_cls);

  MockServer* owner;
  MHD_Daemon* daemon = nullptr;
  std::atomic<uint64_t> next_connection_id{0};

  std::mutex mu;
  std::condition_variable cv;
  std::multimap<std::chrono::steady_clock::time_point, MHD_Connection*> due;
  size_t suspended = 0;  // connections suspended and not yet resumed
  bool stopping = false;
  std::thread timer;

  // False once Stop() has begun: the timer thread may be gone, and MHD
  // must not be stopped with a connection suspended.
  bool Suspend(MHD_Connection* c, std::chrono::steady_clock::time_point at) {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return false;
    MHD_suspend_connection(c);
    ++suspended;
    due.emplace(at, c);
    cv.notify_one();
    return true;
  }

  void RunTimer() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      if (stopping && due.empty()) return;
      if (due.empty()) {
        cv.wait(lock);
        continue;
      }
      auto first = due.begin();
      if (!stopping && first->first > std::chrono::steady_clock::now()) {
        cv.wait_until(lock, first->first);
        continue;
      }
      MHD_Connection* c = first->second;
      due.erase(first);
      --suspended;
      MHD_resume_connection(c);
    }
  }
};

namespace {

struct Callbacks {
  static void* OnUri(void* /*cls*/, const char* uri, MHD_Connection*) {
    auto* ex = new Exchange;
    ex->target = uri ? uri : "";
    return ex;
  }

  static void OnCompleted(void*, MHD_Connection*, void** req_cls,
                          MHD_RequestTerminationCode) {
    delete static_cast<Exchange*>(*req_cls);
    *req_cls = nullptr;
  }

  static void OnConnection(void* cls, MHD_Connection*, void** socket_context,
                           MHD_ConnectionNotificationCode code) {
    auto* ids = static_cast<std::atomic<uint64_t>*>(cls);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* c = new Connection;
      c->id = ids->fetch_add(1) + 1;
      *socket_context = c;
    } else {
      delete static_cast<Connection*>(*socket_context);
      *socket_context = nullptr;
    }
  }
};

}  // namespace

MockServer::MockServer(ServerOptions options)
    : options_(std::move(options)),
      model_(std::make_unique<EiaModel>(options_.model)),
      impl_(std::make_unique<Impl>(this)) {
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

// Sends `answer` (or acts out its fault) on `connection`.
static MHD_Result Answer(MHD_Connection* connection, MockResponse& answer,
                         bool gzip) {
  if (answer.fault == FaultKind::kReset) {
    ResetSocket(connection);
    return MHD_NO;  // MHD closes the (already reset) socket
  }
  MHD_Response* response = nullptr;
  if (answer.fault == FaultKind::kTruncated) {
    // The full Content-Length, then half the body, then the connection
    // closes (MHD ends a connection whose reader reports an error).
    auto* body = new std::string(std::move(answer.body));
    response = MHD_create_response_from_callback(
        body->size(), 64 * 1024,
        [](void* cls, uint64_t pos, char* buf, size_t max) -> ssize_t {
          auto* b = static_cast<std::string*>(cls);
          size_t half = b->size() / 2;
          if (pos >= half) return MHD_CONTENT_READER_END_WITH_ERROR;
          size_t n = std::min(max, half - static_cast<size_t>(pos));
          std::memcpy(buf, b->data() + pos, n);
          return static_cast<ssize_t>(n);
        },
        body, [](void* cls) { delete static_cast<std::string*>(cls); });
  } else {
    std::string* body = new std::string(std::move(answer.body));
    if (gzip && !body->empty()) {
      std::string packed = GzipCompress(*body);
      if (!packed.empty()) {
        *body = std::move(packed);
      } else {
        gzip = false;
      }
    } else {
      gzip = false;
    }
    response = MHD_create_response_from_buffer_with_free_callback_cls(
        body->size(), body->data(),
        [](void* cls) { delete static_cast<std::string*>(cls); }, body);
    if (gzip)
      MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_ENCODING,
                              "gzip");
  }
  if (response == nullptr) return MHD_NO;
  bool has_type = false;
  for (const auto& [name, value] : answer.headers) {
    has_type = has_type || name == "Content-Type";
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  if (!has_type)
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
  MHD_Result rc = MHD_queue_response(
      connection, static_cast<unsigned>(answer.status), response);
  MHD_destroy_response(response);
  return rc;
}

static MHD_Result SimpleAnswer(MHD_Connection* connection, int status,
                               const std::string& text) {
  MockResponse r;
  r.status = status;
  r.body = text;
  return Answer(connection, r, false);
}

MHD_Result MockServer::Impl::HandleRequest(MHD_Connection* connection,
                                           const char* url, const char* method,
                                           const char* upload_data,
                                           size_t* upload_data_size,
                                           void** req_cls) {
  MockServer& s = *owner;
  auto* ex = static_cast<Exchange*>(*req_cls);
  if (ex == nullptr) return MHD_NO;
  if (!ex->started) {
    // First call: headers only. A body, if any, arrives in the next calls.
    ex->started = true;
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    if (ex->body.size() + *upload_data_size > kMaxBodyBytes) {
      ex->body_too_large = true;
    } else {
      ex->body.append(upload_data, *upload_data_size);
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (ex->pending) {
    // Resumed: the delay has passed, or Stop() cut it short.
    if (s.stopping_) {
      ResetSocket(connection);
      return MHD_NO;
    }
    return Answer(connection, ex->answer, ex->gzip);
  }
  std::string_view m(method);
  if (m != "GET" && m != "HEAD" && m != "POST")
    return SimpleAnswer(connection, 405,
                        "{\"error\":\"Method not allowed.\",\"code\":405}");
  if (ex->body_too_large)
    return SimpleAnswer(connection, 413,
                        "{\"error\":\"Request body too large.\",\"code\":413}");

  MockRequest request;
  request.method = std::string(m);
  request.path = url;
  size_t q = ex->target.find('?');
  if (q != std::string::npos) request.query = ex->target.substr(q + 1);
  MHD_get_connection_values(
      connection, MHD_HEADER_KIND,
      [](void* cls, MHD_ValueKind, const char* key,
         const char* value) -> MHD_Result {
        static_cast<MockRequest*>(cls)->headers.emplace_back(
            key ? key : "", value ? value : "");
        return MHD_YES;
      },
      &request);
  request.body = std::move(ex->body);
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  if (info != nullptr && info->socket_context != nullptr) {
    auto* c = static_cast<Connection*>(info->socket_context);
    request.connection_id = c->id;
    request.new_connection = c->requests++ == 0;
  }

  MockResponse answer = s.model_->Handle(request, s.ModelNow());
  bool gzip = s.options_.gzip && AcceptsGzipOnly(connection);
  auto real_delay = std::chrono::nanoseconds(static_cast<int64_t>(
      static_cast<double>(answer.delay.count()) / s.options_.time_scale));
  if (real_delay.count() > 0) {
    ex->pending = true;
    ex->answer = std::move(answer);
    ex->gzip = gzip;
    if (Suspend(connection, std::chrono::steady_clock::now() + real_delay))
      return MHD_YES;
    ResetSocket(connection);  // stopping: the answer is never sent
    return MHD_NO;
  }
  return Answer(connection, answer, gzip);
}

bool MockServer::Start(const std::string& host, int port, std::string* error) {
  if (started_) {
    *error = "mock server already started";
    return false;
  }
  if (port < 0 || port > 65535) {
    *error = "port out of range: " + std::to_string(port);
    return false;
  }
  sockaddr_storage addr{};
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                   MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  std::string bind_host = host == "localhost" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, bind_host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
  } else if (inet_pton(AF_INET6, bind_host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    flags |= MHD_USE_IPv6;
  } else {
    *error = "cannot bind " + host + ":" + std::to_string(port) +
             ": not a numeric IP address";
    return false;
  }
  stopping_ = false;
  impl_->stopping = false;
  epoch_ = std::chrono::steady_clock::now();
  impl_->daemon = MHD_start_daemon(
      flags, static_cast<uint16_t>(port), nullptr, nullptr,
      [](void* cls, MHD_Connection* connection, const char* url,
         const char* method, const char*, const char* upload_data,
         size_t* upload_data_size, void** req_cls) -> MHD_Result {
        return static_cast<MockServer::Impl*>(cls)->HandleRequest(
            connection, url, method, upload_data, upload_data_size, req_cls);
      },
      impl_.get(), MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr),
      MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(options_.threads),
      MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(options_.keep_alive_timeout_s),
      MHD_OPTION_CONNECTION_LIMIT, 16384u, MHD_OPTION_LISTEN_BACKLOG_SIZE,
      static_cast<unsigned>(SOMAXCONN), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      kConnectionMemory, MHD_OPTION_URI_LOG_CALLBACK, &Callbacks::OnUri,
      nullptr, MHD_OPTION_NOTIFY_COMPLETED, &Callbacks::OnCompleted, nullptr,
      MHD_OPTION_NOTIFY_CONNECTION, &Callbacks::OnConnection,
      &impl_->next_connection_id, MHD_OPTION_END);
  if (impl_->daemon == nullptr) {
    *error = "cannot bind " + host + ":" + std::to_string(port);
    return false;
  }
  const MHD_DaemonInfo* bound =
      MHD_get_daemon_info(impl_->daemon, MHD_DAEMON_INFO_BIND_PORT);
  host_ = host;
  port_ = bound != nullptr ? bound->port : port;
  impl_->timer = std::thread([this] { impl_->RunTimer(); });
  started_ = true;
  return true;
}

void MockServer::Stop() {
  if (!started_) return;
  stopping_ = true;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  // Every suspended connection is resumed now (its handler resets it);
  // MHD must not be stopped with a connection still suspended.
  impl_->cv.notify_all();
  if (impl_->timer.joinable()) impl_->timer.join();
  MHD_stop_daemon(impl_->daemon);
  impl_->daemon = nullptr;
  started_ = false;
}

}  // namespace eiabench::mock
