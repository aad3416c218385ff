#pragma once
// Errors: every problem with user input is an InputError with a one-line message
// that names the problem. The CLI prints it as "relumix: error: <message>".
#include <stdexcept>
#include <string>

namespace relumix {

struct InputError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Throws InputError(message) unless cond holds.
inline void require(bool cond, const std::string& message) {
  if (!cond) throw InputError(message);
}

}  // namespace relumix
