// The extractor's event loop. One thread: admit batches, pace and submit
// page requests, poll completions, classify, parse, write, checkpoint.
#include "harness/client/extractor.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <random>

#include "harness/client/pacer.h"
#include "harness/client/page_parser.h"
#include "harness/client/raw_json.h"
#include "harness/client/row_hash_set.h"
#include "harness/common/exit_codes.h"

namespace eiabench {
namespace {

constexpr uint64_t kApiMaxLength = 5000;
// Pages written between two sink flushes (checkpoints). A crash loses at
// most this many pages of progress, which --resume refetches.
constexpr int kPagesPerFlush = 8;
constexpr Nanos kHour = std::chrono::hours(1);

// A page waiting to be requested, or in flight.
struct Task {
  uint64_t page_id = 0;
  uint32_t batch = 0;
  uint32_t page = 0;
  uint64_t offset = 0;
  uint32_t attempt = 0;
  Nanos ready_at{0};    // became eligible (batch slot held, prior page done)
  Nanos not_before{0};  // backoff: may not start earlier
  Nanos seed_wake{-1};  // seed limiter's wake time, once computed
  Nanos started_at{0};
  uint32_t in_flight_at_start = 0;
};

struct BatchState {
  bool active = false, done = false;
  int64_t total = -1;      // from the first page
  uint64_t pages = 0;      // pages the batch needs (once total is known)
  uint32_t next_page = 0;  // next page index to schedule
  bool in_flight = false;
  std::optional<Task> pending;
  bool had_failure = false;
  uint64_t rows = 0;  // unique rows written, resumed pages included
  RowHashSet row_hashes;
  std::map<uint32_t, CompletedPage> resumed;
};

std::optional<double> ParseRetryAfter(const HttpCompletion& c) {
  auto h = c.Header("retry-after");
  if (!h) return std::nullopt;
  char* end = nullptr;
  double s = std::strtod(h->c_str(), &end);
  if (end == h->c_str() || s < 0 || !std::isfinite(s)) return std::nullopt;
  return s;
}

ParsedPage BadPage(std::string why) {
  ParsedPage p;
  p.error = std::move(why);
  return p;
}

}  // namespace

class Extractor::Impl {
 public:
  Impl(ExtractOptions options, Transport& transport, Clock& clock,
       RowSink& sink, ExtractObserver* observer, std::atomic<bool>& stop)
      : o_(std::move(options)),
        transport_(transport),
        clock_(clock),
        sink_(sink),
        observer_(observer),
        stop_(stop),
        pacer_(PacerOptions{o_.delay_between_operations_s,
                            o_.max_operations_per_second, o_.requests_per_hour,
                            o_.burst, o_.seed_limiter}),
        rng_(o_.rng_seed) {}

  ExtractSummary Run();
  const Plan& plan() const { return plan_; }
  void SetProgress(ProgressFn fn, void* user, Nanos interval) {
    progress_fn_ = fn;
    progress_user_ = user;
    progress_interval_ = interval;
  }

 private:
  bool Prepare();
  bool LearnSeriesPerPeriod(uint64_t* series);
  void LoadResumed();
  void Loop();
  void AdmitBatches();
  void ScheduleNext(uint32_t batch, Nanos now);
  void SubmitReady();
  void Submit(Task& task);
  Nanos NextWake(Nanos now) const;
  void Handle(HttpCompletion c);
  bool HandleOk(Task& task, HttpCompletion& c, RequestEvent* ev);
  void Retry(Task task, double retry_after_s, const HttpCompletion& c);
  void FailPage(const Task& task, const HttpCompletion* last);
  void FinishBatch(uint32_t batch);
  void Reject(const std::string& why);
  void SinkError(const std::string& why);
  void Emit(const RequestEvent& ev);
  void MaybeProgress(bool force);
  ExtractSummary Finish();
  bool Stopping() const { return stopping_ || stop_.load(); }
  uint64_t PageLength() const {
    return static_cast<uint64_t>(o_.request_length);
  }
  uint64_t RowsPerPage() const {
    return std::min<uint64_t>(PageLength(), kApiMaxLength);
  }
  std::string WithKey(std::string url) const {
    if (o_.key_placement == KeyPlacement::kQuery && !o_.api_key.empty())
      url += "&api_key=" + o_.api_key;
    return url;
  }

  ExtractOptions o_;
  Transport& transport_;
  Clock& clock_;
  RowSink& sink_;
  ExtractObserver* observer_;
  std::atomic<bool>& stop_;
  Pacer pacer_;
  std::mt19937_64 rng_;
  PageParser parser_;
  PageRows rows_;

  Plan plan_;
  std::vector<BatchState> batches_;
  uint32_t next_batch_ = 0;
  int active_ = 0;
  std::map<uint64_t, Task> in_flight_;  // request id -> task
  uint64_t next_request_id_ = 1;
  std::deque<Nanos> recent_starts_;  // for the progress line
  int pages_since_flush_ = 0;
  bool stopping_ = false;
  bool any_http_response_ = false;  // the target answered at least once
  ExtractSummary s_;

  ProgressFn progress_fn_ = nullptr;
  void* progress_user_ = nullptr;
  Nanos progress_interval_{0};
  Nanos last_progress_{-1};
};

ExtractSummary Extractor::Impl::Run() {
  s_.started_at = clock_.Now();
  if (!Prepare()) return Finish();
  LoadResumed();
  Loop();
  std::string error;
  if (s_.exit_code != kExitEnvironment && !sink_.Flush(&error))
    SinkError(error);
  return Finish();
}

// Plans the batches (asking the API for the series count in fill mode) and
// opens the sink.
bool Extractor::Impl::Prepare() {
  if (auto why = ValidateOptions(o_)) {
    s_.exit_code = kExitUsage;
    s_.error = *why;
    return false;
  }
  uint64_t series = 0;
  if (o_.planning == PlanningMode::kFill &&
      o_.batch_end == BatchEnd::kExclusiveHour &&
      !LearnSeriesPerPeriod(&series))
    return false;
  PlanResult pr = MakePlan(o_, series);
  if (!pr.error.empty()) {
    s_.exit_code = kExitUsage;
    s_.error = pr.error;
    return false;
  }
  plan_ = std::move(pr.plan);
  batches_.resize(plan_.batches.size());
  s_.batches = plan_.batches.size();
  SinkContext ctx{o_.route, o_.data_columns, plan_.fingerprint, o_.resume};
  std::string error;
  if (!sink_.Open(ctx, &error)) {
    bool mismatch = error.find("resume mismatch") != std::string::npos ||
                    error.find("nothing to resume") != std::string::npos;
    s_.exit_code = mismatch ? kExitUsage : kExitEnvironment;
    s_.error = Redact(error, o_.api_key);
    return false;
  }
  return true;
}

// Fill planning: one probe request over the first day (24 hours, or 7 days
// for daily routes) with length=1 reveals `total`, i.e. rows per period
// for these facets. It is paced and retried like any page and emitted as
// page id 2^63 so the runner can tell it apart.
bool Extractor::Impl::LearnSeriesPerPeriod(uint64_t* series) {
  ExtractOptions probe = o_;
  probe.planning = PlanningMode::kDays;
  probe.days_per_batch = probe.frequency == "daily" ? 7 : 1;
  PlanResult pr = MakePlan(probe, 0);
  if (!pr.error.empty()) {
    s_.exit_code = kExitUsage;
    s_.error = pr.error;
    return false;
  }
  const PlannedBatch& b = pr.plan.batches.front();
  uint64_t periods = static_cast<uint64_t>(b.last_period - b.first_period + 1);
  for (uint32_t attempt = 0; attempt < static_cast<uint32_t>(o_.max_attempts);
       ++attempt) {
    if (Stopping()) break;
    Nanos now = clock_.Now();
    clock_.SleepUntil(pacer_.EarliestStart(now));
    HttpRequest req;
    req.id = next_request_id_++;
    req.url = WithKey(BuildPageUrl(o_, b, 0, 1));
    if (o_.key_placement == KeyPlacement::kHeader && !o_.api_key.empty())
      req.headers.emplace_back("X-Api-Key", o_.api_key);
    RequestEvent ev;
    ev.page_id = uint64_t{1} << 63;
    ev.attempt = attempt;
    ev.intended_start = now;
    ev.started_at = clock_.Now();
    pacer_.RecordStart(ev.started_at);
    ev.in_flight_at_start = 1;
    transport_.Submit(std::move(req));
    ++s_.requests;
    std::vector<HttpCompletion> done;
    for (int i = 0; done.empty() && i < 1000; ++i)
      done = transport_.Poll(clock_.Now() + kHour);
    if (done.empty()) break;  // no answer in 1000 hours: give up
    HttpCompletion& c = done.front();
    ev.finished_at = c.finished_at;
    ev.status = c.status;
    ev.transport_error = c.error;
    ev.bytes = c.bytes_received;
    if (c.error == TransportError::kNone && c.status >= 200 && c.status < 300) {
      ParsedPage page = parser_.Parse(c.body, &rows_);
      if (page.ok) {
        Emit(ev);
        *series = std::max<uint64_t>(1, (page.total + periods - 1) / periods);
        return true;
      }
      ev.outcome = Outcome::kBadBody;
    } else if (c.status == 400 || c.status == 403 || c.status == 404) {
      ev.outcome = Outcome::kRejected;
      Emit(ev);
      Reject("HTTP " + std::to_string(c.status) + ": " +
             ApiErrorMessage(c.body));
      return false;
    } else {
      ev.outcome = c.error != TransportError::kNone ? Outcome::kTransportError
                   : c.status == 429                ? Outcome::kRateLimited
                                                    : Outcome::kServerError;
    }
    Emit(ev);
    ++s_.retries;
    double cap = std::min(o_.backoff_max_s,
                          o_.backoff_base_s * std::ldexp(1.0, attempt));
    double wait = std::uniform_real_distribution<double>(0, cap)(rng_);
    clock_.SleepUntil(clock_.Now() + FromSeconds(wait));
  }
  s_.exit_code = kExitInvalidRun;
  s_.error = "fill planning: the probe request failed after " +
             std::to_string(o_.max_attempts) + " attempts";
  return false;
}

void Extractor::Impl::LoadResumed() {
  for (const CompletedPage& p : sink_.CompletedPages()) {
    uint32_t b = PageBatch(p.page_id);
    if (b >= batches_.size()) continue;
    batches_[b].resumed[PageIndex(p.page_id)] = p;
    ++s_.pages_resumed;
    s_.rows_total += p.rows;
    s_.checksum += p.checksum;
  }
}

void Extractor::Impl::Loop() {
  for (;;) {
    AdmitBatches();
    SubmitReady();
    bool work_left =
        active_ > 0 || (!Stopping() && next_batch_ < batches_.size());
    if (in_flight_.empty() && (!work_left || Stopping())) break;
    Nanos now = clock_.Now();
    Nanos wake = NextWake(now);
    // On real and scaled clocks, wake at least every 100 ms of real time so
    // that RequestStop() (SIGINT) is noticed during a long pacing wait.
    if (clock_.scale() > 0)
      wake = std::min(wake, now + FromSeconds(0.1 * clock_.scale()));
    if (in_flight_.empty()) {
      if (observer_) observer_->OnPacingWait(now, wake);
      clock_.SleepUntil(wake);
      continue;
    }
    for (HttpCompletion& c : transport_.Poll(wake)) Handle(std::move(c));
    MaybeProgress(false);
  }
  MaybeProgress(true);
}

void Extractor::Impl::AdmitBatches() {
  while (!Stopping() && active_ < o_.max_concurrent_batches &&
         next_batch_ < batches_.size()) {
    uint32_t b = next_batch_++;
    batches_[b].active = true;
    ++active_;
    ScheduleNext(b, clock_.Now());
  }
}

// Puts the batch's next page that is not already done into `pending`, or
// finishes the batch when none is left.
void Extractor::Impl::ScheduleNext(uint32_t b, Nanos now) {
  BatchState& st = batches_[b];
  for (;;) {
    bool known = st.total >= 0;
    if (!known) {
      auto first = st.resumed.find(0);
      if (first != st.resumed.end() && st.next_page == 0) {
        st.total = static_cast<int64_t>(first->second.batch_total);
        st.pages = PagesForRows(first->second.batch_total, o_);
        continue;
      }
    } else if (st.next_page >= st.pages) {
      FinishBatch(b);
      return;
    }
    uint32_t page = st.next_page;
    auto it = st.resumed.find(page);
    if (it != st.resumed.end()) {
      st.rows += it->second.rows;
      ++st.next_page;
      continue;
    }
    Task t;
    t.batch = b;
    t.page = page;
    t.page_id = MakePageId(b, page);
    t.offset = page * RowsPerPage();
    t.ready_at = now;
    t.not_before = now;
    st.pending = t;
    return;
  }
}

// Submits every pending page the limits allow now, oldest first. The pacer
// is global: when it says "not yet" nothing else may start either.
void Extractor::Impl::SubmitReady() {
  if (Stopping()) return;
  std::vector<Task*> ready;
  for (auto& st : batches_) {
    if (st.active && !st.in_flight && st.pending) ready.push_back(&*st.pending);
  }
  std::sort(ready.begin(), ready.end(), [](const Task* a, const Task* b) {
    return a->ready_at != b->ready_at ? a->ready_at < b->ready_at
                                      : a->page_id < b->page_id;
  });
  for (Task* t : ready) {
    if (o_.serial_requests && !in_flight_.empty()) return;
    Nanos now = clock_.Now();
    if (t->not_before > now) continue;
    if (o_.seed_limiter) {
      if (t->seed_wake < Nanos(0)) t->seed_wake = pacer_.SeedWake(now);
      if (t->seed_wake > now) continue;
    }
    if (pacer_.EarliestStart(now) > now) return;
    Submit(*t);
  }
}

void Extractor::Impl::Submit(Task& pending) {
  BatchState& st = batches_[pending.batch];
  Task t = pending;
  st.pending.reset();
  st.in_flight = true;
  const PlannedBatch& b = plan_.batches[t.batch];
  if (o_.seed_limiter) pacer_.RecordSeedStart(clock_.Now());
  // The seed's blocking sleep: nothing else progresses meanwhile.
  if (o_.pre_request_sleep_s > 0)
    clock_.SleepUntil(clock_.Now() + FromSeconds(o_.pre_request_sleep_s));
  HttpRequest req;
  req.id = next_request_id_++;
  req.url = WithKey(BuildPageUrl(o_, b, t.offset, PageLength()));
  if (o_.key_placement == KeyPlacement::kHeader && !o_.api_key.empty())
    req.headers.emplace_back("X-Api-Key", o_.api_key);
  t.started_at = clock_.Now();
  pacer_.RecordStart(t.started_at);
  recent_starts_.push_back(t.started_at);
  t.in_flight_at_start = static_cast<uint32_t>(in_flight_.size() + 1);
  in_flight_[req.id] = t;
  ++s_.requests;
  transport_.Submit(std::move(req));
}

// When the loop must look again: the earliest backoff expiry, seed wake or
// pacer slot of a pending page; otherwise an hour ahead (a completion will
// come first).
Nanos Extractor::Impl::NextWake(Nanos now) const {
  Nanos wake = now + kHour;
  bool any = false;
  for (const auto& st : batches_) {
    if (!st.active || st.in_flight || !st.pending) continue;
    if (o_.serial_requests && !in_flight_.empty()) break;
    Nanos t = std::max(st.pending->not_before, pacer_.EarliestStart(now));
    if (o_.seed_limiter && st.pending->seed_wake >= Nanos(0))
      t = std::max(t, st.pending->seed_wake);
    wake = any ? std::min(wake, t) : t;
    any = true;
  }
  return std::max(wake, now);
}

void Extractor::Impl::Handle(HttpCompletion c) {
  auto it = in_flight_.find(c.id);
  if (it == in_flight_.end()) return;  // not ours: ignore
  Task task = it->second;
  in_flight_.erase(it);
  batches_[task.batch].in_flight = false;
  s_.bytes += c.bytes_received;

  RequestEvent ev;
  ev.page_id = task.page_id;
  ev.attempt = task.attempt;
  ev.intended_start = task.ready_at;
  ev.started_at = task.started_at;
  ev.finished_at = c.finished_at;
  ev.status = c.status;
  ev.transport_error = c.error;
  ev.bytes = c.bytes_received;
  ev.new_connection = c.new_connection;
  ev.connect = c.new_connection ? c.connect : Nanos(0);
  ev.tls = c.tls;
  ev.first_byte = c.first_byte;
  ev.in_flight_at_start = task.in_flight_at_start;
  if (c.status != 0) any_http_response_ = true;
  auto retry_after = ParseRetryAfter(c);
  if (retry_after) ev.retry_after_s = *retry_after;

  if (c.error != TransportError::kNone) {
    ev.outcome = Outcome::kTransportError;
    ++s_.transport_errors;
  } else if (c.status == 429) {
    ev.outcome = Outcome::kRateLimited;
    ++s_.http_429;
  } else if (c.status >= 500) {
    ev.outcome = Outcome::kServerError;
    ++s_.http_5xx;
  } else if (c.status >= 200 && c.status < 300) {
    if (HandleOk(task, c, &ev)) {
      Emit(ev);
      return;
    }
    if (ev.outcome == Outcome::kOk) return;  // sink failure, run stopped
  } else {
    ev.outcome = Outcome::kRejected;
    Emit(ev);
    Reject("HTTP " + std::to_string(c.status) + ": " + ApiErrorMessage(c.body));
    return;
  }
  Emit(ev);
  Retry(task, retry_after.value_or(-1), c);
}

// A 2xx: parse, check against the batch, write. Returns false with
// ev->outcome = kBadBody when the page must be retried.
bool Extractor::Impl::HandleOk(Task& task, HttpCompletion& c,
                               RequestEvent* ev) {
  BatchState& st = batches_[task.batch];
  if (!o_.raw_json_dir.empty()) {
    std::string error;
    if (!RoundTripRawJson(o_.raw_json_dir, task.page_id, task.attempt,
                          o_.api_key, &c.body, &error)) {
      SinkError(error);
      return false;
    }
  }
  Nanos parse_start = clock_.Now();
  ParsedPage page = parser_.Parse(c.body, &rows_);
  ev->parse_time = clock_.Now() - parse_start;
  if (page.ok && st.total >= 0 && page.total != static_cast<uint64_t>(st.total))
    page = BadPage("total changed between pages");
  uint64_t expected = 0;
  if (page.ok) {
    uint64_t total = page.total;
    expected =
        total > task.offset ? std::min(RowsPerPage(), total - task.offset) : 0;
    // Seed mode without paging still requires what it asked for to match.
    if (rows_.size() != expected)
      page = BadPage("page holds " + std::to_string(rows_.size()) +
                     " rows, expected " + std::to_string(expected));
  }
  if (!page.ok) {
    ev->outcome = Outcome::kBadBody;
    ++s_.bad_bodies;
    return false;
  }
  s_.warnings += page.warnings.size();
  if (st.total < 0) {
    st.total = static_cast<int64_t>(page.total);
    st.pages = PagesForRows(page.total, o_);
    // Sized once for the batch instead of rehashed as it fills; a `total`
    // is the server's word, so the reservation is bounded.
    constexpr uint64_t kMaxReservedHashes = 1 << 20;
    st.row_hashes.Reserve(std::min(page.total, kMaxReservedHashes));
  }

  // Drop rows already seen in this batch (an unstable order on the server
  // side); the batch's gap check then reports the rows they displaced.
  // TODO: rows of pages finished by an earlier (resumed) run are not in
  // the batch's hash set, so a duplicate across a resume goes unnoticed.
  PageRows* out = &rows_;
  PageRows unique;
  uint64_t checksum = 0;
  std::vector<bool> repeated(rows_.size(), false);
  bool any_repeated = false;
  for (size_t r = 0; r < rows_.size(); ++r) {
    uint64_t h = rows_.Hash(r);
    if (st.row_hashes.Insert(h)) {
      checksum += h;
    } else {
      repeated[r] = any_repeated = true;
      ++s_.duplicates;
    }
  }
  if (any_repeated) {
    for (size_t r = 0; r < rows_.size(); ++r) {
      if (repeated[r]) continue;
      unique.BeginRow();
      for (size_t i = 0; i < rows_.FieldCount(r); ++i) {
        FieldView f = rows_.Field(r, i);
        unique.AddField(f.key, f.value, f.is_null);
      }
    }
    out = &unique;
  }

  PageRecord rec{task.page_id, task.offset, page.total, checksum, out};
  Nanos sink_start = clock_.Now();
  std::string error;
  if (!sink_.WritePage(rec, &error)) {
    SinkError(error);
    return false;
  }
  if (++pages_since_flush_ >= kPagesPerFlush) {
    pages_since_flush_ = 0;
    if (!sink_.Flush(&error)) {
      SinkError(error);
      return false;
    }
  }
  ev->sink_time = clock_.Now() - sink_start;
  ev->rows = out->size();
  s_.rows += out->size();
  s_.rows_total += out->size();
  s_.checksum += checksum;
  ++s_.pages_ok;
  st.rows += out->size();
  st.next_page = task.page + 1;
  ScheduleNext(task.batch, clock_.Now());
  return true;
}

// Schedules another attempt after full-jitter backoff (never sooner than
// Retry-After), or records the page as failed when attempts are used up.
void Extractor::Impl::Retry(Task task, double retry_after_s,
                            const HttpCompletion& c) {
  if (Stopping() ||
      task.attempt + 1 >= static_cast<uint32_t>(o_.max_attempts)) {
    FailPage(task, &c);
    return;
  }
  double cap = std::min(o_.backoff_max_s,
                        o_.backoff_base_s * std::ldexp(1.0, task.attempt));
  double wait_s = std::uniform_real_distribution<double>(0, cap)(rng_);
  wait_s = std::max(wait_s, retry_after_s);
  Nanos now = clock_.Now();
  ++task.attempt;
  ++s_.retries;
  task.not_before = now + FromSeconds(wait_s);
  task.ready_at = task.not_before;
  task.seed_wake = Nanos(-1);
  if (observer_) observer_->OnBackoff(now, task.not_before);
  batches_[task.batch].pending = task;
}

// A page that exhausted its attempts. Without its first page a batch's
// total is unknown, so the whole batch is abandoned (a resume refetches
// it); a later page is skipped and the batch goes on.
void Extractor::Impl::FailPage(const Task& task, const HttpCompletion* last) {
  BatchState& st = batches_[task.batch];
  ++s_.pages_failed;
  st.had_failure = true;
  // A target that never answered at all is an environment problem, not a
  // page problem: stop instead of trying every other batch the same way.
  if (last && last->error == TransportError::kConnectFailed &&
      !any_http_response_ && s_.exit_code == 0) {
    s_.exit_code = kExitEnvironment;
    s_.error = Redact("cannot reach " + o_.base_url + ": " + last->error_detail,
                      o_.api_key);
    stopping_ = true;
  }
  if (st.total < 0) {
    ++s_.batches_failed;
    FinishBatch(task.batch);
    return;
  }
  st.next_page = task.page + 1;
  if (Stopping()) {
    FinishBatch(task.batch);
    return;
  }
  ScheduleNext(task.batch, clock_.Now());
}

void Extractor::Impl::FinishBatch(uint32_t b) {
  BatchState& st = batches_[b];
  if (st.done) return;
  st.done = true;
  st.active = false;
  st.pending.reset();
  --active_;
  // Rows missing with no page to blame: the pages summed to less than
  // total (short pages or duplicates). Seed mode (no paging) loses rows
  // beyond the first page silently, as the seed did.
  bool complete = st.next_page >= st.pages && st.total >= 0;
  if (o_.paginate && complete && !st.had_failure &&
      st.rows < static_cast<uint64_t>(st.total))
    ++s_.gaps;
  st.row_hashes.Release();
}

void Extractor::Impl::Reject(const std::string& why) {
  if (s_.exit_code == 0) {
    s_.exit_code = kExitApiRejected;
    s_.error = Redact("the API refused the request: " + why, o_.api_key);
  }
  stopping_ = true;
}

void Extractor::Impl::SinkError(const std::string& why) {
  if (s_.exit_code == 0 || s_.exit_code == kExitApiRejected) {
    s_.exit_code = kExitEnvironment;
    s_.error = Redact(why, o_.api_key);
  }
  stopping_ = true;
}

void Extractor::Impl::Emit(const RequestEvent& ev) {
  if (observer_) observer_->OnRequest(ev);
}

void Extractor::Impl::MaybeProgress(bool force) {
  if (!progress_fn_) return;
  Nanos now = clock_.Now();
  if (!force && last_progress_ >= Nanos(0) &&
      now - last_progress_ < progress_interval_)
    return;
  last_progress_ = now;
  while (!recent_starts_.empty() && recent_starts_.front() <= now - kHour)
    recent_starts_.pop_front();
  Progress p;
  p.rows = s_.rows_total;
  p.pages_done = s_.pages_ok + s_.pages_resumed;
  p.requests = s_.requests;
  p.batches = batches_.size();
  for (const auto& st : batches_) {
    if (st.done) ++p.batches_done;
    p.pages_known += st.total >= 0 ? st.pages : 1;
  }
  p.requests_last_hour = recent_starts_.size();
  p.now = now;
  progress_fn_(p, progress_user_);
}

ExtractSummary Extractor::Impl::Finish() {
  s_.finished_at = clock_.Now();
  s_.duration_s = ToSeconds(s_.finished_at - s_.started_at);
  s_.connections_opened = transport_.connections_opened();
  s_.checksum_hex = ChecksumHex(s_.checksum);
  if (s_.exit_code != 0) return s_;
  bool unfinished = false;
  for (const auto& st : batches_) unfinished |= !st.done;
  if (stop_.load() && unfinished) {
    s_.exit_code = kExitInterrupted;
    s_.error = "interrupted: progress so far is saved; rerun with --resume";
  } else if (s_.pages_failed > 0) {
    s_.exit_code = kExitInvalidRun;
    s_.error = std::to_string(s_.pages_failed) +
               " page(s) failed after all retries; rerun with --resume";
  } else if (s_.gaps > 0) {
    s_.exit_code = kExitInvalidRun;
    s_.error = std::to_string(s_.gaps) +
               " batch(es) returned fewer rows than their total";
  }
  return s_;
}

Extractor::Extractor(ExtractOptions options, Transport& transport, Clock& clock,
                     RowSink& sink, ExtractObserver* observer)
    : impl_(std::make_unique<Impl>(std::move(options), transport, clock, sink,
                                   observer, stop_requested_)) {}

Extractor::~Extractor() = default;

ExtractSummary Extractor::Run() { return impl_->Run(); }

const Plan& Extractor::plan() const { return impl_->plan(); }

void Extractor::SetProgressCallback(ProgressFn fn, void* user, Nanos interval) {
  impl_->SetProgress(fn, user, interval);
}

}  // namespace eiabench
