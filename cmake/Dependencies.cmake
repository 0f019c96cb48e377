# Every third-party dependency comes from a Debian package (see
# scripts/install-deps). Each one is wrapped in an imported target here and is
# used by exactly one adapter in src/ (docs/ARCHITECTURE.md).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(fmt REQUIRED)
find_package(PkgConfig REQUIRED)
if(EEM_TESTS)
  find_package(GTest REQUIRED)
endif()
