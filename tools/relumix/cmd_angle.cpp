// relumix angle / map-series / decay-series: the angle decay of SPEC section 4.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli.hpp"
#include "relumix/angle/cumulant.hpp"
#include "options.hpp"
#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/depth_constant.hpp"
#include "relumix/angle/report.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/core/error.hpp"

namespace relumix::cli {

namespace {

// The 1/n series is asymptotic (docs/theory.md 5.4): its terms shrink up to order about
// (n - 2.5)/1.35 and grow after. A warning on stderr when the last term is larger than the one before.
void warn_if_diverging(double theta, double n, int K) {
  double mean[kMaxCumulantOrder + 1], var[kMaxCumulantOrder + 1];  // the tabulated coefficients suffice here
  cumulant_table(std::min(theta, M_PI), unsigned(K), mean, var);
  double p = std::pow(n, -K), tm = std::fabs(mean[K]) * p, tv = std::fabs(var[K]) * p;
  double pm = std::fabs(mean[K - 1]) * p * n, pv = std::fabs(var[K - 1]) * p * n;
  if (tm > pm || tv > pv)
    std::cerr << "relumix angle: warning: the 1/n series is not converging at n = " << n << ", order " << K
              << " (the n^-" << K << " term of the " << (tm > pm ? "mean" : "variance") << ", "
              << (tm > pm ? tm : tv) << ", exceeds the n^-" << K - 1 << " term, " << (tm > pm ? pm : pv)
              << "); its terms shrink up to order about clamp(floor((n - 2.5)/1.35), 1, 8) = " << accurate_order(n)
              << "\n";
}

RELUMIX_COMMAND(50, [](CLI::App& app) {
  auto* sub = app.add_subcommand("angle",
      "one layer at finite width n: mu(theta,n) ~ E[ln sin^2 theta'], sigma^2(theta,n) ~ Var[ln sin^2 theta']\n"
      "(the O(1/n) formulas of SPEC section 4) and cos f(theta) = 2 J_{1,1}(theta) (infinite width),\n"
      "all certified to --digits");
  auto width = add_width(sub, "width n of the new layer (without it, for an activation other than relu: infinite width only)", Need::Optional, 2, kMaxExactWidth);
  auto theta = add_theta(sub, "angle in (0, pi]: 0.1, 1e-12, pi/3, pi-1e-4", Need::Required, /*lo_open=*/true);
  auto order = add_order(sub, "order in 1/n: 1 = the paper's O(1/n) form, K >= 2 = the cumulant series through n^-K");
  auto digits = add_digits(sub, 30, kMaxAngleDigits);
  auto activation = add_activation(sub,
      "relu, abs or leaky:ALPHA (ALPHA exact in [-1, 1]): with --width the cumulant series of phi's law through\n"
      "n^-K (--order K; order 1 is the series through 1/n, not the paper's ReLU form); without, the infinite-width cos f(theta)");
  sub->callback([=] {
    const Activation act = activation->value();
    const Theta t = theta->value();
    if (!act.is_relu() && width->given()) {
      const std::uint64_t n = width->value();
      const int K = order->as<int>(), d = digits->as<int>();
      const Json j = angle_json(n, t, d, K, act);
      if (globals().json) { emit(j); return; }
      std::cout << "width n = " << n << ", theta = " << t.text << ", " << act.name() << " (" << j["form"].get<std::string>() << ")\n"
                << "  mu(theta,n)      = " << j["mu"].get<std::string>() << "   ~ E[ln sin^2 theta']\n"
                << "  sigma^2(theta,n) = " << j["sigma2"].get<std::string>() << "   ~ Var[ln sin^2 theta']\n"
                << "  cos f(theta)     = " << j["cos_infinite_width"].get<std::string>() << "   (infinite width)\n";
      return;
    }
    if (!act.is_relu()) {
      order->only_if(false, "with --width");
      const int d = digits->as<int>();
      const Json j = activation_angle_json(act, t, d);
      if (globals().json) { emit(j); return; }
      std::cout << "theta = " << t.text << ", " << act.name() << " (infinite width)\n"
                << "  cos f(theta)     = " << j["cos_infinite_width"].get<std::string>() << "\n";
      return;
    }
    require(width->given(), "--width is required (the width n of the new layer)");
    const std::uint64_t n = width->value();
    const int K = order->as<int>(), d = digits->as<int>();
    const Json j = angle_json(n, t, d, K);
    if (K >= 2) warn_if_diverging(t.to_double(), double(n), K);
    if (globals().json) {
      emit(j);
      return;
    }
    std::cout << "width n = " << n << ", theta = " << t.text << " (" << (K == 1 ? "paper O(1/n) form" : "order " + std::to_string(K)) << ")\n"
              << "  mu(theta,n)      = " << j["mu"].get<std::string>() << "   ~ E[ln sin^2 theta']\n"
              << "  sigma^2(theta,n) = " << j["sigma2"].get<std::string>() << "   ~ Var[ln sin^2 theta']\n"
              << "  cos f(theta)     = " << j["cos_infinite_width"].get<std::string>() << "   (infinite width)\n";
  });
});

RELUMIX_COMMAND(51, [](CLI::App& app) {
  auto* sub = app.add_subcommand("map-series",
      "exact Taylor coefficients at 0 of the infinite-width angle map f, cos f(theta) = 2 J_{1,1}(theta),\n"
      "and its large-depth expansion theta^l = 3pi/l - (9pi/2) ln(l)/l^2 - 9 pi^2 C(theta0)/l^2 + ...");
  auto degree = add_degree(sub, "highest power of theta", 10, 1, kMaxMapSeriesDegree);
  auto theta0 = add_theta0(sub, "also the constant C(theta0) of the depth expansion (proven, 20 digits; leaky:ALPHA up to ALPHA = 0.9729)", Need::Optional);
  auto activation = add_activation(sub,
      "relu, abs or leaky:ALPHA (ALPHA exact in [-1, 1]): the map of phi, cos f = cos theta + w (sin theta - theta cos theta)/pi,\n"
      "w = (1 - ALPHA)^2/(1 + ALPHA^2), and theta^l ~ C_alpha/l with C_alpha = 3 pi/w");
  sub->callback([=] {
    const unsigned k = degree->as<unsigned>();
    const Activation act = activation->value();
    Series f = act.is_relu() ? infinite_map_series(k) : activation_map_series(act, k);
    std::optional<Theta> t0;
    if (theta0->given()) {
      t0 = theta0->value();
      if (act.is_linear()) throw InputError("--theta0: the linear activation (alpha = 1) does not decay: its map is the identity");
    }
    const Json j = act.is_relu() ? map_series_json(f, k, t0) : activation_map_series_json(act, f, k, t0);
    const std::string t0_text = t0 ? t0->text : "";
    if (globals().json) { emit(j); return; }
    if (act.is_relu())
      std::cout << "f(theta) = sum_k c_k theta^k, cos f(theta) = 2 J_{1,1}(theta)\n";
    else
      std::cout << "f(theta) = sum_k c_k theta^k, cos f(theta) = M_{1,1}(theta) / M_{2,0} (" << act.name() << ")\n";
    for (unsigned i = 0; i <= k; ++i) std::cout << "  c_" << i << " = " << f[int(i)].str() << "\n";
    std::cout << "large depth: " << j["large_depth"].get<std::string>() << "\n";
    if (j.contains("C_alpha_over_pi")) std::cout << "  C_alpha = " << j["C_alpha_over_pi"].get<std::string>() << " pi\n";
    if (j.contains("C") && j["C_certified"].get<bool>()) {
      std::cout << "  C(" << t0_text << ") = " << j["C"].get<std::string>() << " (proven: " << j["C_digits"].get<int>()
                << " correct digits)\n";
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
  auto activation = add_activation(sub);
  sub->callback([=] {
    const Activation act = activation->value();
    const unsigned J = degree->as<unsigned>();
    const int d = digits->as<int>();
    require(act.is_relu() || order->given(), "decay-series --activation ", act.name(), " gives the double series c_jk of ",
            "theta^j n^-k: add --order K (0..", kMaxCumulantSeriesOrder, "); the one-width form (--width) is the paper's ReLU formula");
    if (order->given()) {
      require(!width->given(), "give either --width or --order, not both");
      const unsigned K = order->as<unsigned>();
      DecayDoubleSeries ds = decay_double_series(J, K, act);
      if (globals().json) {
        Json j = Json::object();
        if (!act.is_relu()) j["activation"] = act.name();
        j.update(decay_double_series_json(ds, J, K, d));
        emit(j);
        return;
      }
      if (!act.is_relu()) std::cout << "activation " << act.name() << " (normalized moments: D = sin^2 f_alpha)\n";
      std::cout << "mu(theta,n) - ln sin^2 theta = sum c_jk theta^j n^-k;  sigma^2 = sum s_jk theta^j n^-k\n";
      for (unsigned k = 0; k <= K; ++k)
        for (unsigned j = 0; j <= J; ++j)
          std::cout << "  j=" << j << " k=" << k << "  c = " << ds.mu[k][j].str() << "   s = " << ds.sigma2[k][j].str() << "\n";
      return;
    }
    require(width->given(), "decay-series needs --width N (or --order K for the double series)");
    const std::uint64_t n = width->value();
    DecaySeries ds = decay_series(Rational(n), J);
    const Json js = decay_series_json(n, ds, J, d);
    if (globals().json) { emit(js); return; }
    const Json& mu = js["mu"];
    const Json& s2 = js["sigma2"];
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
