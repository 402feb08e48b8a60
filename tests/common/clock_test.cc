#include <catch2/catch.hpp>

#include "harness/common/clock.h"

using eiabench::FromSeconds;
using eiabench::Nanos;
using eiabench::ScaledClock;
using eiabench::VirtualClock;

TEST_CASE("a virtual clock only moves forward when advanced", "[common]") {
  VirtualClock clock;
  REQUIRE(clock.Now() == Nanos(0));
  clock.SleepUntil(FromSeconds(5));
  REQUIRE(clock.Now() == FromSeconds(5));
  clock.SleepUntil(FromSeconds(2));  // the past: no jump back
  REQUIRE(clock.Now() == FromSeconds(5));
  REQUIRE(clock.ToReal(FromSeconds(3600)) == Nanos(0));
}

TEST_CASE("a scaled clock converts its durations to real time", "[common]") {
  ScaledClock clock(60.0);
  REQUIRE(clock.ToReal(FromSeconds(60)) == FromSeconds(1));
  Nanos before = clock.Now();
  clock.SleepUntil(before + FromSeconds(0.6));  // 10 ms of real time
  REQUIRE(clock.Now() >= before + FromSeconds(0.6));
}
