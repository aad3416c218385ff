// predict(): the methods dispatched, and architecture screening (predict/predict.hpp).
#include "relumix/predict/predict.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "core/parallel.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/numeric/interval.hpp"
#include "predict/detail.hpp"

#include <flint/flint.h>
#include <mpfr.h>

namespace relumix {

using namespace predict_detail;

// ---------------------------------------------------------------- predict

namespace {
// ln sin^2 theta0 from the exact angle (MPFR), finite for theta0 in (0, pi)
double x_of_theta(const Theta& t) {
  Interval s = sin(t.enclose(160 + mpfr_prec_t(theta_edge_bits(t))));  // pi - 1e-300: sin is 1e-300, not 0
  return log(sqr(s)).mid_double();
}

// The accurate law of layer 1 given theta0 for width n (ln D from x0 where theta0 is small: no
// cancellation); order 0: K(n) (another activation: activation_order(n)).
DensityModel::Step accurate_first_step(const Theta& theta0, double n, int order, const Activation& act) {
  const double t0 = std::min(theta0.to_double(), M_PI);
  if (!act.is_relu()) {
    const int K = order > 0 ? order : activation_order(n);
    double lnD = t0 < 0.5 ? x_of_theta(theta0) + log_d_over_sin2(act, t0) : 2 * std::log(std::sin(activation_map(act, t0)));
    return activation_at(act, t0, lnD, n, K);
  }
  const int K = order > 0 ? order : accurate_order(n);
  double lnD = t0 < 0.5 ? x_of_theta(theta0) + log_d_over_sin2(t0) : 2 * std::log(std::sin(infinite_map(t0)));
  return accurate_at(t0, lnD, n, K);
}

// The accurate model's density model for first width n1: layer 1 given theta0, then the transitions.
DensityModel accurate_density_model(const Theta& theta0, double n1, int order, const Activation& act) {
  const DensityModel::Step s1 = accurate_first_step(theta0, n1, order, act);
  DensityModel dm;
  dm.mean1 = s1.mean, dm.sd1 = s1.sd, dm.survive1 = s1.survive, dm.dmean1 = s1.dmean, dm.dvar1 = s1.dvar;
  dm.wa1 = s1.wa, dm.wb1 = s1.wb, dm.gk1 = s1.gk, dm.obtuse1 = s1.obtuse;
  dm.w_grid = true;
  // phi_alpha takes both signs for alpha != 0, -1: the angle can be obtuse at every layer
  dm.signed_angles = !act.is_relu() && !act.is_abs();
  dm.step = [order, act](double y, long n) { return accurate_step(y, double(n), order, act); };
  return dm;
}
// Another activation: the methods and models that exist for it, and the inputs it can take.
void check_activation(const PredictOptions& opt, const Theta& theta0) {
  const Activation& act = opt.activation;
  if (act.is_relu()) return;
  require(!(act.is_abs() && theta0.is_pi()), "abs maps antipodal inputs (theta0 = pi) to identical ones: theta^1 = 0");
  require(opt.method != PredictMethod::Linear, "the method linear is the paper's ReLU recursion; with --activation ",
          act.name(), " use infinite, full or density");
  require(opt.model == PredictModel::Accurate, "the model ", model_name(opt.model), " is the paper's ReLU formula; with --activation ",
          act.name(), " use the model accurate");
}

// infinite, linear, full: one deterministic state per layer. step(l, n, x, t) turns the state
// after l layers into the state after l + 1 (x = ln sin^2 theta, t = theta; both unset at l = 0).
// Ctrl-C and progress are checked every `every` layers.
template <class Step>
void mean_path(Prediction& P, const std::vector<long>& widths, const PredictOptions& opt, long every, Step&& step) {
  const long L = long(widths.size());
  double x = 0, t = 0;
  P.layers.reserve(std::size_t(L));
  for (long l = 0, check = 0; l < L; ++l) {
    bool poll = --check <= 0;
    if (poll) check = every, throw_if_stopped();
    step(l, double(widths[std::size_t(l)]), x, t);
    LayerPrediction lp;
    lp.layer = int(l + 1);
    lp.mean = x;
    lp.theta_mean = t;
    P.layers.push_back(lp);
    if (opt.progress && (poll || l + 1 == L)) opt.progress(l + 1, L);
  }
}
}  // namespace


PredictOptions effective_options(PredictOptions o) {
  if (o.model != PredictModel::Accurate) o.order = std::max(o.order, 1);
  if (o.model == PredictModel::PaperFull) o.full_mean = o.full_variance = true;
  if (o.method == PredictMethod::Density && o.model == PredictModel::PaperLinear && o.order > 1 && !o.full_mean &&
      !o.full_variance)
    o.full_mean = o.full_variance = true;
  return o;
}

Prediction predict(const std::vector<long>& widths, const Theta& theta0, const PredictOptions& options) {
  check_widths(widths);
  require(options.order >= 0 && options.order <= int(kMaxCumulantOrder),
          "the 1/n order " + std::to_string(options.order) + " is outside 1.." + std::to_string(kMaxCumulantOrder));
  const PredictOptions opt = effective_options(options);
  require(!theta0.is_zero() && theta0.compare_pi_multiple(Rational(0)) > 0 && theta0.compare_pi_multiple(Rational(1)) <= 0,
          "theta0 must lie in (0, pi]");
  const double t0 = std::min(theta0.to_double(), M_PI);
  const bool accurate = opt.model == PredictModel::Accurate;
  // paper models: order 1 unless given; accurate: K(n) per layer unless given (0)
  const int order = opt.order;
  // theta0 > pi/2: the linearized step (a small-angle expansion that sees only sin^2 theta0) does
  // not apply; layer 1 is the one-layer law at theta0 itself (the paper's mu, sigma^2 of the order)
  const bool obtuse = theta0.compare_pi_multiple(Rational(1, 2)) > 0;
  auto x0 = [&] {
    require(!theta0.is_pi() || obtuse, "theta0 = pi");
    return x_of_theta(theta0);
  };
  // mu(theta0, n): directly, or from x0 = ln sin^2 theta0 below kSmallTheta
  auto mu_first = [&](double n) { return t0 < kSmallTheta ? mu_at(t0, x_of_theta(theta0), n, order) : mu_double(t0, n, order); };
  const Activation& act = opt.activation;
  auto accurate_first = [&](double n) { return accurate_first_step(theta0, n, opt.order, act); };

  check_activation(opt, theta0);
  if (!accurate) {  // the paper models' series of order >= 2 are evaluated certified, at a measured cost
                    // per evaluation: refuse up front (the accurate model reads the tabulated coefficients)
    double evals = 0;
    if (opt.method == PredictMethod::Full) evals = double(widths.size());
    if (opt.method == PredictMethod::Density) {
      std::vector<long> distinct(widths.begin() + (widths.size() > 1 ? 1 : 0), widths.end());
      std::sort(distinct.begin(), distinct.end());
      const double kinds = double(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
      evals = double(opt.grid_points) * kinds * ((opt.full_mean ? 1 : 0) + (opt.full_variance ? 1 : 0));
    }
    const double secs = evals * kPredictEvalSeconds[order];
    require(secs <= kMaxPredictSeconds, "the paper model at order ", order, " would take about ", std::lround(secs), " s (",
            std::lround(evals), " evaluations of the order-", order, " series at about ", kPredictEvalSeconds[order] * 1e3,
            " ms each; at most ", kMaxPredictSeconds, " s): use a lower order, fewer layers or grid points, the accurate model ",
            "(tabulated) or the method linear");
  }
  Prediction P;
  P.method = opt.method;
  switch (opt.method) {
    case PredictMethod::Infinite:
      mean_path(P, widths, opt, 4096, [&](long l, double, double& x, double& t) {
        t = act.is_relu() ? infinite_map(l == 0 ? t0 : t) : activation_map(act, l == 0 ? t0 : t);
        x = 2 * std::log(std::sin(t));
      });
      break;
    case PredictMethod::Linear: {
      double x00 = 0;
      if (!obtuse) {
        require(!theta0.is_pi(), "the linearized recursion starts from ln sin^2 theta0 = -inf at theta0 = pi; "
                                 "the methods infinite and full start from theta0 itself");
        x00 = x0();
      }
      mean_path(P, widths, opt, 4096, [&](long l, double n, double& x, double& t) {
        if (l == 0 && obtuse) x = mu_double(t0, n, 1);
        else x = (l == 0 ? x00 : x) - kTwoOver3Pi * (l == 0 ? t0 : t) - rho_n(n);
        t = theta_of_x(x);
      });
      break;
    }
    case PredictMethod::Full:
      if (accurate) {
        mean_path(P, widths, opt, 64, [&](long l, double n, double& x, double& t) {
          x = l == 0 ? accurate_first(n).mean : accurate_step(x, n, opt.order, act).mean;
          t = theta_of_x(x);
        });
      } else {
        mean_path(P, widths, opt, 1, [&](long l, double n, double& x, double& t) {
          x = l == 0 ? mu_first(n) : mu_at(t, x, n, order);
          t = theta_of_x(x);
        });
      }
      break;
    case PredictMethod::Density: {
      DensityModel dm;
      double n1 = double(widths[0]);
      if (accurate) {
        dm = accurate_density_model(theta0, n1, opt.order, act);
      } else {
        const bool fm = opt.model == PredictModel::PaperFull || opt.full_mean;
        const bool fv = opt.model == PredictModel::PaperFull || opt.full_variance;
        const double s1 = std::sqrt(std::max(sigma2_double(std::max(t0, kSmallTheta), n1, order), 0.0));
        dm.mean1 = fm || obtuse ? mu_first(n1) : x0() - kTwoOver3Pi * t0 - rho_n(n1);
        dm.sd1 = fv || obtuse ? s1 : baseline_sd(n1);
        if (fm) dm.mean = [order](double y, long n) { return full_mean(y, double(n), order); };
        else dm.mean = [](double y, long n) { return linear_mean(y, double(n)); };
        if (fv) dm.sd = [order](double y, long n) { return full_sd(y, double(n), order); };
        else dm.sd = [](double, long n) { return baseline_sd(double(n)); };
      }
      P = predict_density(widths, dm, opt);
      break;
    }
  }
  return P;
}

// ---------------------------------------------------------------- architecture screening

std::vector<ScreenResult> screen_architectures(const std::vector<Architecture>& archs, const Theta& theta0,
                                               const PredictOptions& opt) {
  std::vector<ScreenResult> out(archs.size());
  auto ranked = [&] {  // largest mean (least degenerate) first
    std::stable_sort(out.begin(), out.end(), [](const ScreenResult& a, const ScreenResult& b) { return a.mean > b.mean; });
    for (std::size_t k = 0; k < out.size(); ++k) out[k].rank = int(k + 1);
    return out;
  };
  const PredictOptions eo = effective_options(opt);
  if (eo.method == PredictMethod::Density && eo.model == PredictModel::Accurate) {
    require(!theta0.is_zero() && theta0.compare_pi_multiple(Rational(0)) > 0 && theta0.compare_pi_multiple(Rational(1)) <= 0,
            "theta0 must lie in (0, pi]");
    require(eo.order >= 0 && eo.order <= int(kMaxCumulantOrder),
            "the 1/n order " + std::to_string(eo.order) + " is outside 1.." + std::to_string(kMaxCumulantOrder));
    check_activation(eo, theta0);
    auto model_of = [&](long n1) { return accurate_density_model(theta0, double(n1), eo.order, eo.activation); };
    if (screen_density(archs, model_of, eo, out)) return ranked();
  }
  const PredictOptions o = screen_options(opt);
  ScreenProgress progress;
  parallel_for(archs.size(), opt.threads, [&](std::size_t k) {
    throw_if_stopped();
    out[k] = screen_result(archs[k], predict(archs[k].widths, theta0, o));
    progress.tick(opt, long(archs.size()));
  },
  // MPFR and FLINT keep thread-local caches (pi for the exact angle, tables); free them when the worker ends
  [] {
    mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
    flint_cleanup();
  });
  return ranked();
}

}  // namespace relumix
