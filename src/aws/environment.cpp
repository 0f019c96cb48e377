#include "aws/environment.h"

#include <utility>

namespace eem::aws {

Env::Env() : lookup_(util::process_env()) {}

Env::Env(util::EnvLookup lookup) : lookup_(std::move(lookup)) {}

std::optional<std::string> Env::operator()(std::string_view name) const {
  auto value = lookup_(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace eem::aws
