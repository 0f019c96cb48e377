#include "doctor/permissions.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "iam/policy_parser.h"

namespace eem::doctor {
namespace {

ActionVerdict decide(const std::vector<std::pair<std::string, iam::Policy>>& parsed, std::string_view role_arn,
                     std::string action, std::string resource) {
  iam::RequestContext context;
  context.principal = std::string(role_arn);
  context.action = action;
  context.resource = resource;
  ActionVerdict verdict{std::move(action), std::move(resource), iam::Decision::kImplicitDeny, {}};
  for (const auto& [name, policy] : parsed) {
    const iam::Decision decision = iam::evaluate(policy, context).decision;
    if (decision == iam::Decision::kExplicitDeny) return {verdict.action, verdict.resource, decision, name};
    if (decision == iam::Decision::kAllow && verdict.decision == iam::Decision::kImplicitDeny) {
      verdict.decision = decision;
      verdict.decided_by = name;
    }
  }
  return verdict;
}

}  // namespace

bool PushPermissions::allowed() const {
  return std::all_of(verdicts.begin(), verdicts.end(),
                     [](const ActionVerdict& v) { return v.decision == iam::Decision::kAllow; });
}

PushPermissions evaluate_push_permissions(const std::vector<NamedPolicy>& policies, std::string_view role_arn,
                                          std::string_view repository_arn) {
  PushPermissions out;
  std::vector<std::pair<std::string, iam::Policy>> parsed;
  for (const auto& p : policies) {
    auto policy = iam::parse_policy(p.document);
    if (!policy) {
      out.unreadable.push_back(p.name + ": " + policy.error().message);
      continue;
    }
    parsed.emplace_back(p.name, std::move(*policy));
  }
  out.verdicts.push_back(decide(parsed, role_arn, "ecr:GetAuthorizationToken", "*"));
  for (const auto action : kPushActions) {
    out.verdicts.push_back(decide(parsed, role_arn, std::string(action), std::string(repository_arn)));
  }
  return out;
}

std::string push_policy(std::string_view repository_arn) {
  nlohmann::ordered_json token;
  token["Effect"] = "Allow";
  token["Action"] = "ecr:GetAuthorizationToken";
  token["Resource"] = "*";
  nlohmann::ordered_json push;
  push["Effect"] = "Allow";
  push["Action"] = nlohmann::ordered_json::array();
  for (const auto action : kPushActions) push["Action"].push_back(action);
  push["Resource"] = repository_arn;
  nlohmann::ordered_json policy;
  policy["Version"] = "2012-10-17";
  policy["Statement"] = nlohmann::ordered_json::array({token, push});
  return policy.dump(2) + "\n";
}

}  // namespace eem::doctor
