#pragma once
// Exact angles: pi_coeff * pi + offset with rational pi_coeff and offset. Users' text is parsed by
// relumix/io/angles.hpp (parse_theta, parse_theta_checked, parse_thetas).
#include <string>
#include <vector>

#include "relumix/numeric/interval.hpp"
#include "relumix/exact/rational.hpp"

namespace relumix {

struct Theta {
  Rational pi_coeff = 0;  // theta = pi_coeff * pi + offset
  Rational offset = 0;
  std::string text;       // canonical text (theta_text), e.g. "pi/3", "0.1", "pi-1e-4"

  bool is_zero() const { return pi_coeff == 0 && offset == 0; }
  bool is_pi() const { return pi_coeff == 1 && offset == 0; }
  bool is_half_pi() const { return pi_coeff == Rational(1, 2) && offset == 0; }
  Interval enclose(mpfr_prec_t bits) const;
  double to_double() const;
  // sign of theta - (c * pi): -1, 0, +1 (exact)
  int compare_pi_multiple(const Rational& c) const;
};

// About log2 of 1/distance of theta to 0 (theta = offset) or to pi (theta = pi + offset): the
// extra working precision the angle needs near the ends (0 for other forms).
long theta_edge_bits(const Theta& t);

// Canonical text of pi_coeff * pi + offset ("pi/3", "2pi/5", "0.1", "pi-1e-4", "pi/2+1/3"): the
// pi part as k pi/m, a terminating decimal offset in the shorter of its plain and scientific forms
// (plain on a tie), any other offset as p/q.
std::string theta_text(const Rational& pi_coeff, const Rational& offset);

// The exact binary value of a finite double (offset = m 2^e, text = std::to_string). No range check.
Theta exact_theta(double theta);

}  // namespace relumix
