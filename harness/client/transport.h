// The transport: how the extractor's HTTP requests reach a target.
//
// One interface, several implementations:
//   CurlTransport (harness/client)      libcurl multi handle, real sockets,
//                                       HTTP to the mock or HTTPS to the
//                                       live API;
//   SimTransport  (harness/experiment)  calls the mock's EiaModel in-process
//                                       on a VirtualClock: no sockets, no
//                                       real time.
//
// The extractor is a single-threaded event loop: it Submit()s requests when
// the pacer allows and Poll()s for completions. A transport is therefore not
// thread-safe; one thread owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/common/clock.h"

namespace eiabench {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  uint64_t id = 0;  // chosen by the caller, echoed in the completion
  std::string method = "GET";
  std::string url;     // absolute: base URL + path + query string
  HeaderList headers;  // extra headers (X-Api-Key, X-Params, ...)
  std::string body;    // for POST
};

// Why a request failed below HTTP. kNone means an HTTP status arrived.
enum class TransportError {
  kNone,
  kTimeout,          // connect or total timeout expired
  kConnectFailed,    // refused, unreachable, DNS failure
  kConnectionReset,  // peer closed or reset the connection mid-exchange
  kTruncatedBody,    // fewer body bytes than Content-Length promised
  kTls,              // certificate or handshake failure
  kOther,
};

const char* TransportErrorName(TransportError e);

struct HttpCompletion {
  uint64_t id = 0;
  TransportError error = TransportError::kNone;
  std::string error_detail;  // one line, never contains the API key
  int status = 0;            // 0 when error != kNone
  HeaderList headers;        // response headers, names lower-cased
  std::string body;

  // Clock times (the transport's Clock time base) of the actual start and the
  // end of the exchange.
  Nanos started_at{0};
  Nanos finished_at{0};

  // Phase times in the clock's time base, from libcurl's timers where real.
  Nanos dns{0};
  Nanos connect{0};     // TCP connect finished, from start
  Nanos tls{0};         // TLS handshake finished, from start (0: no TLS)
  Nanos first_byte{0};  // first response byte, from start
  bool new_connection = false;  // this exchange opened a connection
  uint64_t bytes_received = 0;  // body bytes as received (before decoding)

  // Returns the first header named `name` (lower case), if any.
  std::optional<std::string> Header(const std::string& name) const;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Starts a request now (at clock.Now()). Never blocks on the network.
  virtual void Submit(HttpRequest request) = 0;

  // Waits until at least one request has completed or the clock reaches
  // `deadline`, whichever comes first, and returns every completion
  // available (possibly none). A virtual transport jumps its clock to the
  // next completion or to the deadline.
  virtual std::vector<HttpCompletion> Poll(Nanos deadline) = 0;

  // Requests submitted and not yet returned by Poll().
  virtual size_t in_flight() const = 0;

  // Connections opened so far (for the reuse ratio).
  virtual uint64_t connections_opened() const = 0;
};

}  // namespace eiabench
