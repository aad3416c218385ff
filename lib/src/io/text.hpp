#pragma once
// Private helpers of the parsers (io/). The message parts are printed lazily (require() builds a
// message only when a check fails), so they hold views and numbers, never built strings.
#include <cstdint>
#include <ostream>
#include <string_view>

namespace relumix::io_detail {

// The text quoted for an error message, shortened in the middle when long
// ('1,2,3,...,9,9' (123456 characters)), so that a message stays one readable line.
struct Excerpt {
  std::string_view text;
};
std::ostream& operator<<(std::ostream& o, const Excerpt& e);
inline Excerpt excerpt(std::string_view text) { return {text}; }

// A count as the grammar writes it (format_count): 20000, 1e6.
struct Count {
  std::uint64_t v;
};
std::ostream& operator<<(std::ostream& o, const Count& c);

// text without leading and trailing whitespace
std::string_view trim(std::string_view text);

}  // namespace relumix::io_detail
