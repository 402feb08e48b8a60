// Parses one EIA API v2 data page without building a DOM (simdjson
// On-Demand), streaming rows into a PageRows: no copy of a value that needs
// no unescaping, and each row's checksum built while its fields are read.
//
// Accepted envelope: a top-level object with `response` holding `total`
// (string or number) and `data` (array of flat objects whose values are
// strings, numbers or null). `warnings` may sit at the top level (recorded
// RTO form) or inside `response` (other routes); both are read. Anything
// else (`request`, `apiVersion`, ...) is skipped.
//
// Not thread-safe: one PageParser per thread (it owns simdjson's buffers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/client/extractor.h"

namespace eiabench {

struct ParsedPage {
  bool ok = false;
  std::string error;  // why the body is malformed (when !ok), one line
  uint64_t total = 0;
  uint64_t checksum = 0;              // sum of the page's row hashes
  std::vector<std::string> warnings;  // "warning: description"
  bool incomplete_return = false;     // "incomplete return" warning seen
  bool length_out_of_range = false;   // "parameter out of range" seen
};

class PageParser {
 public:
  PageParser();
  ~PageParser();

  // Parses `body` (padded in place when its capacity is short) into `rows`
  // (cleared first), storing each row's hash in `rows` (PageRows::Hash).
  // Never throws; a malformed body gives ok = false. The rows' fields are
  // views into `body` and into this parser's buffers: they stay valid until
  // `body` is changed or destroyed, or the next Parse().
  ParsedPage Parse(std::string& body, PageRows* rows);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The one-line cause in an API error body: `{"error":{"code":C,
// "message":M}}` -> "C: M"; `{"error":"M","code":N}` -> "M"; otherwise the
// first 200 bytes of the body with control characters replaced.
std::string ApiErrorMessage(const std::string& body);

}  // namespace eiabench
