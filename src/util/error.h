#pragma once
// Errors are values: functions that can fail return `Result<T>`, an
// std::expected carrying an `Error`. Exceptions are caught only where policy
// is decided (a main(), an HTTP handler boundary).

#include <expected>
#include <string>
#include <string_view>

namespace eem::util {

// What kind of failure this is. Retry and exit-code policy read from this
// classification (kind_info()), never from scattered checks on messages.
enum class ErrorKind {
  kInvalidInput,   // the caller's input is wrong; fix it and try again
  kNotFound,       // a named thing does not exist
  kDenied,         // authentication or authorisation refused
  kConflict,       // the thing exists in an incompatible state
  kThrottled,      // the remote side asked us to slow down
  kTransient,      // a network fault or 5xx; retrying may succeed
  kClockSkew,      // our clock disagrees with the server's
  kExpired,        // credentials or a token have expired
  kIo,             // local file or process failure
  kUnsupported,    // valid, but not something we implement
  kInternal,       // a bug: an invariant of ours does not hold
  // shipctl deploy's outcomes: each its own exit code.
  kDeployTimedOut,     // the wait ended first; the deployment goes on (resume with --wait-only)
  kDeployStopped,      // the deployment ended STOPPED
  kRolledBack,         // the deployment failed and was rolled back (ROLLBACK_SUCCESSFUL)
  kRollbackFailed,     // the deployment failed and so did its rollback
  kVerifyFailed,       // deployed, but the running digest or the served commit is not the wanted one
};

struct KindInfo {
  std::string_view name;  // stable, lower case, used in --json output
  bool retryable;         // may the same request succeed if sent again?
  int exit_code;          // process exit code for a CLI failing with it
};

// The one table of failure policy.
const KindInfo& kind_info(ErrorKind kind) noexcept;

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  // The whole message a user reads, most general context first:
  // "pushing layer sha256:ab12…: HTTP 503 from registry".
  std::string message;

  // Returns a copy whose message is "`context`: message".
  [[nodiscard]] Error with_context(std::string_view context) const;
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for `return fail(ErrorKind::kNotFound, "...")`.
inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return std::unexpected<Error>(Error{kind, std::move(message)});
}

}  // namespace eem::util
