# Imported targets relumix::gmp, relumix::mpfr, relumix::mpfi for the C libraries that have no
# CMake package of their own on Debian. Used by the build (RelumixDeps.cmake) and installed with the
# package, so that find_package(relumix) finds them for a consumer too.
foreach(lib gmp mpfr mpfi)
  if(NOT TARGET relumix::${lib})
    string(TOUPPER ${lib} LIB)
    find_library(RELUMIX_${LIB}_LIBRARY ${lib} REQUIRED)
    find_path(RELUMIX_${LIB}_INCLUDE_DIR ${lib}.h REQUIRED)
    add_library(relumix::${lib} UNKNOWN IMPORTED)
    set_target_properties(relumix::${lib} PROPERTIES
      IMPORTED_LOCATION "${RELUMIX_${LIB}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${RELUMIX_${LIB}_INCLUDE_DIR}")
  endif()
endforeach()
set_property(TARGET relumix::mpfr APPEND PROPERTY INTERFACE_LINK_LIBRARIES relumix::gmp)
set_property(TARGET relumix::mpfi APPEND PROPERTY INTERFACE_LINK_LIBRARIES relumix::mpfr)
