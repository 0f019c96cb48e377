#pragma once
// Doctor's ECS Express Mode checks (`shipctl doctor --deploy SERVICE`):
// decisions over what ECS, IAM and ECR returned, without making calls
// (checks_deploy.cpp makes them). Each names the cause of a failed deploy
// (issue 14) and its fix: a missing cluster, a deleted service name still
// DRAINING or INACTIVE, a role missing or trusting the wrong principal,
// iam:PassRole denied, an image the execution role cannot pull, a port or
// health check path the app does not serve, and a rolled-back deployment.

#include <optional>
#include <string>
#include <vector>

#include "aws/ecs.h"
#include "aws/iam.h"
#include "aws/permissions.h"
#include "doctor/deploy_names.h"
#include "doctor/permissions.h"
#include "doctor/report.h"
#include "util/error.h"

namespace eem::doctor {

// `--deploy SERVICE` and the flags beside it.
struct DeployOptions {
  std::string service;  // name or service ARN; empty: no deploy checks
  std::string cluster;   // empty: the service ARN's, else "default"
  std::string execution_role_name{aws::kDefaultExecutionRoleName};            // empty: the same
  std::string infrastructure_role_name{aws::kDefaultInfrastructureRoleName};  // empty: the same
  int port = 8080;                       // what the app listens on (ecs-express-mode-api: PORT, 8080)
  std::string health_check_path = "/ping";
};

// kInvalidInput, naming the flag, for a service or cluster name ECS would
// refuse, a malformed service ARN or one outside `region` (or its
// partition), a --cluster other than the service ARN's, or a health check
// path without its leading slash: refused before any AWS call.
util::Result<void> validate_deploy_options(const DeployOptions& options, std::string_view region);

// Where the deploy goes, resolved: region, account and ARNs.
struct DeployTarget {
  std::string region;
  std::string account;
  std::string partition;  // "aws", "aws-cn", ...
  std::string service_name;
  std::string cluster;
  std::string service_arn;
  std::string execution_role_name;
  std::string execution_role_arn;
  std::string infrastructure_role_name;
  std::string infrastructure_role_arn;
  std::string workflow_role_name;
  int port = 8080;
  std::string health_check_path;
};
DeployTarget resolve_target(const DeployOptions& options, const std::string& region, const std::string& account,
                            const std::string& workflow_role_name);

// deploy-cluster: DescribeClusters' answer for target.cluster.
Check decide_cluster(const DeployTarget& target, const aws::ClusterLookup& lookup);

// deploy-service: the service as DescribeExpressGatewayService returned it;
// nullopt when it does not exist.
Check decide_service(const DeployTarget& target, const std::optional<aws::ExpressService>& service);

// Which of the two roles.
enum class ExpressRole { kExecution, kInfrastructure };

// execution-role / infrastructure-role: the role from GetRole, nullopt when
// it does not exist.
Check decide_role(const DeployTarget& target, ExpressRole which, const std::optional<aws::Role>& role);

// pass-role: the workflow role's policies for iam:PassRole on both roles.
Check decide_pass_role(const DeployTarget& target, const std::string& workflow_role_arn,
                       const std::vector<NamedPolicy>& policies);

// What is known about the image the latest deployment tried to run.
struct ImageFacts {
  std::string image;                      // as configured; empty when unknown
  std::vector<NamedPolicy> role_policies;  // the execution role's
  std::optional<bool> digest_in_ecr;       // nullopt: not an ECR digest, or not asked
  std::string ecr_note;                    // why not asked, or the repository's name in the answer
  std::string failure;                     // the deployment's reasons (statusReason, rollback reason), if it failed
};

// image-pull: the execution role's ECR permissions, the digest in ECR, and
// a CannotPullContainerError in the deployment's reasons.
Check decide_image_pull(const DeployTarget& target, const ImageFacts& facts);

// What the latest deployment targeted: its port and health check path.
struct ServedConfig {
  std::optional<int> port;
  std::string health_check_path;
  std::string source;   // "revision arn:..." or "the active configuration"
  std::string failure;  // the deployment's reasons, if it failed
};

// health-check: the configured port and path against the app's.
Check decide_health_check(const DeployTarget& target, const ServedConfig& config);

// What the latest deployment's reasons are, from DescribeServiceDeployments
// and DescribeServiceRevisions.
struct RolloutFacts {
  std::optional<aws::ServiceDeployment> deployment;  // nullopt: none yet
  std::optional<aws::ServiceRevision> target;        // its target revision
  std::vector<std::string> unread;                   // what could not be read about it, and why
};

// rollout: the latest deployment's status and reasons.
Check decide_rollout(const DeployTarget& target, const RolloutFacts& facts);

// Text ECS returned, made fit for one line of the report: each run of
// control characters (newlines, escapes) becomes one space, and past
// kApiTextLimit bytes it is cut at a character boundary and says how much
// was left out.
inline constexpr std::size_t kApiTextLimit = 1000;
std::string api_text(std::string_view text);

// STOPPED or ROLLBACK_*: ECS gave up on the deployment's revision.
bool deployment_failed(const aws::ServiceDeployment& deployment);

// The deployment's failure reasons as one line ("" when it did not fail).
std::string failure_text(const aws::ServiceDeployment& deployment);

}  // namespace eem::doctor
