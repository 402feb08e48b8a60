// Rows, the row checksum, redaction and the names of enums in events.h and
// transport.h.
#include <cstdio>

#include "harness/client/events.h"
#include "harness/client/extractor.h"
#include "harness/client/transport.h"

namespace eiabench {

const char* TransportErrorName(TransportError e) {
  switch (e) {
    case TransportError::kNone:
      return "none";
    case TransportError::kTimeout:
      return "timeout";
    case TransportError::kConnectFailed:
      return "connect_failed";
    case TransportError::kConnectionReset:
      return "connection_reset";
    case TransportError::kTruncatedBody:
      return "truncated_body";
    case TransportError::kTls:
      return "tls";
    case TransportError::kOther:
      return "other";
  }
  return "unknown";
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kRateLimited:
      return "rate_limited";
    case Outcome::kServerError:
      return "server_error";
    case Outcome::kTransportError:
      return "transport_error";
    case Outcome::kBadBody:
      return "bad_body";
    case Outcome::kRejected:
      return "rejected";
  }
  return "unknown";
}

std::optional<std::string> HttpCompletion::Header(
    const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

size_t PageRows::FieldCount(size_t row) const {
  size_t end =
      row + 1 < row_starts_.size() ? row_starts_[row + 1] : slots_.size();
  return end - row_starts_[row];
}

FieldView PageRows::Field(size_t row, size_t field) const {
  const Slot& s = slots_[row_starts_[row] + field];
  return FieldView{s.key, s.value, s.is_null};
}

void PageRows::Clear() {
  owned_.clear();
  slots_.clear();
  row_starts_.clear();
}

void PageRows::BeginRow() {
  row_starts_.push_back(static_cast<uint32_t>(slots_.size()));
}

void PageRows::AddField(std::string_view key, std::string_view value,
                        bool is_null) {
  // A deque never moves its elements, so earlier views stay valid.
  const std::string& k = owned_.emplace_back(key);
  const std::string& v = owned_.emplace_back(is_null ? "" : value);
  slots_.push_back(Slot{k, v, is_null});
}

void PageRows::AddFieldView(std::string_view key, std::string_view value,
                            bool is_null) {
  slots_.push_back(Slot{key, is_null ? std::string_view() : value, is_null});
}

namespace {

constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t FnvAppend(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

}  // namespace

uint64_t RowHash(const PageRows& rows, size_t row) {
  uint64_t h = kFnvOffsetBasis;
  size_t n = rows.FieldCount(row);
  for (size_t i = 0; i < n; ++i) {
    FieldView f = rows.Field(row, i);
    h = FnvAppend(h, f.key);
    h = FnvAppend(h, "=");
    h = FnvAppend(h, f.is_null ? std::string_view("null") : f.value);
    h = FnvAppend(h, ";");
  }
  return h;
}

std::string ChecksumHex(uint64_t checksum) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(checksum));
  return buf;
}

std::string Redact(std::string_view text, std::string_view api_key) {
  std::string out(text);
  if (!api_key.empty()) {
    for (size_t pos = out.find(api_key); pos != std::string::npos;
         pos = out.find(api_key, pos)) {
      out.replace(pos, api_key.size(), "REDACTED");
      pos += 8;
    }
  }
  // Any api_key=... value, whatever key it carries (a URL built elsewhere).
  static constexpr std::string_view kParam = "api_key=";
  for (size_t pos = out.find(kParam); pos != std::string::npos;
       pos = out.find(kParam, pos)) {
    size_t begin = pos + kParam.size();
    size_t end = out.find_first_of("&# \t\r\n\"'", begin);
    if (end == std::string::npos) end = out.size();
    out.replace(begin, end - begin, "REDACTED");
    pos = begin + 8;
  }
  return out;
}

}  // namespace eiabench
