// Fuzzes the client's page parser (simdjson ondemand) and the API error
// extractor with arbitrary response bodies.
//
// Invariants checked beyond "no crash, no sanitizer report":
//   - a body that parses has a checksum equal to the sum of its row hashes
//     (the parser's streaming sum and the rows it kept agree);
//   - an error is one line, as every error leaving the pipeline must be;
//   - the fast path and the careful path (page_parser.h) agree on every
//     body: same verdict, error, total, warnings, checksum and rows.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/client/extractor.h"
#include "harness/client/page_parser.h"

namespace {

bool SameRows(const eiabench::PageRows& a, const eiabench::PageRows& b) {
  if (a.size() != b.size()) return false;
  for (size_t r = 0; r < a.size(); ++r) {
    if (a.FieldCount(r) != b.FieldCount(r) || a.Hash(r) != b.Hash(r))
      return false;
    for (size_t i = 0; i < a.FieldCount(r); ++i) {
      eiabench::FieldView x = a.Field(r, i), y = b.Field(r, i);
      if (x.key != y.key || x.value != y.value || x.is_null != y.is_null)
        return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static eiabench::PageParser parser;
  static eiabench::PageParser careful(
      eiabench::PageParser::Paths::kCarefulOnly);
  eiabench::PageRows rows, careful_rows;
  std::string body(reinterpret_cast<const char*>(data), size);
  std::string careful_body = body;
  eiabench::ParsedPage page = parser.Parse(body, &rows);
  eiabench::ParsedPage other = careful.Parse(careful_body, &careful_rows);
  if (page.ok != other.ok || page.error != other.error ||
      page.total != other.total || page.checksum != other.checksum ||
      page.warnings != other.warnings ||
      page.incomplete_return != other.incomplete_return ||
      page.length_out_of_range != other.length_out_of_range ||
      (page.ok && !SameRows(rows, careful_rows)))
    __builtin_trap();
  if (page.ok) {
    uint64_t sum = 0;
    for (size_t i = 0; i < rows.size(); ++i) sum += eiabench::RowHash(rows, i);
    if (sum != page.checksum) __builtin_trap();
  } else if (page.error.find('\n') != std::string::npos) {
    __builtin_trap();
  }
  std::string original(reinterpret_cast<const char*>(data), size);
  std::string message = eiabench::ApiErrorMessage(original);
  if (message.find('\n') != std::string::npos) __builtin_trap();
  return 0;
}
