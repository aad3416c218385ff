#include "relumix/moments/activation.hpp"

#include <mpfr.h>

#include <stdexcept>

#include "core/parallel.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/exact/combinatorics.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/numeric/certify.hpp"

namespace relumix {

// ---------------------------------------------------------------- the activation

namespace {

// At most 40 characters of user text, unprintable bytes shown as '?', for one-line messages.
std::string shown(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, 40)) out += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
  if (text.size() > 40) out += "...";
  return out;
}

double nearest_double(const Rational& q) {
  mpfr_t x;
  mpfr_init2(x, 53);
  mpfr_set_q(x, q.backend().data(), MPFR_RNDN);
  double d = mpfr_get_d(x, MPFR_RNDN);
  mpfr_clear(x);
  return d;
}

// Numerator and denominator both below kMaxActivationSlopeBits bits.
bool small_slope(const Rational& q) {
  using boost::multiprecision::msb;
  return msb(boost::multiprecision::abs(numerator(q)) + 1) < kMaxActivationSlopeBits &&
         msb(denominator(q)) < kMaxActivationSlopeBits;
}

// q^k with 0^0 = 1.
Rational power(const Rational& q, unsigned k) {
  using boost::multiprecision::pow;
  Rational r(pow(numerator(q), k), pow(denominator(q), k));
  return r;
}

}  // namespace

Activation::Activation(const Rational& alpha) : alpha_(alpha) {
  require(alpha >= -1 && alpha <= 1, "activation slope " + to_string(alpha) + " is outside [-1, 1]");
  require(small_slope(alpha),
          "activation slope has too many digits (numerator and denominator at most " +
              std::to_string(kMaxActivationSlopeBits) + " bits)");
  alpha_d_ = nearest_double(alpha);
  w_d_ = nearest_double(map_weight());
  two_minus_w_d_ = nearest_double((1 + alpha) * (1 + alpha) / (1 + alpha * alpha));
}

std::string Activation::name() const {
  if (is_relu()) return "relu";
  if (is_abs()) return "abs";
  return "leaky:" + theta_text(Rational(0), alpha_);  // the exact decimal when it terminates, else p/q
}

Activation parse_activation(std::string_view text) {
  require(text.size() <= kMaxActivationTextLength, "activation '" + shown(text) + "' is too long (at most " +
                                                       std::to_string(kMaxActivationTextLength) + " characters)");
  if (text == "relu") return Activation::relu();
  if (text == "abs") return Activation::abs();
  constexpr std::string_view leaky = "leaky:";
  if (text.substr(0, leaky.size()) != leaky)
    throw InputError("unknown activation '" + shown(text) + "' (use relu, abs or leaky:ALPHA)");
  std::string_view slope = text.substr(leaky.size());
  Rational alpha;
  try {
    alpha = parse_rational(std::string(slope));
  } catch (const InputError&) {
    throw InputError("malformed leaky slope '" + shown(slope) + "' (use a decimal such as 0.01 or a fraction such as 1/10)");
  }
  require(alpha >= -1 && alpha <= 1, "leaky slope " + shown(slope) + " is outside [-1, 1]");
  require(small_slope(alpha),
          "leaky slope " + shown(slope) + " has too many digits (numerator and denominator at most " +
              std::to_string(kMaxActivationSlopeBits) + " bits)");
  return Activation(alpha);
}

// ---------------------------------------------------------------- closed forms

namespace {

void check_order(unsigned a, unsigned b) {
  require(std::size_t(a) + b <= kMaxMomentOrder, "moment order a+b = " + std::to_string(std::size_t(a) + b) +
                                                     " is too large (at most " + std::to_string(kMaxMomentOrder) + ")");
}

// alpha^(a+b) enters every coefficient: its size is bounded.
void check_order(const Activation& act, unsigned a, unsigned b) {
  check_order(a, b);
  using boost::multiprecision::msb;
  const Rational& al = act.alpha();
  if (al == 0) return;
  const unsigned long bits = msb(boost::multiprecision::abs(numerator(al))) + 1 + msb(denominator(al)) + 1;
  const unsigned long n = std::size_t(a) + b;
  require(bits * n <= kMaxActivationPowerBits,
          "moment order a+b = " + std::to_string(n) + " is too large for the slope " + to_string(al) + " (at most " +
              std::to_string(kMaxActivationPowerBits / bits) + " with its " + std::to_string(bits) + " bits)");
}

// lambda and nu of M = lambda J(theta) + nu H(rho), H = E[relu(G)^a G'^b] = c_{a+b} P^Bessel(rho)
// (the reflection J(theta) + (-1)^b J(pi - theta) = H).
struct Reduction {
  Rational same, opposite, lambda, nu;
};
Reduction reduction(const Rational& alpha, unsigned a, unsigned b) {
  Reduction r;
  r.same = 1 + power(-alpha, a + b);
  r.opposite = power(-alpha, a) + power(-alpha, b);
  r.nu = b % 2 ? Rational(-r.opposite) : r.opposite;
  r.lambda = r.same - r.nu;
  return r;
}

// (T_q(x), U_{q-1}(x)) for q = 0..n: cos(q t) = T_q(cos t), sin(q t) = sin t U_{q-1}(cos t), from
// (cos t + i sin t)^q one factor at a time.
void cos_sin_multiples(unsigned n, std::vector<Poly>& T, std::vector<Poly>& U) {
  const Poly x = Poly::x(), one_minus_x2(std::vector<Rational>{1, 0, -1});
  T.assign(n + 1, Poly());
  U.assign(n + 1, Poly());  // U[q] = U_{q-1}; U[0] = 0
  T[0] = Poly(Rational(1));
  for (unsigned q = 0; q < n; ++q) {
    T[q + 1] = x * T[q] - one_minus_x2 * U[q];
    U[q + 1] = T[q] + x * U[q];
  }
}

int sin_quarter_turns(long m) { long r = ((m % 4) + 4) % 4; return r == 1 ? 1 : r == 3 ? -1 : 0; }  // sin(m pi/2)
int cos_quarter_turns(long m) { long r = ((m % 4) + 4) % 4; return r == 0 ? 1 : r == 2 ? -1 : 0; }  // cos(m pi/2)

// Taylor coefficients of p(cos theta) at 0 through theta^order: p(cos t) = sum_m c_m cos(m t) (built by
// multiplying by cos t = (e^{it} + e^{-it})/2 in the cosine basis, Horner style), then
// cos(m t) = sum_j (-1)^j m^(2j) t^(2j) / (2j)!.
std::vector<Rational> cos_poly_taylor(const Poly& p, unsigned order) {
  std::vector<Rational> out(order + 1);
  if (p.is_zero()) return out;
  std::vector<Rational> c;  // cosine modes of the Horner partial sum
  for (int k = p.degree(); k >= 0; --k) {
    throw_if_stopped();
    std::vector<Rational> next(c.size() + 1);
    for (std::size_t m = 0; m < c.size(); ++m) {
      if (c[m] == 0) continue;
      Rational h = c[m] / 2;
      next[m + 1] += h;
      next[m == 0 ? 1 : m - 1] += h;
    }
    next[0] += p[std::size_t(k)];
    while (!next.empty() && next.back() == 0) next.pop_back();
    c = std::move(next);
  }
  // sum_m c_m m^(2j), a running power per mode
  std::vector<Rational> sums(order / 2 + 1);
  if (!c.empty()) sums[0] = c[0];
  for (std::size_t m = 1; m < c.size(); ++m) {
    if (c[m] == 0) continue;
    throw_if_stopped();
    Integer p = 1, m2 = Integer(m) * m;
    for (unsigned j = 0; 2 * j <= order; ++j, p *= m2) sums[j] += c[m] * Rational(p);
  }
  Integer fact = 1;
  for (unsigned j = 0; 2 * j <= order; ++j) {
    if (j) fact *= Integer(2 * j - 1) * (2 * j);
    out[2 * j] = sums[j] / Rational(fact) * (j % 2 ? -1 : 1);
  }
  return out;
}

}  // namespace

ActivationClosedForm activation_closed_form(const Activation& act, unsigned a, unsigned b) {
  check_order(act, a, b);
  Reduction r = reduction(act.alpha(), a, b);
  ActivationClosedForm cf;
  cf.activation = act;
  cf.a = a;
  cf.b = b;
  cf.same = r.same;
  cf.opposite = r.opposite;
  cf.form.a = a;
  cf.form.b = b;
  const ClosedForm& J = closed_form(a, b);
  if (J.even()) {
    // 2 pi H = pi P^Bessel and P_J = P^Bessel (the reflection identity)
    cf.form.P = J.P * r.lambda;
    cf.form.Q = J.Q * r.lambda;
    cf.form.U = J.P * r.nu;
  } else {
    cf.form.R = J.R * r.lambda + bessel_sum_P(a, b) * r.nu;
  }
  return cf;
}

MomentForm piecewise_moment_form_fourier(unsigned a, unsigned b, const Rational& wa, const Rational& wb) {
  check_order(a, b);
  const unsigned n = a + b;
  // I(theta) = int over the circle = theta sum A_q cos(q theta) + pi sum B_q cos(q theta)
  //          + sum C_q cos(q theta) + sum S_q sin(q theta)
  std::vector<Rational> A(n + 1), B(n + 1), C(n + 1), S(n + 1);
  auto add_cos = [&](std::vector<Rational>& v, long q, const Rational& x) { v[std::size_t(q < 0 ? -q : q)] += x; };
  auto add_sin = [&](long q, const Rational& x) {
    if (q > 0) S[std::size_t(q)] += x;
    else if (q < 0) S[std::size_t(-q)] -= x;
  };
  // The four arcs between the sign changes of cos(psi) and cos(psi - theta), theta in [0, pi], with
  // weight 1 on a positive side and weight_k on a negative one:
  //   (-pi/2, theta - pi/2): + -, weight wb;  (theta - pi/2, pi/2): + +, 1;
  //   (pi/2, theta + pi/2):  - +, weight wa;  (theta + pi/2, 3 pi/2): - -, wa wb.
  // A mode cos(m psi - k theta) integrates to [sin(m psi - k theta)]/m: each sign change psi = e theta + h pi/2
  // enters with (weight of the arc ending there) - (weight of the arc starting there).
  struct End { long e, h; Rational c; };
  const End ends[] = {{0, -1, wa * wb - wb}, {1, -1, wb - 1}, {0, 1, 1 - wa}, {1, 1, wa - wa * wb}};
  // m = 0: sum of weight x length = theta (wb - 1 + wa - wa wb) + pi (1 + wa wb)
  const Rational len_theta = -(1 - wa) * (1 - wb), len_pi = 1 + wa * wb;
  const Rational scale = Rational(1) / Rational(boost::multiprecision::pow(Integer(2), n));
  for (unsigned i = 0; i <= a; ++i) {
    throw_if_stopped();
    for (unsigned j = 0; j <= b; ++j) {
      // cos^a(psi) cos^b(psi - theta) = 2^-n sum_{i,j} C(a,i) C(b,j) cos(m psi - k theta)
      const Rational w = scale * Rational(binomial(a, i) * binomial(b, j));
      const long m = long(n) - 2 * long(i) - 2 * long(j), k = long(b) - 2 * long(j);
      if (m == 0) {
        add_cos(A, k, w * len_theta);
        add_cos(B, k, w * len_pi);
        continue;
      }
      // sin(m (e theta + h pi/2) - k theta) = sin(q theta) cos(m h pi/2) + cos(q theta) sin(m h pi/2), q = m e - k
      for (const End& p : ends) {
        if (p.c == 0) continue;
        const Rational y = w * p.c / m;
        const long q = m * p.e - k;
        if (int cs = cos_quarter_turns(m * p.h)) add_sin(q, cs > 0 ? y : Rational(-y));
        if (int sn = sin_quarter_turns(m * p.h)) add_cos(C, q, sn > 0 ? y : Rational(-y));
      }
    }
  }
  static thread_local std::vector<Poly> T, U;  // reused: the largest n so far
  if (T.size() < n + 1) cos_sin_multiples(n, T, U);
  Poly pA, pB, pC, pS;
  for (unsigned q = 0; q <= n; ++q) {
    if (A[q] != 0) pA += T[q] * A[q];
    if (B[q] != 0) pB += T[q] * B[q];
    if (C[q] != 0) pC += T[q] * C[q];
    if (S[q] != 0) pS += U[q] * S[q];
  }
  MomentForm f;
  f.a = a;
  f.b = b;
  if (n % 2 == 0) {
    // 2 pi M = E[R^n] I with E[R^n] = 2^(n/2) (n/2)! for the radius of a standard 2-d Gaussian;
    // -theta P + pi (P + U) + s Q = E[R^n] (theta A + pi B + s S)
    if (!pC.is_zero()) throw std::logic_error("Fourier route: a polynomial part survived (a+b even)");
    Rational er(boost::multiprecision::pow(Integer(2), n / 2) * factorial(n / 2));
    f.P = -(pA * er);
    f.U = (pA + pB) * er;
    f.Q = pS * er;
  } else {
    // E[R^n] = n!! sqrt(2 pi)/2, so sqrt(2 pi) M = n!! I / 2
    if (!pA.is_zero() || !pB.is_zero() || !pS.is_zero())
      throw std::logic_error("Fourier route: a theta, pi or sine part survived (a+b odd)");
    f.R = pC * Rational(double_factorial(int(n)), 2);
  }
  return f;
}

// ---------------------------------------------------------------- exact values

namespace {

// rho and whether sin theta is 0, for the angles with a rational cosine: theta = c pi, c in
// {0, 1/3, 1/2, 2/3, 1} (Niven: no other rational multiple of pi has a rational cosine).
bool rational_cosine(const Theta& t, Rational& rho, bool& sin_zero) {
  if (t.offset != 0) return false;
  const Rational& c = t.pi_coeff;
  sin_zero = c == 0 || c == 1;
  if (c == 0) rho = 1;
  else if (c == Rational(1, 3)) rho = Rational(1, 2);
  else if (c == Rational(1, 2)) rho = 0;
  else if (c == Rational(2, 3)) rho = Rational(-1, 2);
  else if (c == 1) rho = -1;
  else return false;
  return true;
}

bool is_dyadic(const Rational& q) {
  const Integer& d = denominator(q);
  return (d & (d - 1)) == 0;
}

void check_theta(const Theta& t) {
  bool ok = t.compare_pi_multiple(0) >= 0 && t.compare_pi_multiple(1) <= 0;
  require(ok, "angle " + (t.text.empty() ? theta_text(t.pi_coeff, t.offset) : t.text) + " is outside [0, pi]");
}

void check_digits(long digits) {
  require(digits >= 1 && digits <= 100000, "digits must be in 1..100000, got " + std::to_string(digits));
}

}  // namespace

std::string rational_value(const Rational& q, int D) {
  check_digits(D);
  if (q == 0) return "0";
  using boost::multiprecision::pow;
  const Rational x = abs(q);
  auto p10 = [](long k) { return k >= 0 ? Rational(pow(Integer(10), unsigned(k))) : Rational(1) / Rational(pow(Integer(10), unsigned(-k))); };
  // e with 10^(e-1) <= x < 10^e, from the digit counts, then corrected
  long e = long(numerator(x).str().size()) - long(denominator(x).str().size());
  while (x >= p10(e)) ++e;
  while (x < p10(e - 1)) --e;
  Rational y = x * p10(D - e);
  Integer n = numerator(y) / denominator(y);
  Rational rest = y - Rational(n);
  if (rest > Rational(1, 2) || (rest == Rational(1, 2) && n % 2 == 1)) ++n;
  if (n == pow(Integer(10), unsigned(D))) {
    n /= 10;
    ++e;
  }
  return format_decimal(q < 0, n.str(), e);
}

namespace {

// Polynomial with rational coefficients at an interval (Horner).
Interval horner(const Poly& p, const Interval& x) {
  Interval r(0L, x.bits());
  for (int k = p.degree(); k >= 0; --k) {
    r *= x;
    if (p[std::size_t(k)] != 0) r += p[std::size_t(k)];
  }
  return r;
}

// Exponent e with relative width < 2^e; a large value when the interval holds 0 or is unbounded.
long rel_width_exp(const Interval& v) {
  if (!v.is_finite() || v.contains_zero()) return 1L << 40;
  mpfr_t w;
  mpfr_init2(w, 32);
  mpfi_diam_rel(w, v.get());
  long e = mpfr_zero_p(w) ? -(1L << 40) : long(mpfr_get_exp(w));
  mpfr_clear(w);
  return e;
}

Interval exact_enclosure(const Rational& q, mpfr_prec_t bits) {
  if (!is_dyadic(q)) return Interval(q, bits + 2);
  return Interval(q, std::max(bits, mpfr_prec_t(msb(abs(numerator(q)) + 1)) + 2));
}

// M = lambda J(theta) + nu c H(rho), with the working precision raised until the relative width is
// below 2^-bits (the two parts cancel near a zero of M).
Interval enclose_reduced(const Activation& act, unsigned a, unsigned b, const Theta& t, mpfr_prec_t bits) {
  Reduction r = reduction(act.alpha(), a, b);
  const bool even = (a + b) % 2 == 0;
  const ClosedForm& J = closed_form(a, b);
  const Poly H = r.nu == 0 ? Poly() : bessel_sum_P(a, b) * r.nu;
  double guard = 16;
  for (int iter = 0;; ++iter) {
    throw_if_stopped();
    const mpfr_prec_t w = bits + mpfr_prec_t(guard);
    Interval m(0L, w);
    if (r.lambda != 0) m = moment_enclosure(J, t, w) * r.lambda;
    if (!H.is_zero()) {
      Interval h = horner(H, cos(t.enclose(w)));
      if (even) h = ldexp(h, -1);
      else h /= sqrt(ldexp(Interval::pi(w), 1));
      m += h;
    }
    long lw = rel_width_exp(m);
    if (lw <= -long(bits) || iter >= 12) return m;
    if (lw >= (1L << 40)) guard = 2 * guard + 64;  // holds 0: the loss is not measurable yet
    else guard += double(lw + long(bits) + 16);     // measured loss
  }
}

}  // namespace

bool activation_moment_exact(const ActivationClosedForm& cf, const Theta& t, Rational& value) {
  const MomentForm& f = cf.form;
  if (f.is_zero()) {
    value = 0;
    return true;
  }
  if (f.even() && f.P.is_zero() && f.Q.is_zero() && f.U.degree() <= 0) {  // a constant: 2 pi M = pi U
    value = f.U[0] / 2;
    return true;
  }
  Rational rho;
  bool sin_zero = false;
  if (!rational_cosine(t, rho, sin_zero)) return false;
  if (f.even()) {
    // 2 pi M = pi [(1 - c) P(rho) + U(rho)] + sin(theta) Q(rho): rational iff the sine part vanishes
    if (!sin_zero && f.Q(rho) != 0) return false;
    value = ((1 - t.pi_coeff) * f.P(rho) + f.U(rho)) / 2;
    return true;
  }
  if (f.R(rho) != 0) return false;  // a non-zero rational over sqrt(2 pi)
  value = 0;
  return true;
}

Interval activation_moment_enclosure(const Activation& act, unsigned a, unsigned b, const Theta& theta, mpfr_prec_t bits) {
  check_order(act, a, b);
  check_theta(theta);
  Rational q;
  if (activation_moment_exact(activation_closed_form(act, a, b), theta, q)) return exact_enclosure(q, bits);
  return enclose_reduced(act, a, b, theta, bits);
}

namespace {
std::string value_string(const ActivationClosedForm& cf, const Theta& theta, int digits) {
  Rational q;
  if (activation_moment_exact(cf, theta, q)) return rational_value(q, digits);
  return certify([&](mpfr_prec_t bits) { return enclose_reduced(cf.activation, cf.a, cf.b, theta, bits); }, digits);
}
}  // namespace

std::string activation_moment_value(const Activation& act, unsigned a, unsigned b, const Theta& theta, int digits) {
  check_digits(digits);
  check_order(act, a, b);
  check_theta(theta);
  return value_string(activation_closed_form(act, a, b), theta, digits);
}

std::vector<std::string> activation_moment_values(const Activation& act, unsigned a, unsigned b,
                                                  const std::vector<Theta>& thetas, int digits, unsigned threads) {
  check_digits(digits);
  check_order(act, a, b);
  for (const Theta& t : thetas) check_theta(t);
  const ActivationClosedForm cf = activation_closed_form(act, a, b);
  std::vector<std::string> out(thetas.size());
  if (thetas.size() * std::size_t(std::max(digits, 50)) < 2000) threads = 1;  // a few cheap points
  parallel_for(
      thetas.size(), threads, [&](std::size_t i) { out[i] = value_string(cf, thetas[i], digits); },
      [] { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); });  // MPFR's thread-local caches
  return out;
}

// ---------------------------------------------------------------- series at 0

MomentSeries activation_taylor_series(const Activation& act, unsigned a, unsigned b, unsigned order) {
  check_order(act, a, b);
  require(order <= kMaxMomentOrder,
          "series order " + std::to_string(order) + " is too large (at most " + std::to_string(kMaxMomentOrder) + ")");
  Reduction r = reduction(act.alpha(), a, b);
  MomentSeries s;
  s.a = a;
  s.b = b;
  s.order = order;
  s.odd = (a + b) % 2 == 1;
  s.coeffs.assign(order + 1, QPi());
  if (r.lambda != 0) {
    MomentSeries j = taylor_series(a, b, order);
    for (unsigned k = 0; k <= order; ++k) s.coeffs[k] = j.coeffs[k] * r.lambda;
  }
  if (r.nu != 0) {
    // nu H: H = P^Bessel(rho)/2 (a+b even), P^Bessel(rho)/sqrt(2 pi) (a+b odd: the rational is stored)
    std::vector<Rational> h = cos_poly_taylor(bessel_sum_P(a, b), order);
    Rational c = s.odd ? r.nu : r.nu / 2;
    for (unsigned k = 0; k <= order; ++k) s.coeffs[k] += QPi(h[k] * c);
  }
  return s;
}

Series activation_moment_series(const Activation& act, unsigned a, unsigned b, unsigned order) {
  require((a + b) % 2 == 0, "activation_moment_series: a+b must be even (odd moments carry 1/sqrt(2 pi))");
  MomentSeries s = activation_taylor_series(act, a, b, order);
  return Series(0, std::move(s.coeffs), int(order) + 1);
}

namespace {
Rational normalization(const Activation& act, unsigned a, unsigned b) {
  require((a + b) % 2 == 0, "normalized moments need a+b even, got a+b = " + std::to_string(std::size_t(a) + b));
  return Rational(1) / power(1 + act.alpha() * act.alpha(), (a + b) / 2);
}
}  // namespace

Series normalized_moment_series(const Activation& act, unsigned a, unsigned b, unsigned order) {
  Rational k = normalization(act, a, b);
  return activation_moment_series(act, a, b, order) * QPi(k);
}

Interval normalized_moment_enclosure(const Activation& act, unsigned a, unsigned b, const Theta& theta, mpfr_prec_t bits) {
  Rational k = normalization(act, a, b);
  Interval m = activation_moment_enclosure(act, a, b, theta, bits);
  return k == 1 ? m : m * k;
}

// ---------------------------------------------------------------- identities

namespace {

// Taylor series at 0 of p(cos theta), through theta^(prec-1), by the shift p(cos t) = q(v),
// v = 1 - cos t = O(t^2): only q_0..q_{prec/2} enter (a route independent of cos_poly_taylor).
Series cos_poly_shift_series(const Poly& p, int prec) {
  std::vector<QPi> vc(static_cast<std::size_t>(prec));
  Rational f = 1;
  for (int k = 1; 2 * k < prec; ++k) {
    f /= Rational((2 * k - 1) * (2 * k));
    vc[std::size_t(2 * k)] = QPi(k % 2 ? f : Rational(-f));  // 1 - cos t = sum (-1)^(k+1) t^(2k)/(2k)!
  }
  Series v(0, vc, prec), vp = Series::constant(QPi(1), prec), out = Series::zero(prec);
  for (int j = 0; 2 * j < prec; ++j) {
    // q_j = coefficient of v^j in sum_k p_k (1 - v)^k = (-1)^j sum_k p_k C(k, j)
    Rational qj = 0;
    for (int k = j; k <= p.degree(); ++k) qj += p[std::size_t(k)] * Rational(binomial(unsigned(k), unsigned(j)));
    if (j % 2) qj = -qj;
    if (qj != 0) out += vp * QPi(qj);
    vp = vp * v;
  }
  return out;
}

// Taylor series of the form at 0 by series arithmetic: 2 pi M = (pi - theta) P + s Q + pi U.
Series form_series(const MomentForm& f, int prec) {
  if (!f.even()) return cos_poly_shift_series(f.R, prec);
  std::vector<QPi> sc(static_cast<std::size_t>(prec));
  Rational fct = 1;
  for (int k = 0; 2 * k + 1 < prec; ++k) {
    if (k) fct /= Rational((2 * k) * (2 * k + 1));
    sc[std::size_t(2 * k + 1)] = QPi(k % 2 ? Rational(-fct) : fct);
  }
  Series s(0, sc, prec), t = Series::variable(prec);
  Series p = cos_poly_shift_series(f.P, prec), q = cos_poly_shift_series(f.Q, prec), u = cos_poly_shift_series(f.U, prec);
  return (p + u) * QPi(Rational(1, 2)) + (s * q - t * p) * QPi::inv_pi_power(1, Rational(1, 2));
}

// E[G^a G'^b] by Wick's theorem: G' = rho G + s Z, E[G^m] = (m-1)!! (m even), s^2 = 1 - rho^2.
Poly gaussian_moment(unsigned a, unsigned b) {
  const Poly x = Poly::x(), one_minus_x2(std::vector<Rational>{1, 0, -1});
  Poly out;
  for (unsigned k = 0; k <= b; ++k) {
    if ((a + k) % 2 || (b - k) % 2) continue;
    Integer c = binomial(b, k) * double_factorial(int(a + k) - 1) * double_factorial(int(b - k) - 1);
    out += x.pow(k) * one_minus_x2.pow((b - k) / 2) * Rational(c);
  }
  return out;
}

}  // namespace

VerifyReport verify_activation_identities(const Activation& act, unsigned max, const ProgressFn& progress) {
  require(max <= kMaxVerifyOrder, "identity order " + std::to_string(max) + " is too large (at most " +
                                      std::to_string(kMaxVerifyOrder) + ")");
  VerifyReport rep;
  rep.max = max;
  std::vector<std::string> names{"two-routes", "symmetry", "price", "value-0", "value-pi/2", "value-pi", "series"};
  if (act.is_relu()) names.push_back("relu");
  if (act.is_abs()) names.push_back("abs-reflection");
  if (act.is_linear()) names.push_back("linear");
  for (auto& n : names) rep.tallies.push_back({n, 0, 0});
  auto record = [&](const std::string& id, unsigned a, unsigned b, bool ok) {
    for (auto& t : rep.tallies)
      if (t.identity == id) {
        ++t.checked;
        if (!ok) { ++t.failed; rep.failures.push_back({id, a, b}); }
        return;
      }
    throw std::logic_error("verify: unknown identity " + id);
  };
  const Rational& al = act.alpha();
  const Poly x = Poly::x(), one_minus_x2(std::vector<Rational>{1, 0, -1});
  // E[phi^k] = (1 + (-alpha)^k) m_k, with m_k = (k-1)!!/2 (k even; m_0 = 1/2) or (k-1)!!/sqrt(2 pi)
  auto e_rat = [&](unsigned k) { return (1 + power(-al, k)) * Rational(double_factorial(int(k) - 1)); };
  const std::uint64_t total = std::uint64_t(max + 1) * (max + 1);
  std::uint64_t done = 0;
  for (unsigned a = 0; a <= max; ++a) {
    for (unsigned b = 0; b <= max; ++b) {
      throw_if_stopped();
      const unsigned n = a + b;
      const ActivationClosedForm cf = activation_closed_form(act, a, b);
      const MomentForm& m = cf.form;
      const MomentForm f = piecewise_moment_form_fourier(a, b, power(al, a), power(al, b));
      record("two-routes", a, b, m == f);
      if (a < b) {
        MomentForm g = piecewise_moment_form_fourier(b, a, power(al, b), power(al, a));
        g.a = a;
        g.b = b;
        record("symmetry", a, b, g == f);
      }
      const Rational df = Rational(double_factorial(int(n) - 1));
      if (m.even()) {
        // theta = 0: 2 pi M = pi (P + U)(1) = 2 pi (1 + alpha^n) m_n
        record("value-0", a, b, m.P(1) + m.U(1) == e_rat(n));
        // theta = pi/2: 2 pi M = pi P(0)/2 + Q(0) + pi U(0) = 2 pi E[phi^a] E[phi^b]
        bool ok = a % 2 == 0 ? (m.Q(0) == 0 && m.P(0) / 4 + m.U(0) / 2 == e_rat(a) * e_rat(b) / 4)
                             : (m.P(0) / 2 + m.U(0) == 0 && m.Q(0) == e_rat(a) * e_rat(b));
        record("value-pi/2", a, b, ok);
        // theta = pi: G' = -G, M = ((-alpha)^a + (-alpha)^b) m_n, 2 pi M = pi U(-1)
        record("value-pi", a, b, m.U(-1) == cf.opposite * df);
      } else {
        record("value-0", a, b, m.R(1) == e_rat(n));
        record("value-pi/2", a, b, m.R(0) == e_rat(a) * e_rat(b) / 2);
        record("value-pi", a, b, m.R(-1) == cf.opposite * df);
      }
      if (a >= 1 && b >= 1) {
        // Price: d M^alpha_{a,b} / d rho = a b E[g(G) h(G')], g = phi^(a-1) phi' (weight alpha^a on x < 0)
        MomentForm d = piecewise_moment_form_fourier(a - 1, b - 1, power(al, a), power(al, b));
        Rational ab(Integer(a) * b);
        bool ok = m.even() ? m.P.derivative() == d.P * ab && m.U.derivative() == d.U * ab &&
                                 m.P - x * m.Q + one_minus_x2 * m.Q.derivative() == one_minus_x2 * d.Q * ab
                           : m.R.derivative() == d.R * ab;
        record("price", a, b, ok);
      }
      if (a + b <= 60) {
        // the Taylor series through theta^8 against series arithmetic on the Fourier form
        const int prec = 9;
        MomentSeries s = activation_taylor_series(act, a, b, unsigned(prec - 1));
        Series direct = form_series(f, prec);
        bool ok = true;
        for (int k = 0; k < prec; ++k) ok = ok && s.coeffs[std::size_t(k)] == direct[k];
        record("series", a, b, ok);
      }
      if (act.is_relu()) {
        const ClosedForm& J = closed_form(a, b);
        bool ok;
        if (a >= 1 && b >= 1) ok = m.P == J.P && m.Q == J.Q && m.U.is_zero() && m.R == J.R;
        else if (n == 0) ok = m.P.is_zero() && m.Q.is_zero() && m.U == Poly(Rational(2));  // M_{0,0} = 1
        else if (m.even()) ok = m.P.is_zero() && m.Q.is_zero() && m.U == Poly(2 * single_moment_coeff(n));
        else ok = m.R == Poly(single_moment_coeff(n));
        record("relu", a, b, ok);
      }
      if (act.is_abs()) {
        // M(pi - theta) = M(theta): rho -> -rho, (pi - theta) -> pi - (pi - theta)
        bool ok = m.even() ? m.P == -m.P.reflect() && m.Q == m.Q.reflect() && m.P.reflect() + m.U.reflect() == m.U
                           : m.R == m.R.reflect();
        record("abs-reflection", a, b, ok);
      }
      if (act.is_linear()) {
        bool ok = m.even() ? m.P.is_zero() && m.Q.is_zero() && m.U == gaussian_moment(a, b) * Rational(2)
                           : m.R.is_zero();
        record("linear", a, b, ok);
      }
      if (progress) progress(++done, total);
    }
  }
  return rep;
}

}  // namespace relumix
