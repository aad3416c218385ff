// JSON bodies of the angle layer's reports (angle/report.hpp).
#include "relumix/angle/report.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/depth_constant.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/numeric/certify.hpp"

namespace relumix {

using Json = nlohmann::ordered_json;

const char* const kDecayLogBasis = "log((n-1)/(n+5))";

std::string log_plus(const QPi& c) {
  std::string r = kDecayLogBasis;
  if (c.is_zero()) return r;
  std::string t = c.str();
  return t[0] == '-' ? r + " - " + t.substr(1) : r + " + " + t;
}

Json qpi_terms_json(const QPi& c) {
  Json t = Json::object();
  for (auto& [basis, value] : c.terms()) t[basis] = value;
  return t;
}

std::string qpi_value(const QPi& c, int digits, const Rational& n, int log_coeff) {
  if (c.is_zero() && log_coeff == 0) return "0";
  return certify(
      [&](mpfr_prec_t bits) {
        Interval v = enclose(c, bits);
        if (log_coeff) v += log(Interval(n - 1, bits) / Interval(n + 5, bits)) * Rational(log_coeff);
        return v;
      },
      digits);
}

Json angle_json(std::uint64_t width, const Theta& theta, int digits, int order) {
  AngleValues v = angle_values(theta, Rational(width), digits, order);
  const std::string form = order == 1 ? "paper O(1/n)" : "cumulant series through n^-" + std::to_string(order);
  return {{"width", width}, {"theta", theta.text}, {"digits", digits}, {"order", order}, {"form", form},
          {"mu", v.mu}, {"sigma2", v.sigma2}, {"cos_infinite_width", v.cos_infinite_width}};
}

namespace {
// C(theta0) proven (theory 4.1): the enclosure is about 1e-30 wide; its common rounding to
// kMapSeriesCDigits significant digits (fewer in the rare case that it straddles a rounding boundary)
void proven_constant(Json& j, const Activation& act, const Theta& theta0) {
  const DepthConstant d = depth_constant(act, theta0);
  std::optional<std::string> text;
  int digits = kMapSeriesCDigits;
  for (; digits >= 1; --digits)
    if ((text = round_interval(&d.C.get()->left, &d.C.get()->right, digits))) break;
  if (!text) throw std::logic_error("map-series: the enclosure of C(theta0) decides no digit");
  j["C"] = *text;
  j["C_certified"] = true;
  j["C_digits"] = digits;
}
}  // namespace

Json map_series_json(const Series& f, unsigned degree, const std::optional<Theta>& theta0) {
  Json j = {{"degree", degree}};
  Json coeffs = Json::array();
  for (unsigned i = 0; i <= degree; ++i) coeffs.push_back({{"k", i}, {"terms", qpi_terms_json(f[int(i)])}});
  j["coefficients"] = coeffs;
  j["large_depth"] = "1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + O(ln(l)/l)";
  if (theta0) {
    j["theta0"] = theta0->text;
    proven_constant(j, Activation(), *theta0);
  }
  return j;
}

Json activation_map_series_json(const Activation& act, const Series& f, unsigned degree,
                                const std::optional<Theta>& theta0) {
  Json j = {{"activation", act.name()}, {"degree", degree}};
  Json coeffs = Json::array();
  for (unsigned i = 0; i <= degree; ++i) coeffs.push_back({{"k", i}, {"terms", qpi_terms_json(f[int(i)])}});
  j["coefficients"] = coeffs;
  if (act.is_linear()) {
    require(!theta0, "the linear activation (alpha = 1) does not decay: its infinite-width map is the identity");
    j["large_depth"] = "none: f(theta) = theta (alpha = 1)";
    return j;
  }
  const Rational w = act.map_weight();
  auto over_pi = [](const Rational& q) {  // "q/pi" as "p/(d pi)"
    const Integer num = numerator(q), den = denominator(q);
    return num.str() + "/" + (den == 1 ? std::string("pi") : "(" + den.str() + " pi)");
  };
  j["large_depth"] = "1/theta^l = " + over_pi(w / 3) + " l + " + over_pi(w / 2) +
                     " ln(l) + C(theta0) + O(ln(l)/l); theta^l ~ C_alpha/l";
  j["C_alpha_over_pi"] = to_string(Rational(3 / w));
  if (theta0) {
    j["theta0"] = theta0->text;
    proven_constant(j, act, *theta0);
  }
  return j;
}

Json angle_json(std::uint64_t width, const Theta& theta, int digits, int order, const Activation& act) {
  if (act.is_relu()) return angle_json(width, theta, digits, order);
  AngleValues v = angle_values(theta, Rational(width), digits, order, act);
  return {{"activation", act.name()}, {"width", width}, {"theta", theta.text}, {"digits", digits}, {"order", order},
          {"form", "cumulant series through n^-" + std::to_string(order)}, {"mu", v.mu}, {"sigma2", v.sigma2},
          {"cos_infinite_width", v.cos_infinite_width}};
}

Json activation_angle_json(const Activation& act, const Theta& theta, int digits) {
  return {{"activation", act.name()}, {"theta", theta.text}, {"digits", digits},
          {"cos_infinite_width", activation_cos_map_value(act, theta, digits)}};
}

Json decay_series_json(std::uint64_t width, const DecaySeries& ds, unsigned degree, int digits) {
  Json mu = Json::array(), s2 = Json::array();
  for (unsigned j = 0; j <= degree; ++j) {
    Json t = qpi_terms_json(ds.mu[j]);
    if (j == 0) t[kDecayLogBasis] = "1";
    mu.push_back({{"j", j}, {"terms", t}, {"value", qpi_value(ds.mu[j], digits, ds.n, j == 0 ? 1 : 0)}});
    s2.push_back({{"j", j}, {"terms", qpi_terms_json(ds.sigma2[j])}, {"value", qpi_value(ds.sigma2[j], digits)}});
  }
  return {{"width", width}, {"degree", degree}, {"mu", mu}, {"sigma2", s2}};
}

Json decay_double_series_json(const DecayDoubleSeries& ds, unsigned degree, unsigned order, int digits) {
  Json mu = Json::array(), s2 = Json::array();
  for (unsigned k = 0; k <= order; ++k)
    for (unsigned j = 0; j <= degree; ++j) {
      mu.push_back({{"j", j}, {"k", k}, {"terms", qpi_terms_json(ds.mu[k][j])}, {"value", qpi_value(ds.mu[k][j], digits)}});
      s2.push_back(
          {{"j", j}, {"k", k}, {"terms", qpi_terms_json(ds.sigma2[k][j])}, {"value", qpi_value(ds.sigma2[k][j], digits)}});
    }
  return {{"degree", degree}, {"order", order}, {"mu", mu}, {"sigma2", s2}};
}

}  // namespace relumix
