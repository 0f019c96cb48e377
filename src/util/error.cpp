#include "util/error.h"

#include <array>
#include <cstddef>

namespace eem::util {

namespace {

// Exit codes: 1 is the generic failure; the others let scripts tell a fix-it
// failure (2: bad input) from a wait-and-retry one (75: EX_TEMPFAIL, from
// sysexits.h) and a permission problem (77: EX_NOPERM). Deploy outcomes take
// 10-14, clear of sysexits' 64-78 and of doctor/audit's 6 and 7.
constexpr std::array<KindInfo, 16> kKinds{{
    {"invalid_input", false, 2},
    {"not_found", false, 3},
    {"denied", false, 77},
    {"conflict", false, 4},
    {"throttled", true, 75},
    {"transient", true, 75},
    {"clock_skew", true, 75},
    {"expired", false, 77},
    {"io", false, 74},
    {"unsupported", false, 2},
    {"internal", false, 70},
    {"deploy_timed_out", false, 10},
    {"deploy_stopped", false, 11},
    {"rolled_back", false, 12},
    {"rollback_failed", false, 13},
    {"verify_failed", false, 14},
}};

}  // namespace

const KindInfo& kind_info(ErrorKind kind) noexcept {
  return kKinds[static_cast<std::size_t>(kind)];
}

Error Error::with_context(std::string_view context) const {
  std::string text;
  text.reserve(context.size() + 2 + message.size());
  text.append(context).append(": ").append(message);
  return Error{kind, std::move(text)};
}

}  // namespace eem::util
