// Exact algebra: rationals, Q[1/pi], polynomials, Laurent series.
#include <doctest/doctest.h>

#include "relumix/core/error.hpp"
#include "relumix/exact/poly.hpp"
#include "relumix/exact/qpi.hpp"
#include "relumix/exact/series.hpp"

using namespace relumix;

TEST_CASE("rational parsing is exact") {
  CHECK(parse_rational("0.1") == Rational(1, 10));
  CHECK(parse_rational("-2.5e-3") == Rational(-1, 400));
  CHECK(parse_rational("3/6") == Rational(1, 2));
  CHECK(parse_rational("1e3") == Rational(1000));
  CHECK(to_string(Rational(-5, 2)) == "-5/2");
  CHECK(to_string(Rational(6, 2)) == "3");
  for (const char* bad : {"", "abc", "1.2.3", "1e", "--1", "1/0", "1e99999999", "0x10", "1/2/3"})
    CHECK_THROWS_AS(parse_rational(bad), InputError);
}

TEST_CASE("double factorial and binomials") {
  CHECK(double_factorial(-1) == 1);
  CHECK(double_factorial(0) == 1);
  CHECK(double_factorial(7) == 105);
  CHECK(double_factorial(8) == 384);
  CHECK(binomial(10, 3) == 120);
  CHECK(factorial(10) == 3628800);
}

TEST_CASE("Q[1/pi] arithmetic and terms") {
  QPi x = QPi(Rational(1, 2)) + QPi::inv_pi_power(1, Rational(1, 3));
  QPi y = x * x;  // 1/4 + 1/(3 pi) + 1/(9 pi^2)
  CHECK(y.coeff(0) == Rational(1, 4));
  CHECK(y.coeff(1) == Rational(1, 3));
  CHECK(y.coeff(2) == Rational(1, 9));
  CHECK(y.terms().at("1/pi^2") == "1/9");
  CHECK((y - y).is_zero());
  CHECK(x.str() == "1/2 + 1/(3 pi)");
}

TEST_CASE("polynomials") {
  Poly p(std::vector<Rational>{1, 2, 3});
  CHECK(p.derivative() == Poly(std::vector<Rational>{2, 6}));
  CHECK(p.integral().derivative() == p);
  CHECK(p(Rational(2)) == 17);
  CHECK(p.reflect()(Rational(2)) == p(Rational(-2)));
  CHECK((p * p).degree() == 4);
  CHECK(p.pow(3) == p * p * p);
  CHECK(p.str("rho") == "3*rho^2 + 2*rho + 1");
}

TEST_CASE("Laurent series: inverse with a pole, log1p, valuation") {
  const int N = 10;
  // D = t^2 - t^3 : 1/D = t^-2 (1 + t + t^2 + ...)
  Series D(2, {QPi(1), QPi(-1)}, N);
  Series inv = D.inverse();
  CHECK(inv.valuation() == -2);
  for (int k = -2; k < inv.precision(); ++k) CHECK(inv[k] == QPi(1));
  Series one = D * inv;
  CHECK(one[0] == QPi(1));
  for (int k = 1; k < one.precision(); ++k) CHECK(one[k].is_zero());
  // log(1 + t) = t - t^2/2 + t^3/3 ...
  Series l = Series::log1p(Series::variable(6));
  CHECK(l[1] == QPi(1));
  CHECK(l[2] == QPi(Rational(-1, 2)));
  CHECK(l[5] == QPi(Rational(1, 5)));
  // a non-rational leading coefficient cannot be inverted in Q[1/pi]
  Series bad(0, {QPi::inv_pi_power(1)}, N);
  CHECK_THROWS(bad.inverse());
}

TEST_CASE("leading zeros are decimal, never octal") {
  CHECK(parse_rational("0.25") == Rational(1, 4));
  CHECK(parse_rational("010") == Rational(10));
  CHECK(parse_rational("010/03") == Rational(10, 3));
  CHECK(parse_rational("0.0090") == Rational(9, 1000));
}
