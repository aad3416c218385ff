// JSON bodies of the moment layer's reports (moments/report.hpp).
#include "relumix/moments/report.hpp"

namespace relumix {

using Json = nlohmann::ordered_json;

Json poly_json(const Poly& p) {
  Json arr = Json::array();
  for (auto& c : p.coeffs()) arr.push_back(to_string(c));
  return arr;
}

Json closed_form_json(const ClosedForm& cf) {
  Json j = {{"a", cf.a}, {"b", cf.b}, {"parity", cf.even() ? "even" : "odd"}};
  if (cf.even()) {
    j["P"] = poly_json(cf.P);
    j["Q"] = poly_json(cf.Q);
  } else {
    j["R"] = poly_json(cf.R);
  }
  return j;
}

std::string closed_form_latex(const ClosedForm& cf) {
  const std::string J = "J_{" + std::to_string(cf.a) + "," + std::to_string(cf.b) + "}";
  if (cf.even())
    return J + "(\\theta) = \\frac{(\\pi - \\theta)\\left(" + cf.P.latex("\\rho") + "\\right) + \\sin\\theta\\left(" +
           cf.Q.latex("\\rho") + "\\right)}{2\\pi}, \\quad \\rho = \\cos\\theta";
  return J + "(\\theta) = \\frac{" + cf.R.latex("\\rho") + "}{\\sqrt{2\\pi}}, \\quad \\rho = \\cos\\theta";
}

std::string moment_name(const Activation& act, unsigned a, unsigned b) {
  const std::string ab = "_{" + std::to_string(a) + "," + std::to_string(b) + "}";
  return act.is_relu() ? "J" + ab : "M^{" + act.name() + "}" + ab;
}

Json activation_closed_form_json(const ActivationClosedForm& cf) {
  const MomentForm& f = cf.form;
  Json j = {{"a", cf.a}, {"b", cf.b}, {"activation", cf.activation.name()}, {"same", to_string(cf.same)},
            {"opposite", to_string(cf.opposite)}, {"parity", f.even() ? "even" : "odd"}};
  if (f.even()) {
    j["P"] = poly_json(f.P);
    j["Q"] = poly_json(f.Q);
    j["U"] = poly_json(f.U);
  } else {
    j["R"] = poly_json(f.R);
  }
  return j;
}

std::string activation_closed_form_latex(const ActivationClosedForm& cf) {
  const MomentForm& f = cf.form;
  const std::string M = "M^{\\mathrm{" + cf.activation.name() + "}}_{" + std::to_string(cf.a) + "," + std::to_string(cf.b) + "}";
  if (f.even())
    return M + "(\\theta) = \\frac{(\\pi - \\theta)\\left(" + f.P.latex("\\rho") + "\\right) + \\sin\\theta\\left(" +
           f.Q.latex("\\rho") + "\\right) + \\pi\\left(" + f.U.latex("\\rho") + "\\right)}{2\\pi}, \\quad \\rho = \\cos\\theta";
  return M + "(\\theta) = \\frac{" + f.R.latex("\\rho") + "}{\\sqrt{2\\pi}}, \\quad \\rho = \\cos\\theta";
}

Json series_json(const MomentSeries& s) {
  Json coeffs = Json::array();
  for (unsigned i = 0; i <= s.order; ++i) {
    Json terms = Json::object();
    if (s.odd) {
      if (!s.coeffs[i].is_zero()) terms["1/sqrt(2pi)"] = to_string(s.coeffs[i].coeff(0));
    } else {
      for (auto& [basis, value] : s.coeffs[i].terms()) terms[basis] = value;
    }
    coeffs.push_back({{"k", i}, {"terms", terms}});
  }
  return {{"a", s.a}, {"b", s.b}, {"degree", s.order}, {"coefficients", coeffs}};
}

Json verify_json(const VerifyReport& rep) {
  Json fails = Json::array(), ids = Json::array();
  for (auto& f : rep.failures) fails.push_back({{"identity", f.identity}, {"a", f.a}, {"b", f.b}});
  for (auto& t : rep.tallies) ids.push_back({{"identity", t.identity}, {"checked", t.checked}, {"failed", t.failed}});
  return {{"max", rep.max}, {"checked", rep.checked()}, {"failed", rep.failed()}, {"identities", ids}, {"failures", fails}};
}

}  // namespace relumix
