#include "iam/arn.h"

#include <algorithm>
#include <array>

namespace eem::iam {

std::optional<Arn> Arn::parse(std::string_view text) {
  std::array<std::string_view, 5> head;
  for (auto& part : head) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    part = text.substr(0, colon);
    text.remove_prefix(colon + 1);
  }
  if (head[0] != "arn" || !head[1].starts_with("aws") || head[2].empty()) return std::nullopt;
  return Arn{std::string(head[1]), std::string(head[2]), std::string(head[3]), std::string(head[4]),
             std::string(text)};
}

std::string Arn::str() const {
  return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource;
}

bool is_account_id(std::string_view text) {
  return text.size() == 12 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Arn> parse_role_arn(std::string_view text) {
  auto arn = Arn::parse(text);
  if (!arn || arn->service != "iam" || !arn->region.empty() || !is_account_id(arn->account)) return std::nullopt;
  const std::string_view resource = arn->resource;
  if (!resource.starts_with("role/") || resource.size() == 5 || resource.ends_with("/")) return std::nullopt;
  if (resource.find(':') != std::string_view::npos) return std::nullopt;
  return arn;
}

std::string role_name(const Arn& role) { return role.resource.substr(role.resource.rfind('/') + 1); }

}  // namespace eem::iam
