#pragma once
// Exact verification of the identities of SPEC section 2 for all a, b <= max.
#include <string>
#include <vector>
#include "relumix/core/limits.hpp"

namespace relumix {

struct IdentityTally {
  std::string identity;  // "symmetry", "price", "base-column", "reflection", "value-0",
                         // "value-pi/2", "value-pi", "arc-cosine", "two-routes"
  long checked = 0, failed = 0;
};

struct IdentityFailure {
  std::string identity;
  unsigned a = 0, b = 0;
};

struct VerifyReport {
  unsigned max = 0;
  std::vector<IdentityTally> tallies;
  std::vector<IdentityFailure> failures;
  long checked() const;
  long failed() const;
};

// Checks every identity exactly (GMP rationals). progress(done, total) is called per pair.
VerifyReport verify_identities(unsigned max, void (*progress)(long, long) = nullptr);

}  // namespace relumix
