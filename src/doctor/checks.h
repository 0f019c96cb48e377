#pragma once
// Internals of doctor.cpp: the state the checks share and the checks
// themselves, one function each, in checks_*.cpp.

#include <optional>
#include <string>

#include "aws/api_error.h"
#include "doctor/deploy_checks.h"
#include "doctor/doctor.h"
#include "doctor/trust.h"

namespace eem::doctor {

// What the deploy checks learnt from ECS, shared between them.
struct DeployState {
  bool resolved = false;
  DeployTarget target;
  std::string unresolved;  // why the target could not be resolved (no account)
  std::optional<aws::ExpressService> service;
  std::string service_unreadable;
  RolloutFacts rollout;
  std::string rollout_unreadable;
  std::string revision_unreadable;  // why the latest deployment's target revision could not be read
};

struct Run {
  const Options& options;
  Services& services;
  std::string caller_account;
  std::string role_arn;
  std::string role_name;
  std::string role_account;     // where the role, provider and repository are looked for
  std::optional<aws::Role> role;
  std::optional<TokenClaims> claims;  // from --token, the job's token, or predicted
  std::string role_unreadable;        // why the role could not be read, e.g. "no iam:GetRole: AccessDenied"
  DeployState deploy;                 // --deploy only
};

// TokenClaims::origin of the claims of the job's own token (inside Actions).
inline constexpr std::string_view kJobTokenOrigin = "the job's OIDC token";

// What the job can see and the command to run locally (job.cpp); nullopt
// outside Actions or without the job's token.
std::optional<JobView> job_view(const Run& run, const Report& report);

// "no iam:GetRole: AccessDenied" for a denied call, else the error's text.
std::string cannot_run_reason(const aws::ApiError& error, std::string_view permission);
Check cannot_run(std::string id, std::string title, std::string reason);
bool is_not_found(const aws::ApiError& error);

// Each returns nullopt when it does not apply (e.g. actions-token outside Actions).
std::optional<Check> check_actions_token(Run& run);
std::optional<Check> check_caller(Run& run);
std::optional<Check> check_role_arn(Run& run);
std::optional<Check> check_oidc_provider(Run& run);
std::optional<Check> check_role(Run& run);
std::optional<Check> check_trust_policy(Run& run);
std::optional<Check> check_push_permissions(Run& run);
std::optional<Check> check_repository(Run& run);
std::optional<Check> check_login(Run& run);
// --deploy SERVICE (checks_deploy.cpp), in deploy order.
std::optional<Check> check_deploy_cluster(Run& run);
std::optional<Check> check_deploy_service(Run& run);
std::optional<Check> check_execution_role(Run& run);
std::optional<Check> check_infrastructure_role(Run& run);
std::optional<Check> check_pass_role(Run& run);
std::optional<Check> check_image_pull(Run& run);
std::optional<Check> check_health_check(Run& run);
std::optional<Check> check_rollout(Run& run);

// The role's inline and attached policies; the ApiError and the permission
// it needed when one could not be read.
struct PolicyFetch {
  std::vector<NamedPolicy> policies;
  std::optional<std::pair<aws::ApiError, std::string>> failure;
};
PolicyFetch fetch_policies(aws::IamClient& iam, const std::string& role);
std::optional<Check> check_workflow_subjects(Run& run);

// Claims from a JWT's text (--token or the job's token); kInvalidInput when it
// does not decode.
util::Result<TokenClaims> claims_from_jwt(std::string_view token, std::string origin);
// The claims GitHub would issue for the run `options` describe.
util::Result<TokenClaims> predicted_claims(const Options& options);

// How --repository was written: a name ("ecs-express-mode-api"), a full
// image URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME[:TAG]) or a
// repository ARN (arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME).
enum class RepositoryForm { kName, kUri, kArn };

struct RepositoryRef {
  std::string account;  // empty for a plain name
  std::string region;
  std::string name;
  RepositoryForm form = RepositoryForm::kName;
};
RepositoryRef parse_repository(std::string_view text);

}  // namespace eem::doctor
