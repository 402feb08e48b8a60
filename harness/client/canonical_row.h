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

// The first and the last sizeof(Word) bytes of n (sizeof(Word) <= n <=
// 2 * sizeof(Word)) bytes at p: two loads that may overlap and never read
// outside [p, p + n). Together they cover all n bytes.
template <typename Word>
struct Ends {
  Word head, tail;
  static Ends Load(const char* p, size_t n) {
    Ends e;
    std::memcpy(&e.head, p, sizeof(Word));
    std::memcpy(&e.tail, p + n - sizeof(Word), sizeof(Word));
    return e;
  }
  void Store(char* p, size_t n) const {
    std::memcpy(p, &head, sizeof(Word));
    std::memcpy(p + n - sizeof(Word), &tail, sizeof(Word));
  }
  bool operator==(const Ends& o) const {
    return ((head ^ o.head) | (tail ^ o.tail)) == 0;
  }
};

// Copies n bytes without a call to memcpy when n <= 16. EIA keys and
// values are almost all 2-15 bytes, and a library call per field cost more
// than the copy.
inline char* CopyShort(char* out, const char* src, size_t n) {
  if (n >= 8 && n <= 16) {
    Ends<uint64_t>::Load(src, n).Store(out, n);
  } else if (n >= 4 && n < 8) {
    Ends<uint32_t>::Load(src, n).Store(out, n);
  } else if (n > 16) {
    std::memcpy(out, src, n);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = src[i];
  }
  return out + n;
}

// Whether a and b hold the same bytes, without a call to memcmp for the
// short keys EIA rows carry.
inline bool EqualShort(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16)
    return Ends<uint64_t>::Load(a.data(), n) ==
           Ends<uint64_t>::Load(b.data(), n);
  if (n >= 4 && n < 8)
    return Ends<uint32_t>::Load(a.data(), n) ==
           Ends<uint32_t>::Load(b.data(), n);
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
