#pragma once
// Amazon Resource Names, parsed once: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
// (IAM user guide, "IAM identifiers"; AWS general reference, "Amazon Resource
// Names"). The resource keeps any further ':' and '/' (a log group's
// "log-group:NAME:*", a role's "role/PATH/NAME").

#include <optional>
#include <string>
#include <string_view>

namespace eem::iam {

struct Arn {
  std::string partition;  // aws, aws-cn, aws-us-gov, ...
  std::string service;    // iam, ecr, ecs, sts, ...
  std::string region;     // "" for global services (IAM)
  std::string account;    // "" for AWS-managed resources (arn:aws:iam::aws:policy/... has "aws")
  std::string resource;

  // nullopt unless `text` has the six parts, starts with "arn:", and names a
  // partition ("aws...") and a service.
  static std::optional<Arn> parse(std::string_view text);
  std::string str() const;
};

// A 12-digit AWS account id.
bool is_account_id(std::string_view text);

// arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME with a 12-digit account and a
// non-empty NAME, as STS and IAM accept it.
std::optional<Arn> parse_role_arn(std::string_view text);

// NAME of a role ARN parse_role_arn accepted.
std::string role_name(const Arn& role);

}  // namespace eem::iam
