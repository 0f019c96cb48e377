#pragma once
// `shipctl doctor`: the seed's troubleshooting section, automated. Runs the
// checks in pipeline order (Actions token, AWS identity, role ARN, OIDC
// provider, role, trust policy, push permissions, repository, login; with
// --deploy then cluster, service, the two ECS roles, PassRole, image pull,
// port and health check path, latest deployment) and
// stops at the first one that fails: that is the root cause, reported with
// its evidence and fix. A check that cannot run (e.g. no iam:GetRole) says
// why and the next one runs.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "aws/ecr.h"
#include "aws/ecs.h"
#include "aws/iam.h"
#include "aws/sts.h"
#include "doctor/deploy_checks.h"
#include "doctor/report.h"
#include "oidc/github_subject.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::doctor {

// What pushes the image: `shipctl push` fetches its own ECR token when no
// login exists; docker and podman need `shipctl login` (or amazon-ecr-login).
enum class PushTool { kShipctl, kDocker };

struct Options {
  std::string role_arn;                            // --role-arn; empty: AWS_ROLE_ARN, then role_name
  std::string role_name = "GitHubActionsECRRole";  // the seed's role name
  std::string account;                             // --account: where the role must be; empty: the caller's
  // The run whose claims the trust policy is checked against, when there is
  // no token (--token, or the job's own token inside Actions).
  std::string github_repo;  // OWNER/REPO; empty: no predicted claims
  std::string ref = "refs/heads/main";
  std::string event = "push";
  std::string environment;
  oidc::SubjectFormat subject_format = oidc::SubjectFormat::kName;
  std::string owner_id;
  std::string repo_id;
  std::string token_file;                   // --token: a JWT whose claims are read (signature not checked)
  std::string audience = "sts.amazonaws.com";
  std::string repository = "ecs-express-mode-api";  // name, or (diagnosed) a full URI
  std::string region;                               // resolved by the caller
  PushTool push_tool = PushTool::kShipctl;          // --push-tool
  DeployOptions deploy;                             // --deploy SERVICE: the ECS Express checks run too
};

// The AWS clients (any may be null: its checks cannot run), the environment
// and the clock. `fetch_token` gets the job's ID token inside Actions.
struct Services {
  aws::StsClient* sts = nullptr;
  aws::IamClient* iam = nullptr;
  aws::EcrClient* ecr = nullptr;
  aws::EcsClient* ecs = nullptr;  // for --deploy
  util::EnvLookup env;
  std::function<util::Result<std::string>(std::string_view audience)> fetch_token;
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
  // The `workflow-subjects` check: judges the checkout's workflows against
  // the role's trust policy; `role` is null when it could not be read
  // (`unreadable` says why). Doctor reads no workflow files; the caller
  // does (cli: src/audit/coherence.h). Unset: the check does not run.
  std::function<Check(const aws::Role* role, std::string_view unreadable)> workflow_subjects;
};

// Runs every check. kInvalidInput only for bad options (unreadable --token,
// --github-repo not OWNER/REPO, ...); AWS failures become checks.
util::Result<Report> run_doctor(const Options& options, Services& services);

}  // namespace eem::doctor
