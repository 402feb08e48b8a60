// The canonical string of a row (the row checksum's input, see RowHash in
// extractor.h), built in a reused buffer with copies sized for EIA's short
// keys and values.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace eiabench {

// Copies n bytes without a call to memcpy when n <= 16: two fixed-size
// loads that may overlap, never reading outside [src, src + n). EIA keys
// and values are almost all 2-15 bytes, and a library call per field cost
// more than the copy.
inline char* CopyShort(char* out, const char* src, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(out, &a, 8);
    std::memcpy(out + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(out, &a, 4);
    std::memcpy(out + n - 4, &b, 4);
  } else if (n > 16) {
    std::memcpy(out, src, n);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = src[i];
  }
  return out + n;
}

// "key=value;" for each field in order (null -> "null"), then XXH3-64.
class CanonicalRow {
 public:
  void Begin() { size_ = 0; }
  void Add(std::string_view key, std::string_view value, bool is_null) {
    if (is_null) value = "null";
    size_t need = key.size() + value.size() + 2;
    if (buf_.size() - size_ < need) buf_.resize(2 * (size_ + need) + 64);
    char* out = CopyShort(buf_.data() + size_, key.data(), key.size());
    *out++ = '=';
    out = CopyShort(out, value.data(), value.size());
    *out++ = ';';
    size_ += need;
  }
  uint64_t Hash() const { return XXH3_64bits(buf_.data(), size_); }
  std::string_view View() const { return {buf_.data(), size_}; }

 private:
  std::string buf_;
  size_t size_ = 0;
};

}  // namespace eiabench
