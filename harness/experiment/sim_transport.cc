#include "harness/experiment/sim_transport.h"

#include <algorithm>
#include <cctype>

namespace eiabench::experiment {

void SplitUrl(const std::string& url, std::string* path, std::string* query) {
  size_t scheme = url.find("://");
  size_t begin = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
  if (begin == std::string::npos) begin = url.size();
  size_t q = url.find('?', begin);
  *path =
      url.substr(begin, q == std::string::npos ? std::string::npos : q - begin);
  if (path->empty()) *path = "/";
  *query = q == std::string::npos ? "" : url.substr(q + 1);
}

SimTransport::SimTransport(mock::EiaModel& model, VirtualClock& clock,
                           SimTransportOptions options)
    : model_(model), clock_(clock), options_(options) {
  options_.pool_maxsize = std::max(options_.pool_maxsize, 1);
}

void SimTransport::Submit(HttpRequest request) {
  Nanos now = clock_.Now();
  mock::MockRequest m;
  m.method = request.method;
  SplitUrl(request.url, &m.path, &m.query);
  m.headers = std::move(request.headers);
  m.body = std::move(request.body);

  bool reuse = options_.keep_alive && idle_ > 0;
  if (reuse) {
    --idle_;
  } else {
    ++opened_;
  }
  m.new_connection = !reuse;
  m.connection_id = opened_;

  mock::MockResponse response = model_.Handle(m, now);
  Pending p;
  p.sequence = sequence_++;
  p.completion.id = request.id;
  p.completion.started_at = now;
  p.completion.new_connection = !reuse;
  if (!reuse) {
    p.completion.connect =
        FromSeconds(model_.options().latency.new_connection_ms / 1e3);
  }
  ActOut(response, now, &p);
  pending_.push(std::move(p));
}

// Turns the model's answer into what a socket-level client would observe.
void SimTransport::ActOut(const mock::MockResponse& response, Nanos now,
                          Pending* p) const {
  HttpCompletion& c = p->completion;
  Nanos timeout = FromSeconds(options_.timeout_s);
  Nanos delay = response.delay;
  bool times_out = options_.timeout_s > 0 && delay > timeout;
  p->finish = now + (times_out ? timeout : delay);
  p->keep_connection = options_.keep_alive;
  if (times_out || response.fault == mock::FaultKind::kStall) {
    c.error = TransportError::kTimeout;
    c.error_detail = "timed out (simulated)";
  } else if (response.fault == mock::FaultKind::kReset) {
    c.error = TransportError::kConnectionReset;
    c.error_detail = "connection reset by peer (simulated)";
  } else if (response.fault == mock::FaultKind::kTruncated) {
    c.error = TransportError::kTruncatedBody;
    c.error_detail = "body shorter than Content-Length (simulated)";
    c.bytes_received = response.body.size() / 2;
  }
  if (c.error != TransportError::kNone) {
    p->keep_connection = false;
    c.finished_at = p->finish;
    return;
  }
  c.status = response.status;
  for (const auto& [name, value] : response.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    c.headers.emplace_back(lower, value);
  }
  c.body = response.body;
  c.bytes_received = c.body.size();
  c.first_byte = delay;
  c.finished_at = p->finish;
}

std::vector<HttpCompletion> SimTransport::Poll(Nanos deadline) {
  std::vector<HttpCompletion> done;
  if (pending_.empty() || pending_.top().finish > deadline) {
    // Nothing completes in time: time passes up to the deadline (a wait
    // with no deadline and nothing in flight returns at once).
    if (deadline != Nanos::max()) clock_.AdvanceTo(deadline);
    return done;
  }
  clock_.AdvanceTo(pending_.top().finish);
  while (!pending_.empty() && pending_.top().finish <= clock_.Now()) {
    // Moving out of top() is safe: the heap only compares finish and
    // sequence, which a move leaves intact.
    Pending p = std::move(const_cast<Pending&>(pending_.top()));
    pending_.pop();
    if (p.keep_connection && idle_ < options_.pool_maxsize) ++idle_;
    done.push_back(std::move(p.completion));
  }
  return done;
}

}  // namespace eiabench::experiment
