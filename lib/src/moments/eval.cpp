#include "relumix/moments/eval.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "relumix/numeric/certify.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

namespace {

// ---- double-double arithmetic (error-free transforms; fma for products) ----------

struct dd {
  double hi = 0, lo = 0;
};
inline dd two_sum(double a, double b) {
  double s = a + b, bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
inline dd quick_two_sum(double a, double b) {
  double s = a + b;
  return {s, b - (s - a)};
}
inline dd two_prod(double a, double b) {
  double p = a * b;
  return {p, std::fma(a, b, -p)};
}
inline dd operator+(dd a, dd b) {
  dd s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
  s.lo += t.hi;
  s = quick_two_sum(s.hi, s.lo);
  s.lo += t.lo;
  return quick_two_sum(s.hi, s.lo);
}
inline dd operator-(dd a) { return {-a.hi, -a.lo}; }
inline dd operator-(dd a, dd b) { return a + (-b); }
inline dd operator*(dd a, dd b) {
  dd p = two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return quick_two_sum(p.hi, p.lo);
}
inline dd from_mpfr(mpfr_srcptr x) {
  mpfr_t r;
  mpfr_init2(r, mpfr_get_prec(x) + 8);
  double hi = mpfr_get_d(x, MPFR_RNDN);
  mpfr_sub_d(r, x, hi, MPFR_RNDN);
  double lo = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clear(r);
  return quick_two_sum(hi, lo);
}

// Constants: pi in three parts, 1/(2 pi), 1/sqrt(2 pi) and inverse factorials as double-doubles.
struct DDConst {
  double pi[3];
  double half_pi[3];
  dd inv_2pi, inv_sqrt_2pi;
  dd inv_fact[32];
  DDConst() {
    mpfr_t x, r;
    mpfr_init2(x, 400);
    mpfr_init2(r, 400);
    mpfr_const_pi(x, MPFR_RNDN);
    for (int i = 0; i < 3; ++i) {
      pi[i] = mpfr_get_d(x, MPFR_RNDN);
      half_pi[i] = pi[i] / 2;
      mpfr_sub_d(x, x, pi[i], MPFR_RNDN);
    }
    mpfr_const_pi(x, MPFR_RNDN);
    mpfr_mul_2ui(x, x, 1, MPFR_RNDN);
    mpfr_ui_div(r, 1, x, MPFR_RNDN);
    inv_2pi = from_mpfr(r);
    mpfr_rec_sqrt(r, x, MPFR_RNDN);
    inv_sqrt_2pi = from_mpfr(r);
    mpfr_set_ui(r, 1, MPFR_RNDN);
    for (int k = 0; k < 32; ++k) {
      if (k > 0) mpfr_div_ui(r, r, unsigned(k), MPFR_RNDN);
      inv_fact[k] = from_mpfr(r);
    }
    mpfr_clear(x);
    mpfr_clear(r);
  }
};
const DDConst& ddc() {
  static const DDConst c;
  return c;
}

// c0 + c1 + c2 - x for an exact double x (c = a triple-double constant); exact first step
// when c0 / 2 <= x <= 2 c0 (Sterbenz).
inline dd triple_minus(const double* c, double x) {
  dd s = two_sum(c[0], -x);
  return s + dd{c[1], 0} + dd{c[2], 0};
}

// sin t and 1 - cos t for |t| <= pi/4 (double-double, relative error ~ 2^-104).
inline void dd_sin_versin(dd t, dd& s, dd& vers) {
  const DDConst& c = ddc();
  dd t2 = t * t;
  // number of terms: t^(2k) / (2k)! below 2^-110 |leading term|
  int K = 14;
  if (t.hi < 1e-3) K = 5;
  else if (t.hi < 0.1) K = 9;
  dd S{0, 0}, C{0, 0};
  for (int k = K; k >= 1; --k) {
    dd sk = c.inv_fact[2 * k + 1], ck = c.inv_fact[2 * k];
    if (k % 2) sk = -sk;            // (-1)^k / (2k+1)!
    if (k % 2 == 0) ck = -ck;       // (-1)^(k+1) / (2k)!
    S = S * t2 + sk;
    C = C * t2 + ck;
  }
  s = t + t * t2 * S;  // t + sum_{k>=1} (-1)^k t^(2k+1)/(2k+1)!
  // C is now sum_{k>=1} (-1)^(k+1) t^(2k-2)/(2k)! ... shifted: vers = t2 * C
  vers = t2 * C;
}

// ---- prepared closed forms ------------------------------------------------------------

// Polynomial sum c_k x^k / den with integer c_k.
struct IntPoly {
  std::vector<Integer> c;
  Integer den = 1;
  std::vector<dd> d;  // c_k / den as double-doubles (when finite)
  bool dd_ok = true;
  bool empty() const { return c.empty(); }
};

IntPoly to_int_poly(const Poly& p) {
  IntPoly r;
  Integer den = 1;
  for (const Rational& q : p.coeffs()) den = boost::multiprecision::lcm(den, denominator(q));
  r.den = den;
  r.c.reserve(p.coeffs().size());
  for (const Rational& q : p.coeffs()) r.c.push_back(numerator(q) * (den / denominator(q)));
  return r;
}

void make_dd(IntPoly& p) {
  p.d.clear();
  mpfr_t x, dn;
  mpfr_init2(x, 200);
  mpfr_init2(dn, 200);
  mpfr_set_z(dn, p.den.backend().data(), MPFR_RNDN);
  for (const Integer& ck : p.c) {
    mpfr_set_z(x, ck.backend().data(), MPFR_RNDN);
    mpfr_div(x, x, dn, MPFR_RNDN);
    dd v = from_mpfr(x);
    if (!std::isfinite(v.hi) || std::fabs(v.hi) > 1e280) p.dd_ok = false;
    p.d.push_back(v);
  }
  mpfr_clear(x);
  mpfr_clear(dn);
}

// q(u) = p(u - 1): Taylor shift by -1 of the integer numerators (O(n^2) additions).
IntPoly shift_minus_one(const IntPoly& p) {
  IntPoly r;
  r.c = p.c;
  r.den = p.den;
  long n = long(r.c.size()) - 1;
  for (long i = 0; i < n; ++i)
    for (long j = n - 1; j >= i; --j) r.c[std::size_t(j)] -= r.c[std::size_t(j + 1)];
  while (!r.c.empty() && r.c.back() == 0) r.c.pop_back();
  return r;
}

}  // namespace

struct MomentDouble::Impl {
  const ClosedForm* cf = nullptr;
  unsigned a = 0, b = 0;
  bool even = true;
  IntPoly P, Q, R;  // in rho
  // in u = 1 + rho (built on first use)
  mutable std::once_flag u_once;
  mutable IntPoly Pu, Qu, Ru;
  const IntPoly& pu() const { ensure_u(); return Pu; }
  const IntPoly& qu() const { ensure_u(); return Qu; }
  const IntPoly& ru() const { ensure_u(); return Ru; }
  void ensure_u() const {
    std::call_once(u_once, [this] {
      if (even) {
        Pu = shift_minus_one(P);
        Qu = shift_minus_one(Q);
        make_dd(Pu);
        make_dd(Qu);
      } else {
        Ru = shift_minus_one(R);
        make_dd(Ru);
      }
    });
  }
  bool dd_ok() const { return even ? P.dd_ok && Q.dd_ok : R.dd_ok; }
  bool dd_u_ok() const { ensure_u(); return even ? Pu.dd_ok && Qu.dd_ok : Ru.dd_ok; }
  // exact rational values (dyadic) at theta = 0 and pi/2, when rational
  bool zero_rational = false, half_rational = false;
  Rational at_zero, at_half;
};

namespace {
using Prepared = MomentDouble::Impl;

std::unique_ptr<Prepared> prepare(const ClosedForm& cf) {
  auto p = std::make_unique<Prepared>();
  p->cf = &cf;
  p->a = cf.a;
  p->b = cf.b;
  p->even = cf.even();
  if (p->even) {
    p->P = to_int_poly(cf.P);
    p->Q = to_int_poly(cf.Q);
    make_dd(p->P);
    make_dd(p->Q);
    p->zero_rational = true;
    p->at_zero = single_moment_coeff(cf.a + cf.b);  // m_{a+b}, a+b even
  } else {
    p->R = to_int_poly(cf.R);
    make_dd(p->R);
  }
  if (cf.a % 2 == 0 && cf.b % 2 == 0) {
    p->half_rational = true;
    p->at_half = single_moment_coeff(cf.a) * single_moment_coeff(cf.b);
  }
  return p;
}

struct PrepCache {
  std::mutex mu;
  std::map<std::pair<unsigned, unsigned>, std::unique_ptr<Prepared>> m;
};
PrepCache& prep_cache() {
  static PrepCache c;
  return c;
}

// Prepared form of closed_form(a, b), cached (a >= b key; J is symmetric).
const Prepared& prepared(unsigned a, unsigned b) {
  if (a < b) std::swap(a, b);
  const ClosedForm& cf = closed_form(a, b);
  PrepCache& c = prep_cache();
  std::lock_guard<std::mutex> lock(c.mu);
  auto& slot = c.m[{a, b}];
  if (!slot) slot = prepare(cf);
  return *slot;
}

// ---- interval evaluation ----------------------------------------------------------------

// Horner in interval arithmetic at the precision of `out`.
void horner(Interval& out, const IntPoly& p, const Interval& x) {
  mpfi_ptr o = out.get();
  if (p.empty()) { mpfi_set_ui(o, 0); return; }
  std::size_t n = p.c.size() - 1;
  mpfi_set_z(o, p.c[n].backend().data());
  for (std::size_t k = n; k-- > 0;) {
    mpfi_mul(o, o, x.get());
    if (p.c[k] != 0) mpfi_add_z(o, o, p.c[k].backend().data());
  }
  if (p.den != 1) mpfi_div_z(o, o, p.den.backend().data());
}

// sin and cos of a thin interval: one correctly rounded mpfr_sin_cos at the midpoint,
// widened by the radius (|sin'|, |cos'| <= 1) plus one ulp.
void sincos(Interval& s, Interval& c, const Interval& x) {
  mpfr_prec_t p = x.bits();
  mpfr_t m, r, t, sm, cm;
  mpfr_init2(m, p + 2);
  mpfi_mid(m, x.get());
  if (mpfr_zero_p(m) || !mpfr_number_p(m)) {
    mpfr_clear(m);
    mpfi_sin(s.get(), x.get());
    mpfi_cos(c.get(), x.get());
    return;
  }
  mpfr_inits2(64, r, t, (mpfr_ptr)nullptr);
  mpfr_sub(r, m, &x.get()->left, MPFR_RNDU);
  mpfr_sub(t, &x.get()->right, m, MPFR_RNDU);
  mpfr_max(r, r, t, MPFR_RNDU);
  mpfr_inits2(p, sm, cm, (mpfr_ptr)nullptr);
  mpfr_sin_cos(sm, cm, m, MPFR_RNDN);
  auto widen = [&](Interval& out, mpfr_srcptr v) {
    // |error| <= r + ulp(v)
    mpfr_set_ui_2exp(t, 1, mpfr_get_exp(v) - p, MPFR_RNDU);
    mpfr_add(t, t, r, MPFR_RNDU);
    mpfr_t lo, hi;
    mpfr_inits2(p, lo, hi, (mpfr_ptr)nullptr);
    mpfr_sub(lo, v, t, MPFR_RNDD);
    mpfr_add(hi, v, t, MPFR_RNDU);
    mpfi_interv_fr(out.get(), lo, hi);
    mpfr_clears(lo, hi, (mpfr_ptr)nullptr);
  };
  widen(s, sm);
  widen(c, cm);
  mpfr_clears(m, r, t, sm, cm, (mpfr_ptr)nullptr);
}

// log2 of the relative width of v (+inf if v holds 0 or is unbounded, -inf for a point).
double log2_rel_width(const Interval& v) {
  if (!v.is_finite() || v.contains_zero()) return INFINITY;
  mpfr_t w;
  mpfr_init2(w, 64);
  mpfi_diam_rel(w, v.get());
  double out;
  if (mpfr_zero_p(w)) out = -INFINITY;
  else {
    long e = 0;
    double d = mpfr_get_d_2exp(&e, w, MPFR_RNDU);
    out = double(e) + std::log2(d);
  }
  mpfr_clear(w);
  return out;
}

// x * q for an exact rational q (cheaper paths for 0 and integers).
void mul_rational(Interval& x, const Rational& q) {
  if (q == 1) return;
  if (denominator(q) == 1) mpfi_mul_z(x.get(), x.get(), numerator(q).backend().data());
  else mpfi_mul_q(x.get(), x.get(), q.backend().data());
}

// theta (far = false) or pi - theta (far = true) at precision w; pi is passed in.
Interval angle(const Theta& th, const Interval& pi, bool far, mpfr_prec_t w) {
  Rational c = far ? Rational(1 - th.pi_coeff) : th.pi_coeff;
  const Rational& off = th.offset;
  Interval r(w);
  if (c == 0) {
    mpfi_set_q(r.get(), off.backend().data());
    if (far) mpfi_neg(r.get(), r.get());
    return r;
  }
  r = pi;
  mul_rational(r, c);
  if (off != 0) {
    if (far) mpfi_sub_q(r.get(), r.get(), off.backend().data());
    else mpfi_add_q(r.get(), r.get(), off.backend().data());
  }
  return r;
}

// J at working precision w, no adaptivity. far: use phi = pi - theta (theta > pi/2);
// use_u: polynomials in u = 1 + rho.
Interval eval_at(const Prepared& pr, const Theta& th, bool far, bool use_u, mpfr_prec_t w) {
  Interval pi = Interval::pi(w);
  Interval phi(w), s(w), rho(w), u(w);
  if (!far) {
    Interval theta = angle(th, pi, false, w);
    sincos(s, rho, theta);
    phi = pi - theta;  // >= pi/2: no cancellation
  } else {
    phi = angle(th, pi, true, w);
    Interval h(w), k(w);
    sincos(h, k, ldexp(phi, -1));
    s = ldexp(h * k, 1);   // sin(theta) = sin(phi) = 2 sin(phi/2) cos(phi/2)
    u = ldexp(sqr(h), 1);  // 1 + rho = 1 - cos(phi) = 2 sin^2(phi/2)
    if (!use_u) {
      rho = u;
      mpfi_sub_ui(rho.get(), rho.get(), 1);
    }
  }
  Interval out(w);
  if (pr.even) {
    Interval p(w), q(w);
    horner(p, use_u ? pr.pu() : pr.P, use_u ? u : rho);
    horner(q, use_u ? pr.qu() : pr.Q, use_u ? u : rho);
    mpfi_mul(out.get(), phi.get(), p.get());
    mpfi_mul(q.get(), q.get(), s.get());
    mpfi_add(out.get(), out.get(), q.get());
    mpfi_div(out.get(), out.get(), pi.get());
    mpfi_div_2ui(out.get(), out.get(), 1);
  } else {
    horner(out, use_u ? pr.ru() : pr.R, use_u ? u : rho);
    mpfi_mul_2ui(pi.get(), pi.get(), 1);
    mpfi_sqrt(pi.get(), pi.get());
    mpfi_div(out.get(), out.get(), pi.get());
  }
  return out;
}

// A double approximation of theta (region choice and loss estimates only).
double approx(const Rational& q) { return q == 0 ? 0.0 : q.convert_to<double>(); }
double approx_theta(const Theta& th) { return approx(th.pi_coeff) * 3.141592653589793 + approx(th.offset); }

void check_range(const Theta& th) {
  // fast paths: exact decisions without interval arithmetic
  if (th.offset == 0 && th.pi_coeff >= 0 && th.pi_coeff <= 1) return;
  if (th.pi_coeff == 0 && th.offset >= 0 && th.offset <= 3) return;
  if (th.pi_coeff == 1 && th.offset <= 0 && th.offset >= -3) return;
  if (th.compare_pi_multiple(0) < 0 || th.compare_pi_multiple(1) > 0)
    throw InputError("angle " + (th.text.empty() ? theta_text(th.pi_coeff, th.offset) : th.text) +
                     " is outside [0, pi]");
}

// Point interval holding a dyadic rational exactly.
Interval exact_dyadic(const Rational& q, mpfr_prec_t bits) {
  mpfr_prec_t need = mpfr_prec_t(msb(abs(numerator(q)) + 1)) + 2;
  return Interval(q, std::max(bits, need));
}

// Enclosure with relative width about 2^-bits (range already checked).
Interval enclose(const Prepared& pr, const Theta& th, mpfr_prec_t bits) {
  if (th.is_pi()) return Interval(0L, bits);
  if (th.is_zero() && pr.zero_rational) return exact_dyadic(pr.at_zero, bits);
  if (th.is_half_pi() && pr.half_rational) return exact_dyadic(pr.at_half, bits);
  // region, from a coarse enclosure of theta
  double td = approx_theta(th);
  bool far = td > 1.5707963267948966;
  bool use_u = td > 2.0943951023931957;  // rho < -1/2
  double guard = 24;
  if (far && pr.even && td > 3.1) {
    // (pi - theta) P + sin(theta) Q cancels down to O(phi^(a+b+1)): predicted loss
    Interval phi = angle(th, Interval::pi(128), true, 128);
    if (phi.is_positive()) {
      long e = 0;
      mpfr_get_d_2exp(&e, &phi.get()->left, MPFR_RNDD);
      if (e < 0) guard += double(pr.a + pr.b) * double(-e);
    }
  }
  for (int iter = 0;; ++iter) {
    throw_if_stopped();
    mpfr_prec_t w = bits + mpfr_prec_t(guard);
    Interval v = eval_at(pr, th, far, use_u, w);
    double lw = log2_rel_width(v);
    if (lw <= -double(bits) || iter >= 12) return v;
    if (std::isinf(lw)) guard = 2 * guard + 64;  // holds 0: the loss is not measurable yet
    else guard += lw + double(bits) + 16;        // measured loss
  }
}

const Prepared& prepared_for(const ClosedForm& cf, std::unique_ptr<Prepared>& tmp) {
  const Prepared& cached = prepared(cf.a, cf.b);
  if (cached.cf == &cf) return cached;
  tmp = prepare(cf);  // a closed form that is not the cached one (e.g. closed_form_fourier)
  return *tmp;
}

void check_digits(long digits) {
  require(digits >= 1 && digits <= 100000, "digits must be in 1..100000, got " + std::to_string(digits));
}

std::string value_string(const Prepared& pr, const Theta& th, int digits) {
  CertifyOptions opt;
  opt.digits = digits;
  opt.exact_zero = th.is_pi();
  return certify([&](mpfr_prec_t bits) { return enclose(pr, th, bits); }, opt).text;
}

}  // namespace

Interval moment_enclosure(const ClosedForm& cf, const Theta& theta, mpfr_prec_t bits) {
  check_range(theta);
  std::unique_ptr<Prepared> tmp;
  return enclose(prepared_for(cf, tmp), theta, bits);
}

std::string moment_value(unsigned a, unsigned b, const Theta& theta, int digits) {
  check_digits(digits);
  check_range(theta);
  return value_string(prepared(a, b), theta, digits);
}

std::vector<std::string> moment_values(unsigned a, unsigned b, const std::vector<Theta>& thetas, int digits,
                                       unsigned threads) {
  check_digits(digits);
  for (const Theta& t : thetas) check_range(t);
  const Prepared& pr = prepared(a, b);
  std::vector<std::string> out(thetas.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // a few points, or cheap ones: one thread
  std::size_t work = thetas.size() * std::size_t(std::max(digits, 50));
  if (work < 2000) threads = 1;
  threads = unsigned(std::min<std::size_t>(threads, thetas.size()));
  if (threads <= 1) {
    for (std::size_t i = 0; i < thetas.size(); ++i) out[i] = value_string(pr, thetas[i], digits);
    return out;
  }
  pr.ensure_u();  // build the lazy parts before the threads start
  std::atomic<std::size_t> next{0};
  std::exception_ptr err;
  std::mutex err_mu;
  auto worker = [&] {
    // MPFR keeps thread-local caches (pi, cos tables); free them when the worker ends
    struct FreeCache {
      ~FreeCache() { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); }
    } free_cache;
    try {
      for (;;) {
        std::size_t i = next.fetch_add(1);
        if (i >= thetas.size()) return;
        out[i] = value_string(pr, thetas[i], digits);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(err_mu);
      if (!err) err = std::current_exception();
      next.store(thetas.size());
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (err) std::rethrow_exception(err);
  return out;
}

boost::multiprecision::mpfr_float moment_mpfr(unsigned a, unsigned b, const boost::multiprecision::mpfr_float& theta,
                                              unsigned digits10) {
  check_digits(long(digits10));
  mpfr_srcptr x = theta.backend().data();
  require(mpfr_number_p(x), "angle is not a finite number");
  Theta th;
  if (!mpfr_zero_p(x)) {
    Integer m;
    mpfr_exp_t e = mpfr_get_z_2exp(m.backend().data(), x);
    Rational q(m);
    if (e > 0) q *= Rational(boost::multiprecision::pow(Integer(2), unsigned(e)));
    else if (e < 0) q /= Rational(boost::multiprecision::pow(Integer(2), unsigned(-e)));
    th.offset = q;
  }
  check_range(th);
  const Prepared& pr = prepared(a, b);
  boost::multiprecision::mpfr_float r;
  r.precision(digits10 + 5);
  if (th.is_pi()) {  // an mpfr angle is never exactly pi; kept for completeness
    r = 0;
    return r;
  }
  mpfr_prec_t bits = mpfr_prec_t(double(digits10) * 3.3219280948873623) + 8;
  Interval v = enclose(pr, th, bits);
  mpfi_mid(r.backend().data(), v.get());
  return r;
}

// ---- double path --------------------------------------------------------------------------

MomentDouble::MomentDouble(unsigned a, unsigned b) : a_(a), b_(b), impl_(&prepared(a, b)) {}

namespace {
// Horner in double-double; also accumulates sum |c_k| |x|^k in double (cancellation estimate).
inline dd dd_horner(const std::vector<dd>& c, dd x, double& mag) {
  if (c.empty()) { mag = 0; return {0, 0}; }
  dd acc = c.back();
  double ax = std::fabs(x.hi), am = std::fabs(c.back().hi);
  for (std::size_t k = c.size() - 1; k-- > 0;) {
    acc = acc * x + c[k];
    am = am * ax + std::fabs(c[k].hi);
  }
  mag = am;
  return acc;
}

double fallback_double(const Prepared& pr, double theta) {
  Theta th;
  th.offset = Rational(theta);  // exact
  Interval v = enclose(pr, th, 64);
  return v.mid_double();
}
}  // namespace

double MomentDouble::operator()(double x) const {
  const Prepared& pr = *impl_;
  const DDConst& c = ddc();
  if (!(x >= 0 && x <= c.pi[0]))  // pi[0] < pi: every double in [0, pi] is <= pi[0]
    throw InputError("angle " + std::to_string(x) + " is outside [0, pi]");
  if (x == 0 && pr.even) return double(pr.at_zero);
  bool near_pi = x > 2.356194490192345;  // 3 pi / 4
  if (!(near_pi ? pr.dd_u_ok() : pr.dd_ok())) return fallback_double(pr, x);
  dd s, rho, u, phi;
  if (x <= 0.7853981633974483) {  // pi/4
    dd vers;
    dd_sin_versin({x, 0}, s, vers);
    rho = dd{1, 0} - vers;
    phi = triple_minus(c.pi, x);
  } else if (x <= 1.5707963267948966) {  // pi/2: w = pi/2 - x in [0, pi/4)
    dd w = triple_minus(c.half_pi, x), vers;
    dd_sin_versin(w, rho, vers);
    s = dd{1, 0} - vers;
    phi = triple_minus(c.pi, x);
  } else if (!near_pi) {  // w = x - pi/2 in (0, pi/4]
    dd w = -triple_minus(c.half_pi, x), vers;
    dd_sin_versin(w, rho, vers);
    rho = -rho;
    s = dd{1, 0} - vers;
    phi = triple_minus(c.pi, x);
  } else {  // t = pi - x in [0, pi/4)
    phi = triple_minus(c.pi, x);
    dd_sin_versin(phi, s, u);  // u = 1 - cos(phi) = 1 + rho
  }
  dd J;
  double mag, cancel;
  if (pr.even) {
    double mp, mq;
    dd p = near_pi ? dd_horner(pr.Pu.d, u, mp) : dd_horner(pr.P.d, rho, mp);
    dd q = near_pi ? dd_horner(pr.Qu.d, u, mq) : dd_horner(pr.Q.d, rho, mq);
    dd num = phi * p + s * q;
    mag = std::fabs(phi.hi) * mp + std::fabs(s.hi) * mq;
    cancel = mag / std::fabs(num.hi);
    J = num * c.inv_2pi;
  } else {
    dd r = near_pi ? dd_horner(pr.Ru.d, u, mag) : dd_horner(pr.R.d, rho, mag);
    cancel = mag / std::fabs(r.hi);
    J = r * c.inv_sqrt_2pi;
  }
  // 2^40 cancellation leaves ~2^-60 relative error; tiny values lose accuracy to underflow
  if (!(cancel <= 1099511627776.0) || std::fabs(J.hi) < 1e-280 || !std::isfinite(J.hi)) return fallback_double(pr, x);
  return J.hi + J.lo;
}

double moment_double(unsigned a, unsigned b, double theta) { return MomentDouble(a, b)(theta); }

}  // namespace relumix
