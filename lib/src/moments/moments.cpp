#include "relumix/moments/moments.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "relumix/exact/combinatorics.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

namespace {

void check_order(unsigned a, unsigned b) {
  require(std::size_t(a) + b <= kMaxMomentOrder,
          "moment order a+b = " + std::to_string(std::size_t(a) + b) + " is too large (at most " +
              std::to_string(kMaxMomentOrder) + ")");
}

// (1 - x^2)^j
Poly one_minus_x2_pow(unsigned j) {
  std::vector<Rational> c(2 * j + 1);
  for (unsigned i = 0; i <= j; ++i) c[2 * i] = Rational(binomial(j, i) * (i % 2 ? -1 : 1));
  return Poly(std::move(c));
}

// The polynomial solution of (1 - x^2) Q' - x Q = F (unique; exists by the theory).
Poly solve_price_ode(const Poly& F) {
  int d = F.degree();
  if (d < 0) return Poly();
  std::vector<Rational> q(std::size_t(d) + 2);
  // coefficient of x^m: (m+1) q_{m+1} - m q_{m-1} = F_m
  for (int m = d; m >= 1; --m) {
    if ((m & 63) == 0) throw_if_stopped();
    q[std::size_t(m - 1)] = (Rational(m + 1) * q[std::size_t(m + 1)] - F[std::size_t(m)]) / m;
  }
  if (q[1] != F[0]) throw std::logic_error("Price ODE has no polynomial solution");
  return Poly(std::move(q));
}

// Antiderivative vanishing at x = -1.
Poly integral_from_minus_one(const Poly& p) {
  Poly r = p.integral();
  return r - Poly(r(Rational(-1)));
}

// Requires the lock; a >= b; (a-1, b-1) computed first by the caller's loop.
ClosedForm compute(unsigned a, unsigned b, const ClosedForm* prev) {
  ClosedForm cf;
  cf.a = a;
  cf.b = b;
  if (cf.even()) {
    cf.P = bessel_sum_P(a, b);
    Poly rhs = b == 0 ? one_minus_x2_pow(a / 2) * Rational(double_factorial(int(a)))
                      : one_minus_x2_pow(1) * prev->Q * Rational(Integer(a) * b);
    cf.Q = solve_price_ode(rhs - cf.P);
  } else {
    Poly deriv = b == 0 ? one_minus_x2_pow((a - 1) / 2) * Rational(double_factorial(int(a)), 2)
                        : prev->R * Rational(Integer(a) * b);
    cf.R = integral_from_minus_one(deriv);
  }
  return cf;
}

}  // namespace

Rational single_moment_coeff(unsigned k) {
  Rational d(double_factorial(int(k) - 1));
  return k % 2 ? d : d / 2;
}

Poly bessel_sum_P(unsigned a, unsigned b) {
  check_order(a, b);
  std::vector<Rational> c(b + 1);
  for (unsigned j = 0; 2 * j <= b; ++j) {
    throw_if_stopped();  // Ctrl-C: an order-2000 form takes a minute
    Integer w = bessel_number(b, j) * double_factorial(int(a + b - 2 * j) - 1);
    // rho^{b-2j} (1 - rho^2)^j
    for (unsigned i = 0; i <= j; ++i) {
      Integer t = w * binomial(j, i);
      if (i % 2) c[b - 2 * j + 2 * i] -= Rational(t);
      else c[b - 2 * j + 2 * i] += Rational(t);
    }
  }
  return Poly(std::move(c));
}

struct ClosedFormCache::Impl {
  std::mutex mu;
  std::map<std::pair<unsigned, unsigned>, std::unique_ptr<ClosedForm>> forms;  // key a >= b
};

ClosedFormCache::ClosedFormCache() : impl_(new Impl) {}
ClosedFormCache::~ClosedFormCache() { delete impl_; }

const ClosedForm& ClosedFormCache::get(unsigned a, unsigned b) {
  check_order(a, b);
  if (a < b) std::swap(a, b);
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto& forms = impl_->forms;
  if (auto it = forms.find({a, b}); it != forms.end()) return *it->second;
  // walk up the Price chain (a-b, 0), (a-b+1, 1), ..., (a, b)
  const ClosedForm* prev = nullptr;
  for (unsigned k = 0; k <= b; ++k) {
    throw_if_stopped();
    std::pair<unsigned, unsigned> key{a - b + k, k};
    auto it = forms.find(key);
    if (it == forms.end()) it = forms.emplace(key, std::make_unique<ClosedForm>(compute(key.first, key.second, prev))).first;
    prev = it->second.get();
  }
  return *prev;
}

const ClosedForm& closed_form(unsigned a, unsigned b) {
  static ClosedFormCache cache;
  return cache.get(a, b);
}

// ---- independent route: Fourier modes ----------------------------------------------

namespace {
// Chebyshev T_q and U_q (U_{-1} = 0) as polynomials in x, q = 0..n.
void chebyshev(unsigned n, std::vector<Poly>& T, std::vector<Poly>& U) {
  T.assign(n + 1, Poly());
  U.assign(n + 1, Poly());
  Poly x2 = Poly::monomial(1, 2);
  T[0] = Poly(Rational(1));
  U[0] = Poly(Rational(1));
  if (n >= 1) { T[1] = Poly::x(); U[1] = x2; }
  for (unsigned q = 2; q <= n; ++q) {
    T[q] = x2 * T[q - 1] - T[q - 2];
    U[q] = x2 * U[q - 1] - U[q - 2];
  }
}
int sin_half_pi(long m) { long r = ((m % 4) + 4) % 4; return r == 1 ? 1 : r == 3 ? -1 : 0; }
int cos_half_pi(long m) { long r = ((m % 4) + 4) % 4; return r == 0 ? 1 : r == 2 ? -1 : 0; }
}  // namespace

ClosedForm closed_form_fourier(unsigned a, unsigned b) {
  check_order(a, b);
  unsigned n = a + b;
  // I(theta) = int_{theta - pi/2}^{pi/2} cos^a(phi) cos^b(phi - theta) dphi
  //          = (pi - theta) sum A_q cos(q theta) + sum C_q cos(q theta) + sum S_q sin(q theta)
  std::vector<Rational> A(n + 1), C(n + 1), S(n + 1);
  auto add_cos = [&](std::vector<Rational>& v, long q, const Rational& w) { v[std::size_t(q < 0 ? -q : q)] += w; };
  auto add_sin = [&](long q, const Rational& w) {
    if (q > 0) S[std::size_t(q)] += w;
    else if (q < 0) S[std::size_t(-q)] -= w;
  };
  Rational scale = Rational(1) / Rational(boost::multiprecision::pow(Integer(2), n));
  for (unsigned i = 0; i <= a; ++i) {
    throw_if_stopped();
    for (unsigned j = 0; j <= b; ++j) {
      Rational w = scale * Rational(binomial(a, i) * binomial(b, j));
      long m = long(n) - 2 * long(i) - 2 * long(j), k = long(b) - 2 * long(j);
      if (m == 0) { add_cos(A, k, w); continue; }
      // Re[e^{-ik theta} (e^{i m pi/2} - e^{i m (theta - pi/2)}) / (i m)]
      //   = [sin(m pi/2 - k theta) - sin((m - k) theta - m pi/2)] / m
      Rational wm = w / m;
      add_cos(C, k, wm * sin_half_pi(m));
      add_sin(k, -wm * cos_half_pi(m));
      add_sin(m - k, -wm * cos_half_pi(m));
      add_cos(C, m - k, wm * sin_half_pi(m));
    }
  }
  std::vector<Poly> T, U;
  chebyshev(n, T, U);
  Poly pA, pC, pS;
  for (unsigned q = 0; q <= n; ++q) {
    if ((q & 15) == 0) throw_if_stopped();
    if (A[q] != 0) pA += T[q] * A[q];
    if (C[q] != 0) pC += T[q] * C[q];
    if (q > 0 && S[q] != 0) pS += U[q - 1] * S[q];
  }
  ClosedForm cf;
  cf.a = a;
  cf.b = b;
  if (n % 2 == 0) {
    // E[R^n] = 2^{n/2} (n/2)! for the radius of a standard 2-d Gaussian; 2 pi J = E[R^n] I
    Rational er(boost::multiprecision::pow(Integer(2), n / 2) * factorial(n / 2));
    if (!pC.is_zero()) throw std::logic_error("Fourier route: non-zero polynomial part");
    cf.P = pA * er;
    cf.Q = pS * er;
  } else {
    // E[R^n] = n!! sqrt(2 pi)/2, so sqrt(2 pi) J = n!! I / 2
    if (!pS.is_zero() || !pA.is_zero()) throw std::logic_error("Fourier route: unexpected odd terms");
    cf.R = pC * Rational(double_factorial(int(n)), 2);
  }
  return cf;
}

// ---- Taylor series at theta = 0 ----------------------------------------------------

namespace {
// p(cos theta) = sum_m alpha_m cos(m theta)
std::vector<Rational> cos_modes(const Poly& p) {
  int d = p.degree();
  std::vector<Rational> alpha(std::size_t(std::max(d, 0)) + 1);
  for (int k = 0; k <= d; ++k) {
    if ((k & 15) == 0) throw_if_stopped();
    if (p[std::size_t(k)] == 0) continue;
    // cos^k = 2^{-k} sum_i C(k, i) cos((k - 2i) theta)
    Rational w = p[std::size_t(k)] / Rational(boost::multiprecision::pow(Integer(2), unsigned(k)));
    for (int i = 0; i <= k; ++i) alpha[std::size_t(std::abs(k - 2 * i))] += w * Rational(binomial(unsigned(k), unsigned(i)));
  }
  return alpha;
}

// sum_m w_m m^k for k = 0..order (exact)
std::vector<Rational> power_sums(const std::vector<Rational>& w, unsigned order) {
  std::vector<Rational> out(order + 1);
  for (std::size_t m = 0; m < w.size(); ++m) {
    throw_if_stopped();
    if (w[m] == 0) continue;
    Integer pw = 1;
    for (unsigned k = 0; k <= order; ++k) {
      out[k] += w[m] * Rational(pw);
      pw *= m;
    }
  }
  return out;
}
}  // namespace

MomentSeries taylor_series(unsigned a, unsigned b, unsigned order) {
  check_order(a, b);
  require(order <= kMaxSeriesDegree, "series degree ", order, " is too large (at most ", kMaxSeriesDegree, ")");
  require(double(a + b) * order <= kMaxSeriesWork, "series of J_{", a, ",", b, "} to degree ", order,
          ": (a + b) x degree = ", double(a + b) * order, " is too large (at most ", kMaxSeriesWork,
          ", about 10 s; docs/cli.md, Errors and limits)");
  const ClosedForm& cf = closed_form(a, b);
  MomentSeries s;
  s.a = a;
  s.b = b;
  s.order = order;
  s.odd = !cf.even();
  s.coeffs.assign(order + 1, QPi());
  std::vector<Rational> fact(order + 2);
  Integer f = 1;
  for (unsigned k = 0; k <= order + 1; ++k) { if (k) f *= k; fact[k] = Rational(f); }
  // even functions of theta: sum alpha_m cos(m theta) -> theta^{2j}: (-1)^j/(2j)! sum alpha_m m^{2j}
  auto cos_series = [&](const Poly& p) {
    std::vector<Rational> ps = power_sums(cos_modes(p), order + 1), out(order + 2);
    for (unsigned k = 0; k <= order + 1; k += 2) out[k] = ps[k] / fact[k] * ((k / 2) % 2 ? -1 : 1);
    return out;
  };
  if (s.odd) {
    std::vector<Rational> r = cos_series(cf.R);
    for (unsigned k = 0; k <= order; ++k) s.coeffs[k] = QPi(r[k]);
    return s;
  }
  // J = P(cos)/2 + [sin Q(cos) - theta P(cos)] / (2 pi)
  std::vector<Rational> p = cos_series(cf.P);
  // sin(theta) Q(cos theta) = sum beta_m sin(theta) cos(m theta) = sum gamma_q sin(q theta)
  std::vector<Rational> beta = cos_modes(cf.Q), gamma(beta.size() + 1);
  for (std::size_t m = 0; m < beta.size(); ++m) {
    // sin(t) cos(m t) = [sin((m+1) t) - sin((m-1) t)] / 2
    gamma[m + 1] += beta[m] / 2;
    if (m >= 1) gamma[m - 1] -= beta[m] / 2;
    else gamma[1] += beta[m] / 2;
  }
  std::vector<Rational> gs = power_sums(gamma, order);
  for (unsigned k = 0; k <= order; ++k) {
    Rational r0 = p[k] / 2, r1 = 0;
    if (k % 2 == 1) r1 += gs[k] / fact[k] * (((k - 1) / 2) % 2 ? -1 : 1);
    if (k >= 1) r1 -= p[k - 1];
    r1 /= 2;
    QPi c(r0);
    c += QPi::inv_pi_power(1, r1);
    s.coeffs[k] = c;
  }
  return s;
}

Series moment_series(unsigned a, unsigned b, unsigned order) {
  require((a + b) % 2 == 0, "moment_series: a+b must be even (odd moments carry 1/sqrt(2 pi))");
  MomentSeries s = taylor_series(a, b, order);
  return Series(0, std::move(s.coeffs), int(order) + 1);
}

Series plain_moment_series(unsigned a, unsigned b, unsigned order) {
  if (a >= 1 && b >= 1) return moment_series(a, b, order);
  unsigned k = a + b;
  require(k % 2 == 0, "plain_moment_series: odd single moments are not in Q[1/pi]");
  return Series::constant(QPi(k == 0 ? Rational(1) : single_moment_coeff(k)), int(order) + 1);
}

}  // namespace relumix
