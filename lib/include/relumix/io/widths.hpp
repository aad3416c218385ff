#pragma once
// Width sequences of networks (docs/cli.md, "Grammar"): "256x32" (32 layers of width 256),
// "64,128,256", and mixes "256x16,128x16". Entry k is the width n_{k+1} of layer k+1. Widths and
// layer counts are whole numbers (io/numbers.hpp: 256, 1e3); spaces around items are ignored.
#include <string>
#include <string_view>
#include <vector>

#include "relumix/core/limits.hpp"

namespace relumix {

enum class WidthSyntax {
  Layers,  // items W or WxK (K layers of width W): the widths of a network
  Values,  // items W only: a list of single widths (e.g. one point each)
};

// Throws InputError for empty or malformed lists, widths below min_width or above kMaxWidth,
// and more than kMaxLayers entries. Linear in the length of text.
std::vector<long> parse_widths(std::string_view text, long min_width = 2, WidthSyntax syntax = WidthSyntax::Layers);

// The run-length form of a width sequence: "256x32", "256x16,128x16", "64,128,256"
// (parse_widths(format_widths(w)) == w).
std::string format_widths(const std::vector<long>& widths);

}  // namespace relumix
