#pragma once
// What `shipctl bootstrap` wants to exist (seed sections 1.1-1.4, made
// least-privilege): the GitHub OIDC provider, the deploy role with its trust
// policy, the push permissions, and the ECR repository with its settings.
// Pure data from the settings; no AWS calls.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/permissions.h"
#include "iam/trust_builder.h"
#include "util/error.h"

namespace eem::bootstrap {

// Where the push permissions come from: a least-privilege inline policy on
// the repository's ARN (default), or the seed's managed PowerUser policy.
enum class PolicyMode { kInline, kManaged };

inline constexpr std::string_view kProviderHost = "token.actions.githubusercontent.com";
inline constexpr std::string_view kDefaultRoleName = "GitHubActionsECRRole";        // the seed's name
inline constexpr std::string_view kDefaultRepository = "ecs-express-mode-api";      // the seed's name
inline constexpr std::string_view kDefaultRegion = "ap-northeast-1";                // the seed's region
inline constexpr std::string_view kInlinePolicyName = aws::kWorkflowPolicyName;
inline constexpr std::string_view kPowerUserPolicy = "AmazonEC2ContainerRegistryPowerUser";
// The tag that stays mutable under IMMUTABLE_WITH_EXCLUSION (the seed pushes
// `latest` on every run; SHA tags never move).
inline constexpr std::string_view kMutableTag = "latest";
// Untagged images (superseded `latest` pushes) expire after this many days.
inline constexpr int kUntaggedExpiryDays = 7;

struct Settings {
  std::string account_id;  // from STS GetCallerIdentity
  std::string region;      // where the repository lives
  std::string github_repo;  // OWNER/REPO
  iam::SubjectStyle subject_style = iam::SubjectStyle::kName;
  std::string owner_id;  // kImmutable only
  std::string repo_id;
  std::vector<std::string> claim_keys;  // a customised subject template; empty: GitHub's default
  std::string sub_claim_prefix;         // GitHub's spelling of the repository in its subjects
  std::string workflow;                 // only this workflow's jobs (job_workflow_ref); empty: any
  std::vector<std::string> branches;  // empty: {"main"}
  std::vector<std::string> tags;
  std::vector<std::string> environments;
  std::string role_name = std::string(kDefaultRoleName);
  std::string repository = std::string(kDefaultRepository);
  PolicyMode policy_mode = PolicyMode::kInline;
  // --public: the inline policy also allows `shipctl login --public`.
  aws::EcrPublicLogin ecr_public = aws::EcrPublicLogin::kOmit;
  // --deploy SERVICE: also the ECS Express roles and ShipctlExpressDeploy
  // (issue 14). Empty: exactly the ECR-only setup.
  std::string deploy_service;
  std::string cluster = std::string(aws::kDefaultCluster);
  std::string execution_role_name = std::string(aws::kDefaultExecutionRoleName);
  std::string infrastructure_role_name = std::string(aws::kDefaultInfrastructureRoleName);
  // Scan on push through the registry's (account-wide) scanning
  // configuration; false (--skip-registry-scanning): neither read nor write it.
  bool registry_scanning = true;
};

// A role an AWS service assumes: trusts that one service principal, has one
// AWS managed policy attached.
struct DesiredServiceRole {
  std::string name;
  std::string arn;
  std::string trust_policy;  // pretty JSON
  std::string managed_policy_arn;
  std::string description;
};

// What `--deploy SERVICE` adds.
struct DesiredDeploy {
  std::string service;
  std::string cluster;
  DesiredServiceRole execution_role;       // trusts ecs-tasks.amazonaws.com
  DesiredServiceRole infrastructure_role;  // trusts ecs.amazonaws.com
  std::string policy_name;                 // ShipctlExpressDeploy, on the workflow role
  std::string policy;                      // pretty JSON: aws::deploy_policy_document
};

struct DesiredState {
  std::string partition;  // "aws", "aws-cn", "aws-us-gov"
  std::string provider_url;  // "https://token.actions.githubusercontent.com"
  std::string provider_arn;
  std::string client_id;  // sts.amazonaws.com (sts.amazonaws.com.cn in aws-cn)
  std::string role_name;
  std::string role_arn;
  std::string trust_policy;  // pretty JSON
  PolicyMode policy_mode = PolicyMode::kInline;
  std::string inline_policy_name;
  std::string inline_policy;       // pretty JSON (kInline): aws::workflow_policy, what deploy.yml's steps call
  aws::EcrPublicLogin ecr_public = aws::EcrPublicLogin::kOmit;  // whether inline_policy has LoginToEcrPublic
  std::string managed_policy_arn;  // the PowerUser policy's ARN in this partition
  std::string repository;
  std::string repository_arn;
  std::string repository_uri;
  std::string account_id;
  std::string region;
  std::string registry;  // "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
  // Sent at CreateRepository only, for readers of the repository's own flag
  // (audit's AUD020); an existing repository's flag is not repaired, as
  // PutImageScanningConfiguration is deprecated: the registry's scanning
  // rules decide (registry_scanning, bootstrap/registry_scanning.h).
  bool scan_on_push = true;
  bool registry_scanning = true;
  std::string tag_mutability = "IMMUTABLE_WITH_EXCLUSION";
  std::vector<std::string> mutability_exclusions;  // {"latest"}
  std::string lifecycle_policy;  // pretty JSON
  std::optional<DesiredDeploy> deploy;  // only with --deploy
};

// kInvalidInput (from the trust builder) when the account, repository or ids
// are malformed.
util::Result<DesiredState> desired_state(const Settings& settings);

// `desired` with login --public's statement (LoginToEcrPublic) in its
// inline policy.
void include_ecr_public_login(DesiredState& desired);

// One rule: expire untagged images `kUntaggedExpiryDays` after push.
std::string lifecycle_policy();

// {"Version", "Statement": [Allow `principal` (a service) sts:AssumeRole]}.
std::string service_trust_policy(std::string_view principal);

}  // namespace eem::bootstrap
