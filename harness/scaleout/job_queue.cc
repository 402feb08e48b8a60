#include "harness/scaleout/job_queue.h"

namespace eiabench::scaleout {
namespace {

// Every script reads the time from Redis, so leases never depend on the
// workers' clocks. Redis 7 replicates scripts by effects, which is what
// makes TIME legal before a write; on Redis 5 redis.replicate_commands()
// asks for it explicitly.
constexpr const char* kNowMs = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
)lua";

// KEYS: meta ready pages. ARGV: spec, then page id/payload pairs.
// Returns 0 created, 1 existing with the same spec, 2 conflicting spec.
constexpr const char* kPlanScript = R"lua(
local existing = redis.call('HGET', KEYS[1], 'spec')
if existing then
  if existing == ARGV[1] then return 1 end
  return 2
end
local added = 0
for i = 2, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i])
    added = added + 1
  end
end
redis.call('HSET', KEYS[1], 'spec', ARGV[1],
           'created_ms', string.format('%d', now), 'pages_total', added,
           'pages_done', 0, 'rows', 0)
return 0
)lua";

// KEYS: meta ready leased owner pages done failed.
// ARGV: max pages, lease ms, token.
// Returns {ready, leased, failed, ms to next expiry or -1, {id, payload...}}.
constexpr const char* kClaimScript = R"lua(
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  if redis.call('HEXISTS', KEYS[6], id) == 0 and
     redis.call('HEXISTS', KEYS[7], id) == 0 then
    redis.call('LPUSH', KEYS[2], id)
    redis.call('HINCRBY', KEYS[1], 'requeued', 1)
  end
end
local out = {}
local max = tonumber(ARGV[1])
local expiry = string.format('%d', now + tonumber(ARGV[2]))
local claimed = 0
while claimed < max do
  local id = redis.call('LPOP', KEYS[2])
  if not id then break end
  -- A page acknowledged late by a slow worker may still sit in ready.
  if redis.call('HEXISTS', KEYS[6], id) == 0 then
    redis.call('ZADD', KEYS[3], expiry, id)
    redis.call('HSET', KEYS[4], id, ARGV[3])
    table.insert(out, id)
    table.insert(out, redis.call('HGET', KEYS[5], id) or '')
    claimed = claimed + 1
  end
end
local wait = -1
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if #first > 0 then wait = math.max(0, tonumber(first[2]) - now) end
return {redis.call('LLEN', KEYS[2]), redis.call('ZCARD', KEYS[3]),
        redis.call('HLEN', KEYS[7]), wait, out}
)lua";

// KEYS: meta ready leased owner pages done failed.
// ARGV: page, token, worker, rows, then new page id/payload pairs.
// Returns 1 if this ack counted, 0 if the page was already done.
constexpr const char* kAckScript = R"lua(
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[6], id) == 1 then
  if redis.call('HGET', KEYS[4], id) == ARGV[2] then
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  end
  redis.call('HINCRBY', KEYS[1], 'duplicate_acks', 1)
  return 0
end
-- Whoever holds the lease now, the page is done: its rows are durable.
redis.call('ZREM', KEYS[3], id)
redis.call('HDEL', KEYS[4], id)
redis.call('HDEL', KEYS[7], id)
redis.call('HSET', KEYS[6], id, ARGV[3] .. ' ' .. ARGV[4])
redis.call('HINCRBY', KEYS[1], 'rows', tonumber(ARGV[4]))
local done = redis.call('HINCRBY', KEYS[1], 'pages_done', 1)
local added = 0
for i = 5, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[5], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i])
    added = added + 1
  end
end
local total = redis.call('HINCRBY', KEYS[1], 'pages_total', added)
if done == total then
  redis.call('HSET', KEYS[1], 'finished_ms', string.format('%d', now))
end
return 1
)lua";

// KEYS: leased owner. ARGV: page, token, lease ms.
constexpr const char* kExtendScript = R"lua(
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', string.format('%d', now + tonumber(ARGV[3])),
           ARGV[1])
return 1
)lua";

// KEYS: meta leased owner done failed. ARGV: page, token, reason.
constexpr const char* kFailScript = R"lua(
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 1 then return 0 end
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
return 1
)lua";

// KEYS: ready leased owner. ARGV: page, token.
constexpr const char* kReleaseScript = R"lua(
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('LPUSH', KEYS[1], ARGV[1])
return 1
)lua";

// KEYS: ready failed.
constexpr const char* kRequeueFailedScript = R"lua(
local ids = redis.call('HKEYS', KEYS[2])
for _, id in ipairs(ids) do redis.call('RPUSH', KEYS[1], id) end
redis.call('DEL', KEYS[2])
return #ids
)lua";

// KEYS: meta ready leased failed workers. A consistent snapshot.
constexpr const char* kStatusScript = R"lua(
return {redis.call('HGETALL', KEYS[1]), redis.call('LLEN', KEYS[2]),
        redis.call('ZCARD', KEYS[3]), redis.call('HGETALL', KEYS[4]),
        redis.call('HGETALL', KEYS[5])}
)lua";

std::vector<std::string> Eval(const char* script, bool needs_now,
                              std::vector<std::string> keys) {
  std::string body = needs_now ? std::string(kNowMs) + script : script;
  std::vector<std::string> argv = {"EVAL", std::move(body),
                                   std::to_string(keys.size())};
  for (std::string& k : keys) argv.push_back(std::move(k));
  return argv;
}

void AppendPages(const std::vector<PageEntry>& pages,
                 std::vector<std::string>* argv) {
  for (const PageEntry& p : pages) {
    argv->push_back(p.id);
    argv->push_back(p.payload);
  }
}

std::map<std::string, std::string> PairsToMap(const RedisReply& reply) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    out[reply.elements[i].str] = reply.elements[i + 1].str;
  }
  return out;
}

uint64_t Field(const std::map<std::string, std::string>& m,
               const std::string& name) {
  auto it = m.find(name);
  if (it == m.end()) return 0;
  try {
    return std::stoull(it->second);
  } catch (...) {
    return 0;
  }
}

}  // namespace

JobQueue::JobQueue(RedisClient& client, std::string job,
                   RedisRetryPolicy policy, const std::atomic<bool>* stop)
    : client_(client), job_(std::move(job)), policy_(policy), stop_(stop) {}

std::string JobQueue::Key(const char* suffix) const {
  return "eiabench:job:{" + job_ + "}:" + suffix;
}

std::optional<RedisReply> JobQueue::Run(const std::vector<std::string>& argv,
                                        std::string* error) {
  auto reply = CommandWithRetry(client_, argv, policy_, error, stop_);
  if (reply && reply->is_error()) {
    *error = "Redis rejected a job command: " + reply->str;
    return std::nullopt;
  }
  return reply;
}

std::optional<PlanOutcome> JobQueue::Plan(const std::string& spec,
                                          const std::vector<PageEntry>& pages,
                                          std::string* error) {
  auto argv =
      Eval(kPlanScript, true, {Key("meta"), Key("ready"), Key("pages")});
  argv.push_back(spec);
  AppendPages(pages, &argv);
  auto reply = Run(argv, error);
  if (!reply) return std::nullopt;
  switch (reply->AsInteger(-1)) {
    case 0:
      return PlanOutcome::kCreated;
    case 1:
      return PlanOutcome::kExisting;
    default:
      return PlanOutcome::kConflict;
  }
}

std::optional<ClaimResult> JobQueue::Claim(size_t max_pages,
                                           std::chrono::milliseconds lease,
                                           const std::string& token,
                                           std::string* error) {
  auto argv = Eval(kClaimScript, true,
                   {Key("meta"), Key("ready"), Key("leased"), Key("owner"),
                    Key("pages"), Key("done"), Key("failed")});
  argv.push_back(std::to_string(max_pages));
  argv.push_back(std::to_string(lease.count()));
  argv.push_back(token);
  auto reply = Run(argv, error);
  if (!reply) return std::nullopt;
  if (reply->elements.size() != 5) {
    *error = "unexpected reply from the claim script";
    return std::nullopt;
  }
  ClaimResult out;
  out.ready = static_cast<uint64_t>(reply->elements[0].AsInteger());
  out.leased = static_cast<uint64_t>(reply->elements[1].AsInteger());
  out.failed = static_cast<uint64_t>(reply->elements[2].AsInteger());
  out.next_expiry_ms = reply->elements[3].AsInteger(-1);
  const auto& pairs = reply->elements[4].elements;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    out.leases.push_back({pairs[i].str, pairs[i + 1].str});
  }
  return out;
}

std::optional<bool> JobQueue::Ack(const std::string& page_id,
                                  const std::string& token,
                                  const std::string& worker, uint64_t rows,
                                  const std::vector<PageEntry>& new_pages,
                                  std::string* error) {
  auto argv = Eval(kAckScript, true,
                   {Key("meta"), Key("ready"), Key("leased"), Key("owner"),
                    Key("pages"), Key("done"), Key("failed")});
  argv.insert(argv.end(), {page_id, token, worker, std::to_string(rows)});
  AppendPages(new_pages, &argv);
  auto reply = Run(argv, error);
  if (!reply) return std::nullopt;
  return reply->AsInteger() == 1;
}

std::optional<bool> JobQueue::Extend(const std::string& page_id,
                                     const std::string& token,
                                     std::chrono::milliseconds lease,
                                     std::string* error) {
  auto argv = Eval(kExtendScript, true, {Key("leased"), Key("owner")});
  argv.insert(argv.end(), {page_id, token, std::to_string(lease.count())});
  auto reply = Run(argv, error);
  if (!reply) return std::nullopt;
  return reply->AsInteger() == 1;
}

std::optional<bool> JobQueue::Fail(const std::string& page_id,
                                   const std::string& token,
                                   const std::string& reason,
                                   std::string* error) {
  auto argv = Eval(
      kFailScript, false,
      {Key("meta"), Key("leased"), Key("owner"), Key("done"), Key("failed")});
  argv.insert(argv.end(), {page_id, token, reason});
  auto reply = Run(argv, error);
  if (!reply) return std::nullopt;
  return reply->AsInteger() == 1;
}

std::optional<bool> JobQueue::Release(const std::string& page_id,
                                      const std::string& token,
                                      std::string* error) {
  auto argv =
      Eval(kReleaseScript, false, {Key("ready"), Key("leased"), Key("owner")});
  argv.insert(argv.end(), {page_id, token});
  auto reply = Run(argv, error);
  if (!reply) return std::nullopt;
  return reply->AsInteger() == 1;
}

std::optional<uint64_t> JobQueue::RequeueFailed(std::string* error) {
  auto reply = Run(
      Eval(kRequeueFailedScript, false, {Key("ready"), Key("failed")}), error);
  if (!reply) return std::nullopt;
  return static_cast<uint64_t>(reply->AsInteger());
}

bool JobQueue::AddCounters(uint64_t requests, uint64_t retries,
                           std::string* error) {
  if (requests > 0 &&
      !Run({"HINCRBY", Key("meta"), "requests", std::to_string(requests)},
           error)) {
    return false;
  }
  return retries == 0 ||
         Run({"HINCRBY", Key("meta"), "retries", std::to_string(retries)},
             error);
}

bool JobQueue::ReportWorker(const std::string& worker,
                            const std::string& report, std::string* error) {
  return Run({"HSET", Key("workers"), worker, report}, error).has_value();
}

std::optional<JobStatus> JobQueue::Status(std::string* error) {
  auto reply = Run(Eval(kStatusScript, false,
                        {Key("meta"), Key("ready"), Key("leased"),
                         Key("failed"), Key("workers")}),
                   error);
  if (!reply) return std::nullopt;
  if (reply->elements.size() != 5) {
    *error = "unexpected reply from the status script";
    return std::nullopt;
  }
  const auto meta = PairsToMap(reply->elements[0]);
  JobStatus s;
  s.exists = meta.count("spec") > 0;
  if (s.exists) s.spec = meta.at("spec");
  s.pages_total = Field(meta, "pages_total");
  s.pages_done = Field(meta, "pages_done");
  s.rows = Field(meta, "rows");
  s.requests = Field(meta, "requests");
  s.retries = Field(meta, "retries");
  s.requeued = Field(meta, "requeued");
  s.duplicate_acks = Field(meta, "duplicate_acks");
  s.created_ms = static_cast<int64_t>(Field(meta, "created_ms"));
  s.finished_ms = static_cast<int64_t>(Field(meta, "finished_ms"));
  s.pages_ready = static_cast<uint64_t>(reply->elements[1].AsInteger());
  s.pages_leased = static_cast<uint64_t>(reply->elements[2].AsInteger());
  s.failures = PairsToMap(reply->elements[3]);
  s.pages_failed = s.failures.size();
  s.workers = PairsToMap(reply->elements[4]);
  return s;
}

bool JobQueue::Delete(std::string* error) {
  std::vector<std::string> argv = {"DEL"};
  for (const char* k : {"meta", "ready", "leased", "owner", "pages", "done",
                        "failed", "workers"}) {
    argv.push_back(Key(k));
  }
  return Run(argv, error).has_value();
}

}  // namespace eiabench::scaleout
