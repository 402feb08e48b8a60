// A tiny in-process stand-in for the EIA data endpoint, for extractor tests
// that need exact control (scripted faults, virtual time) without sockets.
// It is deliberately independent of the mock server: it writes its own
// JSON, and computes its own truth checksum.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/client/transport.h"
#include "harness/common/clock.h"

namespace eiabench::testing {

struct FakeFault {
  int status = 0;  // HTTP status to answer, or 0 for a transport error
  TransportError error = TransportError::kNone;
  std::string retry_after;  // Retry-After header value when non-empty
  bool truncate = false;    // 200 with the body cut in half
  bool short_page = false;  // 200 with the last row missing
};

inline FakeFault StatusFault(int status, std::string retry_after = "") {
  FakeFault f;
  f.status = status;
  f.retry_after = std::move(retry_after);
  return f;
}
inline FakeFault ErrorFault(TransportError e) {
  FakeFault f;
  f.error = e;
  return f;
}
inline FakeFault TruncatedFault() {
  FakeFault f;
  f.status = 200;
  f.truncate = true;
  return f;
}
inline FakeFault ShortPageFault() {
  FakeFault f;
  f.status = 200;
  f.short_page = true;
  return f;
}

class FakeApi : public Transport {
 public:
  // Serves fuel-type-data style rows: `series` fuel types per hour.
  FakeApi(VirtualClock& clock, int series, Nanos latency)
      : clock_(clock), series_(series), latency_(latency) {}

  // Faults by request sequence number (0-based, in Submit order).
  std::map<uint64_t, FakeFault> faults;
  // Every URL received, in order.
  std::vector<std::string> urls;
  std::vector<Nanos> start_times;

  void Submit(HttpRequest request) override;
  std::vector<HttpCompletion> Poll(Nanos deadline) override;
  size_t in_flight() const override { return pending_.size(); }
  uint64_t connections_opened() const override { return 1; }

  // Rows and checksum of hours [first_hour, last_hour] (hours since epoch).
  struct Truth {
    uint64_t rows = 0;
    uint64_t checksum = 0;
  };
  Truth TruthFor(int64_t first_hour, int64_t last_hour) const;

 private:
  std::string Answer(const std::string& url, int64_t* total) const;
  std::string RowJson(int64_t hour, int s) const;

  VirtualClock& clock_;
  int series_;
  Nanos latency_;
  std::multimap<Nanos, HttpCompletion> pending_;
};

}  // namespace eiabench::testing
