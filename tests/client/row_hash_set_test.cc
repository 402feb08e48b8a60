#include "harness/client/row_hash_set.h"

#include <catch2/catch.hpp>
#include <random>
#include <unordered_set>

using eiabench::RowHashSet;

TEST_CASE("the row hash set agrees with std::unordered_set", "[client]") {
  // Values drawn from a small range repeat often, and 0 (the empty-slot
  // marker) is among them; growth happens many times on the way.
  std::mt19937_64 rng(7);
  RowHashSet set;
  std::unordered_set<uint64_t> reference;
  for (int i = 0; i < 200000; ++i) {
    uint64_t h = rng() % 50000;
    if (i % 3 == 0) h <<= 40;  // equal low bits: long probe runs
    CHECK(set.Insert(h) == reference.insert(h).second);
  }
  CHECK(set.size() == reference.size());
}

TEST_CASE("the row hash set keeps 0 and forgets everything on release",
          "[client]") {
  RowHashSet set;
  set.Reserve(1000);
  CHECK(set.Insert(0));
  CHECK_FALSE(set.Insert(0));
  CHECK(set.Insert(42));
  CHECK(set.size() == 2);
  set.Release();
  CHECK(set.size() == 0);
  CHECK(set.Insert(0));
  CHECK(set.Insert(42));
}
