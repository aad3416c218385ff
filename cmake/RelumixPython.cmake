# RELUMIX_PYTHON: build the Python module `relumix` (python/). Unless the option is given, it is
# ON exactly when pybind11, the Python development files and numpy are found; given ON, they are
# required. The interpreter is the system python3 (/usr/bin/python3 when it exists, so that a
# pyenv or virtualenv python3 earlier on PATH does not take over); set Python_EXECUTABLE to
# build for another one.
if(DEFINED RELUMIX_PYTHON AND NOT RELUMIX_PYTHON)
  return()
endif()
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The python3 the module is built for")
endif()
set(_relumix_py_required)
if(DEFINED RELUMIX_PYTHON)
  set(_relumix_py_required REQUIRED)
endif()
find_package(Python 3.8 ${_relumix_py_required} QUIET COMPONENTS Interpreter Development.Module NumPy)
if(Python_FOUND)
  set(PYBIND11_FINDPYTHON ON)
  find_package(pybind11 2.6 CONFIG ${_relumix_py_required} QUIET)
endif()
if(Python_FOUND AND pybind11_FOUND)
  set(_relumix_py_default ON)
else()
  set(_relumix_py_default OFF)
  message(STATUS "relumix: the Python module is not built (needs pybind11-dev, python3-dev, python3-numpy: scripts/setup.sh)")
endif()
option(RELUMIX_PYTHON "Build the Python module relumix (pybind11)" ${_relumix_py_default})
