// relumix moment A B: the exact closed form of J_{A,B}(theta), or certified values with --theta.
#include <iostream>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/moments/report.hpp"

namespace relumix::cli {
namespace {

void print_closed_form(const ClosedForm& cf, const std::string& format) {
  std::string J = "J_{" + std::to_string(cf.a) + "," + std::to_string(cf.b) + "}";
  if (globals().json) {
    emit(closed_form_json(cf));
  } else if (format == "latex") {
    std::cout << closed_form_latex(cf) << "\n";
  } else {
    if (cf.even())
      std::cout << J << "(theta) = [(pi - theta) P(rho) + sin(theta) Q(rho)] / (2 pi),  rho = cos(theta)\n"
                << "  P(rho) = " << cf.P.str("rho") << "\n  Q(rho) = " << cf.Q.str("rho") << "\n";
    else
      std::cout << J << "(theta) = R(rho) / sqrt(2 pi),  rho = cos(theta)\n  R(rho) = " << cf.R.str("rho") << "\n";
  }
}

void print_activation_form(const ActivationClosedForm& cf, const std::string& format) {
  const MomentForm& f = cf.form;
  if (globals().json) {
    emit(activation_closed_form_json(cf));
  } else if (format == "latex") {
    std::cout << activation_closed_form_latex(cf) << "\n";
  } else {
    const std::string M = moment_name(cf.activation, cf.a, cf.b);
    const std::string J = "J_{" + std::to_string(cf.a) + "," + std::to_string(cf.b) + "}";
    const bool minus = cf.opposite < 0;
    std::cout << M << "(theta) = " << to_string(cf.same) << " " << J << "(theta) " << (minus ? "- " : "+ ")
              << to_string(minus ? Rational(-cf.opposite) : cf.opposite) << " " << J << "(pi - theta)\n";
    if (f.even())
      std::cout << M << "(theta) = [(pi - theta) P(rho) + sin(theta) Q(rho) + pi U(rho)] / (2 pi),  rho = cos(theta)\n"
                << "  P(rho) = " << f.P.str("rho") << "\n  Q(rho) = " << f.Q.str("rho") << "\n  U(rho) = " << f.U.str("rho")
                << "\n";
    else
      std::cout << M << "(theta) = R(rho) / sqrt(2 pi),  rho = cos(theta)\n  R(rho) = " << f.R.str("rho") << "\n";
  }
}

RELUMIX_COMMAND(10, [](CLI::App& app) {
  auto* sub = app.add_subcommand("moment",
      "J_{A,B}(theta) = E[relu(G)^A relu(G')^B], corr(G,G') = cos theta, relu^0 = 1{x>0}:\n"
      "the exact closed form (P, Q for A+B even, R for A+B odd), or certified values with --theta;\n"
      "with --activation F the plain moments M_{A,B}(theta) = E[phi(G)^A phi(G')^B] of phi(x) = max(x,0) + ALPHA min(x,0)\n"
      "(phi^0 = 1), reduced exactly to J at theta and pi - theta: 2 pi M = (pi - theta) P + sin(theta) Q + pi U (A+B even)");
  auto a = add_integer(sub, "A", "first order", 0, kMaxMomentOrder, Need::Required);
  auto b = add_integer(sub, "B", "second order", 0, kMaxMomentOrder, Need::Required);
  auto format = add_text(sub, "--format", "text or latex (the closed form)", Need::Optional, "text", "FORMAT");
  auto theta = add_theta(sub, "angle(s) in [0, pi]: 0.1, 1e-12, pi/3, 2pi/5, pi-1e-4; a list a,b,c; a grid lo:hi:count",
                         Need::Optional, /*lo_open=*/false);
  auto digits = add_digits(sub);
  auto activation = add_activation(sub);
  sub->callback([=] {
    unsigned A = a->as<unsigned>(), B = b->as<unsigned>();
    require(A + B <= kMaxMomentOrder, "A+B = ", A + B, " is too large (at most ", kMaxMomentOrder,
            ": the closed form costs about (A+B)^4, a minute at A+B = 2000)");
    format->choice({"text", "latex"});
    const Activation act = activation->value();
    if (theta->given()) {
      format->only_if(false, "to the closed form, not to values at --theta");
      print_moment_values(act, A, B, theta->values(), theta->single(), digits->as<int>());
      return;
    }
    digits->only_if(false, "with --theta (values), not to the exact closed form");
    if (act.is_relu())
      print_closed_form(closed_form(A, B), format->text);
    else
      print_activation_form(activation_closed_form(act, A, B), format->text);
  });
});

}  // namespace
}  // namespace relumix::cli
