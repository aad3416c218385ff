// relumix moment A B --theta T: certified values of J_{A,B} at one angle, a list or a grid.
#include <iostream>

#include "cli.hpp"
#include "relumix/moments/eval.hpp"

namespace relumix::cli {

void print_moment_values(unsigned a, unsigned b, const std::vector<Theta>& thetas, bool single, int digits) {
  std::vector<std::string> values = moment_values(a, b, thetas, digits);
  if (globals().json) {
    if (single) {
      emit({{"a", a}, {"b", b}, {"theta", thetas[0].text}, {"digits", digits}, {"value", values[0]}});
    } else {
      Json arr = Json::array();
      for (std::size_t i = 0; i < values.size(); ++i) arr.push_back({{"theta", thetas[i].text}, {"value", values[i]}});
      emit({{"a", a}, {"b", b}, {"digits", digits}, {"values", arr}});
    }
    return;
  }
  std::string J = "J_{" + std::to_string(a) + "," + std::to_string(b) + "}";
  for (std::size_t i = 0; i < values.size(); ++i) std::cout << J << "(" << thetas[i].text << ") = " << values[i] << "\n";
}

}  // namespace relumix::cli
