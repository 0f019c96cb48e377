# EEM_STATIC_SHIPCTL (preset release-static, scripts/release): shipctl links
# every library but glibc statically, from the static archives Debian's -dev
# packages ship, so the released binary runs on any glibc >= the one it was
# built with (Debian 12: 2.36; see docs/releasing.md for why glibc stays
# dynamic). Included after Dependencies.cmake: it points the imported targets
# found there at their .a files, so the CMakeLists under src/ are unchanged.
option(EEM_STATIC_SHIPCTL "Link shipctl's libraries statically, glibc dynamically (release assets)" OFF)
if(NOT EEM_STATIC_SHIPCTL OR NOT EEM_SHIPCTL)
  return()
endif()
if(EEM_SANITIZE)
  message(FATAL_ERROR "EEM_STATIC_SHIPCTL and EEM_SANITIZE exclude each other (the sanitizer runtimes are shared)")
endif()

# The static archive `name` (libNAME.a), or a configure error naming the
# Debian package that ships it.
function(eem_static_archive out name package)
  find_library(EEM_STATIC_${name} NAMES lib${name}.a NO_CACHE)
  if(NOT EEM_STATIC_${name})
    message(FATAL_ERROR "lib${name}.a not found: install ${package} (scripts/debian-packages.txt)")
  endif()
  set(${out} "${EEM_STATIC_${name}}" PARENT_SCOPE)
endfunction()

# Points the imported library `target` at `archive`, for every configuration.
function(eem_use_archive target archive)
  get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${archive}")
  foreach(config IN LISTS configs)
    if(config)
      set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} "${archive}")
    endif()
  endforeach()
endfunction()

eem_static_archive(crypto_a crypto libssl-dev)
eem_static_archive(ssl_a ssl libssl-dev)
eem_use_archive(OpenSSL::Crypto "${crypto_a}")
eem_use_archive(OpenSSL::SSL "${ssl_a}")
# libcrypto.a's own needs (pkg-config --static --libs libcrypto).
set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES ${CMAKE_DL_LIBS} Threads::Threads)

# src/oci and src/aws find these two; finding them here first lets this file
# retarget them (imported targets made here are visible in every directory).
find_package(ZLIB REQUIRED)
find_package(pugixml REQUIRED)

eem_static_archive(z_a z zlib1g-dev)
eem_use_archive(ZLIB::ZLIB "${z_a}")

# libcurl.a with the static archives of what Debian built it against
# (pkg-config --static --libs libcurl), but GSS-API, OpenLDAP and librtmp:
# src/net/curl_static_omissions.cpp explains why and stands in for them.
eem_static_archive(curl_a curl libcurl4-openssl-dev)
set(_curl_deps)
foreach(spec IN ITEMS nghttp2:libnghttp2-dev ssh2:libssh2-1-dev psl:libpsl-dev idn2:libidn2-dev
                      unistring:libunistring-dev zstd:libzstd-dev
                      brotlidec:libbrotli-dev brotlicommon:libbrotli-dev)
  string(REPLACE ":" ";" spec "${spec}")
  list(GET spec 0 name)
  list(GET spec 1 package)
  eem_static_archive(archive ${name} ${package})
  list(APPEND _curl_deps "${archive}")
endforeach()
add_library(eem_curl_omissions STATIC "${PROJECT_SOURCE_DIR}/src/net/curl_static_omissions.cpp")
target_link_libraries(eem_curl_omissions PRIVATE eem_warnings)
eem_use_archive(CURL::libcurl "${curl_a}")
# One group that the linker rescans: the archives refer to each other (libssh2
# to zlib, libpsl to libunistring), in no order a single pass satisfies.
list(JOIN _curl_deps "," _curl_deps)
set_target_properties(CURL::libcurl PROPERTIES INTERFACE_LINK_LIBRARIES
  "$<LINK_GROUP:RESCAN,${_curl_deps},${ssl_a},${crypto_a},${z_a}>;Threads::Threads;${CMAKE_DL_LIBS};eem_curl_omissions")

eem_static_archive(yaml_a yaml-cpp libyaml-cpp-dev)
eem_use_archive(yaml-cpp "${yaml_a}")
set_target_properties(pugixml::pugixml PROPERTIES INTERFACE_LINK_LIBRARIES pugixml::static)
eem_static_archive(sodium_a sodium libsodium-dev)
set_target_properties(PkgConfig::sodium PROPERTIES INTERFACE_LINK_LIBRARIES "${sodium_a};Threads::Threads")

# libarchive is static already (src/oci/CMakeLists.txt); its zstd and lz4
# become static too.
eem_static_archive(zstd_a zstd libzstd-dev)
eem_static_archive(lz4_a lz4 liblz4-dev)
set(EEM_ZSTD_SO "${zstd_a}" CACHE FILEPATH "zstd for libarchive (static: EEM_STATIC_SHIPCTL)" FORCE)
set(EEM_LZ4_SO "${lz4_a}" CACHE FILEPATH "lz4 for libarchive (static: EEM_STATIC_SHIPCTL)" FORCE)
set(EEM_STATIC_LIBARCHIVE ON CACHE BOOL "" FORCE)

# libstdc++ and libgcc: static, so that the binary needs no newer libstdc++
# than the host's (apps/CMakeLists.txt); apps/shipctl/static_compat.cpp keeps
# the glibc floor at 2.35.
set(EEM_STATIC_SHIPCTL_LINK_OPTIONS -static-libstdc++ -static-libgcc)
set(EEM_STATIC_SHIPCTL_SOURCES "${PROJECT_SOURCE_DIR}/apps/shipctl/static_compat.cpp")
