#pragma once
// Errors: every problem with user input is an InputError with a one-line message that names the
// problem in library terms (never a command-line flag: the CLI adds those). The CLI prints it as
// "relumix: error: <message>" and exits with 2.
//
// require(cond, part, part, ...) builds its message only when cond fails, so a check inside a
// loop costs a comparison, not a string: write require(w >= lo, "width ", w, " is below ", lo),
// never require(w >= lo, "width " + std::to_string(w) + ...), which builds the string every time.
#include <concepts>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace relumix {

struct InputError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {
inline void append_part(std::string& out, std::string_view s) { out.append(s); }
inline void append_part(std::string& out, char c) { out.push_back(c); }
template <class T>
  requires(std::integral<T> && !std::same_as<T, char> && !std::same_as<T, bool>)
void append_part(std::string& out, T v) {
  out += std::to_string(v);
}
// anything else that prints (doubles, Rational, Integer, ...): through an ostream
template <class T>
  requires(!std::convertible_to<const T&, std::string_view> && !std::integral<T>)
void append_part(std::string& out, const T& v) {
  std::ostringstream o;
  o << v;
  out += o.str();
}
}  // namespace detail

// The concatenation of the parts (strings, characters, integers, anything with operator<<).
template <class... Parts>
std::string message(const Parts&... parts) {
  std::string out;
  (detail::append_part(out, parts), ...);
  return out;
}

// Throws InputError(message(parts...)).
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  throw InputError(message(parts...));
}

// Throws InputError(message(parts...)) unless cond holds; the message is built only on failure.
template <class... Parts>
inline void require(bool cond, const Parts&... parts) {
  if (!cond) [[unlikely]]
    fail(parts...);
}

}  // namespace relumix
