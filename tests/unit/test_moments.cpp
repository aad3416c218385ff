// Closed forms of J_{a,b}: SPEC section 2 examples, both routes, identities.
#include <doctest/doctest.h>

#include "relumix/exact/combinatorics.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/moments.hpp"

using namespace relumix;

namespace {
Poly poly(std::initializer_list<long> c) {
  std::vector<Rational> v;
  for (long x : c) v.emplace_back(x);
  return Poly(v);
}
Poly polyq(std::initializer_list<Rational> c) { return Poly(std::vector<Rational>(c)); }
}  // namespace

TEST_CASE("closed forms match the SPEC's table") {
  // SPEC section 2 examples (P, Q for a+b even; R for a+b odd); index = power of rho
  CHECK(closed_form(0, 0).P == poly({1}));
  CHECK(closed_form(0, 0).Q == poly({}));
  CHECK(closed_form(1, 1).P == poly({0, 1}));
  CHECK(closed_form(1, 1).Q == poly({1}));
  CHECK(closed_form(2, 0).P == poly({1}));
  CHECK(closed_form(2, 0).Q == poly({0, 1}));
  CHECK(closed_form(2, 2).P == poly({1, 0, 2}));
  CHECK(closed_form(2, 2).Q == poly({0, 3}));
  CHECK(closed_form(3, 1).P == poly({0, 3}));
  CHECK(closed_form(3, 1).Q == poly({2, 0, 1}));
  CHECK(closed_form(4, 0).P == poly({3}));
  CHECK(closed_form(4, 0).Q == poly({0, 5, 0, -2}));
  Rational h(1, 2);
  CHECK(closed_form(1, 0).R == polyq({h, h}));                        // (1+rho)/2
  CHECK(closed_form(2, 1).R == polyq({h, 1, h}));                     // (1+rho)^2/2
  CHECK(closed_form(3, 0).R == polyq({1, Rational(3, 2), 0, -h}));    // (1+rho)^2(2-rho)/2
  CHECK(closed_form(3, 2).R == poly({1, 3, 3, 1}));                   // (1+rho)^3
}

TEST_CASE("symmetry J_{a,b} = J_{b,a} and the two routes agree for a, b <= 30") {
  for (unsigned a = 0; a <= 30; ++a)
    for (unsigned b = 0; b <= 30; ++b) {
      const ClosedForm& x = closed_form(a, b);
      ClosedForm y = closed_form_fourier(a, b);
      INFO("a=" << a << " b=" << b);
      REQUIRE(x.P == y.P);
      REQUIRE(x.Q == y.Q);
      REQUIRE(x.R == y.R);
      if (a <= b) {
        ClosedForm z = closed_form_fourier(b, a);  // the Fourier route is not symmetric in form
        REQUIRE(z.P == y.P);
        REQUIRE(z.Q == y.Q);
        REQUIRE(z.R == y.R);
      }
    }
}

// The identities below are how closed_form builds J; they are checked on the independent polar
// (Fourier) route, which uses none of them (closed_form == closed_form_fourier is checked above).
TEST_CASE("Price relation and the base column (on the Fourier route)") {
  for (unsigned a = 1; a <= 16; ++a)
    for (unsigned b = 1; b <= 16; ++b) {
      const ClosedForm x = closed_form_fourier(a, b);
      const ClosedForm y = closed_form_fourier(a - 1, b - 1);
      Rational ab(a * b);
      INFO("a=" << a << " b=" << b);
      if (x.even()) {
        CHECK(x.P.derivative() == y.P * ab);
        // (1 - rho^2) Q' - rho Q + P = ab (1 - rho^2) Q_{a-1,b-1}
        Poly w = Poly(std::vector<Rational>{1, 0, -1});
        CHECK(w * x.Q.derivative() - Poly::x() * x.Q + x.P == w * y.Q * ab);
      } else {
        CHECK(x.R.derivative() == y.R * ab);
      }
    }
  // odd a: R_{a,0}' = a!!/2 (1 - rho^2)^{(a-1)/2}
  for (unsigned a = 1; a <= 21; a += 2) {
    Poly expect = Poly(std::vector<Rational>{1, 0, -1}).pow((a - 1) / 2) * Rational(double_factorial(int(a)), 2);
    CHECK(closed_form_fourier(a, 0).R.derivative() == expect);
  }
}

TEST_CASE("reflection: R(rho) + (-1)^b R(-rho) is the Bessel sum (on the Fourier route)") {
  for (unsigned a = 0; a <= 20; ++a)
    for (unsigned b = 0; b <= 20; ++b) {
      if ((a + b) % 2 == 0) continue;
      const ClosedForm x = closed_form_fourier(a, b);
      Poly lhs = b % 2 ? x.R - x.R.reflect() : x.R + x.R.reflect();
      CHECK(lhs == bessel_sum_P(a, b));
    }
}

TEST_CASE("Bessel numbers (OEIS A100861)") {
  CHECK(bessel_row(4) == std::vector<Integer>{1, 6, 3});
  CHECK(bessel_row(6) == std::vector<Integer>{1, 15, 45, 15});
  CHECK(bessel_row(7) == std::vector<Integer>{1, 21, 105, 105});
  // sum_j T(n, j) = number of involutions of n (A000085)
  std::vector<long> inv = {1, 1, 2, 4, 10, 26, 76, 232, 764, 2620, 9496};
  for (unsigned n = 0; n < inv.size(); ++n) {
    Integer s = 0;
    for (auto& t : bessel_row(n)) s += t;
    CHECK(s == inv[n]);
  }
}

TEST_CASE("Taylor series at 0") {
  // J_{1,1}: 2J = cos + (sin - theta cos)/pi -> 1/2 - theta^2/4 + theta^3/(6 pi) + theta^4/48 - theta^5/(60 pi)...
  MomentSeries s = taylor_series(1, 1, 5);
  CHECK(s.coeffs[0] == QPi(Rational(1, 2)));
  CHECK(s.coeffs[1] == QPi());
  CHECK(s.coeffs[2] == QPi(Rational(-1, 4)));
  CHECK(s.coeffs[3] == QPi::inv_pi_power(1, Rational(1, 6)));
  CHECK(s.coeffs[4] == QPi(Rational(1, 48)));
  // sin t - t cos t = t^3/3 - t^5/30 + ... ; /(2pi): t^5 coefficient -1/(60 pi); cos/2: 0 at t^5
  CHECK(s.coeffs[5] == QPi::inv_pi_power(1, Rational(-1, 60)));
  // value at 0 is m_{a+b}
  for (unsigned a = 0; a <= 8; ++a)
    for (unsigned b = 0; b <= 8; ++b) {
      MomentSeries t = taylor_series(a, b, 0);
      CHECK(t.coeffs[0] == QPi(single_moment_coeff(a + b)));
      CHECK(t.odd == ((a + b) % 2 == 1));
    }
  // J_{1,0} = (1 + cos theta)/(2 sqrt(2 pi)): coefficients 1, 0, -1/4, 0, 1/48
  MomentSeries o = taylor_series(1, 0, 4);
  CHECK(o.coeffs[0] == QPi(Rational(1)));
  CHECK(o.coeffs[2] == QPi(Rational(-1, 4)));
  CHECK(o.coeffs[4] == QPi(Rational(1, 48)));
}

TEST_CASE("Taylor series agrees with series arithmetic on the closed form") {
  // independent check: compose P(cos t), Q(cos t) with Series arithmetic
  const unsigned N = 12;
  std::vector<QPi> cosc(N + 1), sinc(N + 1);
  Rational f = 1;
  for (unsigned k = 0; k <= N; ++k) {
    if (k) f /= k;
    if (k % 2 == 0) cosc[k] = QPi(f * ((k / 2) % 2 ? -1 : 1));
    else sinc[k] = QPi(f * (((k - 1) / 2) % 2 ? -1 : 1));
  }
  Series c(0, cosc, N + 1), s(0, sinc, N + 1), t = Series::variable(N + 1);
  auto eval = [&](const Poly& p) {
    Series r = Series::zero(N + 1);
    for (int k = p.degree(); k >= 0; --k) r = r * c + Series::constant(QPi(p[std::size_t(k)]), N + 1);
    return r;
  };
  for (auto [a, b] : std::vector<std::pair<unsigned, unsigned>>{{2, 2}, {3, 1}, {4, 4}, {5, 3}, {6, 0}}) {
    const ClosedForm& cf = closed_form(a, b);
    Series P = eval(cf.P), Q = eval(cf.Q);
    // J = P/2 + (s Q - t P)/(2 pi)
    Series J = P * QPi(Rational(1, 2)) + (s * Q - t * P) * QPi::inv_pi_power(1, Rational(1, 2));
    MomentSeries ts = taylor_series(a, b, N);
    for (unsigned k = 0; k <= N; ++k) CHECK(J[int(k)] == ts.coeffs[k]);
  }
}

TEST_CASE("orders beyond the limit are refused") {
  CHECK_THROWS_AS(closed_form(3000, 2001), InputError);
  CHECK_THROWS_AS(taylor_series(1, 1, 5001), InputError);
}

#include <fstream>
#include <nlohmann/json.hpp>

#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/io/angles.hpp"

TEST_CASE("closed forms reproduce the independent quadrature values (reference moments.json)") {
  // tests/data/moments.json: copy of shared/reference/moments.json (independent quadrature, 50 digits)
  std::ifstream f(std::string(RELUMIX_TEST_DATA) + "/moments.json");
  REQUIRE(f);
  auto ref = nlohmann::json::parse(f);
  const mpfr_prec_t bits = 400;
  for (auto& v : ref["values"]) {
    unsigned a = v["a"], b = v["b"];
    Theta t = parse_theta(v["theta"].get<std::string>());
    const ClosedForm& cf = closed_form(a, b);
    Interval th = t.enclose(bits), rho = cos(th), s = sin(th), pi = Interval::pi(bits);
    auto horner = [&](const Poly& p) {
      Interval r(0L, bits);
      for (int k = p.degree(); k >= 0; --k) r = r * rho + Interval(p[std::size_t(k)], bits);
      return r;
    };
    Interval J = cf.even() ? ((pi - th) * horner(cf.P) + s * horner(cf.Q)) / (pi * Rational(2))
                           : horner(cf.R) / sqrt(pi * Rational(2));
    Interval want = Interval::from_decimal(v["value"].get<std::string>(), bits);
    Interval rel = (J - want) / want;
    INFO("a=" << a << " b=" << b << " theta=" << v["theta"]);
    CHECK(std::abs(rel.mid_double()) < 1e-48);
  }
}
