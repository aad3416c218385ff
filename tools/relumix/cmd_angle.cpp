// relumix angle / map-series / decay-series: the angle decay of SPEC section 4.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
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

constexpr unsigned long kMaxWidthArg = 1000000000000000000UL;

RELUMIX_COMMAND(50, [](CLI::App& app) {
  struct Opts { std::string width, theta, order = "1"; int digits = 30; };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("angle",
      "one layer at finite width n: mu(theta,n) ~ E[ln sin^2 theta'], sigma^2(theta,n) ~ Var[ln sin^2 theta']\n"
      "(the O(1/n) formulas of SPEC section 4) and cos f(theta) = 2 J_{1,1}(theta) (infinite width),\n"
      "all certified to --digits");
  sub->add_option("--width,-n", o->width, "width n of the new layer (integer >= 2)")->required();
  sub->add_option("--theta,-t", o->theta, "angle in (0, pi]: 0.1, 1e-12, pi/3, pi-1e-4")->required();
  sub->add_option("--order,-k", o->order, "1/n order: 1 = the paper's O(1/n) form")->default_val("1");
  add_digits(sub, o->digits, 30, 10000);
  sub->callback([o] {
    unsigned long n = parse_uint(o->width, "--width", kMaxWidthArg);
    require(n >= 2, "--width must be at least 2, got " + o->width);
    int order = int(parse_uint(o->order, "--order", 8));
    require(order >= 1, "--order must be at least 1");
    Theta t = parse_theta_checked(o->theta, true);
    AngleValues v = angle_values(t, Rational(n), o->digits, order);
    if (globals().json) {
      emit({{"width", n}, {"theta", o->theta}, {"digits", o->digits}, {"order", order},
            {"form", order == 1 ? "paper O(1/n)" : "cumulant series through n^-" + std::to_string(order)},
            {"mu", v.mu}, {"sigma2", v.sigma2}, {"cos_infinite_width", v.cos_infinite_width}});
      return;
    }
    std::cout << "width n = " << n << ", theta = " << o->theta << " (" << (order == 1 ? "paper O(1/n) form" : "order " + std::to_string(order)) << ")\n"
              << "  mu(theta,n)      = " << v.mu << "   ~ E[ln sin^2 theta']\n"
              << "  sigma^2(theta,n) = " << v.sigma2 << "   ~ Var[ln sin^2 theta']\n"
              << "  cos f(theta)     = " << v.cos_infinite_width << "   (infinite width)\n";
  });
});

RELUMIX_COMMAND(51, [](CLI::App& app) {
  struct Opts { std::string order = "10", theta0; };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("map-series",
      "exact Taylor coefficients at 0 of the infinite-width angle map f, cos f(theta) = 2 J_{1,1}(theta),\n"
      "and its large-depth expansion theta^l = 3pi/l - (9pi/2) ln(l)/l^2 - 9 pi^2 C(theta0)/l^2 + ...");
  sub->add_option("--order,-k", o->order, "highest power of theta (1..200)")->default_val("10");
  sub->add_option("--theta0", o->theta0, "also estimate the constant C(theta0) of the depth expansion");
  sub->callback([o] {
    unsigned k = unsigned(parse_uint(o->order, "--order", 200));
    Series f = infinite_map_series(k);
    Json j = {{"order", k}};
    Json coeffs = Json::array();
    for (unsigned i = 0; i <= k; ++i) coeffs.push_back({{"k", i}, {"terms", terms_json(f[int(i)])}});
    j["coefficients"] = coeffs;
    j["large_depth"] = "1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + O(ln(l)/l)";
    if (!o->theta0.empty()) {
      Theta t0 = parse_theta_checked(o->theta0, true);
      j["theta0"] = o->theta0;
      j["C"] = depth_asymptotics(t0.to_double()).C;
    }
    if (globals().json) { emit(j); return; }
    std::cout << "f(theta) = sum_k c_k theta^k, cos f(theta) = 2 J_{1,1}(theta)\n";
    for (unsigned i = 0; i <= k; ++i) std::cout << "  c_" << i << " = " << f[int(i)].str() << "\n";
    std::cout << "large depth: " << j["large_depth"].get<std::string>() << "\n";
    if (j.contains("C")) std::printf("  C(%s) = %.12g\n", o->theta0.c_str(), j["C"].get<double>());
  });
});

RELUMIX_COMMAND(52, [](CLI::App& app) {
  struct Opts { std::string width, order = "4", n_order; int digits = 30; };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("decay-series",
      "exact theta-series at 0 of mu(theta,n) - ln sin^2 theta and sigma^2(theta,n) for a width n\n"
      "(coefficients in Q[1/pi], the constant term of mu also has log((n-1)/(n+5))), or with\n"
      "--n-order K the double series c_{jk} of theta^j n^-k");
  sub->add_option("--width,-n", o->width, "width n (integer >= 2)");
  sub->add_option("--order,-j", o->order, "highest power of theta (0..60)")->default_val("4");
  sub->add_option("--n-order", o->n_order, "double series in theta and 1/n up to n^-K instead of one width");
  add_digits(sub, o->digits, 30, 10000);
  sub->callback([o] {
    unsigned J = unsigned(parse_uint(o->order, "--order", 60));
    if (!o->n_order.empty()) {
      require(o->width.empty(), "give either --width or --n-order, not both");
      unsigned K = unsigned(parse_uint(o->n_order, "--n-order", 8));
      DecayDoubleSeries d = decay_double_series(J, K);
      Json mu = Json::array(), s2 = Json::array();
      for (unsigned k = 0; k <= K; ++k)
        for (unsigned j = 0; j <= J; ++j) {
          mu.push_back({{"j", j}, {"k", k}, {"terms", terms_json(d.mu[k][j])}, {"value", qpi_value(d.mu[k][j], o->digits)}});
          s2.push_back({{"j", j}, {"k", k}, {"terms", terms_json(d.sigma2[k][j])}, {"value", qpi_value(d.sigma2[k][j], o->digits)}});
        }
      if (globals().json) { emit({{"order", J}, {"n_order", K}, {"mu", mu}, {"sigma2", s2}}); return; }
      std::cout << "mu(theta,n) - ln sin^2 theta = sum c_jk theta^j n^-k;  sigma^2 = sum s_jk theta^j n^-k\n";
      for (std::size_t i = 0; i < mu.size(); ++i)
        std::cout << "  j=" << mu[i]["j"] << " k=" << mu[i]["k"] << "  c = " << d.mu[mu[i]["k"].get<unsigned>()][mu[i]["j"].get<unsigned>()].str()
                  << "   s = " << d.sigma2[mu[i]["k"].get<unsigned>()][mu[i]["j"].get<unsigned>()].str() << "\n";
      return;
    }
    require(!o->width.empty(), "decay-series needs --width N (or --n-order K)");
    unsigned long n = parse_uint(o->width, "--width", kMaxWidthArg);
    require(n >= 2, "--width must be at least 2, got " + o->width);
    DecaySeries d = decay_series(Rational(n), J);
    Json mu = Json::array(), s2 = Json::array();
    for (unsigned j = 0; j <= J; ++j) {
      Json t = terms_json(d.mu[j]);
      if (j == 0) t[kLogBasis] = "1";
      mu.push_back({{"j", j}, {"terms", t}, {"value", qpi_value(d.mu[j], o->digits, d.n, j == 0 ? 1 : 0)}});
      s2.push_back({{"j", j}, {"terms", terms_json(d.sigma2[j])}, {"value", qpi_value(d.sigma2[j], o->digits)}});
    }
    if (globals().json) { emit({{"width", n}, {"order", J}, {"mu", mu}, {"sigma2", s2}}); return; }
    std::cout << "mu(theta," << n << ") - ln sin^2 theta = sum_j mu_j theta^j;  sigma^2(theta," << n << ") = sum_j s_j theta^j\n";
    for (unsigned j = 0; j <= J; ++j)
      std::cout << "  mu_" << j << " = " << (j == 0 ? log_plus(d.mu[j]) : d.mu[j].str()) << "  = "
                << mu[j]["value"].get<std::string>() << "\n";
    for (unsigned j = 0; j <= J; ++j)
      std::cout << "  s_" << j << " = " << d.sigma2[j].str() << "  = " << s2[j]["value"].get<std::string>() << "\n";
  });
});

}  // namespace
}  // namespace relumix::cli
