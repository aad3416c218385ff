// The parsers' fuzz corpus and every input the fuzzer ever found (tests/fuzz/regressions/) replayed
// through the fuzz harness in the normal build (tests/fuzz/parsers_harness.hpp; the fuzzer itself
// needs clang: RELUMIX_FUZZ, CTest fuzz.parsers). A file fails the test when a parser throws anything
// but InputError, or breaks an invariant (the harness aborts, naming it).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/parsers_harness.hpp"

namespace fs = std::filesystem;

namespace {
std::string bytes_of(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void replay(const std::string& s) { relumix_fuzz::parsers(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }
}  // namespace

TEST_CASE("fuzz corpus and regressions replay through the parsers") {
  const fs::path root = fs::path(RELUMIX_TEST_DATA).parent_path() / "fuzz";
  std::size_t files = 0;
  for (const char* sub : {"corpus", "regressions"})
    for (const auto& e : fs::directory_iterator(root / sub)) {
      if (!e.is_regular_file() || e.path().extension() == ".md") continue;
      INFO(e.path().string());
      CHECK_NOTHROW(replay(bytes_of(e.path())));
      ++files;
    }
  CHECK(files >= 70);  // the seed corpus: every parser, several inputs each
}
