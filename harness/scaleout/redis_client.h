// A small synchronous Redis client over hiredis 0.14, and the URL syntax
// every scale-out command accepts.
//
// The scale-out coordinator keeps all shared state in Redis; this file is the
// only place that talks the protocol. A RedisClient owns one blocking TCP
// connection. It is not thread-safe: one thread (one worker loop) owns it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;  // hiredis

namespace eiabench::scaleout {

// Where Redis lives: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`.
struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string user;      // ACL user; empty: the default user
  std::string password;  // empty: no AUTH; never printed

  // The URL without the password, safe for logs and errors.
  std::string Redacted() const;
  // The URL with the password: only for handing to a child process through
  // its environment, never for printing.
  std::string Full() const;
};

// Parses a Redis URL. Accepts `redis://HOST`, `redis://HOST:PORT`,
// `redis://HOST:PORT/DB`, `redis://:PASSWORD@HOST:PORT/DB` and
// `redis://USER:PASSWORD@HOST...` (an ACL user). IPv6 hosts go
// in brackets (`redis://[::1]:6379`). On a malformed URL returns nullopt and
// sets `*error` to one line naming what is wrong (without the password).
std::optional<RedisUrl> ParseRedisUrl(std::string_view url, std::string* error);

// One reply, copied out of hiredis so that callers never free anything.
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus and kError
  long long integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
  // The integer value of an integer reply, or of a string holding digits;
  // `fallback` otherwise.
  long long AsInteger(long long fallback = 0) const;
};

class RedisClient {
 public:
  // Does not connect yet; the first Command() does. `timeout` bounds the
  // connect and each command's socket reads and writes (real time).
  explicit RedisClient(RedisUrl url, std::chrono::milliseconds timeout =
                                         std::chrono::milliseconds(2000));
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects (and AUTHs, SELECTs) unless already connected. Returns false
  // and sets `*error` when Redis cannot be reached or refuses the password.
  bool Connect(std::string* error);

  // Sends one command and waits for its reply. Returns nullopt when the
  // connection failed (refused, reset, timed out): the connection is then
  // dropped, `*error` says why and the next call reconnects. A Redis error
  // reply (`-ERR ...`) is not a connection failure: it comes back as a
  // reply of type kError.
  std::optional<RedisReply> Command(const std::vector<std::string>& argv,
                                    std::string* error);

  // Drops the connection (the next Command() reconnects).
  void Disconnect();
  bool connected() const { return context_ != nullptr; }
  const RedisUrl& url() const { return url_; }

 private:
  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
};

// How long and how often to retry when Redis is unreachable.
struct RedisRetryPolicy {
  // Give up after Redis has been unreachable this long (real time).
  std::chrono::milliseconds max_outage{std::chrono::seconds(60)};
  std::chrono::milliseconds initial_backoff{std::chrono::milliseconds(50)};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(2)};
};

// Runs `argv` on `client`, reconnecting with exponential backoff while
// Redis is unreachable or answers a transient error (LOADING after a
// restart, BUSY, TRYAGAIN, MASTERDOWN), for at most `policy.max_outage`. Only
// use it for commands that are safe to run twice (a reply can be lost after
// Redis executed the command): every scale-out script is. Returns nullopt with
// `*error` set when the outage lasted too long; `*stop` (if given) turns
// true to abandon the wait early.
std::optional<RedisReply> CommandWithRetry(
    RedisClient& client, const std::vector<std::string>& argv,
    const RedisRetryPolicy& policy, std::string* error,
    const std::atomic<bool>* stop = nullptr);

}  // namespace eiabench::scaleout
