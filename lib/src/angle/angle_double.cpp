// The double path of the one-layer law: mu_double, sigma2_double and mu_sigma2_double (arrays).
// Order 1 by the vectorized kernel of angle/angle_kernel.hpp (the certified route for the angles it
// flags); orders 2..8 from cumulant_double, angle by angle on all cores.
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "angle/angle_kernel.hpp"
#include "angle/series_parts.hpp"
#include "core/cpu.hpp"
#include "core/parallel.hpp"
#include "moments/prepared.hpp"
#include "numeric/double_double.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/moments/eval.hpp"

namespace relumix {

using detail::dd;
using detail::from_mpfr;

const LogTable& log_table() {
  static const LogTable t = [] {
    LogTable r;
    mpfr_t c, v;
    mpfr_inits2(256, c, v, (mpfr_ptr)nullptr);
    for (int j = 0; j < kLogTableSize; ++j) {
      mpfr_set_ui(c, unsigned(128 + j), MPFR_RNDN);
      mpfr_div_2ui(c, c, 7, MPFR_RNDN);  // 1 + j/128, exact
      mpfr_ui_div(v, 1, c, MPFR_RNDN);
      dd i = from_mpfr(v);
      mpfr_log(v, c, MPFR_RNDN);
      dd l = from_mpfr(v);
      r.inv_hi[j] = i.hi, r.inv_lo[j] = i.lo, r.log_hi[j] = l.hi, r.log_lo[j] = l.lo;
    }
    r.ln2_hi = r.log_hi[kLogTableSize - 1];  // the same double-double as ln(1 + 128/128)
    r.ln2_lo = r.log_lo[kLogTableSize - 1];
    mpfr_clears(c, v, (mpfr_ptr)nullptr);
    return r;
  }();
  return t;
}

AngleKernel best_angle_kernel() {
  if (cpu_has_avx512()) return angle_kernel_avx512;
  if (cpu_has_avx2()) return angle_kernel_avx2;
  return angle_kernel_portable;
}

namespace {

// The theta-series branch below kSmall with kSeriesTerms terms: the coefficients of K/D^2, L/D
// and ln(D / sin^2 theta) stay below ~2^(1.2 j) (checked when the form is built), so the
// remainder at theta < 2^-6 is below 2^-4.8 j ~ 2^-130 relative at j = 28.
constexpr double kSmall = 1.0 / 64;
constexpr unsigned kSeriesTerms = 28;

void to_dd(const QPi& q, double& hi, double& lo) {
  Interval v = enclose(q, 256);
  mpfr_t m;
  mpfr_init2(m, 256);
  mpfi_mid(m, v.get());
  dd r = from_mpfr(m);
  mpfr_clear(m);
  hi = r.hi, lo = r.lo;
}

const AngleForm& base_form() {
  static const AngleForm f = [] {
    AngleForm r;
    r.j11 = &prepared(1, 1).double_form();
    r.j22 = &prepared(2, 2).double_form();
    r.j31 = &prepared(3, 1).double_form();
    r.log = &log_table();
    r.small = kSmall;
    SeriesParts p = series_parts(kSeriesTerms);
    Series invD = p.D.inverse();
    auto fill = [](const Series& s, std::vector<double>& hi, std::vector<double>& lo, const char* what) {
      std::vector<QPi> c = series_coeffs(s, kSeriesTerms - 1, what);
      for (const QPi& q : c) {
        double h, l;
        to_dd(q, h, l);
        hi.push_back(h);
        lo.push_back(l);
      }
      for (std::size_t j = 0; j < hi.size(); ++j)
        if (!(std::fabs(hi[j]) <= std::exp2(1.2 * double(j) + 4)))
          throw std::logic_error(std::string("mu/sigma^2 double path: the series of ") + what + " grows too fast");
    };
    fill(p.K * invD * invD, r.kd2_hi, r.kd2_lo, "K/D^2");
    fill(p.L * invD, r.ld_hi, r.ld_lo, "L/D");
    fill(p.logDs, r.lds_hi, r.lds_lo, "ln(D/sin^2)");
    return r;
  }();
  return f;
}

}  // namespace

const AngleForm& angle_form(double n) {
  thread_local double last = 0;
  thread_local AngleForm f;
  if (n != last || !f.j11) {
    f = base_form();
    mpfr_t a, b;
    mpfr_inits2(256, a, b, (mpfr_ptr)nullptr);
    mpfr_set_d(a, n, MPFR_RNDN);
    mpfr_sub_ui(a, a, 1, MPFR_RNDN);  // n - 1 (exact: n is a double >= 2)
    mpfr_ui_div(b, 4, a, MPFR_RNDN);
    dd e = from_mpfr(b);
    mpfr_mul_d(b, b, n, MPFR_RNDN);
    mpfr_div(b, b, a, MPFR_RNDN);  // 4n/(n-1)^2
    dd c4 = from_mpfr(b);
    mpfr_mul_2ui(b, b, 1, MPFR_RNDN);
    dd c8 = from_mpfr(b);
    mpfr_clears(a, b, (mpfr_ptr)nullptr);
    f.e_hi = e.hi, f.e_lo = e.lo, f.c4_hi = c4.hi, f.c4_lo = c4.lo, f.c8_hi = c8.hi, f.c8_lo = c8.lo;
    last = n;
  }
  return f;
}

namespace {

void check_width(double n) { require(std::isfinite(n) && n >= 2, "width must be at least 2"); }
void check_order(int order) {
  require(order >= 1 && order <= int(kMaxCumulantOrder),
          "order " + std::to_string(order) + " in 1/n is outside 1.." + std::to_string(kMaxCumulantOrder));
}
bool valid_angle(double t) { return t > 0 && t <= M_PI; }
[[noreturn]] void throw_bad(double t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", t);
  throw InputError(std::isnan(t) ? std::string("angle is NaN") : std::string("angle ") + buf + " is outside (0, pi]");
}

// the certified route: the midpoint of an enclosure narrower than 1e-20 relative
template <class F>
double certified_double(F&& enclose) {
  for (mpfr_prec_t bits = 128;; bits *= 2) {
    Interval v = enclose(bits);
    if (v.is_finite()) {
      if (v.rel_width() < 1e-20 || bits >= 8192) return v.mid_double();
    }
    if (bits >= 8192) throw std::runtime_error("could not evaluate mu/sigma^2 to double precision");
  }
}

constexpr std::size_t kChunk = 4096;

// order 1, one chunk; returns the index of the first bad angle (or kNoBadItem)
std::size_t run_chunk(const AngleForm& f, AngleKernel kernel, const double* x, double* mu, double* s2,
                      std::size_t count, double n) {
  std::uint8_t flag[kChunk];
  kernel(f, x, mu, s2, flag, count);
  std::size_t bad = kNoBadItem;
  for (std::size_t i = 0; i < count; ++i) {
    if (!flag[i]) continue;
    if (!valid_angle(x[i])) {
      bad = std::min(bad, i);
      continue;
    }
    const Theta t = exact_theta(x[i]);
    const Rational rn(n);
    mu[i] = t.is_pi() ? 0.0 : certified_double([&](mpfr_prec_t b) { return mu_enclosure(t, rn, b); });
    s2[i] = t.is_pi() ? 0.0 : certified_double([&](mpfr_prec_t b) { return sigma2_enclosure(t, rn, b); });
  }
  return bad;
}

}  // namespace

void mu_sigma2_double(std::span<const double> theta, double n, int order, std::span<double> mu,
                      std::span<double> sigma2, unsigned threads) {
  check_order(order);
  check_width(n);
  require(theta.size() == mu.size() && theta.size() == sigma2.size(),
          "mu_sigma2_double: " + std::to_string(theta.size()) + " angles but room for " + std::to_string(mu.size()) +
              " and " + std::to_string(sigma2.size()) + " values");
  const std::size_t count = theta.size();
  const double* x = theta.data();
  if (order > 1) {
    for (std::size_t i = 0; i < count; ++i)
      if (!valid_angle(x[i])) throw_bad(x[i]);
    chunked_batch(count, 16, threads, 0, [&](std::size_t lo, std::size_t k) {
      for (std::size_t i = lo; i < lo + k; ++i) {
        CumulantValues v = cumulant_double(x[i], unsigned(order));
        mu[i] = v.mu(n);
        sigma2[i] = v.sigma2(n);
      }
      return kNoBadItem;
    });
    return;
  }
  static const AngleKernel kernel = best_angle_kernel();
  std::size_t bad = chunked_batch(count, kChunk, threads, kParallelDoubleMin, [&](std::size_t lo, std::size_t k) {
    std::size_t b = run_chunk(angle_form(n), kernel, x + lo, mu.data() + lo, sigma2.data() + lo, k, n);
    return b == kNoBadItem ? b : lo + b;
  });
  if (bad != kNoBadItem) throw_bad(x[bad]);
}

double mu_double(double theta, double n, int order) {
  double m, s;
  mu_sigma2_double({&theta, 1}, n, order, {&m, 1}, {&s, 1}, 1);
  return m;
}

double sigma2_double(double theta, double n, int order) {
  double m, s;
  mu_sigma2_double({&theta, 1}, n, order, {&m, 1}, {&s, 1}, 1);
  return s;
}

}  // namespace relumix
