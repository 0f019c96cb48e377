#include "audit/deploy_checks.h"

#include <algorithm>
#include <cctype>

#include "aws/permissions.h"
#include "iam/policy_parser.h"
#include "iam/request_context.h"

namespace eem::audit {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_allow(const iam::Statement& st) {
  return st.effect == iam::Effect::kAllow && st.action_negation == iam::Negation::kPositive;
}

bool has_wildcard(std::string_view text) { return text.find_first_of("*?") != std::string_view::npos; }

bool on_any_resource(const iam::Statement& st) {
  return st.resource_negation == iam::Negation::kPositive &&
         std::find(st.resources.begin(), st.resources.end(), "*") != st.resources.end();
}

// A deploy row's ECS action (all of them take the service ARN, so "*" is
// never needed); iam:PassRole is AUD008's.
bool is_deploy_action(std::string_view action) {
  const std::string wanted = lower(action);
  if (!wanted.starts_with("ecs:")) return false;
  const auto rows = aws::deploy_permissions();
  return std::any_of(rows.begin(), rows.end(), [&](const aws::Permission& p) { return lower(p.action) == wanted; });
}

bool is_write(std::string_view action) {
  const std::string name = lower(action);
  return name.find(":create") != std::string::npos || name.find(":update") != std::string::npos ||
         name.find(":delete") != std::string::npos;
}

// "iam:PassRole", "iam:Pass*", "iam:*", "*": what lets the role pass roles
// (action names match case-insensitively, IAM User Guide "Action").
// A bare "*" is AUD001's (administrator access), not judged again here.
bool passes_roles(std::string_view action) {
  return action != "*" && iam::wildcard_match(action, "iam:PassRole", iam::CaseFold::kInsensitive);
}

std::string service_or_placeholder(const DeployRoles& roles) { return roles.service.empty() ? "SERVICE" : roles.service; }

std::string bootstrap_fix(const DeployRoles& roles, const std::string& role_name) {
  return "shipctl bootstrap --role-name " + role_name + " --deploy " + service_or_placeholder(roles) +
         (roles.cluster.empty() || roles.cluster == aws::kDefaultCluster ? "" : " --cluster " + roles.cluster) + " --apply";
}

struct Wide {
  std::vector<std::string> evidence;
  bool high = false;
};

void judge_ecs(const iam::Statement& st, std::string_view source, Wide& wide) {
  for (const auto& action : st.actions) {
    const std::string name = lower(action);
    const std::string where = std::string(source) + ": " + st.path + ": ";
    if (name.starts_with("ecs:") && has_wildcard(name)) {
      wide.evidence.push_back(where + action + " (every ECS action matching it)");
      wide.high = true;
    } else if (is_deploy_action(action) && on_any_resource(st)) {
      wide.evidence.push_back(where + action + " on Resource \"*\" (every service of the account)");
      wide.high = wide.high || is_write(action);
    }
  }
}

std::vector<std::string> wide_pass_role(const iam::Statement& st, std::string_view source) {
  std::vector<std::string> out;
  const bool passes = std::any_of(st.actions.begin(), st.actions.end(), passes_roles);
  if (!passes || st.resource_negation != iam::Negation::kPositive) return out;
  for (const auto& resource : st.resources) {
    if (has_wildcard(resource)) out.push_back(std::string(source) + ": " + st.path + ": iam:PassRole on " + resource);
  }
  return out;
}

}  // namespace

bool grants_ecs(const iam::Policy& policy) {
  return std::any_of(policy.statements.begin(), policy.statements.end(), [](const iam::Statement& st) {
    return is_allow(st) && std::any_of(st.actions.begin(), st.actions.end(),
                                       [](const std::string& a) { return lower(a).starts_with("ecs:"); });
  });
}

std::vector<Finding> check_deploy_grants(const DeployRoles& roles, const std::string& role_name,
                                         std::string_view source, const iam::Policy& policy) {
  Wide wide;
  std::vector<std::string> pass_role;
  for (const auto& st : policy.statements) {
    if (!is_allow(st)) continue;
    judge_ecs(st, source, wide);
    for (auto& line : wide_pass_role(st, source)) pass_role.push_back(std::move(line));
  }
  std::vector<Finding> out;
  const std::string fix = bootstrap_fix(roles, role_name);
  if (!wide.evidence.empty()) {
    Finding f = make_finding("AUD007", CheckName::kRolePermissions, role_name, std::move(wide.evidence),
                             "grant the deploy actions on the one service's ARNs instead (ShipctlExpressDeploy): " + fix);
    f.severity = wide.high ? Severity::kHigh : Severity::kMedium;
    out.push_back(std::move(f));
  }
  if (!pass_role.empty()) {
    out.push_back(make_finding("AUD008", CheckName::kRolePermissions, role_name, std::move(pass_role),
                               "allow iam:PassRole only on the execution and infrastructure roles, towards ECS "
                               "(ShipctlExpressDeploy): " + fix));
  }
  return out;
}

std::vector<Finding> check_service_role(const DeployRoles& roles, const std::string& role_name,
                                        std::string_view principal, const std::optional<std::string>& trust_policy) {
  const std::string fix = "shipctl bootstrap --deploy " + service_or_placeholder(roles) + " --apply";
  if (!trust_policy) {
    return {make_finding("AUD060", CheckName::kTrustPolicy, role_name,
                         {"IAM GetRole: no role named " + role_name + " (it must trust " + std::string(principal) + ")"},
                         fix + " creates it")};
  }
  std::vector<std::string> evidence;
  bool admitted = false;
  auto policy = iam::parse_policy(*trust_policy);
  if (!policy) evidence.push_back("trust policy does not parse: " + policy.error().message);
  for (const auto& st : policy ? policy->statements : std::vector<iam::Statement>{}) {
    if (st.effect != iam::Effect::kAllow || !st.principal) continue;
    const bool negated = st.principal->negation == iam::Negation::kNegated;
    for (const auto& p : st.principal->entries) {
      if (!negated && p.type == "Service" && p.value == principal) {
        admitted = true;
        continue;
      }
      evidence.push_back("trust policy " + st.path + ": " + (negated ? "NotPrincipal " : "") + p.type + " " + p.value);
    }
  }
  if (!admitted) evidence.push_back("trust policy: " + std::string(principal) + " is not admitted (it assumes the role)");
  if (evidence.empty()) return {};
  return {make_finding("AUD061", CheckName::kTrustPolicy, role_name, std::move(evidence),
                       "trust only the service " + std::string(principal) + ": " + fix + " repairs it")};
}

}  // namespace eem::audit
