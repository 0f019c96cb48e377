#pragma once
// Runs the audit's checks against AWS (through the clients given) and the
// workflow files on disk. A check that cannot run (AccessDenied, missing
// role or repository, a network failure) ends with that status and the
// others still run: an auditor with partial access gets a partial audit.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/coherence.h"
#include "audit/finding.h"
#include "aws/cloudtrail.h"
#include "aws/ecr.h"
#include "aws/iam.h"
#include "aws/permissions.h"
#include "iam/lint.h"

namespace eem::audit {

enum class DirOrigin { kDefault, kGiven };

struct AuditOptions {
  std::string region;  // for the repository ARN and the trail coverage
  std::string role_name = "GitHubActionsECRRole";
  std::string repository = "ecs-express-mode-api";
  std::string workflows_dir = ".github/workflows";
  // kDefault: a missing directory is "not found"; kGiven: the caller checked it exists.
  DirOrigin workflows_origin = DirOrigin::kDefault;
  // The coherence check's subjects; an empty github_repo is taken from the
  // trust policy's first sub value.
  SubjectSettings subjects;
  std::vector<CheckName> checks{std::begin(kAllChecks), std::end(kAllChecks)};
  // --deploy SERVICE: also audit the ECS Express roles (their trust); they
  // are audited anyway when the role grants ECS actions.
  std::string deploy_service;
  std::string cluster = std::string(aws::kDefaultCluster);
  std::string execution_role_name = std::string(aws::kDefaultExecutionRoleName);
  std::string infrastructure_role_name = std::string(aws::kDefaultInfrastructureRoleName);
  // The subject form of the GitHub repository (OWNER/REPO) the trust policy
  // names, for AUD023/AUD024; unset or kUnknown: not judged. The command
  // answers from --subject-format, or by asking GitHub.
  std::function<iam::ImmutableSubjects(const std::string& owner_repo)> subject_form;
};

// The AWS clients; each may be null when no check that needs it is selected.
struct AuditClients {
  aws::IamClient* iam = nullptr;
  aws::EcrClient* ecr = nullptr;
  aws::CloudTrailClient* cloudtrail = nullptr;
};

// Told "auditing role GitHubActionsECRRole" and the like before each check.
using Progress = std::function<void(std::string_view)>;

// One CheckResult per selected check, in kAllChecks order.
std::vector<CheckResult> run_audit(const AuditOptions& options, const AuditClients& clients, const Progress& progress);

// The workflow files in `dir` (*.yml, *.yaml, in name order) that parse;
// kNotFound when `dir` is not a directory, kIo when a file cannot be read.
util::Result<std::vector<Workflow>> load_workflows(const std::string& dir);

// The workflow files `paths` (which must parse: kInvalidInput names the
// file and line), then the other workflow files beside them that parse, for
// the reusable workflows they call.
util::Result<std::vector<Workflow>> load_workflow_files(const std::vector<std::string>& paths);

// The workflows check alone (no AWS): every *.yml and *.yaml file directly
// in `options.workflows_dir`, in name order, as GitHub reads them.
CheckResult audit_workflows(const AuditOptions& options);

}  // namespace eem::audit
