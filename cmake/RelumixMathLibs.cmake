# Imported targets relumix::gmp, relumix::mpfr, relumix::mpfi, relumix::flint and relumix::arb for
# the C libraries that have no CMake package of their own on Debian (FLINT and Arb: libflint-dev,
# libflint-arb-dev). Used by the build (RelumixDeps.cmake) and installed with the package, so that
# find_package(relumix) finds them for a consumer too.
function(relumix_c_library name header)  # further arguments: the library's file names
  if(NOT TARGET relumix::${name})
    string(TOUPPER ${name} NAME)
    find_library(RELUMIX_${NAME}_LIBRARY NAMES ${ARGN} REQUIRED)
    find_path(RELUMIX_${NAME}_INCLUDE_DIR ${header} REQUIRED)
    add_library(relumix::${name} UNKNOWN IMPORTED)
    set_target_properties(relumix::${name} PROPERTIES
      IMPORTED_LOCATION "${RELUMIX_${NAME}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${RELUMIX_${NAME}_INCLUDE_DIR}")
  endif()
endfunction()
relumix_c_library(gmp gmp.h gmp)
relumix_c_library(mpfr mpfr.h mpfr)
relumix_c_library(mpfi mpfi.h mpfi)
relumix_c_library(flint flint/flint.h flint)   # headers in include/flint/
relumix_c_library(arb arb.h flint-arb arb)      # arb.h includes <flint/flint.h>
set_property(TARGET relumix::mpfr APPEND PROPERTY INTERFACE_LINK_LIBRARIES relumix::gmp)
set_property(TARGET relumix::mpfi APPEND PROPERTY INTERFACE_LINK_LIBRARIES relumix::mpfr)
set_property(TARGET relumix::flint APPEND PROPERTY INTERFACE_LINK_LIBRARIES relumix::mpfr)
set_property(TARGET relumix::arb APPEND PROPERTY INTERFACE_LINK_LIBRARIES relumix::flint)
