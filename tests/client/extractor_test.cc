// The extractor's loop on virtual time against FakeApi: completeness,
// retries, Retry-After, rejection, failure and resume, pacing, seed modes.
#include "harness/client/extractor.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "harness/client/period.h"
#include "harness/client/sinks.h"
#include "harness/common/exit_codes.h"
#include "tests/client/fake_api.h"

using namespace eiabench;
using eiabench::testing::FakeApi;
using namespace eiabench::testing;

namespace {

constexpr char kKey[] = "KEY0123456789abcdefKEY0123456789abcdefXY";

struct Recorder : ExtractObserver {
  std::vector<RequestEvent> events;
  void OnRequest(const RequestEvent& e) override { events.push_back(e); }
};

ExtractOptions Options() {
  ExtractOptions o;
  o.base_url = "http://fake/v2";
  o.route = "electricity/rto/fuel-type-data";
  o.facets = {{"respondent", {"PACW"}}};
  o.start = "2024-01-01T00";
  o.end = "2024-01-30T23";  // 720 hours, 3600 rows at 5 series
  o.days_per_batch = 7;
  o.request_length = 300;
  o.api_key = kKey;
  o.backoff_base_s = 1;
  o.backoff_max_s = 8;
  return o;
}

FakeApi::Truth TruthOf(const FakeApi& api, const ExtractOptions& o) {
  return api.TruthFor(*ParseHour(o.start, false), *ParseHour(o.end, true));
}

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("eiabench-extractor-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

}  // namespace

TEST_CASE("an extraction over many pages is complete and exactly once",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(200));
  ExtractOptions o = Options();
  o.max_concurrent_batches = 3;
  NullSink sink;
  Recorder rec;
  ExtractSummary s = Extractor(o, api, clock, sink, &rec).Run();
  FakeApi::Truth truth = TruthOf(api, o);
  CHECK(s.exit_code == kExitOk);
  CHECK(s.rows == truth.rows);
  CHECK(s.checksum == truth.checksum);
  CHECK(s.gaps == 0);
  CHECK(s.duplicates == 0);
  // 5 batches: four of 7 days (840 rows, 3 pages), one of 2 days (240, 1).
  CHECK(s.pages_ok == 13);
  CHECK(rec.events.size() == 13);
  uint32_t max_in_flight = 0;
  for (const auto& e : rec.events) {
    CHECK(e.intended_start <= e.started_at);
    max_in_flight = std::max(max_in_flight, e.in_flight_at_start);
  }
  CHECK(max_in_flight == 3);
}

TEST_CASE("a 429 is retried no sooner than its Retry-After", "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  api.faults[1] = StatusFault(429, "30");
  ExtractOptions o = Options();
  NullSink sink;
  Recorder rec;
  ExtractSummary s = Extractor(o, api, clock, sink, &rec).Run();
  CHECK(s.exit_code == kExitOk);
  CHECK(s.http_429 == 1);
  CHECK(s.retries == 1);
  REQUIRE(rec.events.size() >= 3);
  CHECK(rec.events[1].outcome == Outcome::kRateLimited);
  CHECK(rec.events[1].retry_after_s == 30);
  CHECK(rec.events[2].attempt == 1);
  CHECK(rec.events[2].started_at - rec.events[1].finished_at >=
        std::chrono::seconds(30));
  CHECK(s.checksum == TruthOf(api, o).checksum);
}

TEST_CASE("5xx, resets, timeouts, truncated and short pages are retried",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  api.faults[0] = StatusFault(503);
  api.faults[2] = ErrorFault(TransportError::kConnectionReset);
  api.faults[4] = ErrorFault(TransportError::kTimeout);
  api.faults[5] = TruncatedFault();
  api.faults[7] = ShortPageFault();
  ExtractOptions o = Options();
  NullSink sink;
  ExtractSummary s = Extractor(o, api, clock, sink, nullptr).Run();
  CHECK(s.exit_code == kExitOk);
  CHECK(s.http_5xx == 1);
  CHECK(s.transport_errors == 2);
  CHECK(s.bad_bodies == 2);
  CHECK(s.retries == 5);
  CHECK(s.rows == TruthOf(api, o).rows);
  CHECK(s.checksum == TruthOf(api, o).checksum);
}

TEST_CASE("a 403 stops the run with one line and exit 6, key redacted",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  api.faults[2] = StatusFault(403);
  ExtractOptions o = Options();
  NullSink sink;
  ExtractSummary s = Extractor(o, api, clock, sink, nullptr).Run();
  CHECK(s.exit_code == kExitApiRejected);
  CHECK(s.error.find("403") != std::string::npos);
  CHECK(s.error.find("SCRIPTED") != std::string::npos);
  CHECK(s.error.find('\n') == std::string::npos);
  CHECK(s.error.find(kKey) == std::string::npos);
  CHECK(api.urls.size() == 3);  // nothing after the refusal
}

TEST_CASE("pages that exhaust retries fail the run, and resume fetches them",
          "[client]") {
  std::string path = TempPath("resume.jsonl");
  std::filesystem::remove(path + ".progress");
  ExtractOptions o = Options();
  o.max_attempts = 2;
  uint64_t truth_rows = 0, truth_sum = 0;
  {
    VirtualClock clock;
    FakeApi api(clock, 5, std::chrono::milliseconds(100));
    api.faults[3] = StatusFault(500);  // batch 1's first page, twice
    api.faults[4] = StatusFault(500);
    api.faults[6] = StatusFault(502);  // batch 2, page 1, twice
    api.faults[7] = StatusFault(502);
    auto sink = MakeSink(SinkKind::kJsonLines, path);
    ExtractSummary s = Extractor(o, api, clock, *sink, nullptr).Run();
    std::string error;
    REQUIRE(sink->Close(&error));
    CHECK(s.exit_code == kExitInvalidRun);
    CHECK(s.pages_failed == 2);
    CHECK(s.batches_failed == 1);
    CHECK(s.rows < TruthOf(api, o).rows);
    truth_rows = TruthOf(api, o).rows;
    truth_sum = TruthOf(api, o).checksum;
  }
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  o.resume = true;
  auto sink = MakeSink(SinkKind::kJsonLines, path);
  ExtractSummary s = Extractor(o, api, clock, *sink, nullptr).Run();
  std::string error;
  REQUIRE(sink->Close(&error));
  CHECK(s.exit_code == kExitOk);
  CHECK(s.pages_resumed > 0);
  CHECK(s.rows_total == truth_rows);
  CHECK(s.checksum == truth_sum);
  std::ifstream in(path);
  uint64_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  CHECK(lines == truth_rows);
}

TEST_CASE("the minimum delay holds between starts under concurrency",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(900));
  ExtractOptions o = Options();
  o.max_concurrent_batches = 4;
  o.delay_between_operations_s = 0.5;
  NullSink sink;
  ExtractSummary s = Extractor(o, api, clock, sink, nullptr).Run();
  CHECK(s.exit_code == kExitOk);
  for (size_t i = 1; i < api.start_times.size(); ++i)
    CHECK(api.start_times[i] - api.start_times[i - 1] >=
          std::chrono::milliseconds(500));
}

TEST_CASE("serial requests never overlap even with concurrent batches",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(300));
  ExtractOptions o = Options();
  o.max_concurrent_batches = 4;
  o.serial_requests = true;
  NullSink sink;
  Recorder rec;
  ExtractSummary s = Extractor(o, api, clock, sink, &rec).Run();
  CHECK(s.exit_code == kExitOk);
  for (const auto& e : rec.events) CHECK(e.in_flight_at_start == 1);
}

TEST_CASE("seed mode loses the rows the seed lost", "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(250));
  ExtractOptions o = Options();
  o.start = "2024-01-01";
  o.end = "2024-04-01";
  o.days_per_batch = 45;
  o.request_length = 5000;
  o.paginate = false;
  o.batch_end = BatchEnd::kDateOnly;
  o.max_concurrent_batches = 2;
  o.serial_requests = true;
  o.seed_limiter = true;
  o.delay_between_operations_s = 0.8;
  o.pre_request_sleep_s = 0.72;
  NullSink sink;
  ExtractSummary s = Extractor(o, api, clock, sink, nullptr).Run();
  CHECK(s.exit_code == kExitOk);
  CHECK(s.requests == 3);
  // The seed's "ultimate" config per data type: 5000 + 5000 + 250 rows
  // (SEED_FINDINGS §3: 20,250 for two data types).
  CHECK(s.rows == 10125);
}

TEST_CASE("fill planning learns the series count and asks for full pages",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  ExtractOptions o = Options();
  o.end = "2024-03-31T23";
  o.planning = PlanningMode::kFill;
  o.request_length = 5000;
  NullSink sink;
  Recorder rec;
  Extractor ex(o, api, clock, sink, &rec);
  ExtractSummary s = ex.Run();
  CHECK(s.exit_code == kExitOk);
  CHECK(ex.plan().series_per_period == 5);
  REQUIRE(rec.events.size() == 4);  // probe + 3 pages
  CHECK(rec.events[1].rows == 5000);
  CHECK(rec.events[2].rows == 5000);
  CHECK(s.checksum == TruthOf(api, o).checksum);
}

TEST_CASE("the key goes in a header when asked and never in the URL",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  ExtractOptions o = Options();
  o.key_placement = KeyPlacement::kHeader;
  NullSink sink;
  Extractor(o, api, clock, sink, nullptr).Run();
  for (const auto& url : api.urls) CHECK(url.find(kKey) == std::string::npos);
}

TEST_CASE("bad options stop before any request with exit 4", "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  ExtractOptions o = Options();
  o.max_attempts = 0;
  NullSink sink;
  ExtractSummary s = Extractor(o, api, clock, sink, nullptr).Run();
  CHECK(s.exit_code == kExitUsage);
  CHECK(s.error.find("max_attempts") == 0);
  CHECK(api.urls.empty());
}

TEST_CASE("a target that never answers stops the run with exit 5",
          "[client]") {
  VirtualClock clock;
  FakeApi api(clock, 5, std::chrono::milliseconds(100));
  for (uint64_t i = 0; i < 10; ++i)
    api.faults[i] = ErrorFault(TransportError::kConnectFailed);
  ExtractOptions o = Options();
  o.max_attempts = 3;
  NullSink sink;
  ExtractSummary s = Extractor(o, api, clock, sink, nullptr).Run();
  CHECK(s.exit_code == kExitEnvironment);
  CHECK(s.error.find("cannot reach") == 0);
  CHECK(s.requests == 3);  // not every batch tried the same way
}
