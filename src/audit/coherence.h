#pragma once
// Workflows and trust policy in step (issue 15): the OIDC subject each job
// that assumes the role will present, for each event its workflow declares,
// judged against the role's trust policy with src/iam's evaluator, as STS
// judges AssumeRoleWithWebIdentity. Findings AUD050 (a run will be refused),
// AUD051 (the policy admits a subject no job presents) and AUD052 (a wildcard
// admits more than the jobs need). Pure functions over parsed workflows and a
// policy document; audit.cpp reads the files and the role.

#include <string>
#include <string_view>
#include <vector>

#include "audit/finding.h"
#include "audit/workflow.h"
#include "oidc/github_subject.h"
#include "util/error.h"

namespace eem::audit {

// What the subjects are built from.
struct SubjectSettings {
  std::string github_repo;  // OWNER/REPO
  oidc::SubjectFormat format = oidc::SubjectFormat::kName;
  std::string owner_id;  // kImmutable only
  std::string repo_id;
  std::string default_branch = "main";
  // Where default_branch came from, shown with schedule and dispatch runs.
  std::string default_branch_source = "assumed: no refs/remotes/origin/HEAD";
};

enum class RunKind { kBranch, kTag, kPullRequest, kEnvironment };

// One predicted run of one job that assumes the role.
struct Prediction {
  std::string file;     // the workflow file whose event starts the run
  std::string job;      // "deploy", or "call -> deploy" through a reusable workflow
  int line = 0;         // the job's line, in the file that defines it
  std::string job_file;  // the file that defines the job (differs for reusable workflows)
  std::string trigger;   // "push to branch develop", "schedule (default branch main, assumed: ...)"
  RunKind kind = RunKind::kBranch;
  std::string pattern;   // the branch or tag filter pattern, or the environment name
  bool example = false;  // the ref is one example of many (a glob, "any branch")
  std::string subject;   // the sub claim
  std::string ref;       // the ref claim; empty for pull requests
  std::string environment;
  std::string note;  // e.g. what workflow_dispatch from another branch presents
  std::string event;  // the event that starts the run (the caller's, through a reusable workflow)
};

struct Predictions {
  std::vector<Prediction> runs;
  std::vector<std::string> skipped;  // runs that cannot be predicted, and why
};

// Whether `job` assumes a role: configure-aws-credentials with
// role-to-assume, or `shipctl credentials` in a run script.
bool assumes_role(const Job& job);

// Every run of every job that assumes the role, for every event of its
// workflow; jobs of local reusable workflows (`uses: ./.github/workflows/x.yml`,
// found among `workflows` by file name) run with their callers' events.
// kInvalidInput when `settings` cannot build a subject (not OWNER/REPO,
// immutable without ids).
util::Result<Predictions> predict_runs(const std::vector<Workflow>& workflows, const SubjectSettings& settings);

// The verdict on one run.
struct RunVerdict {
  Prediction run;
  bool admitted = false;
  std::vector<std::string> refusal;  // the conditions that refuse it, one a line
};

// A sub value the trust policy admits: StringEquals or StringLike on a ":sub"
// key in an Allow statement.
struct AdmittedSubject {
  std::string value;
  bool like = false;  // StringLike (wildcards) rather than StringEquals
  std::string path;   // JSON path of the condition key
};

struct Judgement {
  std::vector<RunVerdict> verdicts;
  std::vector<AdmittedSubject> admitted;
  // For each workflow_dispatch run: the refs it may be started from, as the
  // trust policy admits them; started from any other, it is refused.
  std::vector<std::string> dispatch;
};

// Evaluates every run for sts:AssumeRoleWithWebIdentity by `provider_arn`
// (aud sts.amazonaws.com, the run's sub, ref, repository, environment and
// job_workflow_ref). kInvalidInput when `trust_policy` does not parse.
util::Result<Judgement> judge_runs(const std::vector<Prediction>& runs, std::string_view trust_policy,
                                   std::string_view provider_arn);

// AUD050 per workflow file with refused runs, AUD051 and AUD052 on `role_name`;
// `from_workflow` names the files for the bootstrap command in the fixes.
std::vector<Finding> coherence_findings(const Judgement& judgement, std::string_view role_name);

// The provider ARN in the account and partition of `role_arn`.
std::string github_provider_arn(std::string_view role_arn);

}  // namespace eem::audit

namespace eem::audit {

// The branches, tags and environments a trust policy must admit so that no
// run in `runs` is refused (`shipctl bootstrap --from-workflow`): exact names
// as they are, glob filters as IAM patterns (filter_to_iam). Pull request
// runs are not admitted (anyone who can open one would get the role); they
// and the unpredictable runs are in `notes`.
struct TrustRefs {
  std::vector<std::string> branches;
  std::vector<std::string> tags;
  std::vector<std::string> environments;
  std::vector<std::string> notes;
};
TrustRefs trust_refs(const Predictions& predictions);

}  // namespace eem::audit
