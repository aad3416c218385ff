#include "relumix/angle/cumulant.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>

#include <flint/flint.h>
#include <mpfr.h>

#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/angle.hpp"
#include "core/parallel.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/exact/series.hpp"

namespace relumix {

namespace {

// ---------------------------------------------------------------- the plan (theta-independent)

using Index = std::array<unsigned, 3>;
unsigned degree(const Index& a) { return a[0] + a[1] + a[2]; }

// Rational polynomials in (d1, d2, d3) = S - m.
using RPoly = std::map<Index, Rational>;
void add_term(RPoly& p, const Index& a, const Rational& v) {
  if (v == 0) return;
  Rational& x = p[a];
  x += v;
  if (x == 0) p.erase(a);
}
// p * q * s, truncated at total degree max_deg
RPoly mul(const RPoly& p, const RPoly& q, unsigned max_deg, const Rational& s = 1) {
  RPoly r;
  for (auto& [a, x] : p)
    for (auto& [b, y] : q) {
      Index c{a[0] + b[0], a[1] + b[1], a[2] + b[2]};
      if (degree(c) <= max_deg) add_term(r, c, x * y * s);
    }
  return r;
}
void add_to(RPoly& acc, const RPoly& p) {
  for (auto& [a, x] : p) add_term(acc, a, x);
}

Integer multi_binomial(const Index& g, const Index& b) {
  return binomial(g[0], b[0]) * binomial(g[1], b[1]) * binomial(g[2], b[2]);
}

// One term of the recursions: coeff * kappa[be] * (mu or nu)[rest]; z = degree(be).
struct Term {
  int be, rest;
  unsigned z;
  Rational coeff;
};
// Part of the Taylor polynomial of g: w^wpow (-2 J)^jpow sum over (pos, coeff) of coeff d^idx[pos]
struct Group {
  unsigned wpow, jpow;
  std::vector<std::pair<int, Rational>> terms;
};

// Everything that does not depend on theta, for an order K in 1/n: the multi-indices of degree
// <= 2K, the moment-cumulant recursion, the Taylor polynomial of g grouped by the powers of
// w = 4/D and of -2 J11 it multiplies, and the product table that squares it.
struct Plan {
  unsigned K = 0, T = 0;
  std::vector<Index> idx;          // ordered by degree; idx[0] = (0,0,0)
  std::vector<std::vector<Term>> recursion;  // recursion[p]: the terms for index p (p >= 1)
  std::vector<Group> groups;       // p = g - ln D
  std::vector<Group> groups2;      // p^2, grouped the same way (series, K <= 4: rational scalings are cheap)
  struct Product { int p, q, r, factor; };  // coefficient r of p^2 += factor c_p c_q
  std::vector<Product> square;     // (for intervals: fewer operations than groups2)
  unsigned max_wpow = 0, max_jpow = 0;
};

Plan make_plan(unsigned K) {
  Plan P;
  P.K = K;
  P.T = 2 * K;  // order n^-K needs the Taylor polynomial to total degree 2K
  const unsigned T = P.T;
  std::map<Index, int> pos;
  for (unsigned d = 0; d <= T; ++d)
    for (unsigned a = 0; a <= d; ++a)
      for (unsigned b = 0; a + b <= d; ++b) {
        pos[{a, b, d - a - b}] = int(P.idx.size());
        P.idx.push_back({a, b, d - a - b});
      }
  // Multivariate moment-cumulant recursion: for alpha = gamma + e_i,
  //   mu_alpha = sum_{beta <= gamma} C(gamma, beta) kappa_{beta + e_i} mu_{gamma - beta}.
  // The same recursion with the cumulants of the mean (kappa_z n^{1-|z|}, none of order 1) gives
  // the central moments of S - m.
  P.recursion.resize(P.idx.size());
  for (std::size_t p = 1; p < P.idx.size(); ++p) {
    const Index& a = P.idx[p];
    unsigned i = a[0] ? 0 : a[1] ? 1 : 2;
    Index g = a;
    --g[i];
    for (unsigned b0 = 0; b0 <= g[0]; ++b0)
      for (unsigned b1 = 0; b1 <= g[1]; ++b1)
        for (unsigned b2 = 0; b2 <= g[2]; ++b2) {
          Index b{b0, b1, b2}, be = b, rest{g[0] - b0, g[1] - b1, g[2] - b2};
          ++be[i];
          P.recursion[p].push_back({pos.at(be), pos.at(rest), degree(be), Rational(multi_binomial(g, b))});
        }
  }
  // g = ln D + ln(1 + w L) - ln(1 + 2 d1) - ln(1 + 2 d2), with
  //   S1 S2 - S3^2 = D/4 + L,  L = L0 - 2 J d3,  L0 = d1/2 + d2/2 + d1 d2 - d3^2,  w = 4/D.
  // p = g - ln D = sum_j c_j [w^j sum_i C(j,i) (-2J)^i L0^{j-i} d3^i - (2 d1)^j - (2 d2)^j],
  // c_j = (-1)^{j+1}/j, grouped by (power of w, power of -2J).
  RPoly L0{{{1, 0, 0}, Rational(1, 2)}, {{0, 1, 0}, Rational(1, 2)}, {{1, 1, 0}, 1}, {{0, 0, 2}, -1}};
  RPoly d3{{{0, 0, 1}, 1}};
  std::vector<RPoly> L0p{{{{0, 0, 0}, 1}}}, d3p{{{{0, 0, 0}, 1}}};
  for (unsigned j = 1; j <= T; ++j) {
    L0p.push_back(mul(L0p.back(), L0, T));
    d3p.push_back(mul(d3p.back(), d3, T));
  }
  std::map<std::pair<unsigned, unsigned>, RPoly> A;
  RPoly rest;
  for (unsigned j = 1; j <= T; ++j) {
    Rational cj(j % 2 ? 1 : -1, j);
    for (unsigned i = 0; i <= j; ++i) add_to(A[{j, i}], mul(L0p[j - i], d3p[i], T, cj * Rational(binomial(j, i))));
    Rational c = -cj * Rational(Integer(1) << j);
    add_term(rest, {j, 0, 0}, c);
    add_term(rest, {0, j, 0}, c);
  }
  A[{0, 0}] = rest;
  std::map<std::pair<unsigned, unsigned>, RPoly> A2;  // only the exact series use it (K <= 4)
  if (K <= kMaxCumulantSeriesOrder)
    for (auto it1 = A.begin(); it1 != A.end(); ++it1)
      for (auto it2 = it1; it2 != A.end(); ++it2)
        add_to(A2[{it1->first.first + it2->first.first, it1->first.second + it2->first.second}],
               mul(it1->second, it2->second, T, it1 == it2 ? 1 : 2));
  auto groups = [&](const std::map<std::pair<unsigned, unsigned>, RPoly>& from, std::vector<Group>& out) {
    for (auto& [key, q] : from) {
      if (q.empty()) continue;
      Group g{key.first, key.second, {}};
      for (auto& [a, x] : q) g.terms.emplace_back(pos.at(a), x);
      P.max_wpow = std::max(P.max_wpow, key.first);
      P.max_jpow = std::max(P.max_jpow, key.second);
      out.push_back(std::move(g));
    }
  };
  groups(A, P.groups);
  groups(A2, P.groups2);
  // p^2 (p has no constant term): products of coefficients p <= q, deg p + deg q <= T
  for (std::size_t p = 1; p < P.idx.size(); ++p)
    for (std::size_t q = p; q < P.idx.size(); ++q) {
      const Index &a = P.idx[p], &b = P.idx[q];
      Index c{a[0] + b[0], a[1] + b[1], a[2] + b[2]};
      if (degree(c) <= T) P.square.push_back({int(p), int(q), pos.at(c), p == q ? 1 : 2});
    }
  return P;
}

const Plan& plan(unsigned K) {
  static std::mutex m;
  static std::map<unsigned, std::unique_ptr<Plan>> plans;
  std::lock_guard<std::mutex> lock(m);
  auto& p = plans[K];
  if (!p) p = std::make_unique<Plan>(make_plan(K));
  return *p;
}

// ---------------------------------------------------------------- evaluation over a ring R

// Ring adaptors: scale by a rational.
Series mulq(const Series& s, const Rational& q) { return s * QPi(q); }
Interval mulq(const Interval& s, const Rational& q) { return s * q; }

// mean_k, var_k for k = 0..K (index 0 is zero), given one = 1, w = 4/D, J = J11 and
// moment(a, b) = M_{a,b} = E[X^a Y^b] (X^0 = 1) in the ring R.
template <class R, class MomentFn>
std::pair<std::vector<R>, std::vector<R>> expand(const Plan& P, const R& one, const R& w, const R& J, MomentFn&& moment) {
  const unsigned K = P.K;
  const std::size_t N = P.idx.size();
  const R zero = mulq(one, Rational(0));
  // raw moments of v = (X^2, Y^2, XY), then joint cumulants
  std::vector<R> mu, kappa(N, zero);
  mu.reserve(N);
  for (auto& a : P.idx) mu.push_back(moment(2 * a[0] + a[2], 2 * a[1] + a[2]));
  for (std::size_t p = 1; p < N; ++p) {
    throw_if_stopped();
    R k = mu[p];
    for (auto& t : P.recursion[p])
      if (std::size_t(t.be) != p) k = k - mulq(kappa[std::size_t(t.be)] * mu[std::size_t(t.rest)], t.coeff);
    kappa[p] = std::move(k);
  }
  // central moments of the mean of n copies, as polynomials in eps = 1/n truncated at eps^K
  std::vector<std::vector<R>> nu(N, std::vector<R>(K + 1, zero));
  nu[0][0] = one;
  for (std::size_t p = 1; p < N; ++p) {
    throw_if_stopped();
    for (auto& t : P.recursion[p]) {
      if (t.z < 2 || t.z - 1 > K) continue;
      R kb = mulq(kappa[std::size_t(t.be)], t.coeff);
      const auto& nr = nu[std::size_t(t.rest)];
      for (unsigned e = 0; e + t.z - 1 <= K; ++e) nu[p][e + t.z - 1] = nu[p][e + t.z - 1] + kb * nr[e];
    }
  }
  std::vector<R> wp{one}, jp{one};
  R m2J = mulq(J, Rational(-2));
  for (unsigned j = 1; j <= P.max_wpow; ++j) wp.push_back(wp.back() * w);
  for (unsigned j = 1; j <= P.max_jpow; ++j) jp.push_back(jp.back() * m2J);
  // the coefficients of the Taylor polynomial p = g - ln D at this angle, and of p^2
  auto combine = [&](const std::vector<Group>& groups) {
    std::vector<R> c(N, zero);
    for (auto& g : groups) {
      R s = wp[g.wpow] * jp[g.jpow];
      for (auto& [p, x] : g.terms) c[std::size_t(p)] = c[std::size_t(p)] + mulq(s, x);
    }
    return c;
  };
  std::vector<R> c1 = combine(P.groups), c2;
  if constexpr (std::is_same_v<R, Interval>) {
    c2.assign(N, zero);
    for (auto& t : P.square) {
      R prod = c1[std::size_t(t.p)] * c1[std::size_t(t.q)];
      c2[std::size_t(t.r)] = c2[std::size_t(t.r)] + (t.factor == 1 ? prod : prod + prod);
    }
  } else {
    c2 = combine(P.groups2);
  }
  // E[p], E[p^2] as polynomials in eps = 1/n
  auto expect = [&](const std::vector<R>& c) {
    std::vector<R> r(K + 1, zero);
    for (std::size_t p = 1; p < N; ++p)
      for (unsigned e = 0; e <= K; ++e) r[e] = r[e] + c[p] * nu[p][e];
    return r;
  };
  std::vector<R> Ep = expect(c1), Ep2 = expect(c2);
  std::vector<R> mean(K + 1, zero), var(K + 1, zero);
  for (unsigned k = 1; k <= K; ++k) {
    mean[k] = Ep[k];
    R sq = zero;
    for (unsigned a = 1; a < k; ++a) sq = sq + Ep[a] * Ep[k - a];
    var[k] = Ep2[k] - sq;
  }
  return {mean, var};
}

void check_order(unsigned K, unsigned max) {
  require(K >= 1 && K <= max, "order " + std::to_string(K) + " in 1/n is outside 1.." + std::to_string(max));
}

void check_theta(const Theta& t) {
  require(t.compare_pi_multiple(0) > 0 && t.compare_pi_multiple(1) <= 0, "theta must lie in (0, pi]");
}

}  // namespace

CumulantEnclosure cumulant_enclosure(const Theta& theta, unsigned K, mpfr_prec_t bits) {
  check_order(K, kMaxCumulantOrder);
  check_theta(theta);
  Interval one(1L, bits), J = moment_enclosure(closed_form(1, 1), theta, bits);
  Interval D = one - sqr(J) * Rational(4);
  Interval w = Interval(4L, bits) / D;
  auto moment = [&](unsigned a, unsigned b) -> Interval {
    if (a == 0 && b == 0) return one;
    if (a == 0 || b == 0) return Interval(single_moment_coeff(a + b), bits);  // a + b even here
    return moment_enclosure(closed_form(a, b), theta, bits);
  };
  auto [mean, var] = expand<Interval>(plan(K), one, w, J, moment);
  return {log(D), mean, var};
}

CumulantEnclosure cumulant_enclosure(const Theta& theta, unsigned K, mpfr_prec_t bits, const Activation& act) {
  if (act.is_relu()) return cumulant_enclosure(theta, K, bits);
  check_order(K, kMaxCumulantOrder);
  check_theta(theta);
  require(!(act.is_abs() && theta.is_pi()), "abs maps antipodal inputs (theta = pi) to identical ones: theta' = 0, ",
          "ln sin^2 theta' = -infinity");
  Interval one(1L, bits), J = normalized_moment_enclosure(act, 1, 1, theta, bits);
  Interval D = one - sqr(J) * Rational(4);
  Interval w = Interval(4L, bits) / D;
  auto moment = [&](unsigned a, unsigned b) -> Interval {
    if (a == 0 && b == 0) return one;
    return normalized_moment_enclosure(act, a, b, theta, bits);  // a + b even here
  };
  auto [mean, var] = expand<Interval>(plan(K), one, w, J, moment);
  return {log(D), mean, var};
}

namespace {
Interval series_sum(const Interval& first, const std::vector<Interval>& c, const Rational& n, unsigned K, mpfr_prec_t bits) {
  require(n >= 2, "width must be at least 2");
  Interval r = first, inv_n = Interval(1L, bits) / Interval(n, bits), p = inv_n;
  for (unsigned k = 1; k <= K; ++k, p *= inv_n) r += c[k] * p;
  return r;
}
}  // namespace

Interval mu_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits) {
  CumulantEnclosure c = cumulant_enclosure(theta, K, bits);
  return series_sum(c.lnD, c.mean, n, K, bits);
}

Interval sigma2_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits) {
  CumulantEnclosure c = cumulant_enclosure(theta, K, bits);
  return series_sum(Interval(0L, bits), c.var, n, K, bits);
}

Interval mu_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits, const Activation& act) {
  CumulantEnclosure c = cumulant_enclosure(theta, K, bits, act);
  return series_sum(c.lnD, c.mean, n, K, bits);
}

Interval sigma2_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits,
                                 const Activation& act) {
  CumulantEnclosure c = cumulant_enclosure(theta, K, bits, act);
  return series_sum(Interval(0L, bits), c.var, n, K, bits);
}

CumulantValues cumulant_double(double theta, unsigned K) { return cumulant_double(theta, K, Activation::relu()); }

CumulantValues cumulant_double(double theta, unsigned K, const Activation& act) {
  check_order(K, kMaxCumulantOrder);
  require(std::isfinite(theta) && theta > 0 && theta <= M_PI, "theta must lie in (0, pi]");
  require(!(act.is_abs() && theta == M_PI), "abs maps antipodal inputs (theta = pi) to identical ones");
  // the last few angles asked for on this thread (mean and sd of one grid point share one)
  struct Recent { Rational alpha; CumulantValues v; };
  thread_local std::vector<Recent> recent;
  for (auto& r : recent)
    if (r.v.theta == theta && r.v.K == K && r.alpha == act.alpha()) return r.v;
  const Theta t = exact_theta(theta);
  // the sums cancel like w^(2K) = (4/D)^(2K), D ~ sin^2 theta for small theta (and, for abs, for
  // theta near pi) (log2(4/s^2) as 2 - 2 log2 s: s^2 underflows below theta ~ 1e-154)
  const double s = std::sin(act.is_abs() ? std::min(theta, M_PI - theta) : std::min(theta, M_PI / 2));
  mpfr_prec_t bits = 96 + mpfr_prec_t(2 * K * std::max(0.0, 2 - 2 * std::log2(s)));
  CumulantValues v;
  v.theta = theta;
  v.K = K;
  v.mean.assign(K + 1, 0.0);
  v.var.assign(K + 1, 0.0);
  // the double nearest pi stands for pi, where every ReLU coefficient is 0 (X Y = 0, sin^2 theta' = 1)
  for (; !(act.is_relu() && theta == M_PI); bits *= 2) {
    CumulantEnclosure c = cumulant_enclosure(theta == M_PI ? Theta{1, 0, "pi"} : t, K, bits, act);
    auto tight = [](const Interval& x) {
      return x.is_finite() && x.hi_double() - x.lo_double() <= 1e-15 * std::max(std::fabs(x.lo_double()), std::fabs(x.hi_double()));
    };
    bool ok = tight(c.lnD);
    for (unsigned k = 1; k <= K; ++k) ok = ok && tight(c.mean[k]) && tight(c.var[k]);
    if (!ok && bits < 8192) continue;
    if (!c.lnD.is_finite()) throw std::runtime_error("cumulant coefficients: no finite enclosure");
    v.lnD = c.lnD.mid_double();
    for (unsigned k = 1; k <= K; ++k) v.mean[k] = c.mean[k].mid_double(), v.var[k] = c.var[k].mid_double();
    break;
  }
  if (recent.size() >= 4) recent.erase(recent.begin());
  recent.push_back({act.alpha(), v});
  return v;
}

double CumulantValues::mu(double n) const {
  double r = 0, p = 1;
  for (unsigned k = 1; k <= K; ++k) p /= n, r += mean[k] * p;
  return lnD + r;
}

double CumulantValues::sigma2(double n) const {
  double r = 0, p = 1;
  for (unsigned k = 1; k <= K; ++k) p /= n, r += var[k] * p;
  return r;
}

namespace {
#include "cumulant_table.inc"

// sum_j c[j] T_j(x), j < n, by Clenshaw's recurrence (the tables' evaluation)
double clenshaw(const double* c, int n, double x) {
  const double x2 = 2 * x;
  double b1 = 0, b2 = 0;
  for (int j = n - 1; j >= 1; --j) {
    double t = std::fma(x2, b1, c[j] - b2);
    b2 = b1;
    b1 = t;
  }
  return std::fma(x, b1, c[0] - b2);
}
static_assert(kCumTableOrder == int(kMaxCumulantOrder), "regenerate cumulant_table.inc for this order");
}  // namespace

void cumulant_table(double theta, unsigned K, double* mean, double* var) {
  check_order(K, kMaxCumulantOrder);
  require(theta >= 0 && theta <= M_PI, "theta must lie in [0, pi]");
  int p = 0;
  while (p + 1 < kCumTablePieces && theta > kCumTableCuts[p + 1]) ++p;
  const double a = kCumTableCuts[p], b = kCumTableCuts[p + 1];
  const double x = std::clamp((2 * theta - a - b) / (b - a), -1.0, 1.0);
  mean[0] = var[0] = 0;
  for (unsigned k = 1; k <= K; ++k)
    for (int v = 0; v < 2; ++v) (v ? var : mean)[k] = clenshaw(kCumTable[p][2 * (k - 1) + unsigned(v)], kCumTableTerms, x);
}

namespace {
// Chebyshev interpolants of mean_k, var_k of one activation and order on pieces of its domain.
struct ActivationTable {
  static constexpr int kNodes = 28;
  std::vector<double> cuts;                            // piece p is [cuts[p], cuts[p + 1]]
  std::vector<std::vector<std::vector<double>>> coef;  // coef[p][2 (k - 1) + v][j]
  double error = 0;
};

ActivationTable build_activation_table(const Activation& act, unsigned K, unsigned threads) {
  ActivationTable T;
  T.cuts = act.is_abs() ? std::vector<double>{0, 0.45, 1.0, M_PI / 2} : std::vector<double>{0, 0.45, 1.0, 1.7, 2.4, M_PI};
  const int P = int(T.cuts.size()) - 1, N = ActivationTable::kNodes;
  std::vector<CumulantValues> at(std::size_t(P * N));
  parallel_for(at.size(), threads, [&](std::size_t i) {
    const int p = int(i) / N, j = int(i) % N;
    const double a = T.cuts[std::size_t(p)], b = T.cuts[std::size_t(p) + 1];
    const double x = std::cos(M_PI * (j + 0.5) / N);  // Chebyshev nodes of the first kind
    at[i] = cumulant_double(0.5 * (a + b) + 0.5 * (b - a) * x, K, act);
  }, [] {
    mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
    flint_cleanup();
  });
  T.coef.assign(std::size_t(P), std::vector<std::vector<double>>(2 * K, std::vector<double>(std::size_t(N))));
  for (int p = 0; p < P; ++p)
    for (unsigned k = 1; k <= K; ++k)
      for (int v = 0; v < 2; ++v) {
        auto& c = T.coef[std::size_t(p)][2 * (k - 1) + unsigned(v)];
        double top = 0;
        for (int m = 0; m < N; ++m) {
          double s = 0;
          for (int j = 0; j < N; ++j) {
            const CumulantValues& cv = at[std::size_t(p * N + j)];
            s += (v ? cv.var[k] : cv.mean[k]) * std::cos(M_PI * m * (j + 0.5) / N);
          }
          c[std::size_t(m)] = (m == 0 ? 1.0 : 2.0) * s / N;
          top = std::max(top, std::fabs(c[std::size_t(m)]));
        }
        if (top > 0) T.error = std::max(T.error, (std::fabs(c[std::size_t(N - 1)]) + std::fabs(c[std::size_t(N - 2)])) / top);
      }
  return T;
}
}  // namespace

void activation_cumulant_table(const Activation& act, double theta, unsigned K, double* mean, double* var, unsigned threads,
                               double* interpolation_error) {
  if (act.is_relu()) {
    cumulant_table(theta, K, mean, var);
    if (interpolation_error) *interpolation_error = 0;
    return;
  }
  check_order(K, kMaxCumulantOrder);
  require(theta >= 0 && theta <= M_PI, "theta must lie in [0, pi]");
  static std::mutex mu;
  static std::map<std::pair<Rational, unsigned>, std::shared_ptr<const ActivationTable>> tables;
  std::shared_ptr<const ActivationTable> T;
  {
    std::lock_guard<std::mutex> lock(mu);  // one build at a time (the build itself runs in parallel)
    auto& slot = tables[{act.alpha(), K}];
    if (!slot) slot = std::make_shared<const ActivationTable>(build_activation_table(act, K, threads));
    T = slot;
  }
  if (interpolation_error) *interpolation_error = T->error;
  if (act.is_abs()) theta = std::min(theta, M_PI - theta);
  const int P = int(T->cuts.size()) - 1, N = ActivationTable::kNodes;
  int p = 0;
  while (p + 1 < P && theta > T->cuts[std::size_t(p) + 1]) ++p;
  const double a = T->cuts[std::size_t(p)], b = T->cuts[std::size_t(p) + 1];
  const double x = std::clamp((2 * theta - a - b) / (b - a), -1.0, 1.0);
  mean[0] = var[0] = 0;
  for (unsigned k = 1; k <= K; ++k)
    for (int v = 0; v < 2; ++v) (v ? var : mean)[k] = clenshaw(T->coef[std::size_t(p)][2 * (k - 1) + unsigned(v)].data(), N, x);
}

double log_d_over_sin2(const Activation& act, double theta) {
  if (theta < 1e-8) return -2.0 * act.map_weight_double() / (3.0 * M_PI) * theta;
  return 2 * std::log(std::sin(activation_map(act, theta)) / std::sin(theta));
}

double log_d_over_sin2(double theta) {
  if (theta < 1e-8) return -2.0 / (3.0 * M_PI) * theta;
  return 2 * std::log(std::sin(infinite_map(theta)) / std::sin(theta));
}

CumulantSeries cumulant_series(unsigned K, unsigned order) { return cumulant_series(K, order, Activation::relu()); }

CumulantSeries cumulant_series(unsigned K, unsigned order, const Activation& act) {
  check_order(K, kMaxCumulantSeriesOrder);
  require(order <= kMaxCumulantSeriesTheta,
          "theta order " + std::to_string(order) + " is too large (at most " + std::to_string(kMaxCumulantSeriesTheta) + ")");
  // w^j for j <= 2K has a pole of order 4K at 0 (D ~ theta^2): carry that many extra terms
  unsigned N = order + 4 * K + 2;
  const bool relu = act.is_relu();
  Series one = Series::constant(QPi(1), int(N) + 1);
  Series J = relu ? moment_series(1, 1, N) : normalized_moment_series(act, 1, 1, N);
  Series D = one - J * J * QPi(4);
  Series w = D.inverse() * QPi(4);
  auto moment = [&](unsigned a, unsigned b) {
    return relu ? plain_moment_series(a, b, N) : normalized_moment_series(act, a, b, N);
  };
  auto [mean, var] = expand<Series>(plan(K), one, w, J, moment);
  CumulantSeries s;
  s.K = K;
  s.order = order;
  s.mean.assign(K + 1, std::vector<QPi>(order + 1));
  s.var.assign(K + 1, std::vector<QPi>(order + 1));
  for (unsigned k = 1; k <= K; ++k) {
    for (const Series* x : {&mean[k], &var[k]}) {
      if (x->valuation() < 0) throw std::logic_error("cumulant series: a pole of 1/D did not cancel");
      if (x->precision() < int(order) + 1) throw std::logic_error("cumulant series: precision lost");
    }
    for (unsigned j = 0; j <= order; ++j) {
      s.mean[k][j] = mean[k][int(j)];
      s.var[k][j] = var[k][int(j)];
    }
  }
  return s;
}

}  // namespace relumix
