# Every third-party dependency comes from a Debian package (see
# scripts/debian-packages.txt). Each one is used by exactly one adapter in src/
# (docs/ARCHITECTURE.md). The service alone (EEM_SHIPCTL=OFF, the container
# build) needs only Boost, nlohmann-json and CLI11.
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
if(EEM_SHIPCTL)
  find_package(OpenSSL 3 REQUIRED)
  find_package(CURL REQUIRED)
  find_package(yaml-cpp REQUIRED)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(sodium REQUIRED IMPORTED_TARGET libsodium)
endif()
if(EEM_TESTS)
  find_package(GTest REQUIRED)
endif()
