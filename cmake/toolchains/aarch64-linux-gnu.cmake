# linux/arm64 from an amd64 Debian 12 (preset release-static-arm64,
# `scripts/release --arch arm64`): Debian's cross compiler
# (g++-aarch64-linux-gnu) against an arm64 Debian 12 root that holds the
# :arm64 -dev packages, made by scripts/release with mmdebstrap. A root rather
# than the host's multiarch directories because libyaml-cpp-dev is not
# Multi-Arch: same in Debian 12 (its arm64 copy would remove the amd64 one),
# and because the host's packages stay as they are (docs/releasing.md).
#
# EEM_SYSROOT (cache variable or environment) names the root; default
# build/sysroot-arm64 in the source tree, where scripts/release makes it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

if(NOT EEM_SYSROOT)
  if(DEFINED ENV{EEM_SYSROOT})
    set(EEM_SYSROOT "$ENV{EEM_SYSROOT}")
  else()
    get_filename_component(EEM_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../../build/sysroot-arm64" ABSOLUTE)
  endif()
endif()
if(NOT EXISTS "${EEM_SYSROOT}/var/lib/dpkg/status")
  message(FATAL_ERROR "${EEM_SYSROOT} is not an arm64 Debian root: make it with scripts/release --arch arm64 (or set EEM_SYSROOT)")
endif()
set(EEM_SYSROOT "${EEM_SYSROOT}" CACHE PATH "arm64 Debian root the cross build compiles and links against")
# try_compile projects get the root too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EEM_SYSROOT)
set(CMAKE_SYSROOT "${EEM_SYSROOT}")

# Headers, libraries and CMake/pkg-config files from the root only; programs
# (pkg-config, python3) from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${EEM_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR} "${EEM_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${EEM_SYSROOT}/usr/share/pkgconfig")

# Lets CMake (and ctest) run what it builds, under qemu-user with the root's loader.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L "${EEM_SYSROOT}")
