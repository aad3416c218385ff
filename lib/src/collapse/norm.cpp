#include "relumix/collapse/norm.hpp"


#include <cmath>
#include <limits>

#include "mc/philox_normals.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

namespace {

void check_width(long width) {
  require(width >= 1 && width <= kNormMaxWidth,
          "width must be an integer in 1.." + std::to_string(kNormMaxWidth) + ", got " + std::to_string(width));
}
void check_depth(long long depth) {
  require(depth >= 1 && depth <= kNormMaxDepth, "depth must be an integer in 1..1e18, got " + std::to_string(depth));
}

Integer lcm_upto(long n) {
  mpz_t z;
  mpz_init_set_ui(z, 1);
  for (long j = 2; j <= n; ++j) mpz_lcm_ui(z, z, (unsigned long)j);
  Integer r(z);
  mpz_clear(z);
  return r;
}

std::string term(const Rational& q, const std::string& what, bool first) {
  if (q == 0) return "";
  std::string s = to_string(q), out;
  bool neg = s[0] == '-';
  if (neg) s = s.substr(1);
  out = first ? (neg ? "-" : "") : (neg ? " - " : " + ");
  if (what.empty()) return out + s;
  if (s == "1") return out + what;
  return out + s + "*" + what;
}

using Normals = detail::PhiloxNormals;  // philox_normals.hpp

constexpr std::uint64_t kNormTag = 0x6e6f726d6c617721ULL;  // "normlaw!"

}  // namespace

NormLaw norm_law(long n) {
  check_width(n);
  const Integer Lc = lcm_upto(n), Lc2 = Lc * Lc;
  Integer w = 1;             // C(n, k)
  Integer Ae = 0, Ce = 0;    // Lc H_{m-1},   Lc^2 sum_{j<m} 1/j^2            (k = 2m)
  Integer Ao = 0, Co = 0;    // Lc sum_{j<=m} 2/(2j-1), Lc^2 sum 4/(2j-1)^2  (k = 2m+1)
  Integer SA = 0, SAA = 0, SC = 0, SAodd = 0;
  for (long k = 1; k <= n; ++k) {
    if ((k & 1023) == 0) throw_if_stopped();
    w = w * (n - k + 1) / k;
    long m = k / 2;
    const Integer* A;
    const Integer* C;
    if (k % 2 == 0) {
      if (m - 1 >= 1) {
        Ae += Lc / (m - 1);
        Ce += Lc2 / (Integer(m - 1) * (m - 1));
      }
      A = &Ae;
      C = &Ce;
    } else {
      if (m >= 1) {
        Ao += 2 * Lc / (2 * m - 1);
        Co += 4 * Lc2 / (Integer(2 * m - 1) * (2 * m - 1));
      }
      A = &Ao;
      C = &Co;
      SAodd += w * *A;
    }
    Integer wA = w * *A;
    SA += wA;
    SAA += wA * *A;
    SC += w * *C;
  }
  const Integer W = (Integer(1) << n) - 1, Sodd = Integer(1) << (n - 1), Seven = Sodd - 1;
  Rational Ea(SA, Lc * W), Ea2(SAA, Lc2 * W), Eb(-2 * Sodd, W), Eb2(4 * Sodd, W), Eab(-2 * SAodd, Lc * W);
  Rational Ec(-SC, Lc2 * W), Ed = (Rational(Seven) / 6 + Rational(Sodd) / 2) / Rational(W);
  NormLaw law;
  law.width = n;
  law.m0 = Ea;
  law.m1 = Eb + 2;
  law.v0 = Ec + (Ea2 - Ea * Ea);
  law.v1 = 2 * (Eab - Ea * Eb);
  law.v2 = Eb2 - Eb * Eb;
  law.v3 = Ed;
  return law;
}

std::string NormLaw::mean_formula() const {
  std::string s = term(m0, "", true);
  s += term(m1, "ln(2)", s.empty());
  s += s.empty() ? "-gamma" : " - gamma";
  if (width > 1) s += " - ln(" + std::to_string(width) + ")";
  return s;
}

std::string NormLaw::var_formula() const {
  std::string s = term(v0, "", true);
  s += term(v1, "ln(2)", s.empty());
  s += term(v2, "ln(2)^2", s.empty());
  s += term(v3, "pi^2", s.empty());
  return s.empty() ? "0" : s;
}

Interval norm_mean(const NormLaw& law, long long depth, mpfr_prec_t bits) {
  check_depth(depth);
  Interval ln2 = Interval::ln2(bits);
  Interval m = Interval(law.m0, bits) + ln2 * law.m1 - Interval::euler_gamma(bits) - log(Interval(law.width, bits));
  return m * Interval(long(depth), bits);
}

Interval norm_var(const NormLaw& law, long long depth, mpfr_prec_t bits) {
  check_depth(depth);
  Interval ln2 = Interval::ln2(bits), pi = Interval::pi(bits);
  Interval v = Interval(law.v0, bits) + ln2 * law.v1 + sqr(ln2) * law.v2 + sqr(pi) * law.v3;
  return v * Interval(long(depth), bits);
}

Interval digamma_half(long k, mpfr_prec_t bits) {
  require(k >= 1, "digamma_half: k must be >= 1");
  Rational s = 0;
  Interval r = -Interval::euler_gamma(bits);
  if (k % 2 == 0) {
    for (long j = 1; j < k / 2; ++j) s += Rational(1, j);
  } else {
    for (long j = 1; j <= k / 2; ++j) s += Rational(2, 2 * j - 1);
    r -= ldexp(Interval::ln2(bits), 1);
  }
  return r + s;
}

Interval trigamma_half(long k, mpfr_prec_t bits) {
  require(k >= 1, "trigamma_half: k must be >= 1");
  Rational s = 0;
  Interval pi2 = sqr(Interval::pi(bits));
  if (k % 2 == 0) {
    for (long j = 1; j < k / 2; ++j) s -= Rational(1, j * j);
    return pi2 * Rational(1, 6) + s;
  }
  for (long j = 1; j <= k / 2; ++j) s -= Rational(4, (2 * j - 1) * (2 * j - 1));
  return pi2 * Rational(1, 2) + s;
}

NormMcResult norm_monte_carlo(long width, long long depth, std::uint64_t samples, std::uint64_t seed,
                              const ProgressFn& progress) {
  require(width >= 1 && width <= 1000000, "Monte Carlo width must be in 1..1000000, got " + std::to_string(width));
  check_depth(depth);
  require(samples >= 2, "Monte Carlo needs at least 2 samples");
  double work = double(samples) * double(depth) * double(width);
  require(work <= kNormMcMaxWork,
          "Monte Carlo too large: samples*depth*width = " + std::to_string(work) + " exceeds 2e10 (about 10 minutes)");
  NormMcResult r;
  r.samples = samples;
  const double n = double(width);
  bool have_shift = false;
  double shift = 0, S1 = 0, S2 = 0, S3 = 0, S4 = 0;
  for (std::uint64_t s = 0; s < samples; ++s) {
    if ((s & 255) == 0) {
      throw_if_stopped();
      if (progress) progress(s, samples);
    }
    double X = 0;
    bool dead = false;
    for (long long l = 1; l <= depth && !dead; ++l) {
      if ((l & 4095) == 0) throw_if_stopped();
      Normals g(seed, kNormTag, s, std::uint64_t(l));
      double q = 0;
      for (long i = 0; i < width; ++i) {
        double z = g.next();
        if (z > 0) q += z * z;
      }
      if (!(q > 0)) dead = true;
      else X += std::log(2.0 * q / n);
    }
    if (dead) {
      ++r.collapsed;
      continue;
    }
    if (!have_shift) { shift = X; have_shift = true; }
    double d = X - shift, d2 = d * d;
    S1 += d;
    S2 += d2;
    S3 += d2 * d;
    S4 += d2 * d2;
    ++r.used;
  }
  if (progress) progress(samples, samples);
  // statistics of nothing are undefined, never a fake zero: no sample, no mean; one, no variance
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  r.mean = r.stderr_mean = r.var = r.stderr_var = nan;
  if (r.used == 0) return r;
  double N = double(r.used), a = S1 / N;
  r.mean = shift + a;
  if (r.used < 2) return r;
  double mu2 = std::max(S2 / N - a * a, 0.0);
  double mu4 = S4 / N - 4 * a * S3 / N + 6 * a * a * S2 / N - 3 * a * a * a * a;
  r.var = mu2 * N / (N - 1);
  r.stderr_mean = std::sqrt(r.var / N);
  // the plug-in error of a variance, sqrt((mu4 - mu2^2) / N), is identically 0 at N = 2 and
  // meaningless at 3: from 4 samples on (else undefined, never a fake zero)
  if (r.used >= 4) r.stderr_var = std::sqrt(std::max(mu4 - mu2 * mu2, 0.0) / N);
  return r;
}

}  // namespace relumix
