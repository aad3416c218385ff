#include "relumix/numeric/certify.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include "numeric/certify_ball.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

std::string format_decimal(bool negative, const std::string& digits, long e) {
  std::string out;
  long D = long(digits.size());
  out.reserve(std::size_t(D) + 12 + std::size_t(e <= 0 && e > -5 ? -e : 0));
  if (negative) out += '-';
  if (e > 0 && e <= 21 && e <= D) {
    out.append(digits, 0, std::size_t(e));
    if (e < D) {
      out += '.';
      out.append(digits, std::size_t(e), std::string::npos);
    }
  } else if (e <= 0 && e > -5) {
    out += "0.";
    out.append(std::size_t(-e), '0');
    out += digits;
  } else {
    out += digits[0];
    if (D > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    long x = e - 1;
    out += x < 0 ? "e-" : "e+";
    out += std::to_string(x < 0 ? -x : x);
  }
  return out;
}

namespace {
const double kLog2_10 = 3.321928094887362;

struct Digits {
  bool neg = false;
  std::string digits;  // D significant digits
  long exp10 = 0;      // value = 0.digits * 10^exp10
};

// x correctly rounded to `n` digits (MPFR_RNDN: ties to even)
Digits get_digits(mpfr_srcptr x, std::size_t n) {
  mpfr_exp_t e = 0;
  char* s = mpfr_get_str(nullptr, &e, 10, n, x, MPFR_RNDN);
  if (!s) throw std::runtime_error("mpfr_get_str failed");
  Digits r{s[0] == '-', std::string(s[0] == '-' ? s + 1 : s), long(e)};
  mpfr_free_str(s);
  return r;
}

// 10^k (k >= 0), cached per thread for small k
const Integer& pow10(long k) {
  thread_local std::vector<Integer> cache;
  if (k < 4096) {
    if (cache.empty()) cache.push_back(1);
    while (long(cache.size()) <= k) cache.push_back(cache.back() * 10);
    return cache[std::size_t(k)];
  }
  thread_local Integer big;
  big = boost::multiprecision::pow(Integer(10), unsigned(k));
  return big;
}

// The n leading decimal digits of x != 0 (finite), as the integer N = |x| 10^(n - e) rounded to
// nearest, with 10^(n-1) <= N < 10^n: |x| = (N + d) 10^(e - n) with |d| <= 1/2 + 2^-40. Not
// correctly rounded (cheaper than mpfr_get_str, which is).
Digits approx_digits(mpfr_srcptr x, int n) {
  long e2 = long(mpfr_get_exp(x));  // |x| in [2^(e2-1), 2^e2)
  long e = long(std::floor(double(e2 - 1) * 0.30102999566398120)) + 1;
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(x) + 64);
  Integer N;
  for (;;) {
    long k = n - e;
    if (k >= 0) mpfr_mul_z(t, x, pow10(k).backend().data(), MPFR_RNDN);
    else mpfr_div_z(t, x, pow10(-k).backend().data(), MPFR_RNDN);
    mpfr_abs(t, t, MPFR_RNDN);
    mpfr_get_z(N.backend().data(), t, MPFR_RNDN);
    if (N >= pow10(n)) { ++e; continue; }
    if (N < pow10(n - 1)) { --e; continue; }
    break;
  }
  mpfr_clear(t);
  return {mpfr_sgn(x) < 0, N.str(), e};
}

// "d+1" on a string of decimal digits; false on overflow (all nines)
bool increment(std::string& d) {
  for (std::size_t i = d.size(); i-- > 0;) {
    if (d[i] != '9') { ++d[i]; return true; }
    d[i] = '0';
  }
  return false;
}

std::string text_of(const Digits& d) { return format_decimal(d.neg, d.digits, d.exp10); }

// an upper bound of x in 2 significant digits, rounded up ("1.3e-51")
std::string upper_bound_text(mpfr_srcptr x) {
  mpfr_t t;
  mpfr_init2(t, 64);
  mpfr_set(t, x, MPFR_RNDU);
  mpfr_exp_t e = 0;
  char* s = mpfr_get_str(nullptr, &e, 10, 2, t, MPFR_RNDU);
  std::string out = format_decimal(false, s, long(e));
  mpfr_free_str(s);
  mpfr_clear(t);
  return out;
}
}  // namespace

namespace {
const int kGuard = 3;  // guard digits of the one-conversion decision

// The decision from S = D + G approximate digits of the midpoint (|mid - S| <= slack units of the
// last digit of S) and the radius R = 2^log2R in those units: with t the last G digits of S, the
// D-digit rounding of every point is S's first D digits if t + R + slack < 5 10^(G-1), and that
// plus one if t - R - slack > 5 10^(G-1); otherwise (or just above a power of ten, where the
// digits below would be finer) undecided.
std::optional<Digits> from_guard(const Digits& s, int digits, double log2R, double slack) {
  const double half_way = 500;
  double R = log2R == -INFINITY ? 0 : std::exp2(std::min(log2R, 30.0)) * (1 + 1e-9) + 1e-9;
  double tail = std::atof(s.digits.c_str() + digits);
  Digits out{s.neg, s.digits.substr(0, std::size_t(digits)), s.exp10};
  if (tail + R + slack < half_way) {
    bool power_of_ten = out.digits[0] == '1' && out.digits.find_first_not_of('0', 1) == std::string::npos;
    if (!power_of_ten || tail - R - slack >= 0) return out;
  } else if (tail - R - slack > half_way && tail + R + slack < 1000) {
    if (!increment(out.digits)) {
      out.digits = "1" + std::string(std::size_t(digits - 1), '0');
      ++out.exp10;
    }
    return out;
  }
  return std::nullopt;
}

// The common rounding of [lo, hi] to D digits (not for 0).
std::optional<Digits> decide(mpfr_srcptr lo, mpfr_srcptr hi, int digits) {
  if (!mpfr_number_p(lo) || !mpfr_number_p(hi)) return std::nullopt;
  if (mpfr_equal_p(lo, hi)) {
    if (mpfr_zero_p(lo)) return std::nullopt;
    return get_digits(lo, std::size_t(digits));  // exact: correctly rounded by MPFR
  }
  if (mpfr_sgn(lo) != mpfr_sgn(hi) || mpfr_zero_p(lo) || mpfr_zero_p(hi)) return std::nullopt;
  // One conversion: the midpoint m to D + G digits S (|m - S| <= u (1/2 + 2^-40), u a unit of
  // digit D + G), r = the half width; every x in [lo, hi] is within r + u/2 (+) of S. With t the
  // last G digits of S, the D-digit rounding is that of S's first D digits if
  // t + R + 1/2 < 5 10^(G-1), and that plus one if t - R - 1/2 > 5 10^(G-1) (R = r / u).
  mpfr_prec_t p = std::max(mpfr_get_prec(lo), mpfr_get_prec(hi)) + 2;
  mpfr_t m, r, t;
  mpfr_init2(m, p);
  mpfr_init2(r, 64);
  mpfr_init2(t, 64);
  mpfr_add(m, lo, hi, MPFR_RNDN);
  mpfr_div_2ui(m, m, 1, MPFR_RNDN);
  mpfr_sub(r, hi, m, MPFR_RNDU);
  mpfr_sub(t, m, lo, MPFR_RNDU);
  mpfr_max(r, r, t, MPFR_RNDU);
  Digits s = approx_digits(m, digits + kGuard);
  long re = 0;
  double rm = mpfr_zero_p(r) ? 0 : mpfr_get_d_2exp(&re, r, MPFR_RNDU);
  mpfr_clears(m, r, t, (mpfr_ptr)nullptr);
  // R = r 10^(D + G - e), as a double with a safety margin
  double log2R = rm == 0 ? -INFINITY : std::log2(rm) + double(re) + double(digits + kGuard - s.exp10) * kLog2_10;
  if (std::optional<Digits> out = from_guard(s, digits, log2R, 0.5001)) return out;
  // near a rounding boundary (or a decade): round both ends exactly
  Digits a = get_digits(lo, std::size_t(digits)), b = get_digits(hi, std::size_t(digits));
  if (a.neg == b.neg && a.digits == b.digits && a.exp10 == b.exp10) return a;
  return std::nullopt;
}
}  // namespace

std::optional<std::string> round_interval(mpfr_srcptr lo, mpfr_srcptr hi, int digits) {
  if (mpfr_zero_p(lo) && mpfr_zero_p(hi)) return std::string("0");
  if (std::optional<Digits> d = decide(lo, hi, digits)) return text_of(*d);
  return std::nullopt;
}

std::string round_decimal(const Rational& q, int digits) {
  if (q == 0) return "0";
  Integer n = abs(numerator(q)), d = denominator(q);
  // e with 10^(e-1) <= n/d < 10^e
  long e = long(n.str().size()) - long(d.str().size());
  auto pow10 = [](long k) -> Integer { return boost::multiprecision::pow(Integer(10), unsigned(k)); };
  auto ge = [&](long k) {  // n/d >= 10^k
    return k >= 0 ? n >= d * pow10(k) : n * pow10(-k) >= d;
  };
  while (ge(e)) ++e;
  while (!ge(e - 1)) --e;
  // k = n/d * 10^(D - e), rounded half to even
  long s = digits - e;
  Integer num = s >= 0 ? n * pow10(s) : n, den = s >= 0 ? d : d * pow10(-s);
  Integer k = num / den, rem = num - k * den;
  Integer twice = 2 * rem;
  int c = twice.compare(den);
  if (c > 0 || (c == 0 && k % 2 == 1)) ++k;
  std::string ds = k.str();
  if (long(ds.size()) > digits) {  // 10^D: one more decade
    ds = ds.substr(0, std::size_t(digits));
    ++e;
  }
  return format_decimal(q < 0, ds, e);
}

Certified uncertified(mpfr_srcptr lo, mpfr_srcptr hi, int digits, mpfr_prec_t bits) {
  mpfr_prec_t p = std::max(mpfr_get_prec(lo), mpfr_get_prec(hi)) + 2;
  mpfr_t m, err, t;
  mpfr_inits2(p, m, err, t, (mpfr_ptr)nullptr);
  mpfr_add(m, lo, hi, MPFR_RNDN);
  mpfr_div_2ui(m, m, 1, MPFR_RNDN);
  Certified c;
  c.bits = bits;
  c.certified = false;
  if (mpfr_zero_p(m)) {
    c.text = "0";
    mpfr_sub(err, hi, lo, MPFR_RNDU);
  } else {
    Digits d = get_digits(m, std::size_t(digits));
    c.text = text_of(d);
    // |text - value| <= |text - m| + (hi - lo) / 2 + ... <= 10^(e - D) + (hi - lo)
    mpfr_set_ui(err, 10, MPFR_RNDU);
    mpfr_pow_si(err, err, d.exp10 - digits, MPFR_RNDU);
    mpfr_sub(t, hi, lo, MPFR_RNDU);
    mpfr_add(err, err, t, MPFR_RNDU);
  }
  c.error = upper_bound_text(err);
  mpfr_clears(m, err, t, (mpfr_ptr)nullptr);
  return c;
}

namespace {
// The certification loop: step.evaluate(bits) computes an enclosure, step.decide() its common
// rounding (if any), step.uncertified(bits) the result at the cap.
template <class Step>
Certified certify_loop(const CertifyOptions& opt, Step& step) {
  if (opt.exact_zero) return {"0", 0, true, ""};
  mpfr_prec_t bits = opt.start_bits ? opt.start_bits : mpfr_prec_t(opt.digits * kLog2_10) + 12;
  mpfr_prec_t cap = opt.max_bits ? opt.max_bits : mpfr_prec_t(20 * opt.digits * kLog2_10) + 40000;
  for (int attempt = 0;; ++attempt) {
    throw_if_stopped();
    step.evaluate(bits);
    if (std::optional<std::string> text = step.decide()) return {*text, bits, true, ""};
    if (attempt == 1 && opt.exact) {
      if (std::optional<Rational> q = opt.exact()) return {round_decimal(*q, opt.digits), 0, true, ""};
    }
    if (bits >= cap) return step.uncertified(bits);
    bits = std::min(cap, bits * 2);
  }
}

struct EndpointStep {
  const EndpointEnclosure& f;
  int digits;
  mpfr_t lo, hi;
  EndpointStep(const EndpointEnclosure& f_, int d) : f(f_), digits(d) {
    mpfr_init2(lo, 64);
    mpfr_init2(hi, 64);
  }
  ~EndpointStep() {
    mpfr_clear(lo);
    mpfr_clear(hi);
  }
  void evaluate(mpfr_prec_t bits) {
    mpfr_set_prec(lo, bits + 2);
    mpfr_set_prec(hi, bits + 2);
    f(bits, lo, hi);
  }
  std::optional<std::string> decide() const { return round_interval(lo, hi, digits); }
  Certified uncertified(mpfr_prec_t bits) const { return relumix::uncertified(lo, hi, digits, bits); }
};

// 10^k as an fmpz, cached per thread for small k
const fmpz* pow10_fmpz(long k) {
  thread_local std::vector<Fmpz> cache;
  if (k < 4096) {
    if (cache.empty()) { cache.emplace_back(); fmpz_one(cache.back().get()); }
    while (long(cache.size()) <= k) {
      Fmpz next;
      fmpz_mul_ui(next.get(), cache.back().get(), 10);
      cache.push_back(next);
    }
    return cache[std::size_t(k)].get();
  }
  thread_local Fmpz big;
  fmpz_set_ui(big.get(), 10);
  fmpz_pow_ui(big.get(), big.get(), ulong(k));
  return big.get();
}

// the D-digit rounding of every point of a ball, from one integer conversion of its midpoint
std::optional<std::string> round_ball(const arb_t x, int digits) {
  if (arb_is_exact(x)) {
    if (arb_is_zero(x)) return std::string("0");
    if (!arb_is_finite(x)) return std::nullopt;
    mpfr_t m;
    mpfr_init2(m, std::max<mpfr_prec_t>(2, mpfr_prec_t(arb_bits(x))));
    arf_get_mpfr(m, arb_midref(x), MPFR_RNDN);  // exact
    Digits d = get_digits(m, std::size_t(digits));
    mpfr_clear(m);
    return text_of(d);
  }
  if (!arb_is_finite(x) || arb_contains_zero(x)) return std::nullopt;
  thread_local Fmpz M, e, A, B, q, r;
  arf_get_fmpz_2exp(M.get(), e.get(), arb_midref(x));  // mid = M 2^e
  if (!fmpz_fits_si(e.get()) || !fmpz_fits_si(MAG_EXPREF(arb_radref(x)))) return std::nullopt;
  bool neg = fmpz_sgn(M.get()) < 0;
  fmpz_abs(M.get(), M.get());
  slong e2 = fmpz_get_si(e.get()), mbits = slong(fmpz_bits(M.get()));
  const int n = digits + kGuard;
  long E = long(std::floor(double(mbits + e2 - 1) * 0.30102999566398120)) + 1;  // 10^(E-1) <= |mid| < 10^E, or off by one
  std::string str;
  for (;;) {
    // N = round(|mid| 10^(n - E)), |mid| = M 2^e2 (to nearest; halves up)
    long k = n - E;
    if (k >= 0) {
      fmpz_mul(A.get(), M.get(), pow10_fmpz(k));
      if (e2 >= 0) {
        fmpz_mul_2exp(q.get(), A.get(), ulong(e2));
      } else {
        fmpz_fdiv_q_2exp(q.get(), A.get(), ulong(-e2));
        if (fmpz_tstbit(A.get(), ulong(-e2 - 1))) fmpz_add_ui(q.get(), q.get(), 1);
      }
    } else {
      fmpz_set(B.get(), pow10_fmpz(-k));
      if (e2 >= 0) fmpz_mul_2exp(A.get(), M.get(), ulong(e2));
      else { fmpz_set(A.get(), M.get()); fmpz_mul_2exp(B.get(), B.get(), ulong(-e2)); }
      fmpz_fdiv_qr(q.get(), r.get(), A.get(), B.get());
      fmpz_mul_2exp(r.get(), r.get(), 1);
      if (fmpz_cmp(r.get(), B.get()) >= 0) fmpz_add_ui(q.get(), q.get(), 1);
    }
    char* cs = fmpz_get_str(nullptr, 10, q.get());
    str = cs;
    flint_free(cs);
    if (long(str.size()) > n) { ++E; continue; }
    if (long(str.size()) < n) { --E; continue; }
    break;
  }
  Digits s{neg, str, E};
  // radius in units of the last digit of S: rad = man 2^(exp - 30) < 2^exp (man < 2^30)
  double log2R = double(fmpz_get_si(MAG_EXPREF(arb_radref(x)))) + std::log2(double(MAG_MAN(arb_radref(x))) + 1) - MAG_BITS +
                 double(n - E) * kLog2_10;
  if (std::optional<Digits> out = from_guard(s, digits, log2R, 0.5 + 1e-9)) return text_of(*out);
  // near a rounding boundary: round both ends exactly
  mpfr_t lo, hi;
  mpfr_prec_t p = std::max<mpfr_prec_t>(mpfr_prec_t(arb_bits(x)) + 2, 64);
  mpfr_init2(lo, p);
  mpfr_init2(hi, p);
  arb_get_interval_mpfr(lo, hi, x);
  Digits a = get_digits(lo, std::size_t(digits)), b = get_digits(hi, std::size_t(digits));
  mpfr_clear(lo);
  mpfr_clear(hi);
  if (a.neg == b.neg && a.digits == b.digits && a.exp10 == b.exp10) return text_of(a);
  return std::nullopt;
}

struct BallStep {
  const BallEnclosure& f;
  int digits;
  Ball& x;
  void evaluate(mpfr_prec_t bits) { f(slong(bits), x); }
  std::optional<std::string> decide() const { return round_ball(x, digits); }
  Certified uncertified(mpfr_prec_t bits) const {
    mpfr_t lo, hi;
    mpfr_prec_t p = std::max<mpfr_prec_t>(mpfr_prec_t(arb_bits(x)) + 2, bits + 2);
    mpfr_init2(lo, p);
    mpfr_init2(hi, p);
    arb_get_interval_mpfr(lo, hi, x);
    Certified c = relumix::uncertified(lo, hi, digits, bits);
    mpfr_clear(lo);
    mpfr_clear(hi);
    return c;
  }
};
}  // namespace

Certified certify_endpoints(const EndpointEnclosure& f, const CertifyOptions& opt) {
  EndpointStep step(f, opt.digits);
  return certify_loop(opt, step);
}

Certified certify_ball(const BallEnclosure& f, const CertifyOptions& opt) {
  thread_local Ball x;  // keeps its limbs from one value to the next
  BallStep step{f, opt.digits, x};
  return certify_loop(opt, step);
}

Certified certify(const Enclosure& f, const CertifyOptions& opt) {
  return certify_endpoints(
      [&](mpfr_prec_t bits, mpfr_ptr lo, mpfr_ptr hi) {
        Interval v = f(bits);
        mpfr_set_prec(lo, mpfr_get_prec(&v.get()->left));
        mpfr_set_prec(hi, mpfr_get_prec(&v.get()->right));
        mpfr_set(lo, &v.get()->left, MPFR_RNDD);
        mpfr_set(hi, &v.get()->right, MPFR_RNDU);
      },
      opt);
}

std::string certify(const Enclosure& f, int digits) {
  CertifyOptions o;
  o.digits = digits;
  Certified c = certify(f, o);
  return c.certified ? c.text : c.text + " +- " + c.error;
}

// x = 10^k * exp(y - k ln 10) with k = floor(y / ln 10), so nothing underflows.
std::string certify_exp(const Enclosure& lnx, int digits) {
  mpfr_prec_t bits = mpfr_prec_t(digits * kLog2_10) + 32 + 64;
  const mpfr_prec_t cap = mpfr_prec_t(20 * digits * kLog2_10) + 40000;
  for (;;) {
    throw_if_stopped();
    Interval y = lnx(bits);
    Interval ln10 = log(Interval(10L, bits));
    double t = (y / ln10).mid_double();
    if (!std::isfinite(t)) throw std::runtime_error("certify_exp: non-finite exponent");
    long long k = (long long)std::floor(t);
    Interval s = exp(y - ln10 * Rational(Integer(k)));
    if (s.is_finite() && s.is_positive()) {
      if (std::optional<Digits> d = decide(&s.get()->left, &s.get()->right, digits)) {
        d->exp10 += long(k);  // the decimal exponent split off
        return text_of(*d);
      }
    }
    if (bits >= cap) {
      // midpoint digits and error bound, both scaled by 10^k
      mpfr_t m, e;
      mpfr_inits2(bits + 2, m, e, (mpfr_ptr)nullptr);
      mpfi_mid(m, s.get());
      Digits d = get_digits(m, std::size_t(digits));
      mpfr_set_ui(e, 10, MPFR_RNDU);
      mpfr_pow_si(e, e, d.exp10 - digits, MPFR_RNDU);
      mpfr_sub(m, &s.get()->right, &s.get()->left, MPFR_RNDU);
      mpfr_add(e, e, m, MPFR_RNDU);
      mpfr_exp_t ee = 0;
      char* es = mpfr_get_str(nullptr, &ee, 10, 2, e, MPFR_RNDU);
      Digits ed{false, es, long(ee) + long(k)};
      mpfr_free_str(es);
      mpfr_clears(m, e, (mpfr_ptr)nullptr);
      d.exp10 += long(k);
      return text_of(d) + " +- " + text_of(ed);
    }
    bits = std::min(cap, bits * 2);
  }
}

}  // namespace relumix
