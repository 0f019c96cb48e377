#include "audit/policy_checks.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "aws/permissions.h"
#include "iam/policy_parser.h"
#include "util/strings.h"

namespace eem::audit {

namespace {

struct KnownPolicy {
  std::string_view name;
  std::string_view id;
  std::string_view why;
};

// What each grants: AWS Managed Policy Reference Guide.
constexpr std::array<KnownPolicy, 4> kKnown{{
    {"AdministratorAccess", "AUD001", "grants every action on every resource"},
    {"PowerUserAccess", "AUD002", "grants every action except IAM and Organizations management"},
    {"AmazonEC2ContainerRegistryPowerUser", "AUD002",
     "grants push and pull on every repository of the account (Resource \"*\"), beyond the one repository the workflow pushes to"},
    {"AmazonEC2ContainerRegistryFullAccess", "AUD002", "grants ecr:* on every repository, deletion included"},
}};

// "ecr:GetAuthorizationToken on \"*\" and ecr:BatchCheckLayerAvailability, ...
// on ARN": the workflow's rows of the permission table.
std::string workflow_grants(const std::string& repository) {
  std::string any, on_repository;
  for (const auto& p : aws::workflow_permissions()) {
    std::string& list = p.resource == aws::ResourceKind::kAny ? any : on_repository;
    list += (list.empty() ? "" : ", ") + std::string(p.action);
  }
  return any + " on \"*\" and " + on_repository + " on " + repository;
}

std::string least_privilege_fix(const RoleContext& role) {
  const std::string resource = role.repository_arn.empty() ? "the repository ARN" : role.repository_arn;
  return "replace it with an inline policy allowing what the workflow calls (" + workflow_grants(resource) +
         "): shipctl bootstrap --role-name " + role.role_name + " --apply";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// IAM action names compare case-insensitively (IAM User Guide, "Action").
bool workflow_needs(std::string_view action) {
  const std::string wanted = lower(action);
  const auto needed = [&](const std::vector<aws::Permission>& rows) {
    return std::any_of(rows.begin(), rows.end(), [&](const aws::Permission& p) { return lower(p.action) == wanted; });
  };
  // shipctl deploy's rows too: how widely they are granted is AUD007/AUD008's;
  // and the opt-in ones (login --public), which a role granted on purpose.
  return needed(aws::workflow_permissions()) || needed(aws::deploy_permissions()) ||
         needed(aws::opt_in_permissions());
}

bool is_wildcard(std::string_view action) { return action.find_first_of("*?") != std::string_view::npos; }

// iam:PassRole is needed only on the roles deploy passes; on a pattern it
// is AUD008's (deploy_checks.h), not judged here.
bool needed_pass_role(const RoleContext& role, const iam::Statement& st) {
  const bool pattern = std::any_of(st.resources.begin(), st.resources.end(), [](const std::string& r) { return is_wildcard(r); });
  const bool ours = std::all_of(st.resources.begin(), st.resources.end(), [&](const std::string& r) {
    return std::find(role.deploy_roles.begin(), role.deploy_roles.end(), r) != role.deploy_roles.end();
  });
  return st.resource_negation == iam::Negation::kPositive && (pattern || ours);
}

bool needed(const RoleContext& role, const iam::Statement& st, std::string_view action) {
  if (lower(action) == "iam:passrole") return needed_pass_role(role, st);
  return workflow_needs(action);
}

// AUD005: the named actions of `policy`'s Allow statements that no workflow
// command needs, one finding per severity (highest first).
std::vector<Finding> excess_actions(const RoleContext& role, std::string_view source, const iam::Policy& policy) {
  std::array<std::vector<std::string>, 4> by_severity;  // indexed by Severity
  for (const auto& st : policy.statements) {
    if (st.effect != iam::Effect::kAllow || st.action_negation != iam::Negation::kPositive) continue;
    for (const auto& action : st.actions) {
      if (is_wildcard(action) || needed(role, st, action)) continue;
      by_severity[static_cast<std::size_t>(excess_severity(action))].push_back(
          std::string(source) + ": " + st.path + ": " + action);
    }
  }
  std::vector<Finding> out;
  for (std::size_t i = by_severity.size(); i-- > 0;) {
    if (by_severity[i].empty()) continue;
    Finding finding = make_finding("AUD005", CheckName::kRolePermissions, role.role_name, by_severity[i],
                                   "remove them from " + std::string(source) + "; " + least_privilege_fix(role) +
                                       " (shipctl policy permissions lists what each command needs)");
    finding.severity = static_cast<Severity>(i);
    out.push_back(std::move(finding));
  }
  return out;
}

bool is_admin_statement(const iam::Statement& st) {
  if (st.effect != iam::Effect::kAllow || st.action_negation != iam::Negation::kPositive || !st.conditions.empty()) return false;
  const bool any_action = std::find(st.actions.begin(), st.actions.end(), "*") != st.actions.end();
  const bool any_resource = st.resource_negation == iam::Negation::kPositive &&
                            std::find(st.resources.begin(), st.resources.end(), "*") != st.resources.end();
  return any_action && any_resource;
}

std::string lint_evidence(std::string_view source, const iam::Finding& f) {
  return std::string(source) + ": [" + f.rule + "] " + f.path + ": " + f.message;
}

Severity trust_severity(const iam::Finding& f) {
  if (f.rule == "GHA001" || f.rule == "GHA002" || f.rule == "IAM002") return Severity::kCritical;
  return f.severity == iam::Severity::kError ? Severity::kHigh : Severity::kMedium;
}

}  // namespace

std::optional<Finding> check_known_managed_policy(const RoleContext& role, const std::string& policy_arn) {
  // arn:PARTITION:iam::aws:policy[/path]/NAME: AWS managed policies only.
  if (policy_arn.find(":iam::aws:policy/") == std::string::npos) return std::nullopt;
  const std::string name = policy_arn.substr(policy_arn.rfind('/') + 1);
  for (const auto& known : kKnown) {
    if (known.name != name) continue;
    return make_finding(known.id, CheckName::kRolePermissions, role.role_name,
                        {"attached: " + policy_arn + " (" + std::string(known.why) + ")"},
                        "aws iam detach-role-policy --role-name " + role.role_name + " --policy-arn " + policy_arn +
                            "; then " + least_privilege_fix(role));
  }
  return std::nullopt;
}

util::Result<std::vector<Finding>> check_permission_policy(const RoleContext& role, std::string_view source,
                                                           std::string_view document) {
  auto policy = iam::parse_policy(document);
  if (!policy) return std::unexpected(policy.error().with_context(std::string(source)));
  std::vector<std::string> admin_paths;
  for (const auto& st : policy->statements) {
    if (is_admin_statement(st)) admin_paths.push_back(st.path + ".");
  }
  std::vector<std::string> admin, wildcard, star_resource;
  for (const auto& f : iam::lint_policy(*policy)) {
    const bool in_admin = std::any_of(admin_paths.begin(), admin_paths.end(),
                                      [&](const std::string& p) { return f.path.starts_with(p); });
    if (f.rule == "IAM004" && in_admin) admin.push_back(lint_evidence(source, f));
    else if (f.rule == "IAM003" || f.rule == "IAM004") wildcard.push_back(lint_evidence(source, f));
    else if (f.rule == "IAM005") star_resource.push_back(lint_evidence(source, f));
  }
  std::vector<Finding> out;
  const std::string fix = least_privilege_fix(role);
  if (!admin.empty()) out.push_back(make_finding("AUD001", CheckName::kRolePermissions, role.role_name, admin, fix));
  if (!wildcard.empty()) out.push_back(make_finding("AUD003", CheckName::kRolePermissions, role.role_name, wildcard, fix));
  if (!star_resource.empty()) {
    out.push_back(make_finding("AUD004", CheckName::kRolePermissions, role.role_name, star_resource, fix));
  }
  for (auto& f : excess_actions(role, source, *policy)) out.push_back(std::move(f));
  return out;
}

Severity excess_severity(std::string_view action) {
  const std::string name = lower(action);
  const auto colon = name.find(':');
  const std::string_view service = std::string_view(name).substr(0, colon == std::string::npos ? 0 : colon);
  const std::string_view verb = colon == std::string::npos ? std::string_view(name) : std::string_view(name).substr(colon + 1);
  if (service == "iam" || service == "sts" || service == "organizations") return Severity::kHigh;
  if (verb.find("delete") != std::string_view::npos || verb.starts_with("set") || (verb.starts_with("put") && verb.ends_with("policy"))) {
    return Severity::kHigh;
  }
  for (const std::string_view read : {"get", "describe", "list", "batchget"}) {
    if (verb.starts_with(read)) return Severity::kLow;
  }
  return Severity::kMedium;
}

util::Result<std::vector<Finding>> check_trust_policy(const RoleContext& role, std::string_view document,
                                                      const iam::LintOptions& options) {
  auto policy = iam::parse_policy(document);
  if (!policy) return std::unexpected(policy.error().with_context("trust policy of role " + role.role_name));
  std::vector<Finding> out;
  for (const auto& f : iam::lint_policy(*policy, options)) {
    const char* id = f.rule == "GHA010" ? "AUD023" : f.rule == "GHA012" ? "AUD024" : "AUD006";
    Finding finding = make_finding(id, CheckName::kTrustPolicy, role.role_name,
                                   {lint_evidence("trust policy", f)}, f.fix);
    finding.severity = trust_severity(f);
    out.push_back(std::move(finding));
  }
  return out;
}

std::string trust_repository(std::string_view document) {
  auto policy = iam::parse_policy(document);
  if (!policy) return {};
  for (const auto& st : policy->statements) {
    for (const auto& c : st.conditions) {
      if (!util::iequals(c.key, "token.actions.githubusercontent.com:sub")) continue;
      for (const auto& v : c.values) {
        if (!v.starts_with("repo:")) continue;
        const std::string part = v.substr(5, v.find(':', 5) == std::string::npos ? std::string::npos : v.find(':', 5) - 5);
        const auto slash = part.find('/');
        if (slash == std::string::npos) continue;
        const std::string owner = part.substr(0, std::min(slash, part.find('@')));
        const std::string repo = part.substr(slash + 1, part.find('@', slash) - slash - 1);
        if (!owner.empty() && !repo.empty() && (owner + repo).find_first_of("*?") == std::string::npos) return owner + "/" + repo;
      }
    }
  }
  return {};
}

}  // namespace eem::audit
