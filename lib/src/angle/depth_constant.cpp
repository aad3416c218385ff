// A proven enclosure of the large-depth constant C(theta0) of the infinite-width map (theory 4.1,
// "The constant C(theta0), proven"):
//   1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + o(1),   theta^{l+1} = f(theta^l).
// With u = 1/theta, a = 1/(3 pi), p = -1/(2 pi) and Phi(u) = u + p ln u + sum_{k=1}^m q_k u^-k,
// the function E(theta) = Phi(1/f(theta)) - Phi(1/theta) - a is analytic at 0 and O(theta^2), so
//   C = Phi(u_L) - L a - ln(3 pi)/(2 pi) + sum_{l >= L} E(theta^l).
// u_L comes from L steps of f in interval arithmetic (f is increasing: its end points are mapped);
// the sum is bounded by E's Taylor coefficients (from the exact series of f) and a Cauchy bound of
// the rest on the disc |theta| <= 1/2, on which |f(theta)/theta - 1| <= delta_F is shown by hand.
#include "relumix/angle/depth_constant.hpp"

#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/angle.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/core/limits.hpp"
#include "numeric/arb.hpp"

namespace relumix {

namespace {

using Coeffs = std::vector<Interval>;  // a power series truncated after coefficient n - 1

Coeffs mul(const Coeffs& x, const Coeffs& y) {
  const std::size_t n = x.size();
  Coeffs r(n, Interval(0L, x[0].bits()));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; i + j < n; ++j) r[i + j] += x[i] * y[j];
  return r;
}

// 1/x for x[0] = 1
Coeffs inv1(const Coeffs& x) {
  const std::size_t n = x.size();
  Coeffs r(n, Interval(0L, x[0].bits()));
  r[0] = Interval(1L, x[0].bits());
  for (std::size_t k = 1; k < n; ++k) {
    Interval s(0L, x[0].bits());
    for (std::size_t i = 1; i <= k; ++i) s += x[i] * r[k - i];
    r[k] = -s;
  }
  return r;
}

// log x for x[0] = 1: (log x)' = x'/x
Coeffs log1(const Coeffs& x) {
  const std::size_t n = x.size();
  Coeffs d(n, Interval(0L, x[0].bits()));
  for (std::size_t k = 0; k + 1 < n; ++k) d[k] = x[k + 1] * Rational(long(k + 1));
  Coeffs q = mul(d, inv1(x));
  Coeffs r(n, Interval(0L, x[0].bits()));
  for (std::size_t k = 1; k < n; ++k) r[k] = q[k - 1] * Rational(1, long(k));
  return r;
}

Interval point(mpfr_srcptr x, mpfr_prec_t bits) {
  Interval r(bits);
  mpfi_set_fr(r.get(), x);
  return r;
}

Interval mid_point(const Interval& x) {
  mpfr_t m;
  mpfr_init2(m, x.bits());
  mpfi_mid(m, x.get());
  Interval r = point(m, x.bits());
  mpfr_clear(m);
  return r;
}

Interval upper(const Interval& x) { return point(&x.get()->right, x.bits()); }
Interval lower(const Interval& x) { return point(&x.get()->left, x.bits()); }

Interval abs_upper(const Interval& x) {  // max |x| as a point
  mpfr_t m;
  mpfr_init2(m, x.bits());
  mpfi_mag(m, x.get());
  Interval r = point(m, x.bits());
  mpfr_clear(m);
  return r;
}

// f(t) on a point (or very narrow) interval t in (0, pi]: 1 - cos f = 2 sin^2(t/2) - w (sin t - t cos t)/pi
// (for ReLU, w = 1: [2 pi sin^2(t/2) - (sin t - t cos t)]/pi, the second part much smaller for small t),
// f = 2 asin(sqrt((1 - cos f)/2)); 1 - cos f >= 0, so the negative part of its enclosure is dropped.
// In Arb balls (several times faster than MPFI here), returned as an interval at t's precision.
Interval f_point(const Interval& t, const Interval& w) {
  const slong prec = slong(t.bits());
  Ball tb, wb, pb, s, st, ct, g;
  arb_set_interval_mpfr(tb, &t.get()->left, &t.get()->right, prec);
  arb_set_interval_mpfr(wb, &w.get()->left, &w.get()->right, prec);
  arb_const_pi(pb, prec);
  arb_mul_2exp_si(s, tb, -1);
  arb_sin(s, s, prec);
  arb_sin_cos(st, ct, tb, prec);
  arb_mul(ct, ct, tb, prec);
  arb_sub(g, st, ct, prec);  // sin t - t cos t
  arb_mul(g, g, wb, prec);
  arb_div(g, g, pb, prec);
  arb_mul(s, s, s, prec);
  arb_mul_2exp_si(s, s, 1);
  arb_sub(s, s, g, prec);   // 1 - cos f
  arb_mul_2exp_si(s, s, -1);
  arb_sqrtpos(s, s, prec);
  arb_asin(s, s, prec);
  arb_mul_2exp_si(s, s, 1);
  return to_interval(s, t.bits());
}

// One step on an interval [lo, hi] of (0, pi]: f increases on [0, pi] for w <= 1, and for w > 1 up to
// pi/w and decreases after it (activation_map.hpp), so the image is spanned by f(lo), f(hi) and, when
// pi/w lies in [lo, hi], f(pi/w).
Interval step(const Interval& th, const Interval& w, const Interval& pi, bool peaked) {
  Interval a = f_point(lower(th), w), b = f_point(upper(th), w);
  Interval r(th.bits());
  mpfi_union(r.get(), a.get(), b.get());
  if (peaked) {
    Interval top = pi / w;
    if (mpfr_cmp(&top.get()->left, &th.get()->right) <= 0 && mpfr_cmp(&th.get()->left, &top.get()->right) <= 0) {
      Interval c = f_point(top, w);
      mpfi_union(r.get(), r.get(), c.get());
    }
  }
  return r;
}

// F = f(theta)/theta of phi_alpha as a power series truncated after theta^(n-1), in interval
// arithmetic (theory 4.1, "Small w"): 1 - cos f = (theta^2/2) phi(theta), x = (theta/2) sqrt(phi),
// F = sqrt(phi) A(x) with A(x) = asin(x)/x = sum_j c_j x^2j and x^2 = theta^2 phi/4.
Coeffs f_over_theta(const Interval& w, const Interval& pi, std::size_t n) {
  const mpfr_prec_t bits = w.bits();
  // phi = 2 sum_k (-1)^(k+1) z^(2k-2)/(2k)! - (2w/pi) sum_k (-1)^(k+1) 2k z^(2k-1)/(2k+1)!
  Coeffs phi(n, Interval(0L, bits));
  Interval inv_fact(1L, bits);  // 1/j!
  for (long j = 1; std::size_t(j) < n + 2; ++j) {
    inv_fact = inv_fact * Rational(1, j);
    if (j % 2 == 0) {  // j = 2k: z^(2k-2)
      const long k = j / 2;
      phi[std::size_t(j - 2)] += inv_fact * Rational(k % 2 ? 2 : -2);
    } else if (j >= 3) {  // j = 2k + 1: z^(2k-1)
      const long k = (j - 1) / 2;
      phi[std::size_t(j - 2)] -= w / pi * inv_fact * Rational(k % 2 ? 4 * k : -4 * k);
    }
  }
  // sqrt(phi): r_0 = 1, r_k = (phi_k - sum_{0<i<k} r_i r_{k-i})/2
  Coeffs r(n, Interval(0L, bits));
  r[0] = Interval(1L, bits);
  for (std::size_t k = 1; k < n; ++k) {
    Interval s(0L, bits);
    for (std::size_t i = 1; i < k; ++i) s += r[i] * r[k - i];
    r[k] = ldexp(phi[k] - s, -1);
  }
  Coeffs x2(n, Interval(0L, bits));  // theta^2 phi/4
  for (std::size_t i = 0; i + 2 < n; ++i) x2[i + 2] = ldexp(phi[i], -2);
  Coeffs A(n, Interval(0L, bits)), P(n, Interval(0L, bits));
  P[0] = Interval(1L, bits);
  Interval b(1L, bits);  // (2j)!/(4^j j!^2)
  for (long j = 0; 2 * std::size_t(j) < n; ++j) {
    if (j > 0) {
      b = b * Rational(2 * j - 1, 2 * j);
      P = mul(P, x2);
    }
    const Interval c = b * Rational(1, 2 * j + 1);
    for (std::size_t i = 0; i < n; ++i) A[i] += c * P[i];
  }
  return mul(r, A);
}

// The disc bound of theory 4.1: |F - 1| <= delta_F on |theta| <= rho for every complex weight of
// modulus <= wd (the w part of phi is bounded term by term, linearly in |w|).
Interval disc_bound(const Interval& rho, const Interval& wd, const Interval& pi) {
  const Interval one(1L, rho.bits());
  const Interval ch = ldexp(exp(rho) + exp(-rho), -1), sh = ldexp(exp(rho) - exp(-rho), -1), rho2 = sqr(rho);
  const Interval d_phi = upper((ch - one - ldexp(rho2, -1)) * Rational(2) / rho2 + wd * (rho * ch - sh) * Rational(2) / (pi * rho2));
  if (!(one - d_phi).is_positive()) throw std::logic_error("depth_constant: |phi - 1| bound >= 1");
  const Interval d_s = upper(one - sqrt(one - d_phi));
  const Interval r = upper(ldexp(rho * (one + d_s), -1));
  if (!(one - r).is_positive()) throw std::logic_error("depth_constant: the arcsine argument may reach 1");
  const Interval d_a = upper(asin(r) / r - one);
  return upper(d_s * (one + d_a) + d_a);
}

}  // namespace

double depth_constant_steps(const Rational& w) {
  return (w < kMinLargeMapWeight ? kSmallWeightStop : 100) * 3 * M_PI / w.convert_to<double>();
}

std::vector<Interval> activation_f_over_theta_series(const Activation& act, std::size_t n, mpfr_prec_t bits) {
  return f_over_theta(Interval(act.map_weight(), bits), Interval::pi(bits), n);
}

DepthConstant depth_constant(const Activation& act, const Theta& theta0, mpfr_prec_t bits, long stop) {
  require(!theta0.is_zero() && theta0.compare_pi_multiple(Rational(0)) > 0 && theta0.compare_pi_multiple(Rational(1)) <= 0,
          "theta0 must lie in (0, pi]");
  require(!act.is_linear(), "the linear activation (alpha = 1) does not decay: its infinite-width map is the identity");
  const Rational wq = act.map_weight();
  const double steps = depth_constant_steps(wq);
  require(steps <= double(kMaxMapSeriesSteps), "C(theta0) of ", act.name(), " (w = (1 - alpha)^2/(1 + alpha^2) = ", to_string(wq),
          ") would take up to ", long(std::ceil(steps)), " steps of the map; map-series --theta0 allows ", kMaxMapSeriesSteps,
          " (w >= ", kMinMapSeriesWeight, ", leaky:ALPHA with ALPHA <= ",
          (1 - std::sqrt(2 * kMinMapSeriesWeight - kMinMapSeriesWeight * kMinMapSeriesWeight)) / (1 - kMinMapSeriesWeight), ")");
  require(!(wq == 2 && theta0.is_pi()), "abs maps antipodal inputs (theta0 = pi) to identical ones: theta^1 = 0");
  // w >= 1/5: m terms of Phi, the coefficients e_0 .. e_{N-1} of E, the Cauchy radius rho = 1/2, and
  // the depth: iterate until theta <= 1/stop (theory 4.1: at 1/100 the tail is below 1e-30 for ReLU).
  // w < 1/5 (theory 4.1, "Small w"): the disc bound scales with w (Schwarz's lemma in the weight on
  // |w| <= 2), rho = 1, stop at theta <= 1/8, m = 30, N = 40, E's coefficients from f_over_theta.
  const bool small = wq < kMinLargeMapWeight;
  if (stop == 0) stop = small ? kSmallWeightStop : 100;
  require(stop >= 5 && stop <= 10000, "depth_constant: stop must lie in 5..10000");
  const int m = small ? 30 : 10, N = small ? 40 : 20;
  const Interval pi = Interval::pi(bits), one(1L, bits), w(wq, bits);
  const Interval a = w / (pi * Rational(3)), p = -(w / (pi * Rational(2))), rho(small ? Rational(1) : Rational(1, 2), bits);
  const Interval theta_stop(Rational(1, stop), bits);
  const bool peaked = wq > 1;

  // ---- the first L steps (Ziv's loop on the first: near pi with w close to 2, 1 - cos f cancels), for
  // w < 1/5 at 2/3 of the precision (the 24 pi/w steps add up rounding errors of about 2^-128 each)
  const mpfr_prec_t it_bits = small ? std::max<mpfr_prec_t>(64, bits * 2 / 3) : bits;
  const Interval pi_it = Interval::pi(it_bits), w_it(wq, it_bits);
  Interval th = theta0.enclose(bits);
  long L = 0;
  const Interval stop_hi = upper(theta_stop);
  auto above_stop = [&] { return mpfr_cmp(&th.get()->right, &stop_hi.get()->right) > 0; };
  if (above_stop()) {
    for (mpfr_prec_t b = bits;; b *= 2) {
      if (b > 64 * bits + 20000)
        throw InputError("theta0 = " + theta0.text + " is too close to pi for " + act.name() + " (theta^1 cancels)");
      const Interval pib = Interval::pi(b), wb(wq, b);
      Interval t1 = step(theta0.enclose(b), wb, pib, peaked);
      if (t1.is_positive() && t1.rel_width() < std::ldexp(1.0, -int(it_bits) + 16)) {
        th = Interval(it_bits);
        mpfi_set(th.get(), t1.get());  // outward rounding to `it_bits`
        break;
      }
    }
    L = 1;
  }
  while (above_stop()) {
    throw_if_stopped();
    th = step(th, w_it, pi_it, peaked);
    ++L;
    if (double(L) > 4 * steps * double(stop) / double(small ? kSmallWeightStop : 100) + 1000.0 * double(stop))
      throw std::logic_error("depth_constant: the iteration does not reach theta <= 1/stop");
  }
  {
    Interval t(bits);
    mpfi_set(t.get(), th.get());
    th = t;
  }
  const Interval u = one / th;

  // ---- E's Taylor coefficients from the exact series of f: F = f/theta = 1 - a theta + ...
  Coeffs F;
  if (small) {
    F = f_over_theta(w, pi, std::size_t(N + 1));
  } else {
    const Series fs = act.is_relu() ? infinite_map_series(N + 1) : activation_map_series(act, N + 1);
    F.assign(std::size_t(N + 1), Interval(0L, bits));
    for (int k = 0; k <= N; ++k) F[std::size_t(k)] = enclose(fs[k + 1], bits);
  }
  const Coeffs iF = inv1(F), lF = log1(F);
  std::vector<Coeffs> Fk{Coeffs(N + 1, Interval(0L, bits))};
  Fk[0][0] = one;
  for (int k = 1; k <= m; ++k) Fk.push_back(mul(Fk.back(), F));
  // E = (1/theta)(1/F - 1) - a - p log F + sum_k q_k theta^k (F^k - 1)
  auto coefficients = [&](const std::vector<Interval>& q) {
    Coeffs e(N, Interval(0L, bits));
    for (int n = 0; n < N; ++n) {
      e[std::size_t(n)] = iF[std::size_t(n + 1)] - p * lF[std::size_t(n)];
      if (n == 0) e[0] -= a;
      for (std::size_t k = 1; k <= q.size(); ++k)
        if (std::size_t(n) > k) e[std::size_t(n)] += q[k - 1] * Fk[k][std::size_t(n) - k];
    }
    return e;
  };
  // q_k cancels theta^{k+1}: q_k enters e_{k+1} as -k a q_k (F^k = 1 - k a theta + ...). The q_k
  // used are exact binary numbers (the midpoints), so e_2 .. e_{m+1} are tiny, not 0.
  std::vector<Interval> q;
  for (int k = 1; k <= m; ++k) {
    Coeffs e = coefficients(q);
    q.push_back(mid_point(e[std::size_t(k + 1)] / (a * Rational(k))));
  }
  Coeffs e = coefficients(q);
  // e_0 = 0 (1/f - 1/theta -> a) and e_1 = 1/(6 pi^2) + p a = 0 exactly (theory 4.1); the enclosures must agree
  if (!e[0].contains_zero() || !e[1].contains_zero()) throw std::logic_error("depth_constant: e_0 or e_1 is not 0");

  // ---- |F - 1| <= delta_F on |theta| <= rho (theory 4.1), M >= max |E| and M_G >= max |G| on |theta| = rho;
  // small w: F - 1 is analytic in the weight on |w'| <= 2 and 0 at w' = 0, so |F - 1| <= (w/2) delta_F(2)
  const Interval d_F = small ? upper(ldexp(disc_bound(rho, Interval(2L, bits), pi) * w, -1)) : disc_bound(rho, w, pi);
  if (!(one - d_F).is_positive()) throw std::logic_error("depth_constant: |F - 1| bound >= 1");
  const Interval M_G = upper(d_F / ((one - d_F) * rho) + a);
  Interval M = M_G + abs_upper(p) * -log(one - d_F);
  for (int k = 1; k <= m; ++k) M += abs_upper(q[std::size_t(k - 1)]) * pow(rho, unsigned(k)) * (pow(one + d_F, unsigned(k)) - one);
  M = upper(M);
  // a necessary check of the disc bound: Cauchy's |e_n| <= M rho^-n for the computed coefficients
  for (int n = 2; n < N; ++n)
    if (!(M / pow(rho, unsigned(n)) - abs_upper(e[std::size_t(n)])).is_positive())
      throw std::logic_error("depth_constant: a Taylor coefficient of E exceeds the Cauchy bound");

  // ---- the tail: theta^l <= theta* = theta^L for l >= L, u_{l+1} - u_l >= a_- = a - M_G theta*/rho, so
  // sum_{l >= L} (theta^l)^n <= S_n = U^-n + U^{1-n}/((n - 1) a_-), U = u_L (lower end)
  const Interval ts = upper(th), U = lower(u);
  const Interval a_minus = lower(a - M_G * ts / rho);
  if (!(a_minus - ldexp(a, -1)).is_positive() || !(rho - ts).is_positive())
    throw std::logic_error("depth_constant: theta^L too large for the tail bound");
  auto S = [&](int n) { return upper(one / pow(U, unsigned(n)) + one / (pow(U, unsigned(n - 1)) * a_minus * Rational(n - 1))); };
  Interval B(0L, bits);
  for (int n = 2; n < N; ++n) B += abs_upper(e[std::size_t(n)]) * S(n);
  B += M / (pow(rho, unsigned(N)) * (one - ts / rho)) * S(N);
  B = upper(B);

  // ---- C = Phi(u_L) - L a - p ln a + [-B, B]  (ReLU: - ln(3 pi)/(2 pi))
  Interval phi = u + p * log(u);
  for (int k = 1; k <= m; ++k) phi += q[std::size_t(k - 1)] / pow(u, unsigned(k));
  Interval C = phi - a * Rational(L) - p * log(a);
  Interval tail(bits);
  mpfi_interv_fr(tail.get(), &(-B).get()->left, &B.get()->right);
  C += tail;
  DepthConstant d{C, L, B.hi_double()};
  return d;
}

DepthConstant depth_constant(const Theta& theta0, mpfr_prec_t bits, long stop) {
  return depth_constant(Activation(), theta0, bits, stop);
}

}  // namespace relumix
