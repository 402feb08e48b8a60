// Fuzzes the client's page parser (simdjson ondemand) and the API error
// extractor with arbitrary response bodies.
//
// Invariants checked beyond "no crash, no sanitizer report":
//   - a body that parses has a checksum equal to the sum of its row hashes
//     (the parser's streaming sum and the rows it kept agree);
//   - an error is one line, as every error leaving the pipeline must be.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/client/extractor.h"
#include "harness/client/page_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static eiabench::PageParser parser;
  eiabench::PageRows rows;
  std::string body(reinterpret_cast<const char*>(data), size);
  eiabench::ParsedPage page = parser.Parse(body, &rows);
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
