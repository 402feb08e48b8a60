// CurlTransport: the Transport over real sockets, one libcurl multi handle.
//
// Every request is an easy handle added to one multi handle; Poll() drives
// curl_multi_perform/curl_multi_poll until a transfer completes or the
// deadline passes. Connection reuse, the connection cache, per-host limits,
// HTTP/2 multiplexing, compression and timeouts are libcurl settings taken
// from CurlOptions. Deadlines and timeouts arrive in the Clock's time base
// and are converted with Clock::ToReal() before they reach libcurl or the OS.
//
// Not thread-safe: one thread owns a CurlTransport. TLS verification is
// always on (peer and host); `ca_file` only chooses the trust store.
#pragma once

#include <memory>
#include <string>

#include "harness/client/extractor.h"
#include "harness/client/transport.h"
#include "harness/common/clock.h"

namespace eiabench {

struct CurlOptions {
  int pool_maxsize = 10;         // CURLMOPT_MAXCONNECTS
  int max_host_connections = 0;  // CURLMOPT_MAX_HOST_CONNECTIONS, 0 = any
  HttpVersion http_version = HttpVersion::kHttp1_1;
  bool keep_alive = true;                        // false: CURLOPT_FORBID_REUSE
  Compression compression = Compression::kNone;  // CURLOPT_ACCEPT_ENCODING
  double connect_timeout_s = 10;                 // clock seconds
  double timeout_s = 60;                         // clock seconds, 0 = none
  std::string user_agent = "eiabench/0.1";
  std::string ca_file;  // CURLOPT_CAINFO when non-empty
};

// The transport settings of an ExtractOptions (pool_connections has no
// libcurl equivalent and no effect on one host).
CurlOptions CurlOptionsFrom(const ExtractOptions& options);

// Creates a transport. Returns null and sets *error if libcurl cannot be
// initialised. The clock must outlive the transport.
std::unique_ptr<Transport> MakeCurlTransport(const CurlOptions& options,
                                             Clock& clock,
                                             std::string* error = nullptr);

}  // namespace eiabench
