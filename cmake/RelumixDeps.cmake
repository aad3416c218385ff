# Dependencies, all from Debian packages (scripts/setup.sh installs them).
find_package(Boost 1.74 REQUIRED)            # header-only: Boost.Multiprecision
find_package(Threads REQUIRED)
include(${CMAKE_CURRENT_LIST_DIR}/RelumixMathLibs.cmake)   # relumix::gmp, relumix::mpfr, relumix::mpfi
find_path(RANDOM123_INCLUDE Random123/philox.h REQUIRED)  # header-only, private to the library
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
