// The fault matrix: every fault kind the mock can inject, at 1 %, 5 % and
// 20 % and mixed, against the real libcurl pipeline over HTTP. Retryable
// cases must end complete and exactly once (the mock's truth checksum) with
// every injected fault counted once as a retry of the right class;
// non-retryable cases must stop with their exit code and leave an output
// that a --resume run completes exactly.
//
// The workload is 200 pages of 6 rows with one batch in flight, so the mock
// numbers requests in the same order on every run and a seed fixes which
// requests fail: the outcome is deterministic.
#include <catch2/catch.hpp>
#include <thread>

#include "harness/client/sinks.h"
#include "harness/common/exit_codes.h"
#include "tests/reliability/rel_util.h"

using namespace eiabench;
using namespace eiabench::reliability;

namespace {

enum class Kind {
  kServerError,
  kUnavailable,
  kStall,
  kReset,
  kTruncated,
  kMalformedJson,
  kMixed
};

struct KindInfo {
  Kind kind;
  const char* name;  // the mock's fault name in /_mock/stats
};

constexpr KindInfo kKinds[] = {{Kind::kServerError, "server_error"},
                               {Kind::kUnavailable, "unavailable"},
                               {Kind::kStall, "stall"},
                               {Kind::kReset, "reset"},
                               {Kind::kTruncated, "truncated"},
                               {Kind::kMalformedJson, "malformed_json"},
                               {Kind::kMixed, "mixed"}};

void SetFault(mock::FaultOptions* f, Kind kind, double rate) {
  switch (kind) {
    case Kind::kServerError:
      f->server_error = rate;
      break;
    case Kind::kUnavailable:
      f->unavailable = rate;
      break;
    case Kind::kStall:
      f->stall = rate;
      break;
    case Kind::kReset:
      f->reset = rate;
      break;
    case Kind::kTruncated:
      f->truncated = rate;
      break;
    case Kind::kMalformedJson:
      f->malformed_json = rate;
      break;
    case Kind::kMixed:
      for (Kind k : {Kind::kServerError, Kind::kUnavailable, Kind::kStall,
                     Kind::kReset, Kind::kTruncated, Kind::kMalformedJson})
        SetFault(f, k, rate / 6);
      break;
  }
  // A stall outlasts the client's timeout by far but stays short enough
  // that stalled handler threads free up quickly.
  f->stall_s = 1.5;
}

int64_t Injected(mock::MockServer& server) {
  int64_t n = 0;
  for (const char* name : {"server_error", "unavailable", "stall", "reset",
                           "truncated", "malformed_json"})
    n += MockFaultCount(server, name);
  return n;
}

// Runs the small job against a mock injecting `kind` at `rate` and checks
// the outcome; returns the faults injected (0: this seed drew none).
int64_t CheckRetryableCase(const KindInfo& info, double rate, uint64_t seed,
                           int64_t* hidden_total) {
  mock::ServerOptions mo = SmallMockOptions(seed);
  SetFault(&mo.model.faults, info.kind, rate);
  LiveMock m(mo);
  ExtractOptions o = SmallJob(m.base_url());
  o.timeout_s = 0.25;  // a stall costs a quarter second, not 1.5 s
  NullSink sink;
  ExtractSummary s = RunExtract(o, sink);
  auto truth = TruthOf(m.server(), o);
  int64_t injected = Injected(m.server());
  INFO(info.name << " at " << rate << ", seed " << seed << ": " << s.error);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.rows == truth.rows);
  CHECK(s.checksum_hex == truth.checksum);
  CHECK(s.duplicates == 0);
  CHECK(s.gaps == 0);
  CHECK(s.pages_failed == 0);
  // Every fault the client saw is counted once, in its class, and every
  // request the mock counted is one the client sent and counted: libcurl's
  // own silent resend after a reset on a reused connection is refused by
  // the transport (docs/RELIABILITY.md, Findings 1). A loaded machine can
  // also time out a healthy request (0.25 s), which is a real transport
  // error and a retry, hence the >= on the transport-error class.
  int64_t resets = MockFaultCount(m.server(), "reset");
  int64_t hidden =
      MockDataRequests(m.server()) - static_cast<int64_t>(s.requests);
  CHECK(hidden == 0);
  CHECK(static_cast<int64_t>(s.retries) >= injected);
  CHECK(s.requests == s.pages_ok + s.retries);
  int64_t fives = MockFaultCount(m.server(), "server_error") +
                  MockFaultCount(m.server(), "unavailable");
  int64_t transport = MockFaultCount(m.server(), "stall") + resets +
                      MockFaultCount(m.server(), "truncated");
  CHECK(static_cast<int64_t>(s.http_5xx) == fives);
  CHECK(static_cast<int64_t>(s.transport_errors) >= transport);
  CHECK(static_cast<int64_t>(s.bad_bodies) ==
        MockFaultCount(m.server(), "malformed_json"));
  *hidden_total += hidden;
  return injected;
}

}  // namespace

TEST_CASE("every retryable fault kind at every rate ends complete and exact",
          "[reliability][faults]") {
  int64_t cases = 0, faults = 0, hidden = 0;
  for (const KindInfo& info : kKinds) {
    for (double rate : {0.01, 0.05, 0.20}) {
      // 1 % of ~200 requests can draw no fault for a seed; the next seed
      // is tried (bounded), so every case injects at least one.
      int64_t injected = 0;
      for (uint64_t seed = 1; seed <= 8 && injected == 0; ++seed)
        injected = CheckRetryableCase(info, rate, seed, &hidden);
      INFO(info.name << " at " << rate);
      CHECK(injected > 0);
      ++cases;
      faults += injected;
    }
  }
  // Figures for docs/RELIABILITY.md.
  WARN("fault matrix: " << cases << " cases, " << faults << " faults injected, "
                        << hidden
                        << " requests the mock saw and the client did not "
                           "(libcurl's resends), rows lost 0");
}

TEST_CASE("429 bursts are retried after Retry-After and end exact",
          "[reliability][faults]") {
  // Tighter and tighter one-second windows (burst limit per key): the
  // share of 429 answers grows; every page still arrives exactly once.
  for (int64_t per_second : {150, 60, 20}) {
    mock::ServerOptions mo = SmallMockOptions(3);
    mo.model.rate_limit.burst_per_second = per_second;
    mo.model.rate_limit.headers = true;
    LiveMock m(mo);
    ExtractOptions o = SmallJob(m.base_url());
    o.request_length = 12;  // 100 pages: keeps the 20/s case near 5 s
    o.max_attempts = 50;
    NullSink sink;
    ExtractSummary s = RunExtract(o, sink);
    auto truth = TruthOf(m.server(), o);
    INFO(per_second << "/s: " << s.error);
    CHECK(s.exit_code == kExitOk);
    CHECK(s.checksum_hex == truth.checksum);
    CHECK(s.rows == truth.rows);
    CHECK(static_cast<int64_t>(s.http_429) == MockStatusCount(m.server(), 429));
    CHECK(s.retries == s.http_429);
    if (per_second <= 60) CHECK(s.http_429 > 0);
    WARN("429 bursts at " << per_second << "/s: " << s.http_429 << " of "
                          << s.requests << " requests answered 429");
  }
}

TEST_CASE("a 403 suspension stops with exit 6 and a resumable output",
          "[reliability][faults]") {
  std::string dir = FreshDir("suspend");
  std::string out = dir + "/out.sqlite";
  mock::ServerOptions mo = SmallMockOptions(5);
  mo.model.rate_limit.limit = 30;
  mo.model.rate_limit.window_s = 3600;
  mo.model.rate_limit.suspend = true;
  mo.model.rate_limit.suspend_s = 3600;
  ExtractOptions o;
  {
    LiveMock m(mo);
    o = SmallJob(m.base_url());
    auto sink = MakeSink(SinkKind::kSqlite, out);
    ExtractSummary s = RunExtract(o, *sink);
    std::string error;
    CHECK(sink->Close(&error));
    INFO(s.error);
    CHECK(s.exit_code == kExitApiRejected);
    CHECK(s.error.find("403") != std::string::npos);
    CHECK(s.error.find(kFakeKey) == std::string::npos);
    CHECK(s.pages_ok == 30);  // the durable part: exactly what was admitted
  }
  // The key's suspension lifts (a fresh mock with the same seed serves the
  // same data); --resume completes without refetching the 30 pages.
  mo.model.rate_limit = {};
  LiveMock m(mo);
  o.base_url = m.base_url();
  o.resume = true;
  auto sink = MakeSink(SinkKind::kSqlite, out);
  ExtractSummary s = RunExtract(o, *sink);
  std::string error;
  CHECK(sink->Close(&error));
  auto truth = TruthOf(m.server(), o);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.pages_resumed == 30);
  CHECK(s.checksum_hex == truth.checksum);
  CHECK(s.rows_total == truth.rows);
  auto db = SqliteTruth(out, "electricity_rto_region_data");
  CHECK(db.first == truth.rows);
  CHECK(db.second == truth.checksum);
}

TEST_CASE("exhausted retries exit 3, report the failures, and resume exact",
          "[reliability][faults]") {
  std::string dir = FreshDir("exhaust");
  std::string out = dir + "/out.jsonl";
  mock::ServerOptions mo = SmallMockOptions(9);
  SetFault(&mo.model.faults, Kind::kMixed, 0.20);
  ExtractOptions o;
  {
    LiveMock m(mo);
    o = SmallJob(m.base_url());
    o.timeout_s = 0.25;
    o.max_attempts = 1;  // a fault is final
    auto sink = MakeSink(SinkKind::kJsonLines, out);
    ExtractSummary s = RunExtract(o, *sink);
    std::string error;
    CHECK(sink->Close(&error));
    INFO(s.error);
    CHECK(s.exit_code == kExitInvalidRun);
    CHECK_FALSE(s.error.empty());
    CHECK(s.pages_failed + s.batches_failed > 0);
    CHECK(s.rows < TruthOf(m.server(), o).rows);  // not passed off as whole
  }
  mo.model.faults = {};
  LiveMock m(mo);
  o.base_url = m.base_url();
  o.resume = true;
  o.max_attempts = 5;
  auto sink = MakeSink(SinkKind::kJsonLines, out);
  ExtractSummary s = RunExtract(o, *sink);
  std::string error;
  CHECK(sink->Close(&error));
  auto truth = TruthOf(m.server(), o);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.pages_resumed > 0);
  CHECK(s.checksum_hex == truth.checksum);
  CHECK(s.rows_total == truth.rows);
  std::string text = ReadAll(out);
  CHECK(static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')) ==
        truth.rows);
}
