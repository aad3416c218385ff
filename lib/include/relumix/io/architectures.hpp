#pragma once
// Architecture files (docs/cli.md, "Grammar"): one architecture per line, "name: widths" or just
// "widths" (io/widths.hpp), '#' starts a comment, blank lines are ignored.
#include <string>
#include <string_view>
#include <vector>

#include "relumix/core/limits.hpp"

namespace relumix {

struct Architecture {
  std::string name;         // as given, or the widths text
  std::vector<long> widths;  // layer widths (each >= 2)
};

// InputError on malformed lines (naming the line number), an empty list, more than
// kMaxArchitectures architectures or more than kMaxScreenLayers layers in all. Linear.
std::vector<Architecture> parse_architectures(std::string_view text);

// The whole content of a text file of at most kMaxInputFileBytes bytes; InputError naming the
// real cause when it is missing, a directory, unreadable or too large.
std::string read_text_file(const std::string& path);

}  // namespace relumix
