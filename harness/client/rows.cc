// Rows, the row checksum, redaction and the names of enums in events.h and
// transport.h.
#include <cstdio>
#include <cstring>
#include <string>

#include "harness/client/canonical_row.h"
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

void PageRows::Clear() {
  owned_.clear();
  slots_.clear();
  row_starts_.clear();
  hashes_.clear();
}

uint64_t PageRows::Hash(size_t row) const {
  return row < hashes_.size() ? hashes_[row] : RowHash(*this, row);
}

void PageRows::SetLastRowHash(uint64_t hash) {
  // Only a row whose predecessors are all hashed is stored, so hashes_[r]
  // is always row r's.
  if (hashes_.size() + 1 == row_starts_.size()) hashes_.push_back(hash);
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

uint64_t RowHash(const PageRows& rows, size_t row) {
  // The canonical string is built whole and hashed in one call: XXH3 takes
  // many bytes per step, where a byte-wise hash was 40% of page parsing.
  thread_local CanonicalRow canonical;
  canonical.Begin();
  const size_t n = rows.FieldCount(row);
  for (size_t i = 0; i < n; ++i) {
    FieldView f = rows.Field(row, i);
    canonical.Add(f.key, f.value, f.is_null);
  }
  return canonical.Hash();
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
