#include "doctor/permissions.h"

#include <algorithm>
#include <optional>

#include "iam/policy_parser.h"
#include "util/strings.h"

namespace eem::doctor {
namespace {

using Parsed = std::vector<std::pair<std::string, iam::Policy>>;

ActionVerdict decide(const Parsed& parsed, const iam::RequestContext& context, ActionVerdict verdict) {
  for (const auto& [name, policy] : parsed) {
    const iam::Decision decision = iam::evaluate(policy, context).decision;
    if (decision == iam::Decision::kExplicitDeny) {
      verdict.decision = decision;
      verdict.decided_by = name;
      return verdict;
    }
    if (decision == iam::Decision::kAllow && verdict.decision == iam::Decision::kImplicitDeny) {
      verdict.decision = decision;
      verdict.decided_by = name;
    }
  }
  return verdict;
}

// "login, push" -> "shipctl login, shipctl push".
std::string shipctl_commands(const std::string& commands) {
  std::string out;
  for (const auto command : util::split(commands, ',')) {
    out += (out.empty() ? "shipctl " : ", shipctl ") + std::string(util::trim(command));
  }
  return out;
}

ActionVerdict decide(const Parsed& parsed, std::string_view role_arn, ActionVerdict verdict) {
  iam::RequestContext context;
  context.principal = std::string(role_arn);
  context.action = verdict.action;
  context.resource = verdict.resource;
  return decide(parsed, context, std::move(verdict));
}

Parsed parse_all(const std::vector<NamedPolicy>& policies, std::vector<std::string>& unreadable) {
  Parsed parsed;
  for (const auto& p : policies) {
    auto policy = iam::parse_policy(p.document);
    if (!policy) {
      unreadable.push_back(p.name + ": " + policy.error().message);
      continue;
    }
    parsed.emplace_back(p.name, std::move(*policy));
  }
  return parsed;
}

}  // namespace

bool WorkflowPermissions::allowed() const {
  return std::all_of(verdicts.begin(), verdicts.end(),
                     [](const ActionVerdict& v) { return v.decision == iam::Decision::kAllow; });
}

bool WorkflowPermissions::conclusive() const {
  return unreadable.empty() || std::any_of(verdicts.begin(), verdicts.end(), [](const ActionVerdict& v) {
           return v.decision == iam::Decision::kExplicitDeny;
         });
}

WorkflowPermissions evaluate_workflow_permissions(const std::vector<NamedPolicy>& policies, std::string_view role_arn,
                                                  const aws::ResourceArns& arns) {
  WorkflowPermissions out;
  const Parsed parsed = parse_all(policies, out.unreadable);
  for (const auto& p : aws::workflow_permissions()) {
    ActionVerdict verdict{std::string(p.action), aws::resource_arn(p.resource, arns),
                          shipctl_commands(aws::commands_needing(p.action, p.resource)), iam::Decision::kImplicitDeny, {}};
    out.verdicts.push_back(decide(parsed, role_arn, std::move(verdict)));
  }
  return out;
}

WorkflowPermissions evaluate_actions(const std::vector<NamedPolicy>& policies, std::string_view principal,
                                     const std::vector<ActionRequest>& requests) {
  WorkflowPermissions out;
  const Parsed parsed = parse_all(policies, out.unreadable);
  for (const auto& request : requests) {
    iam::RequestContext context;
    context.principal = std::string(principal);
    context.action = request.action;
    context.resource = request.resource;
    for (const auto& [key, value] : request.context) context.add(key, value);
    out.verdicts.push_back(decide(parsed, context, {request.action, request.resource, {}, iam::Decision::kImplicitDeny, {}}));
  }
  return out;
}

}  // namespace eem::doctor
