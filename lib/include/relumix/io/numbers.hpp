#pragma once
// Numbers given by users, one grammar each (docs/cli.md, "Grammar"):
//   whole number  digits, optionally with a fraction and a decimal exponent whose value is whole:
//                 5000, 1e6, 2.5e3, 1E+12. No sign, no hexadecimal, no spaces inside.
//   real number   a decimal with optional sign and exponent (0.5, -1e-3, 2.5E2) or a fraction
//                 p/q (1/3), read as the exact rational it denotes.
// Errors are InputErrors that quote the text and name the allowed range; the caller adds what
// the number is (e.g. the command line adds the flag).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "relumix/exact/rational.hpp"

namespace relumix {

// A whole number in [lo, hi]; linear in the length of text.
std::uint64_t parse_integer(std::string_view text, std::uint64_t lo, std::uint64_t hi);

// A comma list of 1..max_items whole numbers, each in [lo, hi] ("1,16").
std::vector<std::uint64_t> parse_integer_list(std::string_view text, std::uint64_t lo, std::uint64_t hi,
                                              std::size_t max_items);

// An exact real number in [lo, hi].
Rational parse_real(std::string_view text, const Rational& lo, const Rational& hi);

// A count for messages and help: 20000, 1e6, 2e10 (exponent form for d*10^k, k >= 6), 2^64-1.
std::string format_count(std::uint64_t v);

}  // namespace relumix
