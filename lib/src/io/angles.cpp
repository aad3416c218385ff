#include "relumix/io/angles.hpp"

#include <cctype>

#include "io/text.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/io/numbers.hpp"

namespace relumix {

using io_detail::excerpt;

namespace {

std::string without_spaces(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) r += c;
  return r;
}

const char* const kAngleHint = "use e.g. 0.1, 1e-12, pi/3, 2pi/5, pi-1e-4";

// Parses s (no spaces) as an angle; returns false when it does not follow the grammar.
bool read_theta(const std::string& s, Theta& t) {
  try {
    auto pos = s.find("pi");
    if (pos == std::string::npos) {
      t.offset = parse_rational(s);
      return true;
    }
    std::string coef = s.substr(0, pos), rest = s.substr(pos + 2);
    if (!coef.empty() && coef.back() == '*') coef.pop_back();
    if (coef.empty() || coef == "+") t.pi_coeff = 1;
    else if (coef == "-") t.pi_coeff = -1;
    else t.pi_coeff = parse_rational(coef);
    // optional "/den", then an optional signed offset
    if (!rest.empty() && rest[0] == '/') {
      std::size_t k = 1;
      while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) ++k;
      if (k == 1) return false;
      Integer den = parse_decimal_integer(rest.substr(1, k - 1));
      if (den == 0) return false;
      t.pi_coeff /= Rational(den);
      rest = rest.substr(k);
    }
    if (!rest.empty()) {
      if (rest[0] != '+' && rest[0] != '-') return false;
      if (rest.find("pi") != std::string::npos) return false;
      t.offset = parse_rational(rest);
    }
    return true;
  } catch (const InputError&) {
    return false;
  }
}

}  // namespace

Theta parse_theta(std::string_view text) {
  std::string s = without_spaces(text);
  require(!s.empty(), "empty angle (", kAngleHint, ")");
  Theta t;
  require(read_theta(s, t), "malformed angle ", excerpt(text), " (", kAngleHint, ")");
  t.text = theta_text(t.pi_coeff, t.offset);
  return t;
}

Theta parse_theta_checked(std::string_view text, bool lo_open) {
  Theta t = parse_theta(text);
  const char* range = lo_open ? "(0, pi]" : "[0, pi]";
  int lo = t.compare_pi_multiple(0);
  require(lo > 0 || (lo == 0 && !lo_open), "angle ", excerpt(t.text), " is outside ", range);
  require(t.compare_pi_multiple(1) <= 0, "angle ", excerpt(t.text), " is outside ", range, " (pi = 3.14159...)");
  return t;
}

std::vector<Theta> parse_thetas(std::string_view text, bool lo_open, long max_count) {
  std::vector<Theta> out;
  std::string_view s = io_detail::trim(text);
  require(!s.empty(), "empty angle list");
  if (s.find(':') != std::string_view::npos) {
    std::vector<std::string_view> parts;
    std::size_t start = 0, p;
    while ((p = s.find(':', start)) != std::string_view::npos && parts.size() < 3) {
      parts.push_back(s.substr(start, p - start));
      start = p + 1;
    }
    parts.push_back(s.substr(start));
    require(parts.size() == 3, "malformed grid ", excerpt(text), " (use lo:hi:count, e.g. 0:pi:101)");
    Theta lo = parse_theta_checked(parts[0], lo_open), hi = parse_theta_checked(parts[1], lo_open);
    long n;
    try {
      n = long(parse_integer(io_detail::trim(parts[2]), 1, std::uint64_t(max_count)));
    } catch (const InputError& e) {
      fail("grid count: ", e.what());
    }
    out.reserve(std::size_t(n));
    for (long i = 0; i < n; ++i) {
      if ((i & 4095) == 0) throw_if_stopped();  // a grid of 1e7 exact angles takes seconds
      Rational w = n == 1 ? Rational(0) : Rational(i, n - 1);
      Theta t;
      t.pi_coeff = lo.pi_coeff + (hi.pi_coeff - lo.pi_coeff) * w;
      t.offset = lo.offset + (hi.offset - lo.offset) * w;
      t.text = theta_text(t.pi_coeff, t.offset);
      out.push_back(std::move(t));
    }
    return out;
  }
  std::size_t start = 0, p, item = 0;
  do {
    p = s.find(',', start);
    std::string_view one = s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start);
    ++item;
    require(!io_detail::trim(one).empty(), "empty item ", item, " in the angle list");
    require(long(out.size()) < max_count, "more than ", io_detail::Count{std::uint64_t(max_count)}, " angles in the list");
    out.push_back(parse_theta_checked(one, lo_open));
    start = p + 1;
  } while (p != std::string_view::npos);
  return out;
}

}  // namespace relumix
