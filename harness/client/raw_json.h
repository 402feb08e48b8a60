// The seed's raw-file round trip (seed reproduction only): every raw
// response is written as pretty JSON {"metadata":...,"api_response":...}
// and read back before parsing, inside the timed window.
#pragma once

#include <cstdint>
#include <string>

namespace eiabench {

// Writes `*body` to <dir>/page-<id>-<attempt>.json wrapped with metadata,
// reads the file back and replaces `*body` with the api_response it holds.
// The API key is redacted from the file (the API used to echo it). Returns
// false with a one-line *error when the directory is not writable. A body
// that is not JSON is kept as is (the parser then rejects it).
bool RoundTripRawJson(const std::string& dir, uint64_t page_id,
                      uint32_t attempt, const std::string& api_key,
                      std::string* body, std::string* error);

}  // namespace eiabench
