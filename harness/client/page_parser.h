// Parses one EIA API v2 data page with simdjson into a PageRows: no tree of
// allocated nodes, no copy of a value that needs no unescaping.
//
// Two paths, one result. The fast path runs simdjson's DOM parser (its
// flat tape and string buffer are reused page after page, and both of its
// stages run in the kernel picked for this CPU at run time, where Debian's
// baseline build compiles On-Demand for plain x86-64) and takes pages whose
// row values are strings or null: every EIA page seen. Any other page, or
// one that is not valid JSON, goes through On-Demand, which keeps the text
// of a number as sent (the row checksum hashes that text) and words the
// errors.
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
  // kCarefulOnly skips the fast path: for tests and differential fuzzing
  // that check both paths give the same result.
  enum class Paths { kFastFirst, kCarefulOnly };
  explicit PageParser(Paths paths = Paths::kFastFirst);
  ~PageParser();

  // Parses `body` (padded in place when its capacity is short) into `rows`
  // (cleared first), storing each row's hash in `rows` (PageRows::Hash).
  // Never throws; a malformed body gives ok = false. The rows' fields are
  // views into `body` and into this parser's buffers: they stay valid until
  // `body` is changed or destroyed, or the next Parse().
  ParsedPage Parse(std::string& body, PageRows* rows);

  struct Impl;

 private:
  // The On-Demand path, for pages the fast path does not take (see the
  // .cc): the same result, and the errors' wording.
  void ParseCareful(std::string& body, PageRows* rows, ParsedPage* page,
                    bool* has_response, bool* has_total, bool* has_data);

  std::unique_ptr<Impl> impl_;
  Paths paths_;
};

// The one-line cause in an API error body: `{"error":{"code":C,
// "message":M}}` -> "C: M"; `{"error":"M","code":N}` -> "M"; otherwise the
// first 200 bytes of the body with control characters replaced.
std::string ApiErrorMessage(const std::string& body);

}  // namespace eiabench
