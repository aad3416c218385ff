#include "moments/enclosure.hpp"

#include <algorithm>
#include <cmath>

#include "moments/near_pi.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

namespace {

constexpr double kLog2Sinh1 = 0.23272626381745;  // log2(sinh 1), rounded up

// theta = c pi + off at precision w (exact when c = 0 and off is dyadic enough)
void theta_ball(arb_t out, const Fmpq& c, const Fmpq& off, const arb_t pi, slong w) {
  if (fmpq_is_zero(c.get())) {
    arb_set_fmpq(out, off.get(), w);
    return;
  }
  arb_mul_fmpz(out, pi, fmpq_numref(c.get()), w);
  if (!fmpz_is_one(fmpq_denref(c.get()))) arb_div_fmpz(out, out, fmpq_denref(c.get()), w);
  if (!fmpq_is_zero(off.get())) {
    Ball t;
    arb_set_fmpq(t, off.get(), w);
    arb_add(out, out, t, w);
  }
}

// An exact point for a dyadic rational.
void set_dyadic(arb_t out, const Rational& q) {
  Fmpz num(numerator(q));
  arb_set_fmpz(out, num.get());
  Integer d = denominator(q);
  long k = long(boost::multiprecision::msb(d));  // d = 2^k
  arb_mul_2exp_si(out, out, -k);
}

// The angle split for evaluation: theta = c pi + off, phi = pi - theta = c1 pi - off.
struct Angle {
  Fmpq c, off, c1, moff;  // moff = -off
  double td = 0;          // theta (double, region choice)
  double log2_phi = 0;    // log2(pi - theta) (within 1), -inf at pi
  explicit Angle(const Theta& th) : c(th.pi_coeff), off(th.offset) {
    fmpq_one(c1.get());
    fmpq_sub(c1.get(), c1.get(), c.get());
    fmpq_neg(moff.get(), off.get());
    bool has_c = !fmpq_is_zero(c.get()), has_off = !fmpq_is_zero(off.get());
    td = (has_c ? mpq_get_d(th.pi_coeff.backend().data()) * 3.141592653589793 : 0) +
         (has_off ? mpq_get_d(th.offset.backend().data()) : 0);
    double pd = 3.141592653589793 - td;
    if (fmpq_is_zero(c1.get())) {
      // phi = -off exactly: its binary logarithm from the rational
      log2_phi = !has_off ? -INFINITY
                          : double(fmpz_bits(fmpq_numref(moff.get()))) - double(fmpz_bits(fmpq_denref(moff.get())));
    } else if (pd > 1e-6) {
      log2_phi = std::log2(pd);
    } else {
      // pi - theta is small and involves pi: enclose it until its size shows
      for (slong w = 128;; w *= 2) {
        Ball pi, phi;
        arb_const_pi(pi, w);
        theta_ball(phi, c1, moff, pi, w);
        if (arb_is_positive(phi)) {
          log2_phi = double(fmpz_get_si(ARF_EXPREF(arb_midref(phi.get())))) - 1;  // within 1 of log2(phi)
          break;
        }
        if (w > (1 << 20)) { log2_phi = -double(w); break; }
      }
    }
  }
  void theta(arb_t out, const arb_t pi, slong w) const { theta_ball(out, c, off, pi, w); }
  void phi(arb_t out, const arb_t pi, slong w) const { theta_ball(out, c1, moff, pi, w); }
};

// Scratch balls of one thread (no allocation per value) and 1/pi, 1/sqrt(2 pi) at the last
// precision asked for.
struct Work {
  Ball pi, inv_pi, inv_sqrt_2pi, theta, phi, s, rho, u, h, k, p, q, t;
  slong pi_prec = 0, sqrt_prec = 0;  // precisions of inv_pi, inv_sqrt_2pi
  arb_ptr pw = nullptr;  // powers x^0 .. x^(pw_len - 1)
  slong pw_alloc = 0;
  ~Work() { if (pw) _arb_vec_clear(pw, pw_alloc); }
  // pi at precision w, and 1/pi (even) or 1/sqrt(2 pi) (odd) at precision >= w (kept for
  // later calls at the same or a lower precision)
  arb_srcptr constants(slong w, bool even) {
    arb_const_pi(pi, w);
    slong& have = even ? pi_prec : sqrt_prec;
    if (have < w || have > 2 * w + 128) {  // too short, or much longer than needed
      slong c = (w + 127) / 64 * 64;
      arb_const_pi(t, c);
      if (even) {
        arb_inv(inv_pi, t, c);
      } else {
        arb_mul_2exp_si(t, t, 1);
        arb_rsqrt(inv_sqrt_2pi, t, c);
      }
      have = c;
    }
    return even ? inv_pi : inv_sqrt_2pi;
  }
  arb_srcptr powers(arb_srcptr x, slong len, slong w) {
    if (len > pw_alloc) {
      if (pw) _arb_vec_clear(pw, pw_alloc);
      pw_alloc = std::max<slong>(len, 16);
      pw = _arb_vec_init(pw_alloc);
    }
    arb_one(pw);
    if (len > 1) arb_set_round(pw + 1, x, w);
    for (slong i = 2; i < len; ++i) {
      if (i % 2 == 0) arb_sqr(pw + i, pw + i / 2, w);
      else arb_mul(pw + i, pw + i - 1, pw + 1, w);
    }
    return pw;
  }
};
Work& work() {
  thread_local Work w;
  return w;
}

// J from the values of the polynomials: (phi p + s q) K / (2 den) (a+b even, p and q in W), and
// r K / den (a+b odd, r in J); K = 1/pi resp. 1/sqrt(2 pi)
void finish_even(arb_t J, Work& W, arb_srcptr K, const Fmpz& den, slong w) {
  arb_mul(J, W.phi, W.p, w);
  arb_addmul(J, W.s, W.q, w);
  arb_mul(J, J, K, w);
  arb_mul_2exp_si(J, J, -1);
  if (!fmpz_is_one(den.get())) arb_div_fmpz(J, J, den.get(), w);
}
void finish_odd(arb_t J, arb_srcptr K, const Fmpz& den, slong w) {
  arb_mul(J, J, K, w);
  if (!fmpz_is_one(den.get())) arb_div_fmpz(J, J, den.get(), w);
}

// The closed form at working precision w. far: evaluate through phi = pi - theta (theta > pi/2);
// use_u: the polynomials in u = 1 + rho.
void eval_closed(arb_t J, const Prepared& pr, const Angle& an, bool far, bool use_u, slong w, const HalfAngle* hint) {
  Work& W = work();
  arb_srcptr K = W.constants(w, pr.even);
  if (hint) {
    // from the half angle psi = phi / 2: s = 2 h k, 1 + rho = 2 h^2, 1 - rho = 2 k^2
    an.phi(W.phi, W.pi, w);
    arb_mul(W.s, hint->h, hint->k, w);
    arb_mul_2exp_si(W.s, W.s, 1);
    if (use_u) {
      arb_sqr(W.u, hint->h, w);
      arb_mul_2exp_si(W.u, W.u, 1);
    } else if (far) {
      arb_sqr(W.rho, hint->h, w);
      arb_mul_2exp_si(W.rho, W.rho, 1);
      arb_sub_ui(W.rho, W.rho, 1, w);
    } else {
      arb_sqr(W.rho, hint->k, w);
      arb_mul_2exp_si(W.rho, W.rho, 1);
      arb_sub_ui(W.rho, W.rho, 1, w);
      arb_neg(W.rho, W.rho);
    }
  } else if (!far) {
    an.theta(W.theta, W.pi, w);
    arb_sin_cos(W.s, W.rho, W.theta, w);
    arb_sub(W.phi, W.pi, W.theta, w);  // >= pi/2: no cancellation
  } else {
    an.phi(W.phi, W.pi, w);
    arb_mul_2exp_si(W.t, W.phi, -1);
    arb_sin_cos(W.h, W.k, W.t, w);
    arb_mul(W.s, W.h, W.k, w);  // sin(theta) = sin(phi) = 2 sin(phi/2) cos(phi/2)
    arb_mul_2exp_si(W.s, W.s, 1);
    arb_sqr(W.u, W.h, w);  // 1 + rho = 1 - cos(phi) = 2 sin^2(phi/2)
    arb_mul_2exp_si(W.u, W.u, 1);
    if (!use_u) arb_sub_ui(W.rho, W.u, 1, w);
  }
  arb_srcptr x = use_u ? W.u.get() : W.rho.get();
  if (pr.even) {
    const FormPoly& P = use_u ? pr.pu() : pr.P;
    const FormPoly& Q = use_u ? pr.qu() : pr.Q;
    arb_srcptr pw = W.powers(x, std::max(P.num.degree(), Q.num.degree()) + 1, w);
    P.dot(W.p, pw, w);
    Q.dot(W.q, pw, w);
    finish_even(J, W, K, P.den, w);
  } else {
    const FormPoly& R = use_u ? pr.ru() : pr.R;
    R.dot(J, W.powers(x, R.num.degree() + 1, w), w);
    finish_odd(J, K, R.den, w);
  }
}

// The closed form at a tiny theta (below pi/2) through v = 1 - rho = 2 sin^2(theta/2) ~ theta^2/2:
// the polynomials in v (Prepared::pv, qv, rv) truncated after the terms that matter at precision
// w, plus a rigorous bound of the rest (sum_{j >= K} |num_j| v^j <= tail[K] v^K for v <= 1).
void eval_near_zero(arb_t J, const Prepared& pr, const Angle& an, slong w) {
  Work& W = work();
  arb_srcptr Kc = W.constants(w, pr.even);
  an.theta(W.theta, W.pi, w);
  arb_mul_2exp_si(W.t, W.theta, -1);
  arb_sin_cos(W.h, W.k, W.t, w);
  arb_mul(W.s, W.h, W.k, w);  // sin(theta) = 2 sin(theta/2) cos(theta/2)
  arb_mul_2exp_si(W.s, W.s, 1);
  arb_sqr(W.u, W.h, w);  // v
  arb_mul_2exp_si(W.u, W.u, 1);
  arb_sub(W.phi, W.pi, W.theta, w);
  const double log2_v = 2 * std::log2(an.td) - 1;  // within a bit
  auto terms = [&](const FormPoly& P) {
    const slong len = P.num.degree() + 1;
    const fmpz* c0 = fmpz_poly_get_coeff_ptr(P.num.get(), 0);
    if (len <= 1 || !c0 || fmpz_is_zero(c0)) return std::max<slong>(len, 0);
    double need = double(w + 8) + double(fmpz_bits(pr.tail(P)[0].get())) - double(fmpz_bits(c0));
    return std::min(len, slong(std::ceil(need / -log2_v)) + 1);
  };
  mag_t v, m, r;
  mag_init(v);
  mag_init(m);
  mag_init(r);
  arb_get_mag(v, W.u);
  auto truncated = [&](arb_t out, const FormPoly& P, arb_srcptr pw, slong K) {
    arb_dot_fmpz(out, nullptr, 0, pw, 1, P.num.get()->coeffs, 1, K, w);
    if (K < P.num.degree() + 1) {
      mag_set_fmpz(m, pr.tail(P)[std::size_t(K)].get());
      mag_pow_ui(r, v, ulong(K));
      mag_mul(m, m, r);
      arb_add_error_mag(out, m);
    }
  };
  if (pr.even) {
    const FormPoly &P = pr.pv(), &Q = pr.qv();
    const slong kp = terms(P), kq = terms(Q);
    arb_srcptr pw = W.powers(W.u, std::max<slong>(std::max(kp, kq), 1), w);
    truncated(W.p, P, pw, kp);
    truncated(W.q, Q, pw, kq);
    finish_even(J, W, Kc, P.den, w);
  } else {
    const FormPoly& R = pr.rv();
    const slong kr = terms(R);
    truncated(J, R, W.powers(W.u, std::max<slong>(kr, 1), w), kr);
    finish_odd(J, Kc, R.den, w);
  }
  mag_clear(v);
  mag_clear(m);
  mag_clear(r);
}

// log2 of the cancellation in the closed form at theta (sum of the absolute values of its terms
// over the absolute value of the result), estimated in double; `fallback` where double cannot
// see it (a cancellation beyond 2^40).
double predicted_loss(const Prepared& pr, const Angle& an, bool far, bool use_u, double fallback) {
  double phi = far ? std::exp2(an.log2_phi) : 3.141592653589793 - an.td;
  double s = far ? std::sin(phi) : std::sin(an.td);
  double x = use_u ? 2 * std::sin(phi / 2) * std::sin(phi / 2) : (far ? -std::cos(phi) : std::cos(an.td));
  auto horner = [&](const FormPoly& p, double& mag) {
    double v = 0, m = 0, ax = std::fabs(x);
    for (std::size_t k = p.d.size(); k-- > 0;) {
      v = v * x + p.d[k].hi;
      m = m * ax + std::fabs(p.d[k].hi);
    }
    mag = m;
    return v;
  };
  double mag, val;
  if (pr.even) {
    double mp, mq;
    double p = horner(use_u ? pr.pu() : pr.P, mp), q = horner(use_u ? pr.qu() : pr.Q, mq);
    val = phi * p + s * q;
    mag = std::fabs(phi) * mp + std::fabs(s) * mq;
  } else {
    val = horner(use_u ? pr.ru() : pr.R, mag);
  }
  if (!std::isfinite(mag) || !std::isfinite(val) || !(std::fabs(val) > mag * 1e-12)) return fallback;
  return std::max(0.0, std::log2(mag / std::fabs(val)));
}

// Terms of the series at pi for relative accuracy 2^-bits at phi = 2^log2_phi (<= 1/2).
double near_pi_terms(const Prepared& pr, double log2_phi, slong bits) {
  return std::ceil((double(bits) + 5 + double(pr.n) * kLog2Sinh1) / (2 * -log2_phi));
}

// The series at pi with M terms and its remainder, at precision w (phi <= 1/2).
void eval_near_pi(arb_t J, const Prepared& pr, const Angle& an, slong M, slong w) {
  std::shared_ptr<const NearPiPoly> s = pr.near_pi(unsigned(M));
  Work& W = work();
  arb_srcptr K = W.constants(w, pr.even);
  an.phi(W.phi, W.pi, w);
  arb_sqr(W.u, W.phi, w);  // y = phi^2
  _arb_fmpz_poly_evaluate_arb(W.p, s->num.get()->coeffs, std::min<slong>(M, fmpz_poly_length(s->num.get())), W.u, w);
  arb_div_fmpz(W.p, W.p, s->den.get(), w);
  // remainder <= C_0 sinh(1)^n phi^(2M) / (1 - phi^2), 1 / (1 - phi^2) <= 4/3
  mag_t tail, t;
  mag_init(tail);
  mag_init(t);
  arb_set_fmpz(W.t, fmpz_poly_get_coeff_ptr(s->num.get(), 0));
  arb_div_fmpz(W.t, W.t, s->den.get(), 64);
  arb_get_mag(tail, W.t);
  mag_set_d(t, kSinh1Upper);
  mag_pow_ui(t, t, pr.n);
  mag_mul(tail, tail, t);
  arb_get_mag(t, W.u);
  mag_pow_ui(t, t, ulong(M));
  mag_mul(tail, tail, t);
  mag_set_d(t, 1.3333333333333335);
  mag_mul(tail, tail, t);
  arb_add_error_mag(W.p, tail);
  mag_clear(tail);
  mag_clear(t);
  arb_pow_ui(W.q, W.phi, pr.n + 1, w);
  arb_mul(J, W.p, W.q, w);
  arb_mul(J, J, K, w);
}

}  // namespace

void check_range(const Theta& th) {
  // fast paths: exact decisions without interval arithmetic
  mpq_srcptr c = th.pi_coeff.backend().data(), off = th.offset.backend().data();
  if (mpq_sgn(off) == 0 && mpq_sgn(c) >= 0 && mpq_cmp_si(c, 1, 1) <= 0) return;
  if (mpq_sgn(c) == 0 && mpq_sgn(off) >= 0 && mpq_cmp_si(off, 3, 1) <= 0) return;
  if (mpq_cmp_si(c, 1, 1) == 0 && mpq_sgn(off) <= 0 && mpq_cmp_si(off, -3, 1) >= 0) return;
  if (th.compare_pi_multiple(0) < 0 || th.compare_pi_multiple(1) > 0)
    throw InputError("angle " + (th.text.empty() ? theta_text(th.pi_coeff, th.offset) : th.text) +
                     " is outside [0, pi]");
}

void check_digits(long digits) {
  require(digits >= 1 && digits <= 100000, "digits must be in 1..100000, got " + std::to_string(digits));
}

void enclose_ball(arb_t out, const Prepared& pr, const Theta& th, slong bits, const HalfAngle* hint) {
  if (th.is_pi()) { arb_zero(out); return; }
  if (th.is_zero() && pr.zero_rational) { set_dyadic(out, pr.at_zero); return; }
  if (th.is_half_pi() && pr.half_rational) { set_dyadic(out, pr.at_half); return; }
  Angle an(th);
  bool far = an.td > 1.5707963267948966;
  bool use_u = an.td > 2.0943951023931957;  // rho < -1/2
  double deg = double(std::max(std::max(pr.P.num.degree(), pr.Q.num.degree()), pr.R.num.degree()) + 1);
  double guard = 6 + std::log2(deg + 2);  // rounding errors of about 2 deg + 10 operations
  // (pi - theta) P + sin(theta) Q cancels down to O(phi^(a+b+1)) near pi: the analytic bound
  double loss_pi = far && pr.even && an.log2_phi < 0 ? double(pr.n) * -an.log2_phi + 8 : 8;
  if (far && an.log2_phi <= -1) {
    // the series at pi instead, when it is cheaper (in multiplications at the working precision)
    double M = near_pi_terms(pr, an.log2_phi, bits);
    double series = M + 4 + std::log2(double(pr.n) + 1);
    double wc = double(bits) + guard + loss_pi, ws = double(bits) + 16;
    double closed = (bits + guard + loss_pi > 4000 ? 40 : 25) + 2 * deg + 6;
    closed *= std::pow(wc / ws, 1.6);
    if (series < closed && M <= 2000) {
      for (slong w = bits + 16;; w += w / 2 + 32) {
        throw_if_stopped();
        eval_near_pi(out, pr, an, slong(M), w);
        if (arb_rel_accuracy_bits(out) >= bits) return;
        M = near_pi_terms(pr, an.log2_phi, w);
      }
    }
  }
  if (!far && an.td > 0 && an.td < 1.0 / 256) {
    // tiny theta: the closed form in v = 1 - rho, a few terms (theta = 1e-30 at 30 digits: one or two)
    for (slong w = bits + slong(guard) + 8;; w += w / 2 + 32) {
      throw_if_stopped();
      eval_near_zero(out, pr, an, w);
      if (arb_rel_accuracy_bits(out) >= bits) return;
    }
  }
  // the cancellation, estimated in double; past pi/2 the better conditioned of the forms in rho and in u
  const double unseen = std::max(loss_pi, 48.0);
  double loss = pr.dd_ok() && (!use_u || pr.dd_u_ok()) ? predicted_loss(pr, an, far, use_u, unseen) : unseen;
  if (far && pr.dd_ok() && pr.dd_u_ok()) {
    double other = predicted_loss(pr, an, far, !use_u, unseen);
    if (other < loss) { loss = other; use_u = !use_u; }
  }
  guard += loss;
  for (int iter = 0;; ++iter) {
    throw_if_stopped();
    slong w = bits + slong(guard);
    // the hint where it is accurate enough (relative to each of h and k)
    if (hint && (arb_rel_accuracy_bits(hint->h) < w || arb_rel_accuracy_bits(hint->k) < w)) hint = nullptr;
    eval_closed(out, pr, an, far, use_u, w, hint);
    slong acc = arb_rel_accuracy_bits(out);
    if (acc >= bits) return;
    if (arb_contains_zero(out)) guard = 2 * guard + 64;  // the loss is not measurable yet
    else guard += double(bits - acc) + 16;               // measured loss
    hint = nullptr;
  }
}

void HalfAngleSteps::direct(const Fmpq& c, const Fmpq& off) {
  // psi = ((1 - c) pi - off) / 2
  Work& W = work();
  Fmpq c1, moff;
  fmpq_one(c1.get());
  fmpq_sub(c1.get(), c1.get(), c.get());
  fmpq_neg(moff.get(), off.get());
  arb_const_pi(W.pi, prec_);
  theta_ball(W.t, c1, moff, W.pi, prec_);
  arb_mul_2exp_si(W.t, W.t, -1);
  arb_sin_cos(ha_.h, ha_.k, W.t, prec_);
  since_direct_ = 0;
}

const HalfAngle& HalfAngleSteps::next(const Theta& th) {
  Fmpq c(th.pi_coeff), off(th.offset);
  if (since_direct_ < 0) {
    direct(c, off);
  } else {
    Fmpq dc, doff;
    fmpq_sub(dc.get(), c.get(), c_.get());
    fmpq_sub(doff.get(), off.get(), off_.get());
    bool same = have_step_ && fmpq_equal(dc.get(), dc_.get()) && fmpq_equal(doff.get(), doff_.get());
    if (!same) {
      // a new step: its half, sin and cos once
      dc_ = dc;
      doff_ = doff;
      Work& W = work();
      arb_const_pi(W.pi, prec_);
      theta_ball(W.t, dc_, doff_, W.pi, prec_);
      arb_mul_2exp_si(W.t, W.t, -1);
      arb_sin_cos(sd_, cd_, W.t, prec_);
      have_step_ = true;
    }
    if (!same || since_direct_ >= 64) {
      direct(c, off);
    } else {
      // psi' = psi - step/2: h' = h cd - k sd, k' = k cd + h sd
      Work& W = work();
      arb_mul(W.p, ha_.h, cd_, prec_);
      arb_submul(W.p, ha_.k, sd_, prec_);
      arb_mul(W.q, ha_.k, cd_, prec_);
      arb_addmul(W.q, ha_.h, sd_, prec_);
      arb_swap(ha_.h, W.p);
      arb_swap(ha_.k, W.q);
      ++since_direct_;
    }
  }
  c_ = c;
  off_ = off;
  return ha_;
}

Interval enclose(const Prepared& pr, const Theta& th, mpfr_prec_t bits) {
  Ball J;
  enclose_ball(J, pr, th, slong(bits));
  if (arb_is_exact(J)) {
    // an exact point: as many bits as it needs
    slong need = std::max<slong>(arb_bits(J), 2);
    return to_interval(J, std::max<mpfr_prec_t>(bits, mpfr_prec_t(need)));
  }
  return to_interval(J, bits + 2);
}

Interval moment_enclosure(const ClosedForm& cf, const Theta& theta, mpfr_prec_t bits) {
  check_range(theta);
  std::unique_ptr<Prepared> tmp;
  return enclose(prepared_for(cf, tmp), theta, bits);
}

}  // namespace relumix
