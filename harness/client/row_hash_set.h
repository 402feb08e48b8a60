// The set of row hashes a batch has seen, for its duplicate check.
//
// One batch can hold hundreds of thousands of rows and every row is looked
// up once, so the set is a flat table (open addressing, linear probing,
// load factor at most 1/2): 16 bytes per row and no allocation per insert,
// where a node-based std::unordered_set costs about 40 bytes and a malloc
// per row. The keys are XXH3 row hashes, already uniform, so their low
// bits pick the slot directly.
//
// Thread safety: none; one batch, one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace eiabench {

class RowHashSet {
 public:
  // Adds `hash`; returns false when it was already in the set.
  bool Insert(uint64_t hash) {
    if (hash == 0) {  // 0 marks an empty slot, so it is kept aside
      bool added = !has_zero_;
      has_zero_ = true;
      return added;
    }
    if ((size_ + 1) * 2 > slots_.size()) Grow(size_ + 1);
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slots_[i] == hash) return false;
      if (slots_[i] == 0) {
        slots_[i] = hash;
        ++size_;
        return true;
      }
    }
  }

  // Makes room for `rows` hashes without growing again.
  void Reserve(size_t rows) {
    if ((rows + 1) * 2 > slots_.size()) Grow(rows);
  }

  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }

  // Empties the set and returns its memory.
  void Release() {
    std::vector<uint64_t>().swap(slots_);
    size_ = 0;
    has_zero_ = false;
  }

 private:
  void Grow(size_t rows) {
    size_t slots = 16;
    while (slots < rows * 2) slots *= 2;
    std::vector<uint64_t> old;
    old.swap(slots_);
    slots_.assign(slots, 0);
    size_t mask = slots - 1;
    for (uint64_t h : old) {
      if (h == 0) continue;
      size_t i = h & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = h;
    }
  }

  std::vector<uint64_t> slots_;  // a power of two in size, 0 = empty
  size_t size_ = 0;              // non-zero hashes stored
  bool has_zero_ = false;
};

}  // namespace eiabench
