// relumix moment A B: the exact closed form of J_{A,B}(theta), or certified values with --theta.
#include <iostream>

#include "cli.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/moments.hpp"

namespace relumix::cli {

Json poly_json(const Poly& p) {
  Json arr = Json::array();
  for (auto& c : p.coeffs()) arr.push_back(to_string(c));
  return arr;
}

namespace {

void print_closed_form(const ClosedForm& cf, const std::string& format) {
  std::string J = "J_{" + std::to_string(cf.a) + "," + std::to_string(cf.b) + "}";
  if (globals().json) {
    Json j = {{"a", cf.a}, {"b", cf.b}, {"parity", cf.even() ? "even" : "odd"}};
    if (cf.even()) { j["P"] = poly_json(cf.P); j["Q"] = poly_json(cf.Q); }
    else j["R"] = poly_json(cf.R);
    emit(j);
  } else if (format == "latex") {
    if (cf.even())
      std::cout << J << "(\\theta) = \\frac{(\\pi - \\theta)\\left(" << cf.P.latex("\\rho") << "\\right) + \\sin\\theta\\left("
                << cf.Q.latex("\\rho") << "\\right)}{2\\pi}, \\quad \\rho = \\cos\\theta\n";
    else
      std::cout << J << "(\\theta) = \\frac{" << cf.R.latex("\\rho") << "}{\\sqrt{2\\pi}}, \\quad \\rho = \\cos\\theta\n";
  } else {
    if (cf.even())
      std::cout << J << "(theta) = [(pi - theta) P(rho) + sin(theta) Q(rho)] / (2 pi),  rho = cos(theta)\n"
                << "  P(rho) = " << cf.P.str("rho") << "\n  Q(rho) = " << cf.Q.str("rho") << "\n";
    else
      std::cout << J << "(theta) = R(rho) / sqrt(2 pi),  rho = cos(theta)\n  R(rho) = " << cf.R.str("rho") << "\n";
  }
}

RELUMIX_COMMAND(10, [](CLI::App& app) {
  struct Opts { std::string a, b, format = "text", theta; int digits = 30; };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("moment",
      "J_{A,B}(theta) = E[relu(G)^A relu(G')^B], corr(G,G') = cos theta, relu^0 = 1{x>0}:\n"
      "the exact closed form (P, Q for A+B even, R for A+B odd), or certified values with --theta");
  sub->add_option("A", o->a, "first order (integer >= 0)")->required();
  sub->add_option("B", o->b, "second order (integer >= 0)")->required();
  auto* format = sub->add_option("--format", o->format, "text or latex (closed form only)")->check(CLI::IsMember({"text", "latex"}));
  sub->add_option("--theta,-t", o->theta,
                  "angle(s) in [0, pi]: 0.1, 1e-12, pi/3, 2pi/5, pi-1e-4; a list a,b,c; a grid lo:hi:count");
  add_digits(sub, o->digits);
  sub->callback([o, format] {
    unsigned a = unsigned(parse_uint(o->a, "A", kMaxMomentOrder)), b = unsigned(parse_uint(o->b, "B", kMaxMomentOrder));
    require(a + b <= kMaxMomentOrder, "A+B = " + std::to_string(a + b) + " is too large (at most " + std::to_string(kMaxMomentOrder) + ")");
    if (!o->theta.empty()) {
      require(format->count() == 0, "--format applies to the closed form, not to values at --theta");
      print_moment_values(a, b, o->theta, o->digits);
      return;
    }
    print_closed_form(closed_form(a, b), o->format);
  });
});

}  // namespace
}  // namespace relumix::cli
