# Warnings for our own code only: an INTERFACE target that every project
# library and executable links privately. Third-party headers are included as
# SYSTEM, so their warnings never fail our build.
add_library(eem_warnings INTERFACE)
target_compile_options(eem_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(EEM_WERROR)
  target_compile_options(eem_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O2/-O3 reports a false -Wrestrict inside libstdc++ for
# `"literal" + std::string` (GCC bugs 105329 and 105651, fixed in GCC 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(eem_warnings INTERFACE -Wno-restrict)
endif()
