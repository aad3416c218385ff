// The limits table: docs/cli.md ("Errors and limits") carries exactly the rows of kLimits
// (core/limits.hpp), so that a changed limit or its measured cost cannot drift from the docs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "relumix/core/limits.hpp"
#include "relumix/io/numbers.hpp"

namespace {
std::string value_text(double v) {
  if (v == std::floor(v) && v >= 1 && v < 1.8e19) return relumix::format_count(std::uint64_t(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

TEST_CASE("docs/cli.md has the limits table of core/limits.hpp") {
  std::ostringstream t;
  t << "| limit | value | unit | applies to | measured cost |\n|---|---|---|---|---|\n";
  for (const auto& l : relumix::kLimits)
    t << "| `" << l.name << "` | " << value_text(l.value) << " | " << l.unit << " | " << l.applies << " | " << l.cost
      << " |\n";
  std::ifstream f(std::string(RELUMIX_TEST_DATA) + "/../../docs/cli.md");
  std::stringstream doc;
  doc << f.rdbuf();
  INFO("paste this table into docs/cli.md (Errors and limits):\n" << t.str());
  CHECK(doc.str().find(t.str()) != std::string::npos);
  for (const auto& l : relumix::kLimits) CHECK(l.value > 0);
}
