#include "relumix/angle/angle.hpp"

#include "relumix/angle/activation_map.hpp"

#include "angle/series_parts.hpp"

#include <cmath>
#include <stdexcept>

#include "relumix/numeric/certify.hpp"
#include "relumix/angle/cumulant.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/moments/moments.hpp"

namespace relumix {

// ---------------------------------------------------------------- infinite width

namespace {
// sin t - t cos t = sum_{k>=1} (-1)^{k+1} 2k t^{2k+1} / (2k+1)!  (no cancellation for small t)
double sin_minus_t_cos(double t) {
  if (t > 0.5) return std::sin(t) - t * std::cos(t);
  double t2 = t * t, term = t * t2 / 6.0, sum = 0;  // term = t^{2k+1}/(2k+1)! at k = 1
  for (int k = 1; k < 30; ++k) {
    double add = (k % 2 ? 1.0 : -1.0) * 2.0 * k * term;
    sum += add;
    if (std::fabs(add) < 1e-18 * std::fabs(sum)) break;
    term *= t2 / double((2 * k + 2) * (2 * k + 3));
  }
  return sum;
}
}  // namespace

double infinite_map(double theta) {
  // below 1e-100 sin^2(theta/2) may underflow (theta < 1e-154 gave f = 0): f = theta - theta^2/(3 pi)
  // + O(theta^3), whose next term is 1e-200 of f there
  if (theta < 1e-100) return theta - theta * theta / (3 * M_PI);
  // 1 - cos f = [2 pi sin^2(theta/2) - (sin theta - theta cos theta)] / pi, both parts positive
  double s = std::sin(theta / 2);
  double u = (2 * M_PI * s * s - sin_minus_t_cos(theta)) / M_PI;
  if (u < 0) u = 0;
  if (u > 2) u = 2;
  return 2 * std::asin(std::sqrt(u / 2));
}

Series infinite_map_series(unsigned order) {
  require(order <= kMaxMapSeriesDegree, "map-series degree ", order, " is too large (at most ", kMaxMapSeriesDegree,
          ": the cost grows like degree^5, 14 s at 80)");
  int N = int(order) + 4;
  // u = 1 - cos f = 1 - 2 J_{1,1}; f = 2 arcsin(sqrt(u/2))
  Series c = moment_series(1, 1, unsigned(N)) * QPi(2);
  Series w = (Series::constant(QPi(1), N + 1) - c) * QPi(Rational(1, 2));  // = theta^2/4 (1 + v)
  Rational lead;
  int val;
  Series v = w.split_leading(lead, val);  // lead = 1/4, val = 2
  Series sq = Series::pow1p(v, Rational(1, 2)).shift(1) * QPi(Rational(1, 2));  // sqrt(w)
  // arcsin x = sum_k (2k)! / (4^k (k!)^2 (2k+1)) x^{2k+1}
  std::vector<Rational> as(std::size_t(N) + 2);
  Rational ck = 1;
  for (int k = 0; 2 * k + 1 < int(as.size()); ++k) {
    if (k) ck = ck * Rational((2 * k - 1) * (2 * k), 4 * k * k);
    as[std::size_t(2 * k + 1)] = ck / (2 * k + 1);
  }
  Series f = Series::compose(as, sq) * QPi(2);
  if (f.precision() < int(order) + 1) throw std::logic_error("map series: precision lost");
  return f.truncate(int(order) + 1);
}

double DepthAsymptotics::theta(double l) const {
  double L = std::log(l);
  return 3 * M_PI / l - 4.5 * M_PI * L / (l * l) - 9 * M_PI * M_PI * C / (l * l);
}

double DepthAsymptotics::theta_reciprocal(double l) const {
  return 1.0 / (l / (3 * M_PI) + std::log(l) / (2 * M_PI) + C);
}

DepthAsymptotics depth_asymptotics(double theta0, long fit_depth) {
  require(theta0 > 0 && theta0 <= M_PI, "theta0 must lie in (0, pi]");
  require(fit_depth >= 10 && fit_depth <= 100000000, "fit depth out of range");
  // 1/theta^l - l/(3 pi) - ln(l)/(2 pi) -> C, with error O(ln l / l)
  long double t = theta0;
  for (long l = 1; l <= fit_depth; ++l) t = infinite_map(double(t));
  DepthAsymptotics d;
  double l = double(fit_depth);
  d.C = 1.0 / double(t) - l / (3 * M_PI) - std::log(l) / (2 * M_PI);
  return d;
}

// ---------------------------------------------------------------- finite width, one layer

namespace {
struct Js {
  Interval j11, j22, j31;
};
Js moments_at(const Theta& t, mpfr_prec_t bits) {
  return {moment_enclosure(closed_form(1, 1), t, bits), moment_enclosure(closed_form(2, 2), t, bits),
          moment_enclosure(closed_form(3, 1), t, bits)};
}
// D, E, K, L of SPEC section 4
struct DEKL {
  Interval D, E, K, L, j22;
};
DEKL dekl(const Theta& t, const Rational& n, mpfr_prec_t bits) {
  Js j = moments_at(t, bits);
  Interval j2 = sqr(j.j11), one(1L, bits);
  DEKL r{one - j2 * Rational(4), j.j22 * Rational(4) + (n - 1),
         j2 * j.j22 * Rational(8) - sqr(j2) * Rational(8) + j2 * Rational(4) - j.j11 * j.j31 * Rational(8) + j.j22 + one,
         j2 * Rational(2) - j.j11 * j.j31 * Rational(4) + j.j22 + one, j.j22};
  return r;
}
void check_n(const Rational& n) { require(n >= 2, "width must be at least 2"); }
void check_order(int order) {
  require(order >= 1 && order <= int(kMaxCumulantOrder),
          "order " + std::to_string(order) + " in 1/n is outside 1.." + std::to_string(kMaxCumulantOrder));
}
}  // namespace

Interval mu_enclosure(const Theta& t, const Rational& n, mpfr_prec_t bits) {
  check_n(n);
  DEKL q = dekl(t, n, bits);
  Interval n1(n - 1, bits);
  // ln((n-1) D / E) + 4n (J22 + 1)/E^2 - 4n K/((n-1)^2 D^2)
  return log(n1 * q.D / q.E) + (q.j22 + Rational(1)) * Rational(4 * n) / sqr(q.E) -
         q.K * Rational(4 * n) / sqr(n1 * q.D);
}

Interval sigma2_enclosure(const Theta& t, const Rational& n, mpfr_prec_t bits) {
  check_n(n);
  DEKL q = dekl(t, n, bits);
  Interval n1(n - 1, bits);
  // 8n (J22 + 1)/E^2 + 8n K/((n-1)^2 D^2) - 16n L/(E (n-1) D)
  return (q.j22 + Rational(1)) * Rational(8 * n) / sqr(q.E) + q.K * Rational(8 * n) / sqr(n1 * q.D) -
         q.L * Rational(16 * n) / (q.E * n1 * q.D);
}

Interval cos_infinite_enclosure(const Theta& t, mpfr_prec_t bits) {
  return moment_enclosure(closed_form(1, 1), t, bits) * Rational(2);
}

AngleValues angle_values(const Theta& t, const Rational& n, int digits, int order) {
  return angle_values(t, n, digits, order, Activation::relu());
}

AngleValues angle_values(const Theta& t, const Rational& n, int digits, int order, const Activation& act) {
  check_n(n);
  check_order(order);
  const bool relu = act.is_relu();
  require(!t.is_zero(), "theta must be positive (ln sin^2 theta diverges at 0)");
  require(digits >= 1 && digits <= 10000, "digits must lie in 1..10000 for angle values");
  AngleValues v;
  if (t.is_pi() && relu) {
    // G' = -G: X Y = 0, so C = 0 and sin^2 theta' = 1 exactly; every order gives 0 (and 2 J11(pi) = 0)
    v.mu = v.sigma2 = v.cos_infinite_width = "0";
    return v;
  }
  // Near 0 and pi the law's parts cancel (D = 1 - 4 J11^2 ~ theta^4): the working precision needs
  // about 8 log2(1/distance) more bits. Distances below 10^-kMaxAngleSmallness are refused up front.
  const long small = theta_edge_bits(t), limit = order == 1 ? kMaxAngleSmallness : kMaxAngleSmallnessSeries;
  require(double(small) <= double(limit) * 3.3219280948873623, "theta = ", t.text, " lies closer to ",
          t.pi_coeff == 0 ? "0" : "pi", " than 1e-", limit, ", the smallest distance angle certifies at order ", order,
          " (near 0, mu = ln sin^2 theta + a theta-series: decay-series)");
  CertifyOptions opt;
  opt.digits = digits;
  opt.max_bits = mpfr_prec_t(20 * digits * 3.3219280948873623 + 40000 + 8 * small);
  auto run = [&](const Enclosure& f) {
    Certified c = certify(f, opt);
    return c.certified ? c.text : c.text + " +- " + c.error;
  };
  unsigned K = unsigned(order);
  if (!relu) {
    v.mu = run([&](mpfr_prec_t b) { return mu_series_enclosure(t, n, K, b, act); });
    v.sigma2 = run([&](mpfr_prec_t b) { return sigma2_series_enclosure(t, n, K, b, act); });
    v.cos_infinite_width = run([&](mpfr_prec_t b) { return activation_cos_map_enclosure(act, t, b); });
    return v;
  }
  v.mu = run([&](mpfr_prec_t b) { return K == 1 ? mu_enclosure(t, n, b) : mu_series_enclosure(t, n, K, b); });
  v.sigma2 = run([&](mpfr_prec_t b) { return K == 1 ? sigma2_enclosure(t, n, b) : sigma2_series_enclosure(t, n, K, b); });
  v.cos_infinite_width = run([&](mpfr_prec_t b) { return cos_infinite_enclosure(t, b); });
  return v;
}

double rho_n(double n) {
  return std::log((n + 5) / (n - 1)) - 10 * n / ((n + 5) * (n + 5)) + 6 * n / ((n - 1) * (n - 1));
}

// ---------------------------------------------------------------- exact series at 0

namespace {

// sin^2 t = sum_{k>=1} (-1)^{k+1} 2^{2k-1} t^{2k} / (2k)!
Series sin2_series(int prec) {
  std::vector<QPi> c(static_cast<std::size_t>(prec));
  Rational f = 1;
  for (int k = 1; 2 * k < prec; ++k) {
    f = f / Rational((2 * k - 1) * (2 * k));
    c[std::size_t(2 * k)] = QPi(f * Rational(Integer(1) << (2 * k - 1)) * (k % 2 ? 1 : -1));
  }
  return Series(0, c, prec);
}

}  // namespace

SeriesParts series_parts(unsigned order) {
  SeriesParts p;
  int N = int(order) + 6;
  p.J11 = moment_series(1, 1, unsigned(N));
  p.J22 = moment_series(2, 2, unsigned(N));
  p.J31 = moment_series(3, 1, unsigned(N));
  Series one = Series::constant(QPi(1), N + 1), J2 = p.J11 * p.J11;
  p.D = one - J2 * QPi(4);
  p.K = J2 * p.J22 * QPi(8) - J2 * J2 * QPi(8) + J2 * QPi(4) - p.J11 * p.J31 * QPi(8) + p.J22 + one;
  p.L = J2 * QPi(2) - p.J11 * p.J31 * QPi(4) + p.J22 + one;
  p.logDs = Series::log1p(p.D / sin2_series(N + 1) - one);
  return p;
}

std::vector<QPi> series_coeffs(const Series& s, unsigned order, const char* what) {
  if (s.valuation() < 0) throw std::logic_error(std::string(what) + ": a pole survived");
  if (s.precision() < int(order) + 1) throw std::logic_error(std::string(what) + ": precision lost");
  std::vector<QPi> c(order + 1);
  for (unsigned j = 0; j <= order; ++j) c[j] = s[int(j)];
  return c;
}

DecaySeries decay_series(const Rational& n, unsigned order) {
  check_n(n);
  require(order <= 60, "decay-series order " + std::to_string(order) + " is too large (at most 60)");
  SeriesParts p = series_parts(order);
  int N = p.D.precision();
  Series one = Series::constant(QPi(1), N), Jp1 = p.J22 + one;
  Series E = p.J22 * QPi(4) + Series::constant(QPi(n - 1), N);
  Series logE_rest = Series::log1p(E * QPi(Rational(1) / (n + 5)) - one);  // ln E - ln(n+5)
  Series invE = E.inverse(), invD = p.D.inverse();
  Rational n1 = n - 1;
  DecaySeries d;
  d.n = n;
  d.order = order;
  // mu - ln sin^2 = ln((n-1)/(n+5)) + ln(D/sin^2) - (ln E - ln(n+5)) + 4n(J22+1)/E^2 - 4nK/((n-1)^2 D^2)
  Series mu = p.logDs - logE_rest + Jp1 * invE * invE * QPi(4 * n) - p.K * invD * invD * QPi(4 * n / (n1 * n1));
  Series s2 = Jp1 * invE * invE * QPi(8 * n) + p.K * invD * invD * QPi(8 * n / (n1 * n1)) -
              p.L * invE * invD * QPi(16 * n / n1);
  d.mu = series_coeffs(mu, order, "decay series of mu");
  d.sigma2 = series_coeffs(s2, order, "decay series of sigma^2");
  return d;
}

DecayDoubleSeries decay_double_series(unsigned order, unsigned n_order, const Activation& act) {
  if (act.is_relu()) return decay_double_series(order, n_order);
  require(order <= 60, "decay-series order " + std::to_string(order) + " is too large (at most 60)");
  require(n_order <= kMaxCumulantSeriesOrder,
          "the 1/n order " + std::to_string(n_order) + " of the decay series is too large (at most " + std::to_string(kMaxCumulantSeriesOrder) + ")");
  require(n_order == 0 || order <= kMaxCumulantSeriesTheta,
          "for another activation the theta order of the decay series is at most " + std::to_string(kMaxCumulantSeriesTheta));
  const int N = int(order) + 6;
  Series one = Series::constant(QPi(1), N + 1), J = normalized_moment_series(act, 1, 1, unsigned(N));
  Series D = one - J * J * QPi(4);
  DecayDoubleSeries d;
  d.order = order;
  d.n_order = n_order;
  d.mu.push_back(series_coeffs(Series::log1p(D / sin2_series(N + 1) - one), order, "c_{j0}"));
  d.sigma2.push_back(std::vector<QPi>(order + 1));
  if (n_order >= 1) {
    CumulantSeries c = cumulant_series(n_order, order, act);
    for (unsigned k = 1; k <= n_order; ++k) {
      d.mu.push_back(c.mean[k]);
      d.sigma2.push_back(c.var[k]);
    }
  }
  return d;
}

DecayDoubleSeries decay_double_series(unsigned order, unsigned n_order) {
  require(order <= 60, "decay-series order " + std::to_string(order) + " is too large (at most 60)");
  require(n_order <= kMaxCumulantSeriesOrder,
          "the 1/n order " + std::to_string(n_order) + " of the decay series is too large (at most " + std::to_string(kMaxCumulantSeriesOrder) + ")");
  require(n_order <= 1 || order <= kMaxCumulantSeriesTheta,
          "with a 1/n order above 1 the theta order of the decay series is at most " + std::to_string(kMaxCumulantSeriesTheta));
  SeriesParts p = series_parts(order);
  int N = p.D.precision();
  Series one = Series::constant(QPi(1), N), invD = p.D.inverse();
  DecayDoubleSeries d;
  d.order = order;
  d.n_order = n_order;
  d.mu.push_back(series_coeffs(p.logDs, order, "c_{j0}"));
  d.sigma2.push_back(std::vector<QPi>(order + 1));
  if (n_order >= 1) {
    // mu_1 = 4 - 4K/D^2 ; sigma_1^2 = 8(J22+1) + 8K/D^2 - 16L/D
    Series KD2 = p.K * invD * invD;
    d.mu.push_back(series_coeffs(one * QPi(4) - KD2 * QPi(4), order, "c_{j1}"));
    d.sigma2.push_back(series_coeffs((p.J22 + one) * QPi(8) + KD2 * QPi(8) - p.L * invD * QPi(16), order, "s_{j1}"));
  }
  if (n_order >= 2) {
    // the cumulant expansion (SPEC section 5); its k = 1 part equals the closed forms above
    CumulantSeries c = cumulant_series(n_order, order);
    if (c.mean[1] != d.mu[1] || c.var[1] != d.sigma2[1])
      throw std::logic_error("decay series: the cumulant expansion disagrees with mu_1, sigma_1^2");
    for (unsigned k = 2; k <= n_order; ++k) {
      d.mu.push_back(c.mean[k]);
      d.sigma2.push_back(c.var[k]);
    }
  }
  return d;
}

}  // namespace relumix
