#pragma once
// Angles given by users: decimals ("0.1", "1e-12"), rational multiples of pi ("pi", "pi/3",
// "2pi/5", "3*pi/4", "2/5*pi"), and a pi multiple plus a decimal or rational offset
// ("pi-1e-4", "pi/2+0.1"). Stored exactly as pi_coeff * pi + offset.
#include <string>
#include <vector>

#include "relumix/numeric/interval.hpp"
#include "relumix/exact/rational.hpp"

namespace relumix {

struct Theta {
  Rational pi_coeff = 0;  // theta = pi_coeff * pi + offset
  Rational offset = 0;
  std::string text;       // as given (or a canonical form for grid points)

  bool is_zero() const { return pi_coeff == 0 && offset == 0; }
  bool is_pi() const { return pi_coeff == 1 && offset == 0; }
  bool is_half_pi() const { return pi_coeff == Rational(1, 2) && offset == 0; }
  Interval enclose(mpfr_prec_t bits) const;
  double to_double() const;
  // sign of theta - (c * pi): -1, 0, +1 (exact)
  int compare_pi_multiple(const Rational& c) const;
};

// Canonical text of pi_coeff * pi + offset ("pi/3", "2pi/5", "0.1", "pi-1/10000").
std::string theta_text(const Rational& pi_coeff, const Rational& offset);

// The exact binary value of a finite double (offset = m 2^e, text = std::to_string). No range check.
Theta exact_theta(double theta);

// One angle. Throws InputError on malformed text. No range check.
Theta parse_theta(const std::string& text);
// One angle in [0, pi] (lo_open: in (0, pi]); InputError otherwise.
Theta parse_theta_checked(const std::string& text, bool lo_open = false);
// A comma list ("0.1,pi/3") or an inclusive grid "lo:hi:count" (1 <= count <= max_count),
// each point checked to lie in [0, pi] (or (0, pi] with lo_open).
std::vector<Theta> parse_thetas(const std::string& text, bool lo_open = false, long max_count = 10000000);

}  // namespace relumix
