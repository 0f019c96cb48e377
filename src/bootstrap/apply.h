#pragma once
// Carries out a plan through the IAM and ECR clients, in plan order. Every
// action is idempotent on its own (create calls run only when the plan saw
// nothing; puts overwrite), so a run stopped by a failure is completed by
// running bootstrap again.

#include <functional>
#include <vector>

#include "aws/ecr.h"
#include "aws/iam.h"
#include "bootstrap/plan.h"

namespace eem::bootstrap {

// Called before each action: 1-based `index` of `total`.
using ApplyProgress = std::function<void(const Action& action, std::size_t index, std::size_t total)>;

// Stops at the first failure with "step N/M (summary): <AWS error>; steps
// before it are done: run bootstrap again to finish".
util::Result<void> apply_plan(aws::IamClient& iam, aws::EcrClient& ecr, const DesiredState& desired,
                              const std::vector<Action>& actions, const ApplyProgress& progress);

}  // namespace eem::bootstrap
