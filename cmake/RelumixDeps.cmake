# Dependencies, all from Debian packages (scripts/setup.sh installs them).
find_package(Boost 1.74 REQUIRED)            # header-only: Boost.Multiprecision
find_package(Threads REQUIRED)
find_library(GMP_LIB gmp REQUIRED)
find_library(MPFR_LIB mpfr REQUIRED)
find_library(MPFI_LIB mpfi REQUIRED)
find_path(MPFI_INCLUDE mpfi.h REQUIRED)
find_path(RANDOM123_INCLUDE Random123/philox.h REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
