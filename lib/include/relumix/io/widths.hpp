#pragma once
// Width sequences of networks: "256x32" (32 layers of width 256), "64,128,256", and mixes
// "256x16,128x16". Entry k is the width n_{k+1} of layer k+1.
#include <string>
#include <vector>

namespace relumix {

constexpr long kMaxLayers = 1000000;
constexpr long kMaxWidth = 1000000000000L;

// Throws InputError for empty or malformed lists, widths below min_width or above
// kMaxWidth, and more than kMaxLayers layers.
std::vector<long> parse_widths(const std::string& text, long min_width = 2);

}  // namespace relumix
