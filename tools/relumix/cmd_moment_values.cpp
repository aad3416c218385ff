// relumix moment A B --theta T: certified values (wired to eval.hpp).
#include "cli.hpp"
#include "relumix/error.hpp"

namespace relumix::cli {
void print_moment_values(unsigned, unsigned, const std::string&, int) {
  throw InputError("--theta is not available yet");
}
}  // namespace relumix::cli
