#pragma once
// Can the role run the workflow? Its identity policies (inline and
// attached) evaluated with src/iam for each action the workflow's commands
// need, as the one table (aws/permissions.h) lists them.

#include <string>
#include <string_view>
#include <vector>

#include "aws/permissions.h"
#include "iam/evaluator.h"

namespace eem::doctor {

struct NamedPolicy {
  std::string name;      // "inline policy ShipctlEcrPush", or the managed policy's ARN
  std::string document;  // JSON
};

struct ActionVerdict {
  std::string action;
  std::string resource;
  std::string commands;  // "shipctl login, shipctl push": who needs it
  iam::Decision decision = iam::Decision::kImplicitDeny;
  std::string decided_by;  // the policy whose statement allowed or denied; empty for implicit deny
};

struct WorkflowPermissions {
  std::vector<ActionVerdict> verdicts;  // aws::workflow_permissions() order
  std::vector<std::string> unreadable;  // "inline policy x: $.Statement: ..." (parse errors)
  bool allowed() const;
};

// Evaluates `policies` (together: any explicit Deny wins, else any Allow)
// for `role_arn` doing each action of aws::workflow_permissions() on its
// resource in `arns`.
WorkflowPermissions evaluate_workflow_permissions(const std::vector<NamedPolicy>& policies, std::string_view role_arn,
                                                  const aws::ResourceArns& arns);

}  // namespace eem::doctor
