#pragma once
// Certified decimal output: evaluate an enclosure at increasing working precision
// (Ziv's strategy) until every point of the interval rounds to the same D significant
// digits. The printed digits are then the correctly rounded value.
#include <functional>
#include <string>

#include "relumix/numeric/interval.hpp"

namespace relumix {

// An enclosure of the quantity computed with `bits` of working precision.
using Enclosure = std::function<Interval(mpfr_prec_t bits)>;

struct CertifyOptions {
  int digits = 30;               // significant digits wanted
  mpfr_prec_t start_bits = 0;    // 0: digits * log2(10) + 32
  mpfr_prec_t max_bits = 0;      // 0: 20 * digits * log2(10) + 40000
  bool exact_zero = false;       // the caller knows the value is exactly 0
};

struct Certified {
  std::string text;        // decimal, D significant digits ("0" for an exact zero)
  mpfr_prec_t bits = 0;    // working precision that certified it
  bool tie = false;        // precision cap reached (value at a rounding tie): text is
                           // faithful (error < 1 unit in the last digit) instead of rounded
};

Certified certify(const Enclosure& f, const CertifyOptions& opt);
inline std::string certify(const Enclosure& f, int digits) {
  CertifyOptions o;
  o.digits = digits;
  return certify(f, o).text;
}

// x = exp(y) > 0 to `digits` correct significant digits from an enclosure of y = ln x, also when x
// lies far outside the double and MPFR exponent ranges (1e-124939, say): the decimal exponent is
// split off first. Throws std::runtime_error at the precision cap (20 digits log2(10) + 40000 bits).
std::string certify_exp(const Enclosure& lnx, int digits);

// Formats sign, significant digits "d1d2...dD" and decimal exponent e (value = 0.d1d2... * 10^e):
// fixed notation for 1e-5 <= |x| < 1e21 (and when all digits fit), scientific otherwise.
std::string format_decimal(bool negative, const std::string& digits, long exp10);

}  // namespace relumix
