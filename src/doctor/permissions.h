#pragma once
// Can the role run the workflow? Its identity policies (inline and
// attached) evaluated with src/iam for each action the workflow's commands
// need, as the one table (aws/permissions.h) lists them.

#include <string>
#include <string_view>
#include <utility>
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
  // Whether the verdicts hold whatever the unreadable policies say: none is
  // unreadable, or a readable one explicitly denies (an unreadable policy
  // may deny what the others allow, or allow what they do not).
  bool conclusive() const;
};

// One request to evaluate: `action` on `resource`, with condition keys
// (e.g. iam:PassedToService for iam:PassRole).
struct ActionRequest {
  std::string action;
  std::string resource;
  std::vector<std::pair<std::string, std::string>> context;
};

// Evaluates `policies` together for `principal` making each request, as
// evaluate_workflow_permissions does; `commands` stays empty.
WorkflowPermissions evaluate_actions(const std::vector<NamedPolicy>& policies, std::string_view principal,
                                     const std::vector<ActionRequest>& requests);

// Evaluates `policies` (together: any explicit Deny wins, else any Allow)
// for `role_arn` doing each action of aws::workflow_permissions() on its
// resource in `arns`.
WorkflowPermissions evaluate_workflow_permissions(const std::vector<NamedPolicy>& policies, std::string_view role_arn,
                                                  const aws::ResourceArns& arns);

}  // namespace eem::doctor
