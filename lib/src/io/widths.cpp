#include "relumix/io/widths.hpp"

#include "io/text.hpp"
#include "relumix/core/error.hpp"
#include "relumix/io/numbers.hpp"

namespace relumix {

namespace {
const char* const kWidthsHint = "use e.g. 256x32 or 64,128,256x4";

std::uint64_t item_number(std::string_view s, std::uint64_t lo, std::uint64_t hi, std::size_t item, const char* what) {
  try {
    return parse_integer(io_detail::trim(s), lo, hi);
  } catch (const InputError& e) {
    fail("width list item ", item, ": ", what, " ", e.what());
  }
}
}  // namespace

std::vector<long> parse_widths(std::string_view text, long min_width, WidthSyntax syntax) {
  std::string_view s = io_detail::trim(text);
  require(!s.empty(), "empty width list (", kWidthsHint, ")");
  std::vector<long> widths;
  std::size_t start = 0, p, item = 0;
  do {
    p = s.find(',', start);
    std::string_view one = s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start);
    ++item;
    require(!io_detail::trim(one).empty(), "empty item ", item, " in the width list (", kWidthsHint, ")");
    std::uint64_t count = 1;
    std::string_view w = one;
    if (auto x = one.find_first_of("xX"); x != std::string_view::npos) {
      require(syntax == WidthSyntax::Layers, "width list item ", item, ": ", io_detail::excerpt(one),
              " is not a single width (this list takes widths only, e.g. 16,32,64)");
      w = one.substr(0, x);
      count = item_number(one.substr(x + 1), 1, std::uint64_t(kMaxLayers), item, "layer count");
    }
    const long width = long(item_number(w, std::uint64_t(min_width), std::uint64_t(kMaxWidth), item, "width"));
    require(widths.size() + count <= std::size_t(kMaxLayers), "more than ", io_detail::Count{std::uint64_t(kMaxLayers)},
            " entries in the width list");
    widths.insert(widths.end(), std::size_t(count), width);
    start = p + 1;
  } while (p != std::string_view::npos);
  return widths;
}

std::string format_widths(const std::vector<long>& w) {
  std::string s;
  for (std::size_t i = 0; i < w.size();) {
    std::size_t j = i;
    while (j < w.size() && w[j] == w[i]) ++j;
    if (!s.empty()) s += ",";
    s += std::to_string(w[i]);
    if (j - i > 1) s += "x" + std::to_string(j - i);
    i = j;
  }
  return s;
}

}  // namespace relumix
