#pragma once
// Exact integers and rationals (GMP through Boost.Multiprecision). Every exact path of
// relumix uses these; no double ever enters an exact computation.
#include <boost/multiprecision/gmp.hpp>
#include <string>
#include <vector>

namespace relumix {

using Integer = boost::multiprecision::mpz_int;
using Rational = boost::multiprecision::mpq_rational;

// "3", "-5/2": reduced, denominator omitted when 1.
std::string to_string(const Rational& q);
// Parses a string of decimal digits (leading zeros allowed: never octal).
Integer parse_decimal_integer(const std::string& digits);
// Parses "3", "-5/2", "0.25", "1e-3" exactly; throws InputError on malformed text.
Rational parse_rational(const std::string& text);

Integer factorial(unsigned n);
// k!! with (-1)!! = 0!! = 1.
Integer double_factorial(int k);
Integer binomial(unsigned n, unsigned k);

}  // namespace relumix
