#include "relumix/io/numbers.hpp"

#include <cctype>

#include "io/text.hpp"
#include "relumix/core/error.hpp"

namespace relumix {

namespace io_detail {

std::ostream& operator<<(std::ostream& o, const Excerpt& e) {
  constexpr std::size_t kKeep = 24;
  if (e.text.size() <= 2 * kKeep + 3) return o << "'" << e.text << "'";
  return o << "'" << e.text.substr(0, kKeep) << "..." << e.text.substr(e.text.size() - kKeep) << "' ("
           << e.text.size() << " characters)";
}

std::ostream& operator<<(std::ostream& o, const Count& c) { return o << format_count(c.v); }

std::string_view trim(std::string_view t) {
  std::size_t a = 0, b = t.size();
  while (a < b && std::isspace(static_cast<unsigned char>(t[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(t[b - 1]))) --b;
  return t.substr(a, b - a);
}

}  // namespace io_detail

using io_detail::Count;
using io_detail::excerpt;

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The shape of a decimal: significant digits D (no leading or trailing zeros) and exponent E,
// value = D * 10^E; zero has D empty. ok = false when the text does not follow the grammar.
struct Decimal {
  bool ok = false;
  std::string_view digits_int, digits_frac;
  long long exponent = 0;     // as written (clamped to +-10^9)
};

Decimal read_decimal(std::string_view s) {
  Decimal d;
  std::size_t i = 0, n = s.size();
  std::size_t a = i;
  while (i < n && is_digit(s[i])) ++i;
  d.digits_int = s.substr(a, i - a);
  if (d.digits_int.empty()) return d;  // must start with a digit
  if (i < n && s[i] == '.') {
    std::size_t b = ++i;
    while (i < n && is_digit(s[i])) ++i;
    d.digits_frac = s.substr(b, i - b);
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    std::size_t b = i;
    long long e = 0;
    while (i < n && is_digit(s[i])) {
      if (e < 1000000000) e = e * 10 + (s[i] - '0');
      ++i;
    }
    if (i == b) return d;
    d.exponent = neg ? -e : e;
  }
  d.ok = i == n;
  return d;
}

const char* const kWholeHint = "digits, optionally with an exponent: 5000, 1e6, 2.5e3";

}  // namespace

std::string format_count(std::uint64_t v) {
  if (v == ~std::uint64_t(0)) return "2^64-1";
  if (v >= 1000000) {
    std::uint64_t m = v;
    int k = 0;
    while (m % 10 == 0) { m /= 10; ++k; }
    if (m < 10 && k >= 6) return std::to_string(m) + "e" + std::to_string(k);
  }
  return std::to_string(v);
}

std::uint64_t parse_integer(std::string_view text, std::uint64_t lo, std::uint64_t hi) {
  // fast path: up to 19 plain digits
  if (!text.empty() && text.size() <= 19) {
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) v = v * 10 + std::uint64_t(text[i] - '0');
    if (i == text.size() && v >= lo && v <= hi) return v;
  }
  require(!text.empty(), "no value given (expected a whole number: ", kWholeHint, ")");
  const bool negative = text[0] == '-';
  Decimal d = read_decimal(negative ? text.substr(1) : text);
  require(d.ok, excerpt(text), " is not a whole number (", kWholeHint, ")");
  require(!negative, excerpt(text), " is negative (the minimum is ", Count{lo}, ")");
  // significant digits and the exponent of their last digit
  std::string_view ip = d.digits_int, fp = d.digits_frac;
  while (!ip.empty() && ip.front() == '0') ip.remove_prefix(1);
  std::string sig;
  sig.reserve(ip.size() + fp.size());
  sig.append(ip).append(fp);
  long long e = d.exponent - (long long)fp.size();
  std::size_t first = sig.find_first_not_of('0');
  if (first == std::string::npos) {  // zero
    require(lo == 0, excerpt(text), " is below the minimum ", Count{lo});
    return 0;
  }
  sig.erase(0, first);
  while (sig.back() == '0') { sig.pop_back(); ++e; }
  require(e >= 0, excerpt(text), " is not a whole number");
  // at most 20 digits fit in 64 bits
  require((long long)sig.size() + e <= 20, excerpt(text), " is above the maximum ", Count{hi});
  unsigned __int128 v = 0;
  for (char c : sig) v = v * 10 + unsigned(c - '0');
  for (long long k = 0; k < e; ++k) v *= 10;
  require(v <= hi, excerpt(text), " is above the maximum ", Count{hi});
  require(v >= lo, excerpt(text), " is below the minimum ", Count{lo});
  return std::uint64_t(v);
}

std::vector<std::uint64_t> parse_integer_list(std::string_view text, std::uint64_t lo, std::uint64_t hi,
                                              std::size_t max_items) {
  std::string_view s = io_detail::trim(text);
  require(!s.empty(), "empty list");
  std::vector<std::uint64_t> out;
  std::size_t start = 0, p;
  do {
    p = s.find(',', start);
    std::string_view one = io_detail::trim(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    require(out.size() < max_items, "more than ", max_items, " items in the list");
    try {
      out.push_back(parse_integer(one, lo, hi));
    } catch (const InputError& e) {
      fail("item ", out.size() + 1, ": ", e.what());
    }
    start = p + 1;
  } while (p != std::string_view::npos);
  return out;
}

Rational parse_real(std::string_view text, const Rational& lo, const Rational& hi) {
  Rational q;
  try {
    q = parse_rational(std::string(text));
  } catch (const InputError&) {
    fail(excerpt(text), " is not a number (a decimal such as 0.5 or 1e-3, or a fraction such as 1/3)");
  }
  require(q >= lo, excerpt(text), " is below the minimum ", lo);
  require(q <= hi, excerpt(text), " is above the maximum ", hi);
  return q;
}

}  // namespace relumix
