#pragma once
// The identity of this build, fixed at configure time (cmake/BuildInfo.cmake).

#include <string_view>

namespace eem::util {

struct BuildInfo {
  std::string_view version;     // project version, e.g. "0.1.0"
  std::string_view commit;      // full git commit SHA, or "unknown"
  std::string_view build_time;  // RFC 3339 UTC
};

const BuildInfo& build_info() noexcept;

}  // namespace eem::util
