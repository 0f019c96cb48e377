#pragma once
// Can the role push to the repository? Its identity policies (inline and
// attached) evaluated with src/iam for each action a push needs.

#include <string>
#include <string_view>
#include <vector>

#include "iam/evaluator.h"

namespace eem::doctor {

// A push needs ecr:GetAuthorizationToken on "*" and these on the repository
// ARN (AWS docs "Amazon ECR identity-based policy examples"; DESIGN.md 3).
inline constexpr std::string_view kPushActions[] = {
    "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload", "ecr:PutImage"};

struct NamedPolicy {
  std::string name;      // "inline policy ecr-push", or the managed policy's ARN
  std::string document;  // JSON
};

struct ActionVerdict {
  std::string action;
  std::string resource;
  iam::Decision decision = iam::Decision::kImplicitDeny;
  std::string decided_by;  // the policy whose statement allowed or denied; empty for implicit deny
};

struct PushPermissions {
  std::vector<ActionVerdict> verdicts;  // GetAuthorizationToken first, then kPushActions
  std::vector<std::string> unreadable;  // "inline policy x: $.Statement: ..." (parse errors)
  bool allowed() const;
};

// Evaluates `policies` (together: any explicit Deny wins, else any Allow)
// for `role_arn` doing each push action on `repository_arn`.
PushPermissions evaluate_push_permissions(const std::vector<NamedPolicy>& policies, std::string_view role_arn,
                                          std::string_view repository_arn);

// The least-privilege inline policy that grants the push (the seed's custom
// policy, scoped to `repository_arn`), pretty-printed JSON.
std::string push_policy(std::string_view repository_arn);

}  // namespace eem::doctor
