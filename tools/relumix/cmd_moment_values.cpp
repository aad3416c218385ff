// relumix moment A B --theta T: certified values of J_{A,B} at one angle, a list or a grid.
#include <iostream>

#include "cli.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/moments/report.hpp"

namespace relumix::cli {

void print_moment_values(const Activation& act, unsigned a, unsigned b, const std::vector<Theta>& thetas, bool single,
                         int digits) {
  std::vector<std::string> values =
      act.is_relu() ? moment_values(a, b, thetas, digits) : activation_moment_values(act, a, b, thetas, digits);
  if (globals().json) {
    Json j = {{"a", a}, {"b", b}};
    if (!act.is_relu()) j["activation"] = act.name();  // ReLU's body is what it always was
    if (single) {
      j["theta"] = thetas[0].text;
      j["digits"] = digits;
      j["value"] = values[0];
    } else {
      Json arr = Json::array();
      for (std::size_t i = 0; i < values.size(); ++i) arr.push_back({{"theta", thetas[i].text}, {"value", values[i]}});
      j["digits"] = digits;
      j["values"] = arr;
    }
    emit(j);
    return;
  }
  const std::string J = moment_name(act, a, b);
  for (std::size_t i = 0; i < values.size(); ++i) std::cout << J << "(" << thetas[i].text << ") = " << values[i] << "\n";
}

}  // namespace relumix::cli
