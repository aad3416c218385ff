#include "moments/enclosure.hpp"

#include <algorithm>
#include <cmath>

#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

namespace {

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

// Point interval holding a dyadic rational exactly.
Interval exact_dyadic(const Rational& q, mpfr_prec_t bits) {
  mpfr_prec_t need = mpfr_prec_t(msb(abs(numerator(q)) + 1)) + 2;
  return Interval(q, std::max(bits, need));
}

}  // namespace

void check_range(const Theta& th) {
  // fast paths: exact decisions without interval arithmetic
  if (th.offset == 0 && th.pi_coeff >= 0 && th.pi_coeff <= 1) return;
  if (th.pi_coeff == 0 && th.offset >= 0 && th.offset <= 3) return;
  if (th.pi_coeff == 1 && th.offset <= 0 && th.offset >= -3) return;
  if (th.compare_pi_multiple(0) < 0 || th.compare_pi_multiple(1) > 0)
    throw InputError("angle " + (th.text.empty() ? theta_text(th.pi_coeff, th.offset) : th.text) +
                     " is outside [0, pi]");
}

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

Interval moment_enclosure(const ClosedForm& cf, const Theta& theta, mpfr_prec_t bits) {
  check_range(theta);
  std::unique_ptr<Prepared> tmp;
  return enclose(prepared_for(cf, tmp), theta, bits);
}

}  // namespace relumix
