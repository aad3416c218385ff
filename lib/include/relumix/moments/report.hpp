#pragma once
// The reports of the moment layer as JSON bodies (docs/json.md: the fields of `moment`, `series`,
// `verify` without the envelope), shared by the command line and the Python module.
#include <nlohmann/json.hpp>

#include "relumix/exact/poly.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/moments/verify.hpp"

namespace relumix {

// The coefficients of p, lowest degree first, as rational strings ("3", "-5/2").
nlohmann::ordered_json poly_json(const Poly& p);
// {a, b, parity, P, Q} (a+b even) or {a, b, parity, R} (a+b odd).
nlohmann::ordered_json closed_form_json(const ClosedForm& cf);
// "J_{a,b}(\theta) = \frac{...}{2\pi}, \quad \rho = \cos\theta" (`moment A B --format latex`).
std::string closed_form_latex(const ClosedForm& cf);
// The closed form of M^alpha_{a,b} (activation.hpp): {a, b, activation, same, opposite, parity, P, Q, U}
// (a+b even: 2 pi M = (pi - theta) P + sin(theta) Q + pi U) or {..., parity, R} (a+b odd: sqrt(2 pi) M = R).
nlohmann::ordered_json activation_closed_form_json(const ActivationClosedForm& cf);
// "M^{leaky:0.1}_{a,b}(\theta) = ..." (`moment A B --activation F --format latex`).
std::string activation_closed_form_latex(const ActivationClosedForm& cf);
// The moment's name in text output: "J_{a,b}" for ReLU, "M^{abs}_{a,b}" otherwise.
std::string moment_name(const Activation& act, unsigned a, unsigned b);
// {a, b, degree, coefficients: [{k, terms}]}: the Taylor coefficients of J_{a,b} at 0 up to theta^degree
// (terms: basis "1", "1/pi" or "1/sqrt(2pi)" -> rational string, zeros omitted).
nlohmann::ordered_json series_json(const MomentSeries& s);
// {max, checked, failed, identities: [{identity, checked, failed}], failures: [{identity, a, b}]}.
nlohmann::ordered_json verify_json(const VerifyReport& rep);

}  // namespace relumix
