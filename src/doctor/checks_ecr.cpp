// Checks of the ECR side: the role may run the workflow (the permission
// table), the repository exists where the workflow looks, and `shipctl login`
// left a valid login for the registry.

#include <algorithm>

#include "doctor/checks.h"
#include "doctor/permissions.h"
#include "aws/endpoints.h"
#include "oci/login_record.h"

namespace eem::doctor {
namespace {

std::string repository_arn(const Run& run, const std::string& name) {
  return aws::repository_arn(run.options.region, run.role_account, name);
}

std::string list_or_none(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// "login, push and verify": the workflow commands that need ShipctlEcrPush
// (the role's identity policy for pushing; deploy's rows are not among them).
std::string workflow_commands() {
  std::vector<std::string_view> names;
  for (const auto& p : aws::workflow_permissions()) {
    if (std::find(names.begin(), names.end(), p.command) == names.end()) names.push_back(p.command);
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + std::string(names[i]);
  }
  return out;
}

// One evidence line per action; a refused one also goes to `missing` as
// "ecr:DescribeImages (shipctl verify)".
std::string verdict_line(const ActionVerdict& v, std::vector<std::string>& missing) {
  const std::string by = v.decided_by.empty() ? std::string() : " (" + v.decided_by + ")";
  const std::string decision = std::string(iam::decision_name(v.decision)) + by;
  if (v.decision == iam::Decision::kAllow) return v.action + " on " + v.resource + ": " + decision;
  missing.push_back(v.action + " (" + v.commands + ")");
  return v.action + " (" + v.commands + ") is not allowed on " + v.resource + ": " + decision;
}

std::string_view form_name(RepositoryForm form) {
  return form == RepositoryForm::kArn ? "a repository ARN" : "a full image URI";
}

// The account the push runs as: the role's (AWS_ROLE_ARN), else the caller's.
const std::string& push_account(const Run& run) {
  return !run.role_account.empty() ? run.role_account : run.caller_account;
}

void add_region_evidence(const Run& run, const RepositoryRef& ref, std::vector<std::string>& evidence) {
  if (ref.region == run.options.region) return;
  evidence.push_back("the " + std::string(ref.form == RepositoryForm::kArn ? "ARN" : "URI") + " names region " +
                     ref.region + ", but the region checked is " + run.options.region);
}

// Whether the caller's account has repository `name` in the region checked;
// nullopt when that could not be asked.
std::optional<bool> exists_in_own_account(const Run& run, const std::string& name) {
  if (run.services.ecr == nullptr) return std::nullopt;
  auto found = run.services.ecr->describe_repositories({name});
  if (found) return !found->empty();
  return is_not_found(found.error()) ? std::optional<bool>(false) : std::nullopt;
}

// A URI or ARN naming another account than the credentials': ECR looks in the
// caller's own registry ("repository does not exist") or denies the push.
Check other_account(const Run& run, const RepositoryRef& ref) {
  const std::string& account = push_account(run);
  const std::string& role = run.role_name.empty() ? run.options.role_name : run.role_name;
  std::vector<std::string> evidence{"--repository " + run.options.repository + " is " + std::string(form_name(ref.form)) +
                                    ": account " + ref.account + ", region " + ref.region + ", repository " + ref.name};
  evidence.push_back(run.role_arn.empty() ? "the caller is in account " + account
                                          : "the workflow assumes " + run.role_arn + " (account " + account + ")");
  add_region_evidence(run, ref, evidence);
  std::string fix = "Push to account " + account + "'s repository instead: --repository " + ref.name +
                    " (in deploy.yml: ECR_REPOSITORY: " + ref.name + ")";
  const auto here = exists_in_own_account(run, ref.name);
  if (here) {
    evidence.push_back("account " + account + (*here ? " has" : " has no") + " repository \"" + ref.name + "\" in " +
                       run.options.region);
  }
  if (!here || !*here) {
    fix += ";\ncreate it there first: shipctl bootstrap --apply --repository " + ref.name + " --region " + run.options.region;
  }
  fix += "\nor assume a role in account " + ref.account + ": gh secret set AWS_ROLE_ARN --body arn:aws:iam::" + ref.account +
         ":role/" + role + "\n(shipctl bootstrap --apply, run with account " + ref.account + "'s credentials, creates it)";
  return Check{"repository", "ECR repository", Status::kFail,
               "repository \"" + ref.name + "\" is in account " + ref.account + ", but the credentials are for account " +
                   account,
               evidence, fix};
}

// --repository is a URI or an ARN rather than the name the workflow needs.
Check qualified_name(const Run& run, const RepositoryRef& ref) {
  if (!push_account(run).empty() && ref.account != push_account(run)) return other_account(run, ref);
  std::vector<std::string> evidence{"registry account " + ref.account + ", region " + ref.region + ", repository " + ref.name};
  add_region_evidence(run, ref, evidence);
  return Check{"repository", "ECR repository", Status::kFail,
               "\"" + run.options.repository + "\" is " + std::string(form_name(ref.form)) + ", not a repository name",
               evidence, "Give the name only: --repository " + ref.name + " (in deploy.yml: ECR_REPOSITORY: " + ref.name + ")"};
}

}  // namespace

PolicyFetch fetch_policies(aws::IamClient& iam, const std::string& role) {
  PolicyFetch out;
  auto names = iam.list_role_policies(role);
  if (!names) return {{}, std::make_pair(names.error(), std::string("iam:ListRolePolicies"))};
  for (const auto& name : *names) {
    auto doc = iam.get_role_policy(role, name);
    if (!doc) return {{}, std::make_pair(doc.error(), std::string("iam:GetRolePolicy"))};
    out.policies.push_back({"inline policy " + name, *doc});
  }
  auto attached = iam.list_attached_role_policies(role);
  if (!attached) return {{}, std::make_pair(attached.error(), std::string("iam:ListAttachedRolePolicies"))};
  for (const auto& p : *attached) {
    auto version = iam.get_policy_default_version(p.arn);
    if (!version) return {{}, std::make_pair(version.error(), std::string("iam:GetPolicy"))};
    auto doc = iam.get_policy_version(p.arn, *version);
    if (!doc) return {{}, std::make_pair(doc.error(), std::string("iam:GetPolicyVersion"))};
    out.policies.push_back({p.arn, *doc});
  }
  return out;
}

std::optional<Check> check_push_permissions(Run& run) {
  const std::string title = "Role may run the workflow";
  // Needs the role's name only, so it still runs when iam:GetRole is denied.
  if (run.services.iam == nullptr || run.role_name.empty()) return cannot_run("push-permissions", title, "no role to look up");
  const aws::ResourceArns arns{repository_arn(run, parse_repository(run.options.repository).name), run.role_arn, {}};
  PolicyFetch fetched = fetch_policies(*run.services.iam, run.role_name);
  if (fetched.failure) {
    return cannot_run("push-permissions", title, cannot_run_reason(fetched.failure->first, fetched.failure->second));
  }
  const WorkflowPermissions result = evaluate_workflow_permissions(fetched.policies, run.role_arn, arns);
  if (result.allowed() && result.unreadable.empty()) {
    return Check{"push-permissions", title, Status::kPass,
                 "every action that " + workflow_commands() + " need is allowed (" +
                     std::to_string(result.verdicts.size()) + " actions, on * and " + arns.repository + ")",
                 {}, {}};
  }
  std::vector<std::string> evidence = result.unreadable;
  std::vector<std::string> missing;
  for (const auto& v : result.verdicts) evidence.push_back(verdict_line(v, missing));
  if (!result.conclusive()) {
    return Check{"push-permissions", title, Status::kCannotRun,
                 "not judged: a policy of the role could not be read (" + list_or_none(result.unreadable) + ")",
                 evidence, {}};
  }
  return Check{"push-permissions", title, Status::kFail, "the role's policies do not allow " + list_or_none(missing),
               evidence,
               "shipctl bootstrap --apply, or save this as ecr-push.json:\n" + aws::workflow_policy(arns) +
                   "\nand run: aws iam put-role-policy --role-name " + run.role_name + " --policy-name " +
                   std::string(aws::kWorkflowPolicyName) + " --policy-document file://ecr-push.json"};
}

std::optional<Check> check_repository(Run& run) {
  const std::string title = "ECR repository";
  const RepositoryRef ref = parse_repository(run.options.repository);
  if (ref.form != RepositoryForm::kName) return qualified_name(run, ref);
  if (run.services.ecr == nullptr) return cannot_run("repository", title, "no ECR client");
  auto found = run.services.ecr->describe_repositories({ref.name});
  if (found && !found->empty()) return Check{"repository", title, Status::kPass, found->front().uri, {}, {}};
  if (!found && !is_not_found(found.error())) {
    return cannot_run("repository", title, cannot_run_reason(found.error(), "ecr:DescribeRepositories"));
  }
  std::vector<std::string> names;
  if (auto all = run.services.ecr->describe_repositories({})) {
    for (const auto& r : *all) names.push_back(r.name);
  }
  const std::string where = "account " + run.role_account + ", region " + run.options.region;
  return Check{"repository", title, Status::kFail, "repository \"" + ref.name + "\" does not exist in " + where,
               {"repositories in " + run.options.region + ": " + list_or_none(names),
                "only " + run.options.region + " was checked; pass --region if the repository is elsewhere"},
               "shipctl bootstrap --apply --repository " + ref.name + " --region " + run.options.region +
                   "\nor: aws ecr create-repository --repository-name " + ref.name + " --region " + run.options.region};
}

std::optional<Check> check_login(Run& run) {
  const std::string title = "Registry login (shipctl login)";
  const std::string account = !run.role_account.empty() ? run.role_account : run.caller_account;
  if (account.empty()) return cannot_run("login", title, "no AWS account to derive the registry from");
  const std::string host = aws::ecr_registry_host(account, run.options.region);
  auto path = oci::login_records_path(run.services.env);
  if (!path) return cannot_run("login", title, path.error().message);
  auto records = oci::read_login_records(*path);
  if (!records) return cannot_run("login", title, records.error().message);
  const std::string fix = "shipctl login --region " + run.options.region;
  std::vector<std::string> others;
  for (const auto& r : *records) {
    if (r.registry != host) {
      others.push_back(r.registry);
      continue;
    }
    const std::string until = oci::format_utc(r.expires_at);
    if (r.expired(run.services.now())) {
      if (run.options.push_tool == PushTool::kShipctl) {
        return Check{"login", title, Status::kPass,
                     "the login to " + host + " expired at " + until + ": not a problem for shipctl push, which "
                     "gets a new ECR token with the AWS credentials when the registry refuses it "
                     "(docker push would fail: --push-tool docker checks for it)",
                     {"login record: " + path->string()}, {}};
      }
      return Check{"login", title, Status::kFail,
                   "the login to " + host + " expired at " + until + " (ECR tokens last 12 hours): \"no basic auth credentials\"",
                   {"login record: " + path->string()}, fix};
    }
    return Check{"login", title, Status::kPass, "logged in to " + host + " until " + until, {}, {}};
  }
  if (run.options.push_tool == PushTool::kShipctl) {
    return Check{"login", title, Status::kPass,
                 "no login recorded for " + host + ": not needed, shipctl push gets an ECR token itself "
                 "(docker push would need one: --push-tool docker checks for it)",
                 {"logins recorded for other registries: " + list_or_none(others)}, {}};
  }
  return Check{"login", title, Status::kFail,
               "no login recorded for " + host + ": a push would fail with \"no basic auth credentials\"",
               {"login record: " + path->string(), "logins recorded for other registries: " + list_or_none(others)}, fix};
}

}  // namespace eem::doctor
