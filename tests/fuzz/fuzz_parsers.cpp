// libFuzzer target of the parsers (tests/fuzz/parsers_harness.hpp; docs/cli.md, "Fuzzing").
#include "parsers_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  relumix_fuzz::parsers(data, size);
  return 0;
}
