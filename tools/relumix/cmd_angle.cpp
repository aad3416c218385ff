// relumix angle / map-series / decay-series: the angle decay of SPEC section 4.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/core/error.hpp"

namespace relumix::cli {

const char* const kLogBasis = "log((n-1)/(n+5))";

std::string log_plus(const QPi& c) {
  std::string r = kLogBasis;
  if (c.is_zero()) return r;
  std::string t = c.str();
  return t[0] == '-' ? r + " - " + t.substr(1) : r + " + " + t;
}

Json terms_json(const QPi& c) {
  Json t = Json::object();
  for (auto& [basis, value] : c.terms()) t[basis] = value;
  return t;
}

// Certified decimal of c (+ log_coeff * log((n-1)/(n+5))).
std::string qpi_value(const QPi& c, int digits, const Rational& n = 0, int log_coeff = 0) {
  if (c.is_zero() && log_coeff == 0) return "0";
  return certify(
      [&](mpfr_prec_t bits) {
        Interval v = enclose(c, bits);
        if (log_coeff) v += log(Interval(n - 1, bits) / Interval(n + 5, bits)) * Rational(log_coeff);
        return v;
      },
      digits);
}

namespace {

RELUMIX_COMMAND(50, [](CLI::App& app) {
  auto* sub = app.add_subcommand("angle",
      "one layer at finite width n: mu(theta,n) ~ E[ln sin^2 theta'], sigma^2(theta,n) ~ Var[ln sin^2 theta']\n"
      "(the O(1/n) formulas of SPEC section 4) and cos f(theta) = 2 J_{1,1}(theta) (infinite width),\n"
      "all certified to --digits");
  auto width = add_width(sub, "width n of the new layer", Need::Required, 2, kMaxExactWidth);
  auto theta = add_theta(sub, "angle in (0, pi]: 0.1, 1e-12, pi/3, pi-1e-4", Need::Required, /*lo_open=*/true);
  auto order = add_order(sub, "order in 1/n: 1 = the paper's O(1/n) form, K >= 2 = the cumulant series through n^-K");
  auto digits = add_digits(sub, 30, kMaxAngleDigits);
  sub->callback([=] {
    const std::uint64_t n = width->value();
    const Theta t = theta->value();
    const int K = order->as<int>(), d = digits->as<int>();
    AngleValues v = angle_values(t, Rational(n), d, K);
    const std::string form = K == 1 ? "paper O(1/n)" : "cumulant series through n^-" + std::to_string(K);
    if (globals().json) {
      emit({{"width", n}, {"theta", t.text}, {"digits", d}, {"order", K}, {"form", form}, {"mu", v.mu},
            {"sigma2", v.sigma2}, {"cos_infinite_width", v.cos_infinite_width}});
      return;
    }
    std::cout << "width n = " << n << ", theta = " << t.text << " (" << (K == 1 ? "paper O(1/n) form" : "order " + std::to_string(K)) << ")\n"
              << "  mu(theta,n)      = " << v.mu << "   ~ E[ln sin^2 theta']\n"
              << "  sigma^2(theta,n) = " << v.sigma2 << "   ~ Var[ln sin^2 theta']\n"
              << "  cos f(theta)     = " << v.cos_infinite_width << "   (infinite width)\n";
  });
});

RELUMIX_COMMAND(51, [](CLI::App& app) {
  auto* sub = app.add_subcommand("map-series",
      "exact Taylor coefficients at 0 of the infinite-width angle map f, cos f(theta) = 2 J_{1,1}(theta),\n"
      "and its large-depth expansion theta^l = 3pi/l - (9pi/2) ln(l)/l^2 - 9 pi^2 C(theta0)/l^2 + ...");
  auto degree = add_degree(sub, "highest power of theta", 10, 1, kMaxMapSeriesDegree);
  auto theta0 = add_theta0(sub, "also estimate the constant C(theta0) of the depth expansion", Need::Optional);
  sub->callback([=] {
    const unsigned k = degree->as<unsigned>();
    Series f = infinite_map_series(k);
    Json j = {{"degree", k}};
    Json coeffs = Json::array();
    for (unsigned i = 0; i <= k; ++i) coeffs.push_back({{"k", i}, {"terms", terms_json(f[int(i)])}});
    j["coefficients"] = coeffs;
    j["large_depth"] = "1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + O(ln(l)/l)";
    std::string t0_text;
    if (theta0->given()) {
      Theta t0 = theta0->value();
      // C is fitted at depth L = 1e6, where 1/theta^l has reached its expansion only if 3 pi/theta0 << L
      require(t0.to_double() >= 1e-3, "--theta0: ", t0.text, " is below 1e-3 (C(theta0) is fitted at depth 1e6, ",
              "where the expansion holds only for theta0 >= 1e-3)");
      t0_text = t0.text;
      j["theta0"] = t0.text;
      // not certified: the fit's error is O(ln l / l); bound it by twice the change from depth L/2 to L,
      // plus the rounding of L double-precision steps (relative 2.2e-16 each, the map contracts)
      const double L = 1e6, c = depth_asymptotics(t0.to_double(), long(L)).C,
                   c2 = depth_asymptotics(t0.to_double(), long(L / 2)).C;
      const double err = 2 * std::fabs(c - c2) + 2.2e-16 * L * (L / (3 * M_PI) + c);
      j["C"] = c;
      j["C_error"] = err;
    }
    if (globals().json) { emit(j); return; }
    std::cout << "f(theta) = sum_k c_k theta^k, cos f(theta) = 2 J_{1,1}(theta)\n";
    for (unsigned i = 0; i <= k; ++i) std::cout << "  c_" << i << " = " << f[int(i)].str() << "\n";
    std::cout << "large depth: " << j["large_depth"].get<std::string>() << "\n";
    if (j.contains("C")) {  // the digits down to the error bound, and the bound
      const double err = j["C_error"].get<double>();
      const int decimals = std::max(0, int(-std::floor(std::log10(err))));
      std::printf("  C(%s) = %.*f +- %.1e (estimated from the fit at depth 1e6, not certified)\n", t0_text.c_str(),
                  decimals, j["C"].get<double>(), err);
    }
  });
});

RELUMIX_COMMAND(52, [](CLI::App& app) {
  auto* sub = app.add_subcommand("decay-series",
      "exact theta-series at 0 of mu(theta,n) - ln sin^2 theta and sigma^2(theta,n) for a width n\n"
      "(coefficients in Q[1/pi], the constant term of mu also has log((n-1)/(n+5))), or with\n"
      "--order K the double series c_{jk} of theta^j n^-k, k <= K");
  auto width = add_width(sub, "width n", Need::Optional, 2, kMaxExactWidth);
  auto degree = add_degree(sub, "highest power of theta", 4, 0, kMaxDecaySeriesDegree);
  auto order = add_integer(sub, "--order", "double series in theta and 1/n through n^-K instead of one width", 0,
                           kMaxCumulantSeriesOrder, Need::Optional);
  auto digits = add_digits(sub, 30, kMaxAngleDigits);
  sub->callback([=] {
    const unsigned J = degree->as<unsigned>();
    const int d = digits->as<int>();
    if (order->given()) {
      require(!width->given(), "give either --width or --order, not both");
      const unsigned K = order->as<unsigned>();
      DecayDoubleSeries ds = decay_double_series(J, K);
      Json mu = Json::array(), s2 = Json::array();
      for (unsigned k = 0; k <= K; ++k)
        for (unsigned j = 0; j <= J; ++j) {
          mu.push_back({{"j", j}, {"k", k}, {"terms", terms_json(ds.mu[k][j])}, {"value", qpi_value(ds.mu[k][j], d)}});
          s2.push_back({{"j", j}, {"k", k}, {"terms", terms_json(ds.sigma2[k][j])}, {"value", qpi_value(ds.sigma2[k][j], d)}});
        }
      if (globals().json) { emit({{"degree", J}, {"order", K}, {"mu", mu}, {"sigma2", s2}}); return; }
      std::cout << "mu(theta,n) - ln sin^2 theta = sum c_jk theta^j n^-k;  sigma^2 = sum s_jk theta^j n^-k\n";
      for (unsigned k = 0; k <= K; ++k)
        for (unsigned j = 0; j <= J; ++j)
          std::cout << "  j=" << j << " k=" << k << "  c = " << ds.mu[k][j].str() << "   s = " << ds.sigma2[k][j].str() << "\n";
      return;
    }
    require(width->given(), "decay-series needs --width N (or --order K for the double series)");
    const std::uint64_t n = width->value();
    DecaySeries ds = decay_series(Rational(n), J);
    Json mu = Json::array(), s2 = Json::array();
    for (unsigned j = 0; j <= J; ++j) {
      Json t = terms_json(ds.mu[j]);
      if (j == 0) t[kLogBasis] = "1";
      mu.push_back({{"j", j}, {"terms", t}, {"value", qpi_value(ds.mu[j], d, ds.n, j == 0 ? 1 : 0)}});
      s2.push_back({{"j", j}, {"terms", terms_json(ds.sigma2[j])}, {"value", qpi_value(ds.sigma2[j], d)}});
    }
    if (globals().json) { emit({{"width", n}, {"degree", J}, {"mu", mu}, {"sigma2", s2}}); return; }
    std::cout << "mu(theta," << n << ") - ln sin^2 theta = sum_j mu_j theta^j;  sigma^2(theta," << n << ") = sum_j s_j theta^j\n";
    for (unsigned j = 0; j <= J; ++j)
      std::cout << "  mu_" << j << " = " << (j == 0 ? log_plus(ds.mu[j]) : ds.mu[j].str()) << "  = "
                << mu[j]["value"].get<std::string>() << "\n";
    for (unsigned j = 0; j <= J; ++j)
      std::cout << "  s_" << j << " = " << ds.sigma2[j].str() << "  = " << s2[j]["value"].get<std::string>() << "\n";
  });
});

}  // namespace
}  // namespace relumix::cli
