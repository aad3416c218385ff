#pragma once
// Angles given by users (docs/cli.md, "Grammar"): decimals ("0.1", "1e-12"), rational multiples
// of pi ("pi", "pi/3", "2pi/5", "3*pi/4", "2/5*pi"), and a pi multiple plus a decimal or
// rational offset ("pi-1e-4", "pi/2+0.1"); spaces are ignored. The result is exact
// (pi_coeff * pi + offset) and its text is the canonical form (theta_text): "3*pi/4" -> "3pi/4",
// "0.10" -> "0.1", "pi-0.0001" -> "pi-1e-4".
#include <string>
#include <string_view>
#include <vector>

#include "relumix/core/limits.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// One angle. InputError on malformed text. No range check.
Theta parse_theta(std::string_view text);
// One angle in [0, pi] (lo_open: in (0, pi]); InputError otherwise.
Theta parse_theta_checked(std::string_view text, bool lo_open = false);
// A comma list ("0.1,pi/3") or an inclusive grid "lo:hi:count" (1 <= count <= max_count),
// each point checked to lie in [0, pi] (or (0, pi] with lo_open). Linear in the length of text.
std::vector<Theta> parse_thetas(std::string_view text, bool lo_open = false, long max_count = kMaxAngles);

}  // namespace relumix
