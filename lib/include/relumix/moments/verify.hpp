#pragma once
// Exact verification of the identities of docs/theory.md section 2 for all a, b <= max.
#include <string>
#include <vector>

#include "relumix/core/limits.hpp"
#include "relumix/core/progress.hpp"

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

// Checks every identity exactly (GMP rationals) on the polar (Fourier) route closed_form_fourier,
// which is built without any of them, and compares that route with closed_form (the Price/Bessel
// construction every other part of relumix uses). progress(done, total) is called per pair (a, b).
VerifyReport verify_identities(unsigned max, const ProgressFn& progress = {});

}  // namespace relumix
