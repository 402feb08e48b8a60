// SimTransport: the Transport of the `sim` target. It hands each request to
// the mock's EiaModel in-process and completes it on a VirtualClock, so a
// run needs no sockets and no real time, and is deterministic for a seed.
//
// Time model. A request submitted at virtual time t reaches the model at t
// (no network delay beyond what the model's latency says) and completes at
// t + the model's delay. Poll() jumps the clock to the next completion, or
// to the deadline when nothing completes before it.
//
// Connections. The transport simulates a connection cache of
// `pool_maxsize` idle connections, like libcurl's CURLMOPT_MAXCONNECTS: a
// request takes an idle connection if there is one, else opens a new one
// (the model adds its new-connection cost, standing for TCP and TLS set-up);
// a finished exchange returns its connection to the cache unless the cache
// is full, keep-alive is off, or the exchange failed below HTTP.
//
// Faults (mock::FaultKind) are acted out as the HTTP transport would see
// them: a stall becomes a timeout after timeout_s, a reset a
// kConnectionReset, a truncated body a kTruncatedBody; server errors and
// malformed JSON arrive as the model shaped them.
//
// Not thread-safe: one thread owns it (as every Transport).
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "harness/client/transport.h"
#include "harness/common/clock.h"
#include "mock_server/eia_model.h"

namespace eiabench::experiment {

struct SimTransportOptions {
  int pool_maxsize = 10;  // idle connections kept (>= 1)
  bool keep_alive = true;
  double timeout_s = 60;  // whole exchange, 0 = none
};

class SimTransport : public Transport {
 public:
  // Borrows the model and the clock; both must outlive the transport.
  SimTransport(mock::EiaModel& model, VirtualClock& clock,
               SimTransportOptions options);

  void Submit(HttpRequest request) override;
  std::vector<HttpCompletion> Poll(Nanos deadline) override;
  size_t in_flight() const override { return pending_.size(); }
  uint64_t connections_opened() const override { return opened_; }

 private:
  struct Pending {
    Nanos finish;
    uint64_t sequence;  // breaks ties in submission order: deterministic
    HttpCompletion completion;
    bool keep_connection;
    bool operator>(const Pending& other) const {
      return finish != other.finish ? finish > other.finish
                                    : sequence > other.sequence;
    }
  };

  void ActOut(const mock::MockResponse& response, Nanos now,
              Pending* pending) const;

  mock::EiaModel& model_;
  VirtualClock& clock_;
  SimTransportOptions options_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
  uint64_t sequence_ = 0;
  uint64_t opened_ = 0;
  int idle_ = 0;
};

// Splits an absolute URL into path and query ("http://h:1/v2/x?a=b" ->
// "/v2/x", "a=b").
void SplitUrl(const std::string& url, std::string* path, std::string* query);

}  // namespace eiabench::experiment
