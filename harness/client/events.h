// What the extraction pipeline tells the outside world, one event per HTTP
// exchange. Data flows one way: the extractor emits events, the recorder in
// harness/experiment turns them into metrics. Nothing here knows about
// scenarios or result files.
#pragma once

#include <cstdint>
#include <string>

#include "harness/client/transport.h"
#include "harness/common/clock.h"

namespace eiabench {

// How one request attempt ended, as the pipeline classifies it.
enum class Outcome {
  kOk,              // 2xx and a valid page
  kRateLimited,     // 429 (retried)
  kServerError,     // 5xx (retried)
  kTransportError,  // timeout, reset, truncated body... (retried)
  kBadBody,         // 2xx but malformed JSON or a broken envelope (retried)
  kRejected,        // 400/403/404: not retried, stops the run
};

const char* OutcomeName(Outcome o);

struct RequestEvent {
  uint64_t page_id = 0;  // the planned page this attempt serves
  uint32_t attempt = 0;  // 0 for the first try, 1.. for retries
  // When the schedule wanted the request to start (the pacer's earliest
  // permitted time, or the moment the request became ready if the pacer
  // had no objection). Latency measured from here includes time spent
  // queued behind the pacer or the concurrency limit: coordinated omission.
  Nanos intended_start{0};
  Nanos started_at{0};   // actual start (Submit)
  Nanos finished_at{0};  // response complete or failed
  Outcome outcome = Outcome::kOk;
  int status = 0;  // HTTP status, 0 if none
  TransportError transport_error = TransportError::kNone;
  uint64_t rows = 0;   // rows parsed from the page (0 on failure)
  uint64_t bytes = 0;  // body bytes received
  bool new_connection = false;
  Nanos connect{0};  // TCP connect time (0 on a reused connection)
  Nanos tls{0};
  Nanos first_byte{0};
  Nanos parse_time{0};              // parsing the page (real CPU work)
  Nanos sink_time{0};               // writing its rows to the sink
  double retry_after_s = -1;        // Retry-After header value, -1 if absent
  uint32_t in_flight_at_start = 0;  // requests in flight including this one
};

// Receives events as they happen, on the extractor's thread.
class ExtractObserver {
 public:
  virtual ~ExtractObserver() = default;
  virtual void OnRequest(const RequestEvent& event) = 0;
  // The pacer or the concurrency limit held the pipeline idle from `from`
  // to `to` (a time-budget entry). Optional.
  virtual void OnPacingWait(Nanos from, Nanos to) { (void)from, (void)to; }
  // A backoff sleep before a retry.
  virtual void OnBackoff(Nanos from, Nanos to) { (void)from, (void)to; }
};

}  // namespace eiabench
