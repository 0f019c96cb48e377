# Resolves the build identity (commit, version, time) once at configure time.
# Docker builds pass EEM_GIT_COMMIT and EEM_BUILD_TIME as build arguments,
# since the build context has no .git directory (.dockerignore).
if(EEM_GIT_COMMIT STREQUAL "")
  execute_process(COMMAND git rev-parse HEAD
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    OUTPUT_VARIABLE _commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
    RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND NOT _commit STREQUAL "")
    set(EEM_GIT_COMMIT "${_commit}")
  else()
    set(EEM_GIT_COMMIT "unknown")
  endif()
endif()
set(EEM_VERSION "" CACHE STRING "Version embedded in the binaries (default: the project version; scripts/release passes the release's)")
if(EEM_VERSION STREQUAL "")
  set(EEM_VERSION "${PROJECT_VERSION}")
endif()
if(EEM_BUILD_TIME STREQUAL "")
  string(TIMESTAMP EEM_BUILD_TIME "%Y-%m-%dT%H:%M:%SZ" UTC)
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/build_info.cpp.in"
  "${CMAKE_CURRENT_BINARY_DIR}/generated/build_info.cpp" @ONLY)
