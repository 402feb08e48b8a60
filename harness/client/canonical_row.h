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

// Whether a and b hold the same bytes, without a call to memcmp for the
// short keys EIA rows carry (same loads as CopyShort, same bounds).
inline bool EqualShort(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.data(), 8);
    std::memcpy(&b0, b.data(), 8);
    std::memcpy(&a1, a.data() + n - 8, 8);
    std::memcpy(&b1, b.data() + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4 && n < 8) {
    uint32_t a0, a1, b0, b1;
    std::memcpy(&a0, a.data(), 4);
    std::memcpy(&b0, b.data(), 4);
    std::memcpy(&a1, a.data() + n - 4, 4);
    std::memcpy(&b1, b.data() + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n > 16) return std::memcmp(a.data(), b.data(), n) == 0;
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
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
