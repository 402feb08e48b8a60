#include "harness/client/period.h"

#include <catch2/catch.hpp>

using namespace eiabench;

TEST_CASE("hours round-trip through the EIA hourly format", "[client]") {
  for (int64_t h :
       {int64_t{0}, int64_t{473352}, int64_t{475000}, int64_t{-25}}) {
    auto back = ParseHour(FormatHour(h), false);
    REQUIRE(back);
    CHECK(*back == h);
  }
  CHECK(FormatHour(*ParseHour("2024-02-29T23", false)) == "2024-02-29T23");
}

TEST_CASE("a bare end date means the whole day", "[client]") {
  CHECK(*ParseHour("2024-01-01", true) - *ParseHour("2024-01-01", false) == 23);
}

TEST_CASE("malformed and impossible dates are rejected", "[client]") {
  CHECK_FALSE(ParseHour("2023-02-29T00", false));
  CHECK_FALSE(ParseHour("2024-01-01T24", false));
  CHECK_FALSE(ParseHour("2024-1-01T00", false));
  CHECK_FALSE(ParseHour("2024-01-01 00", false));
  CHECK_FALSE(ParseDay("yesterday"));
}
