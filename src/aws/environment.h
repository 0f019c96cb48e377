#pragma once
// The environment as the AWS SDKs read it. There is one environment seam,
// util::EnvLookup (util/env.h); this is its view at the AWS boundary, where an
// empty value counts as unset (AWS_REGION= is no region, as in every SDK).
// Elsewhere an empty value is a value: the service refuses PORT= rather than
// guessing. Code that reads AWS_* variables takes an `Env`; callers pass the
// EnvLookup they hold and the conversion applies the rule, so no reader can
// forget it.

#include <optional>
#include <string>
#include <string_view>

#include "util/env.h"

namespace eem::aws {

class Env {
 public:
  // The process environment.
  Env();
  // `lookup`, with empty values read as unset. Implicit on purpose: this
  // conversion is the boundary.
  Env(util::EnvLookup lookup);  // NOLINT(google-explicit-constructor)

  // The variable's value, or nullopt when unset or empty.
  std::optional<std::string> operator()(std::string_view name) const;

 private:
  util::EnvLookup lookup_;
};

}  // namespace eem::aws
