#include "harness/client/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace eiabench {

CurlOptions CurlOptionsFrom(const ExtractOptions& o) {
  CurlOptions c;
  c.pool_maxsize = o.pool_maxsize;
  c.max_host_connections = o.max_host_connections;
  c.http_version = o.http_version;
  c.keep_alive = o.keep_alive;
  c.compression = o.compression;
  c.connect_timeout_s = o.connect_timeout_s;
  c.timeout_s = o.timeout_s;
  c.user_agent = o.user_agent;
  c.ca_file = o.ca_file;
  return c;
}

namespace {

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpCompletion completion;
  bool saw_status_line = false;
  int sends = 0;               // times libcurl was about to send the request
  std::string origin, target;  // the URL split for libcurl (see Configure)
};

// Called by libcurl each time it is about to send the request on a
// connection, new or reused. When a reused connection turns out to be dead
// before any response byte, libcurl opens a new one and sends the request
// again on its own: a request the server counts against the key's budget
// that no pacer allowed and no counter saw. The second send is refused
// here, so the transfer fails as a connection reset and the extractor's
// own retry (paced, counted) takes over.
int OnBeforeSend(void* user, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  return ++t->sends > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

// Room reserved past the body for the parser's padding (simdjson reads up
// to 64 bytes beyond the end), so the page is never copied to grow it.
constexpr curl_off_t kParsePaddingBytes = 64;
// A Content-Length is a promise from the server, not a fact: reserve at
// most this much up front (a larger body still grows as it arrives).
constexpr curl_off_t kMaxReserveBytes = 64 << 20;

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string& body = t->completion.body;
  if (body.empty()) {
    curl_off_t length = -1;
    if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
                          &length) == CURLE_OK &&
        length > 0) {
      body.reserve(static_cast<size_t>(std::min(length, kMaxReserveBytes) +
                                       kParsePaddingBytes));
    }
  }
  body.append(data, size * n);
  return size * n;
}

// Keeps the headers of the last response only (a 100 Continue or an
// informational response starts a new block).
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->completion.headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(c));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() &&
         (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->completion.headers.emplace_back(std::move(name), std::string(value));
  return size * n;
}

TransportError MapError(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportError::kNone;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::kConnectFailed;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportError::kConnectionReset;
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
      return TransportError::kTruncatedBody;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return TransportError::kTls;
    default:
      return TransportError::kOther;
  }
}

class CurlTransport : public Transport {
 public:
  CurlTransport(const CurlOptions& options, Clock& clock)
      : options_(options), clock_(clock) {}

  ~CurlTransport() override {
    for (auto& [id, t] : transfers_) Release(t.get());
    for (CURL* e : idle_) curl_easy_cleanup(e);
    if (multi_) curl_multi_cleanup(multi_);
  }

  bool Init(std::string* error) {
    static std::once_flag once;
    static CURLcode init_code = CURLE_OK;
    std::call_once(once, [] { init_code = curl_global_init(CURL_GLOBAL_ALL); });
    if (init_code != CURLE_OK || !(multi_ = curl_multi_init())) {
      if (error) *error = "libcurl initialisation failed";
      return false;
    }
    for (const char* name :
         {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"}) {
      const char* v = std::getenv(name);
      http_proxy_ = http_proxy_ || (v != nullptr && *v != '\0');
    }
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(options_.pool_maxsize));
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options_.max_host_connections));
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING,
                      options_.http_version == HttpVersion::kHttp2
                          ? CURLPIPE_MULTIPLEX
                          : CURLPIPE_NOTHING);
    return true;
  }

  void Submit(HttpRequest request) override {
    auto t = std::make_unique<Transfer>();
    t->completion.id = request.id;
    t->completion.started_at = clock_.Now();
    // A finished transfer's handle is reset and used again: a new one
    // costs libcurl's allocation and set-up of its whole per-transfer
    // state.
    if (!idle_.empty()) {
      t->easy = idle_.back();
      idle_.pop_back();
      curl_easy_reset(t->easy);
    } else {
      t->easy = curl_easy_init();
    }
    Configure(t.get(), request);
    curl_multi_add_handle(multi_, t->easy);
    transfers_[request.id] = std::move(t);
  }

  std::vector<HttpCompletion> Poll(Nanos deadline) override {
    std::vector<HttpCompletion> done;
    for (;;) {
      int running = 0;
      curl_multi_perform(multi_, &running);
      Collect(&done);
      if (!done.empty()) return done;
      Nanos now = clock_.Now();
      if (now >= deadline) return done;
      // Wait in real time, at most 100 ms per round so a coarse clock
      // conversion never oversleeps the deadline by much.
      double wait_ms =
          std::ceil(ToSeconds(clock_.ToReal(deadline - now)) * 1e3);
      int timeout_ms = static_cast<int>(std::clamp(wait_ms, 1.0, 100.0));
      curl_multi_poll(multi_, nullptr, 0, timeout_ms, nullptr);
    }
  }

  size_t in_flight() const override { return transfers_.size(); }
  uint64_t connections_opened() const override { return connections_; }

 private:
  long CurlMillis(double clock_seconds) const {
    return static_cast<long>(
        std::ceil(ToSeconds(clock_.ToReal(FromSeconds(clock_seconds))) * 1e3));
  }

  void Configure(Transfer* t, const HttpRequest& r) {
    CURL* e = t->easy;
    // libcurl parses CURLOPT_URL and writes it out again through its own
    // printf several times per transfer, one byte at a time: for EIA's long
    // query strings that was half of the client's instructions on 1-row
    // pages. It gets the short origin to connect to, and the path and query
    // go out as the request target, verbatim.
    size_t scheme_end = r.url.find("://");
    size_t path_at = scheme_end == std::string::npos
                         ? std::string::npos
                         : r.url.find('/', scheme_end + 3);
    // A plain-HTTP proxy needs the absolute URL in the request line, so
    // then the URL goes to libcurl whole.
    bool plain_http = r.url.compare(0, 7, "http://") == 0;
    if (path_at != std::string::npos && !(plain_http && http_proxy_)) {
      t->origin = r.url.substr(0, path_at);
      t->target = r.url.substr(path_at);
      curl_easy_setopt(e, CURLOPT_URL, t->origin.c_str());
      curl_easy_setopt(e, CURLOPT_REQUEST_TARGET, t->target.c_str());
    } else {
      curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    }
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, OnBeforeSend);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     std::max(1L, CurlMillis(options_.connect_timeout_s)));
    if (options_.timeout_s > 0)
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                       std::max(1L, CurlMillis(options_.timeout_s)));
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     options_.http_version == HttpVersion::kHttp2
                         ? CURL_HTTP_VERSION_2TLS
                         : CURL_HTTP_VERSION_1_1);
    if (!options_.keep_alive) curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    if (options_.compression == Compression::kGzip)
      curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    if (options_.compression == Compression::kBr)
      curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "br");
    // TLS verification is never switched off.
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty())
      curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
    for (const auto& [name, value] : r.headers)
      t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
    if (t->headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    if (r.method == "POST") {
      t->completion.body.clear();
      curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
    }
  }

  // libcurl timers are real microseconds from the start of the transfer;
  // the clock's time base is real time times the scale.
  Nanos ToClock(curl_off_t real_us) const {
    double scale = clock_.scale() > 0 ? clock_.scale() : 1.0;
    return Nanos(
        static_cast<int64_t>(static_cast<double>(real_us) * 1e3 * scale));
  }

  void Collect(std::vector<HttpCompletion>* done) {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      Finish(t, msg->data.result);
      uint64_t id = t->completion.id;
      done->push_back(std::move(t->completion));
      Release(t);
      transfers_.erase(id);
    }
  }

  void Finish(Transfer* t, CURLcode result) {
    HttpCompletion& c = t->completion;
    CURL* e = t->easy;
    c.finished_at = clock_.Now();
    c.error = MapError(result);
    if (result == CURLE_ABORTED_BY_CALLBACK && t->sends > 1) {
      c.error = TransportError::kConnectionReset;
      c.error_detail = "reused connection closed before any response byte";
    } else if (c.error != TransportError::kNone) {
      c.error_detail = curl_easy_strerror(result);
    } else {
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      c.status = static_cast<int>(status);
    }
    curl_off_t v = 0;
    curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &v);
    c.dns = ToClock(v);
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &v);
    c.connect = ToClock(v);
    curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &v);
    c.tls = ToClock(v);
    curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &v);
    c.first_byte = ToClock(v);
    curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &v);
    c.bytes_received = static_cast<uint64_t>(v);
    long connects = 0;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
    c.new_connection = connects > 0;
    connections_ += static_cast<uint64_t>(connects);
  }

  void Release(Transfer* t) {
    curl_multi_remove_handle(multi_, t->easy);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(t->easy);
    } else {
      curl_easy_cleanup(t->easy);
    }
    t->easy = nullptr;
    curl_slist_free_all(t->headers);
    t->headers = nullptr;
  }

  // Handles kept for reuse: more than the transfers in flight at once
  // would only hold memory.
  static constexpr size_t kMaxIdleHandles = 64;
  bool http_proxy_ = false;  // a proxy for plain HTTP is set in the env
  std::vector<CURL*> idle_;

  CurlOptions options_;
  Clock& clock_;
  CURLM* multi_ = nullptr;
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> transfers_;
  uint64_t connections_ = 0;
};

}  // namespace

std::unique_ptr<Transport> MakeCurlTransport(const CurlOptions& options,
                                             Clock& clock, std::string* error) {
  auto t = std::make_unique<CurlTransport>(options, clock);
  if (!t->Init(error)) return nullptr;
  return t;
}

}  // namespace eiabench
