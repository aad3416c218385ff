#pragma once
// The reports of the angle layer as JSON bodies (docs/json.md: the fields of `angle`, `map-series`,
// `decay-series` without the envelope), shared by the command line and the Python module.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "relumix/angle/angle.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/exact/qpi.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// The basis of the constant term of mu(theta, n) - ln sin^2 theta: "log((n-1)/(n+5))".
extern const char* const kDecayLogBasis;
// "log((n-1)/(n+5)) + c" (or " - |c|"; the basis alone when c = 0).
std::string log_plus(const QPi& c);
// {basis: rational string} of c (QPi::terms()).
nlohmann::ordered_json qpi_terms_json(const QPi& c);
// The certified decimal of c + log_coeff * log((n-1)/(n+5)) to `digits` digits ("0" for zero).
std::string qpi_value(const QPi& c, int digits, const Rational& n = 0, int log_coeff = 0);

// angle: {width, theta, digits, order, form, mu, sigma2, cos_infinite_width} (angle_values).
nlohmann::ordered_json angle_json(std::uint64_t width, const Theta& theta, int digits, int order);
// map-series: {degree, coefficients: [{k, terms}], large_depth[, theta0, C, C_certified, C_digits]} for
// f = infinite_map_series(degree); C = C(theta0) proven (depth_constant), a certified decimal string.
nlohmann::ordered_json map_series_json(const Series& f, unsigned degree, const std::optional<Theta>& theta0);
// map-series --activation F (not relu): {activation, degree, coefficients, large_depth, C_alpha_over_pi?[, theta0, C,
// C_certified, C_digits | C_error]}: C proven as for relu when w >= 1/5 (alpha <= 1/2), else a double estimate
// with C_certified = false and C_error for f = activation_map_series(act, degree); C_alpha_over_pi = 3 (1 + alpha^2)/(1 - alpha)^2 exactly
// (theta^l ~ C_alpha / l), absent for the linear activation (nothing decays).
nlohmann::ordered_json activation_map_series_json(const Activation& act, const Series& f, unsigned degree,
                                                  const std::optional<Theta>& theta0);
// angle --activation F --width n: {activation, width, theta, digits, order, form, mu, sigma2, cos_infinite_width}.
nlohmann::ordered_json angle_json(std::uint64_t width, const Theta& theta, int digits, int order, const Activation& act);
// angle --activation F without a width: {activation, theta, digits, cos_infinite_width}.
nlohmann::ordered_json activation_angle_json(const Activation& act, const Theta& theta, int digits);
// decay-series for one width: {width, degree, mu: [{j, terms, value}], sigma2: [...]}.
nlohmann::ordered_json decay_series_json(std::uint64_t width, const DecaySeries& ds, unsigned degree, int digits);
// decay-series --order: {degree, order, mu: [{j, k, terms, value}], sigma2: [...]}.
nlohmann::ordered_json decay_double_series_json(const DecayDoubleSeries& ds, unsigned degree, unsigned order, int digits);

}  // namespace relumix
