// Mann-Whitney U and medians against values computed by hand. Exact p-values
// come from counting arrangements: with n1 = n2 = 3 there are C(6,3) = 20
// equally likely rank sets, and U = 0..9 occurs 1,1,2,3,3,3,3,2,1,1 times.
#include "harness/analysis/stats.h"

#include <catch2/catch.hpp>

namespace eiabench::analysis {
namespace {

TEST_CASE("the median of an odd count is the middle value", "[analysis]") {
  CHECK(Median({5, 1, 3}) == 3);
  CHECK(Median({7}) == 7);
}

TEST_CASE("the median of an even count averages the middle pair",
          "[analysis]") {
  CHECK(Median({4, 1, 3, 2}) == 2.5);
}

TEST_CASE("the U test is not run with fewer than two values per side",
          "[analysis]") {
  UTestResult r = MannWhitneyU({1}, {2, 3, 4});
  CHECK_FALSE(r.Testable());
  CHECK(r.p_value == 1);
  CHECK_FALSE(r.Significant(0.05));
}

TEST_CASE("completely separated samples of three give the exact p 2/20",
          "[analysis]") {
  UTestResult r = MannWhitneyU({1, 2, 3}, {4, 5, 6});
  CHECK(r.method == UTestMethod::kExact);
  CHECK(r.u == 0);
  CHECK(r.p_value == Approx(0.1));
  CHECK(MannWhitneyU({4, 5, 6}, {1, 2, 3}).u == 9);
  CHECK(MannWhitneyU({4, 5, 6}, {1, 2, 3}).p_value == Approx(0.1));
}

TEST_CASE("interleaved samples of three give the exact p 2*7/20",
          "[analysis]") {
  // U = 3 (5>2, 5>4, 3>2): P(U <= 3) = (1+1+2+3)/20.
  UTestResult r = MannWhitneyU({1, 3, 5}, {2, 4, 6});
  CHECK(r.u == 3);
  CHECK(r.p_value == Approx(0.7));
}

TEST_CASE("two values per side can never be significant at 0.05",
          "[analysis]") {
  // C(4,2) = 6 arrangements; the most extreme has p = 2/6.
  UTestResult r = MannWhitneyU({1, 2}, {3, 4});
  CHECK(r.p_value == Approx(1.0 / 3));
  CHECK(r.min_p_value == Approx(1.0 / 3));
  CHECK_FALSE(r.Significant(0.05));
}

TEST_CASE("five separated values per side give the exact p 2/252",
          "[analysis]") {
  UTestResult r = MannWhitneyU({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  CHECK(r.p_value == Approx(2.0 / 252));
  CHECK(r.Significant(0.05));
}

TEST_CASE("ties use mid-ranks and the tie-corrected normal approximation",
          "[analysis]") {
  // Pooled: 1a 2a 2a 2b 3a 3b 4b 5b; the 2s share rank 3, the 3s rank 5.5.
  // R_a = 1 + 3 + 3 + 5.5 = 12.5, U = 12.5 - 10 = 2.5, mean 8.
  // Variance 16/12 * (9 - (24 + 6) / 56) = 11.2857; z = (5.5 - 0.5) / 3.3594
  // = 1.48835; p = erfc(z / sqrt 2) = 0.136658.
  UTestResult r = MannWhitneyU({1, 2, 2, 3}, {2, 3, 4, 5});
  CHECK(r.method == UTestMethod::kNormal);
  CHECK(r.u == 2.5);
  CHECK(r.p_value == Approx(0.136658).epsilon(1e-5));
}

TEST_CASE("a sample of nearly all ties keeps a finite p-value", "[analysis]") {
  // Five 5s share rank 3: R_a = 9, U = 3, mean 4.5, variance
  // 9/12 * (7 - 120/30) = 2.25; z = (1.5 - 0.5) / 1.5; p = 0.504985.
  UTestResult r = MannWhitneyU({5, 5, 5}, {5, 5, 6});
  CHECK(r.p_value == Approx(0.504985).epsilon(1e-5));
}

TEST_CASE("identical samples give p 1", "[analysis]") {
  UTestResult r = MannWhitneyU({3, 3, 3}, {3, 3, 3});
  CHECK(r.Testable());
  CHECK(r.p_value == 1);
}

TEST_CASE("samples larger than the exact limit use the normal approximation",
          "[analysis]") {
  // 21 vs 21 separated: U = 0, mean 220.5, variance 21*21/12*43 = 1580.25;
  // z = 220 / 39.7524; p = 3.1254e-8.
  std::vector<double> a, b;
  for (int i = 1; i <= 21; ++i) a.push_back(i);
  for (int i = 22; i <= 42; ++i) b.push_back(i);
  UTestResult r = MannWhitneyU(a, b);
  CHECK(r.method == UTestMethod::kNormal);
  CHECK(r.p_value == Approx(3.1254e-8).epsilon(1e-3));
}

TEST_CASE("relative change follows compare.py, including from zero",
          "[analysis]") {
  CHECK(RelativeChange(100, 110) == Approx(0.1));
  CHECK(RelativeChange(-100, -110) == Approx(-0.1));
  CHECK(RelativeChange(0, 0) == 0);
  CHECK(RelativeChange(0, 3) == Approx(2.0));
}

}  // namespace
}  // namespace eiabench::analysis
