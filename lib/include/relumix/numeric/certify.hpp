#pragma once
// Certified decimal output: evaluate an enclosure at increasing working precision (Ziv's strategy)
// until every point of the interval rounds to the same D significant digits. The printed digits
// are then the correctly rounded value (round half to even, as MPFR_RNDN).
//
// An enclosure can never decide a value that lies exactly halfway between two D-digit decimals
// (a tie such as 3/20 = 0.15 at one digit): only the exact value can. Such values are rational
// with a terminating decimal expansion; a caller that knows when its quantity is rational passes
// CertifyOptions::exact, and the exact value is then rounded exactly. If the precision cap is
// reached without a decision and no exact value is known, the result says so: certified = false,
// with an error bound.
#include <functional>
#include <optional>
#include <string>

#include "relumix/exact/rational.hpp"
#include "relumix/numeric/interval.hpp"

namespace relumix {

// An enclosure of the quantity computed with `bits` of working precision.
using Enclosure = std::function<Interval(mpfr_prec_t bits)>;

struct CertifyOptions {
  int digits = 30;               // significant digits wanted
  mpfr_prec_t start_bits = 0;    // 0: digits * log2(10) + 12
  mpfr_prec_t max_bits = 0;      // 0: 20 * digits * log2(10) + 40000
  bool exact_zero = false;       // the caller knows the value is exactly 0
  // The exact value when the quantity is rational (std::nullopt when it is not, or not known to
  // be). Called only when two enclosures in a row could not decide the rounding.
  std::function<std::optional<Rational>()> exact;
};

struct Certified {
  std::string text;        // decimal, D significant digits ("0" for an exact zero)
  mpfr_prec_t bits = 0;    // working precision that decided it (0: exact)
  bool certified = true;   // false: the precision cap was reached on a rounding boundary and the
                           // exact value is not known: text is the enclosure's midpoint rounded to
                           // D digits, within `error` of the value (not necessarily correctly rounded)
  std::string error;       // when !certified: an upper bound of |text - value| (2 digits, rounded up)
};

Certified certify(const Enclosure& f, const CertifyOptions& opt);
// The same with the enclosure given by its end points: f(bits, lo, hi) sets lo <= value <= hi
// (lo, hi arrive with precision bits + 2; f may change it, e.g. to hold an exact point).
using EndpointEnclosure = std::function<void(mpfr_prec_t bits, mpfr_ptr lo, mpfr_ptr hi)>;
Certified certify_endpoints(const EndpointEnclosure& f, const CertifyOptions& opt);
// The text of a certified value, or "text +- error" when it could not be certified.
std::string certify(const Enclosure& f, int digits);

// The rational q correctly rounded to `digits` significant digits (round half to even), exactly.
std::string round_decimal(const Rational& q, int digits);

// The common D-digit rounding of every point of [lo, hi], if there is one (round half to even).
// A point interval is rounded exactly. Used by certify(); exposed for the library's own
// certification loops (moments).
std::optional<std::string> round_interval(mpfr_srcptr lo, mpfr_srcptr hi, int digits);

// The uncertified result for [lo, hi] (midpoint rounded to D digits, error bound).
Certified uncertified(mpfr_srcptr lo, mpfr_srcptr hi, int digits, mpfr_prec_t bits);

// x = exp(y) > 0 to `digits` correct significant digits from an enclosure of y = ln x, also when x
// lies far outside the double and MPFR exponent ranges (1e-124939, say): the decimal exponent is
// split off first. At the precision cap (20 digits log2(10) + 40000 bits) the text carries its error
// bound ("text +- error").
std::string certify_exp(const Enclosure& lnx, int digits);

// Formats sign, significant digits "d1d2...dD" and decimal exponent e (value = 0.d1d2... * 10^e):
// fixed notation for 1e-5 <= |x| < 1e21 (and when all digits fit), scientific otherwise.
std::string format_decimal(bool negative, const std::string& digits, long exp10);

}  // namespace relumix
