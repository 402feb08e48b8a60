#include "harness/scaleout/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <thread>

namespace eiabench::scaleout {
namespace {

bool ParsePort(std::string_view text, int* port) {
  int value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value < 1 || value > 65535) return false;
  *port = value;
  return true;
}

bool ParseDb(std::string_view text, int* db) {
  int value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value < 0 || value > 1000000) return false;
  *db = value;
  return true;
}

// Splits "HOST[:PORT]" (HOST may be "[v6]") into the URL's fields.
bool ParseHostPort(std::string_view text, RedisUrl* url, std::string* error) {
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      *error = "unclosed '[' in the host";
      return false;
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        *error = "unexpected text after ']'";
        return false;
      }
      port = rest.substr(1);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) {
    *error = "missing host";
    return false;
  }
  url->host = std::string(host);
  if (text.find(':') != std::string_view::npos && text.front() != '[' &&
      port.empty()) {
    *error = "empty port";
    return false;
  }
  if (!port.empty() && !ParsePort(port, &url->port)) {
    *error = "port must be a number from 1 to 65535";
    return false;
  }
  return true;
}

RedisReply CopyReply(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) {
        out.elements.push_back(CopyReply(reply->element[i]));
      }
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Errors that mean "not now" rather than "never": a restarted Redis
// answers LOADING while it replays its append-only file, BUSY while a
// script runs too long, TRYAGAIN/MASTERDOWN during fail-over.
bool IsTransientError(const RedisReply& reply) {
  if (!reply.is_error()) return false;
  for (const char* prefix : {"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN"}) {
    if (reply.str.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::string RedisUrl::Redacted() const {
  std::string host_part =
      host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string out = "redis://";
  if (!password.empty()) out += user + ":***@";
  out += host_part + ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

std::string RedisUrl::Full() const {
  std::string out = Redacted();
  if (!password.empty()) out.replace(8 + user.size(), 4, ":" + password);
  return out;
}

std::optional<RedisUrl> ParseRedisUrl(std::string_view url,
                                      std::string* error) {
  constexpr std::string_view kScheme = "redis://";
  RedisUrl out;
  std::string why;
  if (url.substr(0, kScheme.size()) != kScheme) {
    *error = "Redis URL must start with redis:// (got a different scheme)";
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    size_t colon = auth.find(':');
    if (colon == std::string_view::npos || colon + 1 == auth.size()) {
      *error = "Redis URL credentials must be '[USER]:PASSWORD@'";
      return std::nullopt;
    }
    out.user = std::string(auth.substr(0, colon));
    out.password = std::string(auth.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  std::string_view host_port = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    host_port = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseDb(db, &out.db)) {
      *error = "Redis URL database must be a non-negative number";
      return std::nullopt;
    }
  }
  if (!ParseHostPort(host_port, &out, &why)) {
    *error = "bad Redis URL " + out.Redacted() + ": " + why;
    if (why == "missing host") *error = "bad Redis URL: missing host";
    return std::nullopt;
  }
  return out;
}

long long RedisReply::AsInteger(long long fallback) const {
  if (type == Type::kInteger) return integer;
  if (type != Type::kString && type != Type::kStatus) return fallback;
  long long value = 0;
  auto [end, ec] = std::from_chars(str.data(), str.data() + str.size(), value);
  if (ec != std::errc() || end != str.data() + str.size()) return fallback;
  return value;
}

RedisClient::RedisClient(RedisUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

RedisClient::~RedisClient() { Disconnect(); }

void RedisClient::Disconnect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

bool RedisClient::Connect(std::string* error) {
  if (context_ != nullptr) return true;
  context_ = redisConnectWithTimeout(url_.host.c_str(), url_.port,
                                     ToTimeval(timeout_));
  if (context_ == nullptr || context_->err != 0) {
    *error = "cannot connect to Redis at " + url_.Redacted() + ": " +
             (context_ != nullptr ? context_->errstr : "out of memory");
    Disconnect();
    return false;
  }
  redisSetTimeout(context_, ToTimeval(timeout_));
  redisEnableKeepAlive(context_);

  // AUTH and SELECT go through Command(), which needs a live context.
  if (!url_.password.empty()) {
    auto reply = url_.user.empty()
                     ? Command({"AUTH", url_.password}, error)
                     : Command({"AUTH", url_.user, url_.password}, error);
    if (!reply || reply->is_error()) {
      if (reply) *error = "Redis refused the password: " + reply->str;
      Disconnect();
      return false;
    }
  }
  if (url_.db != 0) {
    auto reply = Command({"SELECT", std::to_string(url_.db)}, error);
    if (!reply || reply->is_error()) {
      if (reply) *error = "Redis refused SELECT: " + reply->str;
      Disconnect();
      return false;
    }
  }
  return true;
}

std::optional<RedisReply> RedisClient::Command(
    const std::vector<std::string>& argv, std::string* error) {
  if (context_ == nullptr && !Connect(error)) return std::nullopt;
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(redisCommandArgv(
      context_, static_cast<int>(args.size()), args.data(), lengths.data()));
  if (reply == nullptr) {
    *error = "lost the connection to Redis at " + url_.Redacted() + ": " +
             context_->errstr;
    Disconnect();
    return std::nullopt;
  }
  RedisReply out = CopyReply(reply);
  freeReplyObject(reply);
  return out;
}

std::optional<RedisReply> CommandWithRetry(RedisClient& client,
                                           const std::vector<std::string>& argv,
                                           const RedisRetryPolicy& policy,
                                           std::string* error,
                                           const std::atomic<bool>* stop) {
  using std::chrono::steady_clock;
  const auto give_up_at = steady_clock::now() + policy.max_outage;
  auto backoff = policy.initial_backoff;
  for (;;) {
    auto reply = client.Command(argv, error);
    if (reply && !IsTransientError(*reply)) return reply;
    if (reply) *error = "Redis is not ready: " + reply->str;
    if (stop != nullptr && stop->load()) return std::nullopt;
    if (steady_clock::now() + backoff > give_up_at) {
      char seconds[32];
      std::snprintf(seconds, sizeof(seconds), "%.1f",
                    static_cast<double>(policy.max_outage.count()) / 1000);
      *error += std::string(" (gave up after ") + seconds + " s of retries)";
      return std::nullopt;
    }
    // Sleep in short slices so that a stop request is noticed promptly.
    const auto wake_at = steady_clock::now() + backoff;
    while (steady_clock::now() < wake_at &&
           (stop == nullptr || !stop->load())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
}

}  // namespace eiabench::scaleout
