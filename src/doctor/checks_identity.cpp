// Checks before any IAM lookup: the job can get an OIDC token, the AWS
// identity doctor runs as, and the role ARN (the AWS_ROLE_ARN secret).

#include <algorithm>
#include <tuple>

#include "doctor/checks.h"
#include "iam/arn.h"
#include "util/strings.h"

namespace eem::doctor {
namespace {

constexpr const char* kIdTokenFix =
    "Add to the job (or the whole workflow) in .github/workflows/deploy.yml:\n"
    "permissions:\n"
    "  id-token: write\n"
    "  contents: read";

std::string env_or_empty(const Run& run, std::string_view name) {
  if (!run.services.env) return {};
  return run.services.env(name).value_or("");
}

using iam::is_account_id;

// arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME -> (account, name); nullopt when malformed.
std::optional<std::pair<std::string, std::string>> parse_role_arn(std::string_view arn) {
  const auto role = iam::parse_role_arn(arn);
  if (!role) return std::nullopt;
  return std::make_pair(role->account, iam::role_name(*role));
}

std::string arn_fix(const Run& run, std::string_view account) {
  const std::string example = "arn:aws:iam::" + std::string(account.empty() ? "<account-id>" : account) + ":role/" +
                              run.options.role_name;
  return "Store the role ARN that `shipctl bootstrap` prints as the AWS_ROLE_ARN secret:\n"
         "gh secret set AWS_ROLE_ARN --body " + example;
}

}  // namespace

std::optional<Check> check_actions_token(Run& run) {
  if (env_or_empty(run, "GITHUB_ACTIONS") != "true") return std::nullopt;
  const std::string title = "GitHub Actions OIDC token";
  if (env_or_empty(run, "ACTIONS_ID_TOKEN_REQUEST_TOKEN").empty() || env_or_empty(run, "ACTIONS_ID_TOKEN_REQUEST_URL").empty()) {
    return Check{"actions-token", title, Status::kFail,
                 "ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: the workflow lacks `permissions: id-token: write`",
                 {"GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only for jobs with id-token: write"},
                 kIdTokenFix};
  }
  if (run.claims || !run.services.fetch_token) {
    return Check{"actions-token", title, Status::kPass, "the job may request an OIDC token", {}, {}};
  }
  auto token = run.services.fetch_token(run.options.audience);
  if (!token) {
    // The variables are set, so id-token: write is there; a refused bearer
    // means the job's values were overridden (GitHub issues them per job).
    const bool refused = token.error().kind == util::ErrorKind::kDenied;
    return Check{"actions-token", title, Status::kFail, token.error().message,
                 {"ACTIONS_ID_TOKEN_REQUEST_URL: " + env_or_empty(run, "ACTIONS_ID_TOKEN_REQUEST_URL")},
                 refused ? "Do not set ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN in the workflow's "
                           "env: GitHub sets both for each job with id-token: write"
                         : "Re-run the job: GitHub's token endpoint did not answer with a token"};
  }
  auto claims = claims_from_jwt(*token, std::string(kJobTokenOrigin));
  if (!claims) return Check{"actions-token", title, Status::kFail, "the token endpoint answered with " + claims.error().message, {}, {}};
  run.claims = std::move(*claims);
  return Check{"actions-token", title, Status::kPass, "token issued for sub \"" + run.claims->sub + "\"", {}, {}};
}

std::optional<Check> check_caller(Run& run) {
  const std::string title = "AWS identity (sts:GetCallerIdentity)";
  if (run.services.sts == nullptr) return cannot_run("aws-identity", title, "no AWS credentials");
  auto identity = run.services.sts->get_caller_identity();
  if (!identity) return cannot_run("aws-identity", title, cannot_run_reason(identity.error(), "sts:GetCallerIdentity"));
  run.caller_account = identity->account;
  return Check{"aws-identity", title, Status::kPass, identity->arn, {}, {}};
}

std::optional<Check> check_role_arn(Run& run) {
  const std::string title = "Role ARN";
  std::string arn = run.options.role_arn;
  std::string origin = "--role-arn";
  if (arn.empty()) {
    arn = env_or_empty(run, "AWS_ROLE_ARN");
    origin = "AWS_ROLE_ARN";
  }
  const std::string expected = !run.options.account.empty() ? run.options.account : run.caller_account;
  const std::string expected_origin = !run.options.account.empty() ? "--account" : "the caller's account";
  if (arn.empty()) {
    run.role_name = run.options.role_name;
    run.role_account = expected;
    if (expected.empty()) return cannot_run("role-arn", title, "no role ARN and no account to look for role " + run.role_name + " in");
    run.role_arn = "arn:aws:iam::" + expected + ":role/" + run.role_name;
    return Check{"role-arn", title, Status::kPass, run.role_arn + " (role " + run.role_name + " in " + expected_origin + ")", {}, {}};
  }
  const auto parsed = parse_role_arn(arn);
  if (!parsed) {
    return Check{"role-arn", title, Status::kFail,
                 origin + " \"" + arn + "\" is not a role ARN (expected arn:aws:iam::<account-id>:role/<name>)", {},
                 arn_fix(run, expected)};
  }
  std::tie(run.role_account, run.role_name) = *parsed;
  run.role_arn = arn;
  if (!expected.empty() && expected != run.role_account) {
    return Check{"role-arn", title, Status::kFail,
                 origin + " points at account " + run.role_account + ", but " + expected_origin + " is " + expected,
                 {"role ARN: " + arn}, arn_fix(run, expected)};
  }
  return Check{"role-arn", title, Status::kPass, arn + " (from " + origin + ")", {}, {}};
}

}  // namespace eem::doctor
