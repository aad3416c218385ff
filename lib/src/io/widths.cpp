#include "relumix/io/widths.hpp"

#include <cctype>

#include "relumix/core/error.hpp"

namespace relumix {

namespace {
long parse_count(const std::string& s, const std::string& text, long max) {
  require(!s.empty() && s.size() <= 13, "malformed width list '" + text + "' (use e.g. 256x32 or 64,128,256x4)");
  for (char c : s)
    require(std::isdigit(static_cast<unsigned char>(c)), "malformed width list '" + text + "' (use e.g. 256x32 or 64,128,256x4)");
  long v = std::stol(s);
  require(v <= max, "value " + s + " in width list '" + text + "' is too large (at most " + std::to_string(max) + ")");
  return v;
}
}  // namespace

std::vector<long> parse_widths(const std::string& text, long min_width) {
  std::string s;
  for (char c : text) if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  require(!s.empty(), "empty width list");
  std::vector<long> widths;
  std::size_t start = 0, p;
  do {
    p = s.find(',', start);
    std::string item = s.substr(start, p == std::string::npos ? std::string::npos : p - start);
    require(!item.empty(), "empty item in width list '" + text + "'");
    long width, count = 1;
    if (auto x = item.find_first_of("xX"); x != std::string::npos) {
      width = parse_count(item.substr(0, x), text, kMaxWidth);
      count = parse_count(item.substr(x + 1), text, kMaxLayers);
      require(count >= 1, "layer count must be at least 1 in '" + item + "'");
    } else {
      width = parse_count(item, text, kMaxWidth);
    }
    require(width >= min_width, "width " + std::to_string(width) + " is below the minimum " + std::to_string(min_width));
    require(long(widths.size()) + count <= kMaxLayers, "more than " + std::to_string(kMaxLayers) + " layers");
    widths.insert(widths.end(), std::size_t(count), width);
    start = p + 1;
  } while (p != std::string::npos);
  return widths;
}

}  // namespace relumix
