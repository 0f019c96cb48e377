#include "bootstrap/policy_change.h"

#include <algorithm>
#include <utility>

#include "aws/permissions.h"
#include "iam/policy_parser.h"

namespace eem::bootstrap {

namespace {

using Grant = std::pair<std::string, std::string>;  // action, resource

std::vector<Grant> allowed_pairs(const iam::Policy& policy) {
  std::vector<Grant> out;
  for (const auto& st : policy.statements) {
    if (st.effect != iam::Effect::kAllow || st.action_negation != iam::Negation::kPositive) continue;
    for (const auto& action : st.actions) {
      for (const auto& resource : st.resources) {
        if (std::find(out.begin(), out.end(), Grant{action, resource}) == out.end()) out.emplace_back(action, resource);
      }
    }
  }
  return out;
}

bool contains(const std::vector<Grant>& grants, const Grant& g) {
  return std::find(grants.begin(), grants.end(), g) != grants.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The workflow commands needing `g`: "*" is kAny; an ARN may stand for any
// other kind (a repository in ShipctlEcrPush, an ECS resource or role in
// ShipctlExpressDeploy).
std::string commands_for(const Grant& g) {
  using enum aws::ResourceKind;
  if (g.second == "*") {
    const auto opt_in = aws::opt_in_permissions();
    if (std::any_of(opt_in.begin(), opt_in.end(), [&](const aws::Permission& p) { return p.action == g.first; })) {
      return "login --public";
    }
    return aws::commands_needing(g.first, kAny);
  }
  for (const auto kind : {kRepository, kEcsService, kEcsServiceDeployment, kEcsServiceRevision, kEcsCluster,
                          kExecutionRole, kInfrastructureRole}) {
    std::string commands = aws::commands_needing(g.first, kind);
    if (!commands.empty()) return commands;
  }
  return {};
}

void add_once(std::vector<std::string>& items, std::string item) {
  if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(std::move(item));
}

}  // namespace

PolicyChange policy_change(std::string_view observed, std::string_view desired) {
  auto before = iam::parse_policy(observed);
  auto after = iam::parse_policy(desired);
  if (!before || !after) return {};
  const auto had = allowed_pairs(*before);
  const auto wants = allowed_pairs(*after);
  PolicyChange out;
  for (const auto& g : wants) {
    if (contains(had, g)) continue;
    const std::string commands = commands_for(g);
    add_once(out.added, g.first + (commands.empty() ? "" : " (" + commands + ")"));
  }
  for (const auto& g : had) {
    if (!contains(wants, g)) add_once(out.removed, g.first);
  }
  return out;
}

bool grants_ecr_public_login(std::string_view policy) {
  auto parsed = iam::parse_policy(policy);
  if (!parsed) return false;
  // Only the plain grant --public writes is kept. A Deny anywhere, or the
  // actions granted only under a condition, is a narrowing the canonical
  // statement would drop: not kept, so the plan shows the removal.
  const auto& statements = parsed->statements;
  if (std::any_of(statements.begin(), statements.end(),
                  [](const iam::Statement& st) { return st.effect == iam::Effect::kDeny; })) {
    return false;
  }
  iam::Policy plain = *parsed;
  std::erase_if(plain.statements, [](const iam::Statement& st) {
    return !st.conditions.empty() || st.resource_negation != iam::Negation::kPositive;
  });
  const auto granted = allowed_pairs(plain);
  const auto rows = aws::opt_in_permissions();
  return std::all_of(rows.begin(), rows.end(), [&](const aws::Permission& p) {
    return contains(granted, {std::string(p.action), "*"});
  });
}

std::string policy_change_text(const PolicyChange& change) {
  std::string out;
  if (!change.added.empty()) out += "adds " + join(change.added);
  if (!change.removed.empty()) out += (out.empty() ? "" : "; ") + std::string("removes ") + join(change.removed);
  return out.empty() ? out : ": " + out;
}

}  // namespace eem::bootstrap
