// The depth-to-width law (SPEC section 7): exact mean and variance of the log squared norm.
#include <doctest/doctest.h>

#include <mpfr.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

#include "support.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/core/error.hpp"
#include "relumix/collapse/norm.hpp"

using namespace relumix;
using relumix::test::sanitized;
using relumix::test::scaled;

namespace {


// RAII MPFR number for the independent reference computations.
struct Mp {
  mpfr_t v;
  explicit Mp(mpfr_prec_t p = 256) { mpfr_init2(v, p); mpfr_set_ui(v, 0, MPFR_RNDN); }
  ~Mp() { mpfr_clear(v); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
};

// psi(x) by MPFR (independent of the closed forms under test)
void digamma_ref(mpfr_t out, double x) {
  Mp a;
  mpfr_set_d(a.v, x, MPFR_RNDN);
  mpfr_digamma(out, a.v, MPFR_RNDN);
}

// psi'(x) = sum_{j<M} 1/(x+j)^2 + Euler-Maclaurin tail 1/y + 1/(2y^2) + 1/(6y^3) - 1/(30y^5) + 1/(42y^7), y = x+M
void trigamma_ref(mpfr_t out, double x) {
  const long M = 2000;
  Mp s, t, y;
  for (long j = 0; j < M; ++j) {
    mpfr_set_d(t.v, x, MPFR_RNDN);
    mpfr_add_si(t.v, t.v, j, MPFR_RNDN);
    mpfr_sqr(t.v, t.v, MPFR_RNDN);
    mpfr_ui_div(t.v, 1, t.v, MPFR_RNDN);
    mpfr_add(s.v, s.v, t.v, MPFR_RNDN);
  }
  mpfr_set_d(y.v, x, MPFR_RNDN);
  mpfr_add_si(y.v, y.v, M, MPFR_RNDN);
  const long power[] = {1, 2, 3, 5, 7}, num[] = {1, 1, 1, -1, 1}, den[] = {1, 2, 6, 30, 42};
  for (int i = 0; i < 5; ++i) {
    mpfr_pow_ui(t.v, y.v, (unsigned long)power[i], MPFR_RNDN);
    mpfr_si_div(t.v, num[i], t.v, MPFR_RNDN);
    mpfr_div_si(t.v, t.v, den[i], MPFR_RNDN);
    mpfr_add(s.v, s.v, t.v, MPFR_RNDN);
  }
  mpfr_set(out, s.v, MPFR_RNDN);
}

// |interval midpoint - reference| <= tol
bool close(const Interval& x, mpfr_srcptr ref, double tol) {
  Mp m, d;
  mpfi_mid(m.v, x.get());
  mpfr_sub(d.v, m.v, ref, MPFR_RNDN);
  return std::fabs(mpfr_get_d(d.v, MPFR_RNDN)) <= tol;
}

}  // namespace

TEST_CASE("closed forms of psi and psi' at half-integers against MPFR") {
  for (long k = 1; k <= 60; ++k) {
    Mp ref;
    INFO("k = " << k);
    digamma_ref(ref.v, double(k) / 2);
    Interval psi = digamma_half(k, 256);
    CHECK(psi.rel_width() < 1e-70);
    CHECK(close(psi, ref.v, 1e-60));
    trigamma_ref(ref.v, double(k) / 2);
    CHECK(close(trigamma_half(k, 256), ref.v, 1e-22));
  }
  CHECK_THROWS_AS(digamma_half(0, 64), InputError);
  CHECK_THROWS_AS(trigamma_half(-1, 64), InputError);
}

TEST_CASE("norm law: exact rationals for tiny widths (by hand)") {
  // n = 1: K = 1 always; mean psi(1/2) + ln 4 = -gamma, var psi'(1/2) = pi^2/2
  NormLaw l1 = norm_law(1);
  CHECK(l1.m0 == 0);
  CHECK(l1.m1 == 0);
  CHECK(l1.v0 == 0);
  CHECK(l1.v1 == 0);
  CHECK(l1.v2 == 0);
  CHECK(l1.v3 == Rational(1, 2));
  CHECK(l1.mean_formula() == "-gamma");
  CHECK(norm_law(2).mean_formula() == "2/3*ln(2) - gamma - ln(2)");
  // n = 2: K | K >= 1 is 1 (2/3) or 2 (1/3): mean -gamma - ln(2)/3 = m0 + m1 ln2 - gamma - ln 2,
  // var = 7 pi^2 / 18 + (8/9) ln^2 2
  NormLaw l2 = norm_law(2);
  CHECK(l2.m0 == 0);
  CHECK(l2.m1 == Rational(2, 3));
  CHECK(l2.v0 == 0);
  CHECK(l2.v1 == 0);
  CHECK(l2.v2 == Rational(8, 9));
  CHECK(l2.v3 == Rational(7, 18));
  CHECK(l2.var_formula() == "8/9*ln(2)^2 + 7/18*pi^2");
  // certified totals (mpmath references)
  CHECK(certify([&](mpfr_prec_t b) { return norm_mean(l1, 1, b); }, 30) == "-0.577215664901532860606512090082");
  CHECK(certify([&](mpfr_prec_t b) { return norm_var(l1, 1, b); }, 30) == "4.93480220054467930941724549994");
  CHECK(certify([&](mpfr_prec_t b) { return norm_mean(l2, 3, b); }, 30) == "-2.42479417526454389123676839171");
  CHECK(certify([&](mpfr_prec_t b) { return norm_var(l2, 3, b); }, 30) == "12.7957465050527888544191795701");
}

TEST_CASE("norm law: binomial sums against MPFR digamma, widths 1..14") {
  for (long n = 1; n <= 14; ++n) {
    INFO("n = " << n);
    // direct: weights C(n,k)/(2^n - 1), psi by mpfr_digamma, psi' by Euler-Maclaurin
    Mp Epsi, Epsi2, Etri, t, w;
    double W = std::ldexp(1.0, int(n)) - 1, c = 1;
    for (long k = 1; k <= n; ++k) {
      c = c * double(n - k + 1) / double(k);
      mpfr_set_d(w.v, c, MPFR_RNDN);
      mpfr_div_d(w.v, w.v, W, MPFR_RNDN);
      digamma_ref(t.v, double(k) / 2);
      Mp wt;
      mpfr_mul(wt.v, w.v, t.v, MPFR_RNDN);
      mpfr_add(Epsi.v, Epsi.v, wt.v, MPFR_RNDN);
      mpfr_mul(wt.v, wt.v, t.v, MPFR_RNDN);
      mpfr_add(Epsi2.v, Epsi2.v, wt.v, MPFR_RNDN);
      trigamma_ref(t.v, double(k) / 2);
      mpfr_mul(wt.v, w.v, t.v, MPFR_RNDN);
      mpfr_add(Etri.v, Etri.v, wt.v, MPFR_RNDN);
    }
    Mp mean, var, ln;
    mpfr_set_ui(ln.v, 4, MPFR_RNDN);
    mpfr_div_ui(ln.v, ln.v, (unsigned long)n, MPFR_RNDN);
    mpfr_log(ln.v, ln.v, MPFR_RNDN);
    mpfr_add(mean.v, Epsi.v, ln.v, MPFR_RNDN);
    mpfr_sqr(t.v, Epsi.v, MPFR_RNDN);
    mpfr_sub(var.v, Epsi2.v, t.v, MPFR_RNDN);
    mpfr_add(var.v, var.v, Etri.v, MPFR_RNDN);
    NormLaw law = norm_law(n);
    CHECK(close(norm_mean(law, 1, 256), mean.v, 1e-20));
    CHECK(close(norm_var(law, 1, 256), var.v, 1e-20));
    // depth scales linearly
    Interval m7 = norm_mean(law, 7, 256), v7 = norm_var(law, 7, 256);
    mpfr_mul_ui(mean.v, mean.v, 7, MPFR_RNDN);
    mpfr_mul_ui(var.v, var.v, 7, MPFR_RNDN);
    CHECK(close(m7, mean.v, 1e-19));
    CHECK(close(v7, var.v, 1e-19));
  }
}

TEST_CASE("norm law: large width, about -5/(2n) and 5/n per layer") {
  NormLaw law = norm_law(2000);
  double m = norm_mean(law, 1, 128).mid_double() * 2000, v = norm_var(law, 1, 128).mid_double() * 2000;
  CHECK(m == doctest::Approx(-2.5).epsilon(0.005));
  CHECK(v == doctest::Approx(5.0).epsilon(0.005));
  // certified to many digits with a cancellation of ln n against the sums
  std::string s = certify([&](mpfr_prec_t b) { return norm_mean(law, 2000, b); }, 60);
  CHECK(s.size() >= 60);
  CHECK_THROWS_AS(norm_law(0), InputError);
  CHECK_THROWS_AS(norm_law(kNormMaxWidth + 1), InputError);
  CHECK_THROWS_AS(norm_mean(law, 0, 64), InputError);
}

TEST_CASE("norm Monte Carlo (reduced chain) agrees with the exact law") {
  const std::uint64_t S = sanitized() ? 4000 : 40000;
  for (long n : {3L, 8L}) {
    long long L = 5;
    NormMcResult r = norm_monte_carlo(n, L, S, 17);
    NormLaw law = norm_law(n);
    double mean = norm_mean(law, L, 128).mid_double(), var = norm_var(law, L, 128).mid_double();
    INFO("n " << n << " mc mean " << r.mean << " +- " << r.stderr_mean << " exact " << mean << "; var " << r.var
              << " +- " << r.stderr_var << " exact " << var);
    CHECK(r.used + r.collapsed == S);
    double p_collapse = 1 - std::pow(1 - std::ldexp(1.0, -int(n)), double(L));
    CHECK(std::fabs(double(r.collapsed) / double(S) - p_collapse) <=
          4.5 * std::sqrt(p_collapse * (1 - p_collapse) / double(S)));
    CHECK(std::fabs(r.mean - mean) <= 4.5 * r.stderr_mean);
    CHECK(std::fabs(r.var - var) <= 4.5 * r.stderr_var);
  }
  auto a = norm_monte_carlo(4, 3, 500, 1), b = norm_monte_carlo(4, 3, 500, 1);
  CHECK(a.mean == b.mean);
  CHECK(a.var == b.var);
  CHECK_THROWS_AS(norm_monte_carlo(4, 3, 1, 1), InputError);
  CHECK_THROWS_AS(norm_monte_carlo(1000, 1000000, 1000000, 1), InputError);
}

TEST_CASE("norm law against explicit weight matrices (network mode)") {
  // ln(|relu(z^L)|^2/|x|^2) for z^{l+1} = sqrt(2/n) W relu(z^l), x = (1, 2, 0, 1), std::mt19937_64
  const long n = 4, L = 3;
  const int S = sanitized() ? 5000 : 50000;
  std::mt19937_64 gen(2022);
  std::normal_distribution<double> normal;
  double s1 = 0, s2 = 0;
  int used = 0;
  for (int s = 0; s < S; ++s) {
    std::vector<double> h = {1, 2, 0, 1}, z(n);
    double x2 = 6;
    bool dead = false;
    for (long l = 0; l < L; ++l) {
      for (long i = 0; i < n; ++i) {
        double a = 0;
        for (long j = 0; j < n; ++j) a += normal(gen) * h[std::size_t(j)];
        z[std::size_t(i)] = std::sqrt(2.0 / n) * a;
      }
      double q = 0;
      for (long i = 0; i < n; ++i) {
        h[std::size_t(i)] = std::max(z[std::size_t(i)], 0.0);
        q += h[std::size_t(i)] * h[std::size_t(i)];
      }
      if (q == 0) dead = true;
    }
    if (dead) continue;
    double q = 0;
    for (double v : h) q += v * v;
    double X = std::log(q / x2);
    s1 += X;
    s2 += X * X;
    ++used;
  }
  double mean = s1 / used, var = (s2 - s1 * s1 / used) / (used - 1);
  NormLaw law = norm_law(n);
  double em = norm_mean(law, L, 128).mid_double(), ev = norm_var(law, L, 128).mid_double();
  INFO("network mean " << mean << " exact " << em << "; var " << var << " exact " << ev);
  CHECK(std::fabs(mean - em) <= 4.5 * std::sqrt(ev / used));
  // the log of a chi^2 has a heavy left tail: use a generous se for the variance (kurtosis < 12 here)
  CHECK(std::fabs(var - ev) <= 4.5 * ev * std::sqrt(12.0 / used));
}
