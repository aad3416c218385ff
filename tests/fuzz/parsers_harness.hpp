#pragma once
// The fuzz harness of the parsers (lib/src/io; issue 17), shared by the libFuzzer target
// (tests/fuzz/fuzz_parsers.cpp, built with clang: RELUMIX_FUZZ) and the replay test of the normal
// build (tests/unit/test_fuzz_replay.cpp: every file of tests/fuzz/corpus/ and tests/fuzz/regressions/).
//
// One input = a selector byte (which parser, data[0] % kParsers) + the text. A parser may accept
// the text or throw InputError; anything else (another exception, a crash, a sanitizer report, a
// broken invariant below) is a finding. The invariants are the parsers' contracts (io/*.hpp):
//   angles        parse_theta(t.text) gives back t (the canonical text round-trips); checked angles
//                 lie in [0, pi] ((0, pi] when open); lists and grids hold 1..max_count angles;
//   widths        every width in [min_width, kMaxWidth], at most kMaxLayers entries, and
//                 parse_widths(format_widths(w)) == w;
//   whole numbers the value lies in [lo, hi]; plain digit strings read as their decimal value;
//   reals         the value lies in [lo, hi];
//   architectures names non-empty, widths >= 2, at most kMaxArchitectures lines.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "relumix/core/error.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/io/architectures.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/io/widths.hpp"

namespace relumix_fuzz {

constexpr unsigned kParsers = 10;

[[noreturn]] inline void broken(const char* what, std::string_view input) {
  std::fprintf(stderr, "relumix fuzz: broken invariant: %s (input of %zu bytes: '%.*s')\n", what, input.size(),
               int(input.size() < 200 ? input.size() : 200), input.data());
  std::abort();
}

inline void check_angle(const relumix::Theta& t, bool lo_open, std::string_view in) {
  const int lo = t.compare_pi_multiple(0), hi = t.compare_pi_multiple(1);
  if (lo < 0 || (lo_open && lo == 0) || hi > 0) broken("a checked angle outside its range", in);
}

inline void check_widths(const std::vector<long>& w, long min_width, std::string_view in) {
  if (w.empty() || w.size() > std::size_t(relumix::kMaxLayers)) broken("width list size", in);
  for (long x : w)
    if (x < min_width || x > relumix::kMaxWidth) broken("a width outside its range", in);
  if (relumix::parse_widths(relumix::format_widths(w), min_width) != w) broken("format_widths does not round-trip", in);
}

// One fuzz input. Returns normally when the parser accepted the text or refused it with an InputError.
inline void parsers(const std::uint8_t* data, std::size_t size) {
  using namespace relumix;
  if (size == 0) return;
  const unsigned which = data[0] % kParsers;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (which) {
      case 0: {  // one angle, no range: the canonical text round-trips
        const Theta t = parse_theta(in);
        const Theta u = parse_theta(t.text);
        if (u.pi_coeff != t.pi_coeff || u.offset != t.offset || u.text != t.text) broken("theta_text does not round-trip", in);
        break;
      }
      case 1: check_angle(parse_theta_checked(in, false), false, in); break;
      case 2: check_angle(parse_theta_checked(in, true), true, in); break;
      case 3: {  // lists and grids (a small max_count keeps one input fast)
        const auto ts = parse_thetas(in, data[0] & 0x80, 64);
        if (ts.empty() || ts.size() > 64) broken("angle list size", in);
        for (const auto& t : ts) check_angle(t, data[0] & 0x80, in);
        break;
      }
      case 4: check_widths(parse_widths(in, 2, WidthSyntax::Layers), 2, in); break;
      case 5: check_widths(parse_widths(in, 1, WidthSyntax::Values), 1, in); break;
      case 6: {  // a whole number: in range, and plain digits read as their value
        const std::uint64_t lo = data[0] & 0x80 ? 1 : 0, hi = data[0] & 0x40 ? 1000 : ~std::uint64_t(0);
        const std::uint64_t v = parse_integer(in, lo, hi);
        if (v < lo || v > hi) broken("a whole number outside its range", in);
        if (!in.empty() && in.size() <= 19 && in.find_first_not_of("0123456789") == std::string_view::npos &&
            v != std::strtoull(std::string(in).c_str(), nullptr, 10))
          broken("plain digits not read as their value", in);
        break;
      }
      case 7: {
        const auto v = parse_integer_list(in, 1, 1000000, 100);
        if (v.empty() || v.size() > 100) broken("integer list size", in);
        for (auto x : v)
          if (x < 1 || x > 1000000) broken("a list item outside its range", in);
        break;
      }
      case 8: {
        const Rational lo(-1), hi(Rational(1, 3));
        const Rational q = parse_real(in, lo, hi);
        if (q < lo || q > hi) broken("a real outside its range", in);
        break;
      }
      case 9: {
        const auto archs = parse_architectures(in);
        if (archs.empty() || archs.size() > std::size_t(kMaxArchitectures)) broken("architecture count", in);
        for (const auto& a : archs) {
          if (a.name.empty()) broken("an architecture without a name", in);
          check_widths(a.widths, 2, in);
        }
        break;
      }
    }
  } catch (const InputError&) {
  }
}

}  // namespace relumix_fuzz
