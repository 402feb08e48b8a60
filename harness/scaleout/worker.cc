#include "harness/scaleout/worker.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "harness/client/curl_transport.h"
#include "harness/client/page_parser.h"
#include "harness/common/exit_codes.h"
#include "harness/scaleout/global_limiter.h"
#include "harness/scaleout/job_queue.h"
#include "harness/scaleout/job_spec.h"
#include "harness/scaleout/worker_sink.h"

namespace eiabench::scaleout {
namespace {

constexpr uint64_t kApiMaxLength = 5000;
// How often an idle worker looks for requeued or new pages (real time).
constexpr auto kIdlePoll = std::chrono::milliseconds(100);
// Longest uninterrupted sleep, so that a stop request is noticed quickly.
constexpr auto kIdleSlice = std::chrono::microseconds(50000);

// How one page ended after all its attempts.
enum class PageEnd { kFetched, kFailed, kRejected, kLeaseLost, kFatal };

struct Attempt {
  Outcome outcome = Outcome::kOk;
  std::string detail;         // why it failed, one line, redacted
  double retry_after_s = -1;  // Retry-After, in API seconds
};

class Worker {
 public:
  explicit Worker(const WorkerOptions& options)
      : o_(options),
        client_(options.redis),
        rng_(std::hash<std::string>{}(options.worker_id)) {}

  WorkerResult Run();

 private:
  bool Setup();
  bool LoadSpec();
  void Loop();
  bool Stopping() const { return o_.stop != nullptr && o_.stop->load(); }
  void Fatal(int code, const std::string& error);
  void ProcessLease(const Lease& lease);
  PageEnd FetchPage(const PageTask& task, const std::string& token,
                    ParsedPage* parsed);
  Attempt FetchOnce(const PageTask& task, uint32_t attempt, ParsedPage* parsed);
  Attempt Classify(const HttpCompletion& done, const PageTask& task,
                   ParsedPage* parsed);
  std::vector<PageEntry> FollowingPages(const PageTask& first,
                                        uint64_t total) const;
  void Backoff(uint32_t attempt, double retry_after_s);
  void SleepReal(std::chrono::microseconds d) const;
  void Report();
  void WriteEvent(const RequestEvent& e);
  int64_t ToUnixNs(Nanos t) const;

  const WorkerOptions& o_;
  RedisClient client_;
  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<GlobalLimiter> limiter_;
  JobSpec spec_;
  std::unique_ptr<ScaledClock> clock_;
  std::unique_ptr<Transport> transport_;
  PageParser parser_;
  PageRows rows_;
  std::string body_;  // the page rows_ was parsed from (rows_ views it)
  WorkerSink sink_;
  std::mt19937_64 rng_;
  WorkerResult result_;
  uint64_t request_seq_ = 0;
  uint64_t lease_seq_ = 0;
  bool done_ = false;
  std::FILE* events_ = nullptr;
  int64_t epoch_unix_ns_ = 0;  // Unix time of clock_'s epoch
};

WorkerResult Worker::Run() {
  const auto started = std::chrono::steady_clock::now();
  if (Setup()) Loop();
  sink_.Close();
  if (events_ != nullptr) std::fclose(events_);
  if (queue_ && result_.exit_code != kExitEnvironment) Report();
  result_.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  return result_;
}

void Worker::Fatal(int code, const std::string& error) {
  result_.exit_code = code;
  result_.error = Redact(error, o_.api_key);
  done_ = true;
}

bool Worker::Setup() {
  RedisRetryPolicy policy;
  policy.max_outage = o_.redis_outage;
  queue_ = std::make_unique<JobQueue>(client_, o_.job, policy, o_.stop);
  if (!LoadSpec()) return false;
  limiter_ = std::make_unique<GlobalLimiter>(client_, spec_.limiter,
                                             o_.worker_id, policy, o_.stop);
  std::string error;
  if (!sink_.Open(o_.out_path, o_.worker_id, &error)) {
    Fatal(kExitEnvironment, error);
    return false;
  }
  // Timeouts and backoff are in the API's time; a time-scaled target runs
  // them proportionally faster in real time.
  clock_ = std::make_unique<ScaledClock>(spec_.limiter.time_scale);
  epoch_unix_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (!o_.events_path.empty()) {
    events_ = std::fopen(o_.events_path.c_str(), "a");
    if (events_ == nullptr) {
      Fatal(kExitEnvironment, "cannot write events to " + o_.events_path);
      return false;
    }
  }
  transport_ =
      MakeCurlTransport(CurlOptionsFrom(spec_.extract), *clock_, &error);
  if (!transport_) {
    Fatal(kExitEnvironment, "cannot start libcurl: " + error);
    return false;
  }
  return true;
}

bool Worker::LoadSpec() {
  std::string error;
  auto status = queue_->Status(&error);
  if (!status) {
    Fatal(kExitEnvironment, error);
    return false;
  }
  if (!status->exists) {
    Fatal(kExitUsage, "no job named '" + o_.job + "' in Redis at " +
                          o_.redis.Redacted() + " (plan it first)");
    return false;
  }
  auto spec = SpecFromJson(status->spec, &error);
  if (!spec) {
    Fatal(kExitUsage, error);
    return false;
  }
  spec_ = std::move(*spec);
  if (!o_.base_url.empty()) spec_.extract.base_url = o_.base_url;
  spec_.extract.api_key = o_.api_key;
  return true;
}

void Worker::Loop() {
  std::string error;
  while (!done_) {
    if (Stopping()) return Fatal(kExitInterrupted, "interrupted");
    if (o_.max_pages > 0 &&
        result_.pages_done + result_.pages_duplicate >= o_.max_pages) {
      return;
    }
    // Look before taking a permit, so that an idle worker never spends the
    // shared budget. Claiming zero pages still requeues expired leases.
    auto peek = queue_->Claim(0, spec_.lease, "", &error);
    if (!peek) return Fatal(kExitEnvironment, error);
    if (peek->ready == 0) {
      if (peek->leased == 0) {
        if (peek->failed > 0) {
          Fatal(kExitInvalidRun,
                std::to_string(peek->failed) +
                    " pages failed after all attempts (see `eiabench job "
                    "status`; `job plan --retry-failed` requeues them)");
        }
        return;  // the job is over
      }
      auto wait = std::chrono::milliseconds(
          std::clamp<int64_t>(peek->next_expiry_ms, 1, kIdlePoll.count()));
      SleepReal(wait);
      continue;
    }
    if (!limiter_->Acquire(&error)) {
      if (Stopping()) return Fatal(kExitInterrupted, "interrupted");
      return Fatal(kExitEnvironment, error);
    }
    const std::string token = o_.worker_id + "#" + std::to_string(++lease_seq_);
    auto claim = queue_->Claim(1, spec_.lease, token, &error);
    if (!claim) return Fatal(kExitEnvironment, error);
    // An empty claim wastes one permit: another worker took the last page
    // between the look and the claim. The budget stays respected.
    for (const Lease& lease : claim->leases) ProcessLease(lease);
  }
}

void Worker::ProcessLease(const Lease& lease) {
  std::string error;
  auto task = PageTaskFromJson(lease.payload, &error);
  if (!task) return Fatal(kExitUsage, error);
  const std::string token = o_.worker_id + "#" + std::to_string(lease_seq_);
  ParsedPage parsed;
  switch (FetchPage(*task, token, &parsed)) {
    case PageEnd::kFetched:
      break;
    case PageEnd::kLeaseLost:
      return;  // someone else holds the page now
    case PageEnd::kFatal:
      return;  // Fatal() already set the result
    case PageEnd::kRejected:
    case PageEnd::kFailed:
      return;  // recorded in Redis by FetchPage
  }

  // Durable first, then acknowledged: a crash in between redoes the page.
  if (!sink_.WritePage(task->page_id, parsed.total, parsed.checksum, rows_,
                       &error)) {
    return Fatal(kExitEnvironment, error);
  }
  std::vector<PageEntry> more;
  if (task->offset == 0) more = FollowingPages(*task, parsed.total);
  auto counted = queue_->Ack(lease.page_id, token, o_.worker_id, rows_.size(),
                             more, &error);
  if (!counted) return Fatal(kExitEnvironment, error);
  if (*counted) {
    ++result_.pages_done;
    result_.rows += rows_.size();
  } else {
    ++result_.pages_duplicate;
  }
  if ((result_.pages_done + result_.pages_duplicate) % 100 == 0) Report();
}

PageEnd Worker::FetchPage(const PageTask& task, const std::string& token,
                          ParsedPage* parsed) {
  std::string error;
  const int max_attempts = std::max(1, spec_.extract.max_attempts);
  Attempt last;
  for (uint32_t attempt = 0; attempt < static_cast<uint32_t>(max_attempts);
       ++attempt) {
    if (attempt > 0) {
      Backoff(attempt - 1, last.retry_after_s);
      if (!limiter_->Acquire(&error)) {
        Fatal(Stopping() ? kExitInterrupted : kExitEnvironment, error);
        return PageEnd::kFatal;
      }
      auto held = queue_->Extend(std::to_string(task.page_id), token,
                                 spec_.lease, &error);
      if (!held) {
        Fatal(kExitEnvironment, error);
        return PageEnd::kFatal;
      }
      if (!*held) return PageEnd::kLeaseLost;
    }
    last = FetchOnce(task, attempt, parsed);
    queue_->AddCounters(1, attempt > 0 ? 1 : 0, &error);
    if (last.outcome == Outcome::kOk) return PageEnd::kFetched;
    if (last.outcome == Outcome::kRejected) {
      queue_->Fail(std::to_string(task.page_id), token, last.detail, &error);
      ++result_.pages_failed;
      Fatal(kExitApiRejected, "the API rejected a request: " + last.detail);
      return PageEnd::kRejected;
    }
    if (Stopping()) {
      queue_->Release(std::to_string(task.page_id), token, &error);
      Fatal(kExitInterrupted, "interrupted");
      return PageEnd::kFatal;
    }
  }
  const std::string reason =
      last.detail + " after " + std::to_string(max_attempts) + " attempts";
  if (!queue_->Fail(std::to_string(task.page_id), token, reason, &error)) {
    Fatal(kExitEnvironment, error);
    return PageEnd::kFatal;
  }
  ++result_.pages_failed;
  return PageEnd::kFailed;
}

Attempt Worker::FetchOnce(const PageTask& task, uint32_t attempt,
                          ParsedPage* parsed) {
  HttpRequest request;
  request.id = ++request_seq_;
  request.url =
      BuildPageUrl(spec_.extract, task.batch, task.offset, task.length);
  if (spec_.extract.key_placement == KeyPlacement::kHeader) {
    request.headers.emplace_back("X-Api-Key", o_.api_key);
  } else if (!o_.api_key.empty()) {
    request.url += (request.url.find('?') == std::string::npos ? "?" : "&");
    request.url += "api_key=" + o_.api_key;
  }
  RequestEvent event;
  event.page_id = task.page_id;
  event.attempt = attempt;
  event.intended_start = clock_->Now();
  event.in_flight_at_start = 1;
  transport_->Submit(std::move(request));
  ++result_.requests;
  if (attempt > 0) ++result_.retries;

  // The transport enforces timeout_s; the loop bound is a second guard.
  std::vector<HttpCompletion> done;
  const Nanos give_up =
      clock_->Now() + FromSeconds(spec_.extract.timeout_s * 2 + 10);
  while (done.empty() && transport_->in_flight() > 0 &&
         clock_->Now() < give_up) {
    done = transport_->Poll(clock_->Now() + FromSeconds(1));
  }
  Attempt result;
  if (done.empty()) {
    result.outcome = Outcome::kTransportError;
    result.detail = "no completion from the transport";
    return result;
  }
  const HttpCompletion& c = done.front();
  result = Classify(c, task, parsed);
  event.started_at = c.started_at;
  event.finished_at = c.finished_at;
  event.outcome = result.outcome;
  event.status = c.status;
  event.transport_error = c.error;
  event.rows = result.outcome == Outcome::kOk ? rows_.size() : 0;
  event.bytes = c.bytes_received;
  event.new_connection = c.new_connection;
  event.connect = c.connect;
  event.tls = c.tls;
  event.first_byte = c.first_byte;
  event.retry_after_s = result.retry_after_s;
  if (o_.observer != nullptr) o_.observer->OnRequest(event);
  WriteEvent(event);
  return result;
}

Attempt Worker::Classify(const HttpCompletion& c, const PageTask& task,
                         ParsedPage* parsed) {
  Attempt a;
  if (auto ra = c.Header("retry-after")) {
    try {
      a.retry_after_s = std::stod(*ra);
    } catch (...) {
      a.retry_after_s = -1;
    }
  }
  if (c.error != TransportError::kNone) {
    a.outcome = Outcome::kTransportError;
    a.detail = std::string(TransportErrorName(c.error)) + ": " +
               Redact(c.error_detail, o_.api_key);
    return a;
  }
  if (c.status == 429) ++result_.http_429;
  if (c.status == 429 || c.status >= 500) {
    a.outcome = c.status == 429 ? Outcome::kRateLimited : Outcome::kServerError;
    a.detail = "HTTP " + std::to_string(c.status);
    return a;
  }
  if (c.status != 200) {
    a.outcome = Outcome::kRejected;
    a.detail = "HTTP " + std::to_string(c.status) + " " +
               Redact(ApiErrorMessage(c.body), o_.api_key);
    return a;
  }
  // rows_ points into the body it was parsed from: keep it with them.
  body_ = c.body;
  *parsed = parser_.Parse(body_, &rows_);
  if (!parsed->ok) {
    a.outcome = Outcome::kBadBody;
    a.detail = "malformed page: " + parsed->error;
    return a;
  }
  // A page must hold every row it promises: fewer would lose rows silently.
  const uint64_t cap =
      std::min<uint64_t>(std::max<uint64_t>(task.length, 1), kApiMaxLength);
  const uint64_t expected = parsed->total > task.offset
                                ? std::min(cap, parsed->total - task.offset)
                                : 0;
  if (rows_.size() != expected) {
    a.outcome = Outcome::kBadBody;
    a.detail = "short page: " + std::to_string(rows_.size()) + " rows of " +
               std::to_string(expected) + " expected";
  }
  return a;
}

std::vector<PageEntry> Worker::FollowingPages(const PageTask& first,
                                              uint64_t total) const {
  const uint64_t step =
      std::min<uint64_t>(std::max<uint64_t>(first.length, 1), kApiMaxLength);
  std::vector<PageEntry> out;
  for (uint64_t offset = step, index = 1; offset < total;
       offset += step, ++index) {
    PageTask t = first;
    t.page_id = MakePageId(first.batch.index, static_cast<uint32_t>(index));
    t.offset = offset;
    t.length = step;
    out.push_back(ToPageEntry(t));
  }
  return out;
}

void Worker::Backoff(uint32_t attempt, double retry_after_s) {
  // Full jitter in the API's time, never shorter than Retry-After.
  const double cap = std::min(spec_.extract.backoff_max_s,
                              spec_.extract.backoff_base_s *
                                  std::pow(2.0, static_cast<double>(attempt)));
  std::uniform_real_distribution<double> jitter(0.0, std::max(cap, 0.0));
  const double wait_s = std::max(jitter(rng_), retry_after_s);
  const double real_s = wait_s / std::max(spec_.limiter.time_scale, 1e-9);
  SleepReal(std::chrono::microseconds(static_cast<int64_t>(real_s * 1e6)));
}

void Worker::SleepReal(std::chrono::microseconds d) const {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!Stopping() && std::chrono::steady_clock::now() < until) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        until - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(
        std::min<std::chrono::microseconds>(left, kIdleSlice));
  }
}

void Worker::Report() {
  nlohmann::json j = {{"pages_done", result_.pages_done},
                      {"pages_duplicate", result_.pages_duplicate},
                      {"pages_failed", result_.pages_failed},
                      {"rows", result_.rows},
                      {"requests", result_.requests},
                      {"retries", result_.retries},
                      {"exit_code", result_.exit_code},
                      {"out", o_.out_path}};
  std::string error;
  queue_->ReportWorker(o_.worker_id, j.dump(), &error);
}

int64_t Worker::ToUnixNs(Nanos t) const {
  return epoch_unix_ns_ + static_cast<int64_t>(static_cast<double>(t.count()) /
                                               spec_.limiter.time_scale);
}

void Worker::WriteEvent(const RequestEvent& e) {
  if (events_ == nullptr) return;
  nlohmann::json j = {{"page", e.page_id},
                      {"attempt", e.attempt},
                      {"intended_unix_ns", ToUnixNs(e.intended_start)},
                      {"start_unix_ns", ToUnixNs(e.started_at)},
                      {"finish_unix_ns", ToUnixNs(e.finished_at)},
                      {"outcome", static_cast<int>(e.outcome)},
                      {"status", e.status},
                      {"rows", e.rows},
                      {"bytes", e.bytes},
                      {"new_connection", e.new_connection}};
  std::fprintf(events_, "%s\n", j.dump().c_str());
}

}  // namespace

WorkerResult RunWorker(const WorkerOptions& options) {
  Worker worker(options);
  return worker.Run();
}

}  // namespace eiabench::scaleout
