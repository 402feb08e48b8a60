// The extraction pipeline: plan -> pace -> request -> parse -> sink.
//
// An Extractor loads one (route, facets, date range) completely and exactly
// once: it cuts the range into hour-exact batches, fetches each batch page by
// page (offset/length) through a Transport, paces every request start with a
// global limiter, retries what can succeed later, parses pages with simdjson,
// streams rows to a RowSink and records progress so that a killed run can be
// resumed.
//
// Everything runs on one thread in one event loop over Transport::Submit /
// Transport::Poll and a Clock. Every duration below (delays, timeouts,
// backoff) is in the Clock's time base, so the same code runs on real time
// (CurlTransport + RealClock), scaled time (ScaledClock) and virtual time
// (SimTransport + VirtualClock in harness/experiment).
//
// Typical use:
//   ExtractOptions options;            // every knob, documented below
//   options.route = "electricity/rto/fuel-type-data";
//   options.facets = {{"respondent", {"PACW"}}};
//   options.start = "2024-01-01T00";
//   options.end = "2024-03-31T23";
//   RealClock clock;
//   auto transport = MakeCurlTransport(CurlOptionsFrom(options), clock);
//   NullSink sink;
//   Extractor extractor(options, *transport, clock, sink, &observer);
//   ExtractSummary summary = extractor.Run();
//   return summary.exit_code;
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/client/events.h"
#include "harness/client/transport.h"
#include "harness/common/clock.h"

namespace eiabench {

// ---------------------------------------------------------------------------
// Options: one field per knob. The scenario runner maps scenario axes 1:1 to
// these names; a name never changes meaning.
// ---------------------------------------------------------------------------

enum class PlanningMode {
  kDays,  // batches of `days_per_batch` days, paged by offset/length
  kFill,  // batch span sized so each request returns a full page (see below)
};

enum class BatchEnd {
  // Honest: batch i covers [start_i, start_i + span) with hour-exact bounds
  // sent as `start=YYYY-MM-DDTHH&end=YYYY-MM-DDTHH` (end = last hour,
  // inclusive). Batches tile the range: no hour lost, none fetched twice.
  kExclusiveHour,
  // The seed's flaw, for reproduction only: inclusive calendar-date batches
  // [d, d+N-1] sent as `start=YYYY-MM-DD&end=YYYY-MM-DD`. The API reads a
  // date-only end as hour T00 of that day, so 23 hours vanish at every batch
  // boundary (SEED_FINDINGS §7-C).
  kDateOnly,
};

enum class HttpVersion { kHttp1_1, kHttp2 };
enum class Compression { kNone, kGzip, kBr };
enum class KeyPlacement {
  kQuery,   // `api_key=<key>` in the query string (EIA's documented form)
  kHeader,  // `X-Api-Key: <key>` header (api-umbrella accepts it)
};

struct ExtractOptions {
  // --- What to load -------------------------------------------------------
  // Base URL without a trailing slash; the live API by default. TLS
  // verification is always on for https URLs.
  std::string base_url = "https://api.eia.gov/v2";
  // Route under the base URL, e.g. "electricity/rto/region-data".
  std::string route;
  // Facet filters in order: {"respondent", {"PJM", "MISO"}}. Empty = all.
  std::vector<std::pair<std::string, std::vector<std::string>>> facets;
  // Inclusive range. Hourly: "YYYY-MM-DDTHH" (a bare date means T00 for
  // start and T23 for end). Daily routes (frequency "daily"): "YYYY-MM-DD".
  std::string start;
  std::string end;
  // "hourly" (UTC hours) or "daily". local-hourly is not supported.
  std::string frequency = "hourly";
  // Data columns requested as data[i]=...; they are not part of a row's
  // natural key.
  std::vector<std::string> data_columns = {"value"};

  // --- The API key (never logged, echoed, or written anywhere) ------------
  std::string api_key;
  KeyPlacement key_placement = KeyPlacement::kQuery;

  // --- Planning ------------------------------------------------------------
  PlanningMode planning = PlanningMode::kDays;
  // kDays: days per batch (>= 1). A batch spans days_per_batch * 24 hours
  // (hourly) or days_per_batch days (daily); the last batch is cut at `end`.
  int days_per_batch = 7;
  // Rows asked per page (`length`). The API caps JSON pages at 5000. A value
  // above 5000 is sent as given (to show what the API does): the API answers
  // 5000 rows plus a "parameter out of range" warning, and the pipeline
  // pages by the rows actually received, so nothing is lost either way.
  int request_length = 5000;
  // true (honest): fetch every page of a batch until `total` is reached and
  // act on "incomplete return" warnings. false (seed): one GET per batch;
  // rows beyond the first page are silently lost and warnings are ignored.
  bool paginate = true;
  BatchEnd batch_end = BatchEnd::kExclusiveHour;

  // --- Concurrency ---------------------------------------------------------
  // Batches in flight at once (>= 1). Within a batch pages go one after
  // another because the first page reveals `total`. Independent of the
  // connection pool settings.
  int max_concurrent_batches = 1;
  // Seed mode: at most one request in flight even when several batches are
  // "concurrent" (the seed's blocking calls inside asyncio).
  bool serial_requests = false;

  // --- Pacing (all enforced on request *starts*, globally) ----------------
  // Minimum gap between any two request starts, under concurrency too.
  // 0 = off.
  double delay_between_operations_s = 0;
  // Cap on request starts per second: a minimum gap of 1/x between starts.
  // 0 = off.
  double max_operations_per_second = 0;
  // GCRA: at most `burst` starts back to back, sustained
  // `requests_per_hour`. Any sliding 3600 s window then holds at most
  // requests_per_hour + burst - 1 starts; set requests_per_hour to
  // limit - burst + 1 to stay under a server limit of `limit`/hour
  // (see ComplianceSafeRate). 0 = off.
  double requests_per_hour = 0;
  int burst = 1;
  // Seed mode: a fixed blocking sleep immediately before every GET. It
  // blocks the whole loop (nothing progresses while it runs). 0 = off.
  double pre_request_sleep_s = 0;
  // Seed mode: replace the proper limiter's `delay_between_operations_s`
  // with the seed's `_apply_rate_limiting`: a request computes its wait
  // once, when it becomes ready, from the last start at that moment, and
  // fires when the wait ends without re-checking, so requests that became
  // ready together fire back to back.
  bool seed_limiter = false;

  // --- Transport (CurlTransport; SimTransport may ignore some) -----------
  // Connections kept open for reuse (CURLMOPT_MAXCONNECTS), >= 1. Extra
  // connections are opened when needed and closed afterwards.
  int pool_maxsize = 10;
  // Connections to one host at once (CURLMOPT_MAX_HOST_CONNECTIONS);
  // 0 = unlimited. Requests beyond it queue inside libcurl.
  int max_host_connections = 0;
  // urllib3's number of per-host pools. Accepted for parity with the seed;
  // it has NO effect with one host (every request goes to the API host).
  int pool_connections = 10;
  HttpVersion http_version = HttpVersion::kHttp1_1;
  // false: every request opens a new connection (CURLOPT_FORBID_REUSE).
  bool keep_alive = true;
  Compression compression = Compression::kNone;
  double connect_timeout_s = 10;
  // Whole exchange, connect included. 0 = no limit.
  double timeout_s = 60;
  std::string user_agent = "eiabench/0.1";
  // CA bundle for https (CURLOPT_CAINFO); empty = the system store.
  std::string ca_file;

  // --- Retries -------------------------------------------------------------
  // Attempts per page, first one included (>= 1). Retried: 429, 5xx,
  // timeouts, resets, refused connections, truncated or malformed bodies.
  // Never retried: 400, 403, 404 (the run stops, exit 6).
  int max_attempts = 5;
  // Full jitter: wait uniform[0, min(backoff_max_s, backoff_base_s * 2^n))
  // before retry n+1; never less than Retry-After when the server sent one.
  double backoff_base_s = 0.5;
  double backoff_max_s = 30;
  // Seeds the jitter RNG, so a virtual-time run is deterministic.
  uint64_t rng_seed = 1;

  // --- Seed reproduction: raw file round trip -------------------------------
  // Non-empty: write every raw response as pretty JSON
  // {"metadata":...,"api_response":...} into this directory and read it
  // back before parsing, inside the timed window, as the seed did.
  std::string raw_json_dir;

  // --- Resume --------------------------------------------------------------
  // Skip pages the sink's checkpoint records as done. The plan must be the
  // same as the interrupted run's (checked by fingerprint).
  bool resume = false;
};

// A rate that keeps every sliding hour of a GCRA with `burst` at or under
// `limit_per_hour` starts: limit - burst + 1 (at least 1).
double ComplianceSafeRate(double limit_per_hour, int burst);

// Checks every knob; returns a one-line error naming the field and value,
// or std::nullopt when the options are usable.
std::optional<std::string> ValidateOptions(const ExtractOptions& options);

// ---------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------

// One batch: a contiguous span of periods, fetched page by page.
struct PlannedBatch {
  uint32_t index = 0;
  // Period indices (hours or days since 1970-01-01 UTC), inclusive. For
  // BatchEnd::kDateOnly these are what the API will actually return.
  int64_t first_period = 0;
  int64_t last_period = 0;
  // Exactly what is sent as start= / end=.
  std::string start_param;
  std::string end_param;
};

struct Plan {
  std::vector<PlannedBatch> batches;
  // Rows per period the planner assumed (fill mode: learned from the API;
  // days mode: 0 = unknown). Used only for estimates.
  uint64_t series_per_period = 0;
  // Identifies the plan for resume (route, facets, bounds, page length).
  std::string fingerprint;
};

// Number of periods covered by the plan's requests (for kDateOnly, fewer
// than the range holds).
int64_t PeriodsCovered(const Plan& plan);

// Builds the batches for `options`. `series_per_period` is required for
// kFill (rows per hour, e.g. 5 for PACW fuel-type-data) and ignored for
// kDays. Returns an error for an unparsable or empty range.
struct PlanResult {
  Plan plan;
  std::string error;  // empty on success
};
PlanResult MakePlan(const ExtractOptions& options, uint64_t series_per_period);

// Pages a batch of `rows` rows needs at `request_length` (at least 1: an
// empty batch still costs the request that reveals total = 0). With
// paginate = false, always 1.
uint64_t PagesForRows(uint64_t rows, const ExtractOptions& options);

// Page ids are (batch_index << 24) | page_index: stable across resumes.
inline uint64_t MakePageId(uint32_t batch, uint32_t page) {
  return (static_cast<uint64_t>(batch) << 24) | page;
}
inline uint32_t PageBatch(uint64_t page_id) {
  return static_cast<uint32_t>(page_id >> 24);
}
inline uint32_t PageIndex(uint64_t page_id) {
  return static_cast<uint32_t>(page_id & 0xFFFFFF);
}

// The data request URL of one page (key excluded: the extractor adds it
// last, and every URL is redacted before it goes anywhere).
std::string BuildPageUrl(const ExtractOptions& options,
                         const PlannedBatch& batch, uint64_t offset,
                         uint64_t length);

// ---------------------------------------------------------------------------
// Rows and sinks
// ---------------------------------------------------------------------------

// One field of a row, as the response wrote it: key and unescaped string
// value, or null. Views stay valid while the PageRows they came from lives.
struct FieldView {
  std::string_view key;
  std::string_view value;  // empty when is_null
  bool is_null = false;
};

// The rows of one page, stored flat, fields in response order. Fields are
// views: AddFieldView() stores the caller's bytes without copying (the
// parser points into its own buffers, valid until its next Parse()), while
// AddField() copies them into storage the PageRows owns.
class PageRows {
 public:
  size_t size() const { return row_starts_.size(); }
  bool empty() const { return row_starts_.empty(); }
  size_t FieldCount(size_t row) const {
    size_t end =
        row + 1 < row_starts_.size() ? row_starts_[row + 1] : slots_.size();
    return end - row_starts_[row];
  }
  FieldView Field(size_t row, size_t field) const {
    const Slot& s = slots_[row_starts_[row] + field];
    return FieldView{s.key, s.value, s.is_null};
  }

  // The row's RowHash(): the one the parser stored, or computed now.
  uint64_t Hash(size_t row) const;

  // Building (the parser's side).
  void Clear();
  void BeginRow();
  void AddField(std::string_view key, std::string_view value, bool is_null);
  void AddFieldView(std::string_view key, std::string_view value,
                    bool is_null) {
    slots_.push_back(Slot{key, is_null ? std::string_view() : value, is_null});
  }
  // Stores the last row's hash, once its fields are complete.
  void SetLastRowHash(uint64_t hash);

 private:
  struct Slot {
    std::string_view key, value;
    bool is_null;
  };
  std::deque<std::string> owned_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> row_starts_;
  std::vector<uint64_t> hashes_;  // rows [0, hashes_.size()) are hashed
};

// The row hash and checksum of the shared contract: XXH3-64 (seed 0) over
// "key=value;" for every field in response order (null -> "null"); a result
// set's checksum is the wrapping sum of its row hashes.
uint64_t RowHash(const PageRows& rows, size_t row);
std::string ChecksumHex(uint64_t checksum);  // 16 lower-case hex digits

// One completed page as it goes to the sink and the checkpoint.
struct PageRecord {
  uint64_t page_id = 0;
  uint64_t offset = 0;
  uint64_t batch_total = 0;  // the response's `total` for this batch
  uint64_t checksum = 0;     // sum of this page's row hashes
  const PageRows* rows = nullptr;
};

// What a sink remembers of a page for resume.
struct CompletedPage {
  uint64_t page_id = 0;
  uint64_t rows = 0;
  uint64_t batch_total = 0;
  uint64_t checksum = 0;
};

struct SinkContext {
  std::string route;
  std::vector<std::string> data_columns;  // excluded from the natural key
  std::string plan_fingerprint;
  bool resume = false;
};

// Where rows go. Implementations: NullSink, JsonLinesSink, CsvSink,
// SqliteSink (harness/client/sinks.h). Called only from the extractor's
// thread. Every method returns false and sets *error (one line) on failure;
// the extractor then stops the run with kExitEnvironment.
class RowSink {
 public:
  virtual ~RowSink() = default;

  // Prepares the output. With ctx.resume, loads the checkpoint and fails if
  // its plan fingerprint differs; without it, fails if the output already
  // holds a checkpoint (never silently overwrite or mix runs).
  virtual bool Open(const SinkContext& ctx, std::string* error) = 0;

  // Pages the checkpoint records as durable (empty for a fresh run).
  virtual std::vector<CompletedPage> CompletedPages() const = 0;

  // Writes a page's rows and marks the page done, atomically with respect
  // to a crash: after a kill -9 either both survive Flush() or neither.
  virtual bool WritePage(const PageRecord& page, std::string* error) = 0;

  // Makes everything written so far durable (ends a batched transaction).
  virtual bool Flush(std::string* error) = 0;

  // Flushes and closes. Safe to call twice.
  virtual bool Close(std::string* error) = 0;
};

// ---------------------------------------------------------------------------
// The extractor
// ---------------------------------------------------------------------------

struct ExtractSummary {
  int exit_code = 0;  // harness/common/exit_codes.h
  std::string error;  // one line, redacted; empty on success

  // Rows written by this run (resumed pages not included) and the checksum
  // of every row in the output, resumed pages included.
  uint64_t rows = 0;
  uint64_t checksum = 0;
  std::string checksum_hex;
  uint64_t rows_total = 0;  // rows in the output, resumed pages included

  uint64_t batches = 0;
  uint64_t pages_ok = 0;        // fetched and written by this run
  uint64_t pages_resumed = 0;   // skipped: done by an earlier run
  uint64_t pages_failed = 0;    // exhausted their attempts
  uint64_t batches_failed = 0;  // first page failed: total never learned

  uint64_t requests = 0;  // attempts submitted (retries included)
  uint64_t retries = 0;
  uint64_t http_429 = 0;
  uint64_t http_5xx = 0;
  uint64_t transport_errors = 0;
  uint64_t bad_bodies = 0;
  uint64_t warnings = 0;    // API warnings read (incomplete return, ...)
  uint64_t gaps = 0;        // batches whose pages summed to less than total
  uint64_t duplicates = 0;  // rows seen twice within a batch
  uint64_t bytes = 0;
  uint64_t connections_opened = 0;

  Nanos started_at{0};  // clock time of Run()'s start
  Nanos finished_at{0};
  double duration_s = 0;
};

class Extractor {
 public:
  // Borrows transport, clock, sink and observer (observer may be null); all
  // must outlive the Extractor. Not thread-safe except RequestStop().
  Extractor(ExtractOptions options, Transport& transport, Clock& clock,
            RowSink& sink, ExtractObserver* observer);
  ~Extractor();

  // Runs to completion: plans (fill mode asks the API for the facet
  // cardinality first), fetches every page, writes rows, flushes the sink.
  // Exit codes: kExitOk; kExitInvalidRun (pages failed after all retries,
  // or rows missing against total); kExitApiRejected (400/403/404, run
  // stopped); kExitUsage (bad options or resume mismatch);
  // kExitEnvironment (sink failure); kExitInterrupted (RequestStop).
  ExtractSummary Run();

  // Asks Run() to stop submitting, let in-flight requests finish and flush.
  // Async-signal-safe (sets an atomic flag).
  void RequestStop() { stop_requested_.store(true); }

  // The plan Run() used (valid after Run() has planned).
  const Plan& plan() const;

  // Called by the extractor on every progress change (at most every
  // progress_interval of clock time) for the CLI's progress bar.
  struct Progress {
    uint64_t rows = 0, pages_done = 0, pages_known = 0, requests = 0;
    uint64_t batches_done = 0, batches = 0;
    uint64_t requests_last_hour = 0;  // starts in the trailing 3600 s
    Nanos now{0};
  };
  using ProgressFn = void (*)(const Progress& progress, void* user);
  void SetProgressCallback(ProgressFn fn, void* user, Nanos interval);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
};

// Replaces the API key (and any api_key=... value) in `text` with
// "REDACTED". Everything that leaves the pipeline goes through it.
std::string Redact(std::string_view text, std::string_view api_key);

}  // namespace eiabench
