#include "iam/trust_builder.h"

#include <gtest/gtest.h>

#include "iam/evaluator.h"
#include "iam/lint.h"
#include "iam/policy_parser.h"

namespace eem::iam {
namespace {

// The decision for a token with `sub` (and `workflow_ref` as its job_workflow_ref, when given).
Decision decide_run(const std::string& policy_text, const std::string& sub, const std::string& workflow_ref) {
  const auto policy = parse_policy(policy_text);
  EXPECT_TRUE(policy.has_value());
  RequestContext context;
  context.principal = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
  context.action = "sts:AssumeRoleWithWebIdentity";
  context.add("token.actions.githubusercontent.com:sub", sub);
  context.add("token.actions.githubusercontent.com:aud", "sts.amazonaws.com");
  if (!workflow_ref.empty()) context.add("token.actions.githubusercontent.com:job_workflow_ref", workflow_ref);
  return evaluate(*policy, context).decision;
}

Decision decide(const std::string& policy_text, const std::string& sub) { return decide_run(policy_text, sub, ""); }

TEST(TrustBuilder, BuildsTheNarrowestPolicyForMain) {
  TrustRequest request;
  request.account_id = "123456789012";
  request.repository = "octo/app";
  request.branches = {"main"};
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_EQ(*policy, R"({
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:octo/app:ref:refs/heads/main"
        }
      }
    }
  ]
}
)");
  EXPECT_EQ(decide(*policy, "repo:octo/app:ref:refs/heads/main"), Decision::kAllow);
  EXPECT_EQ(decide(*policy, "repo:octo/app:pull_request"), Decision::kImplicitDeny);
  EXPECT_EQ(decide(*policy, "repo:octo/app:ref:refs/heads/dev"), Decision::kImplicitDeny);
  EXPECT_TRUE(lint_policy(*parse_policy(*policy)).empty());
}

TEST(TrustBuilder, UsesStringLikeOnlyForWildcardsAndAdmitsExactlyWhatWasAsked) {
  TrustRequest request;
  request.account_id = "123456789012";
  request.repository = "octo/app";
  request.style = SubjectStyle::kImmutable;
  request.owner_id = "1001";
  request.repo_id = "2002";
  request.branches = {"release/*"};
  request.tags = {"v*"};
  request.environments = {"prod"};
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value());
  EXPECT_NE(policy->find("StringLike"), std::string::npos);
  EXPECT_EQ(decide(*policy, "repo:octo@1001/app@2002:ref:refs/heads/release/1.0"), Decision::kAllow);
  EXPECT_EQ(decide(*policy, "repo:octo@1001/app@2002:ref:refs/tags/v2"), Decision::kAllow);
  EXPECT_EQ(decide(*policy, "repo:octo@1001/app@2002:environment:prod"), Decision::kAllow);
  EXPECT_EQ(decide(*policy, "repo:octo@1001/app@2002:pull_request"), Decision::kImplicitDeny);
  EXPECT_EQ(decide(*policy, "repo:octo/app:ref:refs/heads/release/1.0"), Decision::kImplicitDeny);
}

TEST(TrustBuilder, ChinaPartitionUsesItsAudience) {
  TrustRequest request{"123456789012", "aws-cn", "octo/app", "", "", SubjectStyle::kName, {"main"}, {}, {}, PullRequests::kAllow, "", {}, "", ""};
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value());
  EXPECT_NE(policy->find("arn:aws-cn:iam::123456789012:oidc-provider"), std::string::npos);
  EXPECT_NE(policy->find("\"sts.amazonaws.com.cn\""), std::string::npos);
  EXPECT_NE(policy->find("repo:octo/app:pull_request"), std::string::npos);
}

TEST(TrustBuilder, RejectsBadRequests) {
  TrustRequest request;
  request.account_id = "12345";
  request.repository = "octo/app";
  request.branches = {"main"};
  EXPECT_EQ(build_trust_policy(request).error().message, "account id \"12345\" is not 12 digits");
  request.account_id = "123456789012";
  request.repository = "octo/*";
  EXPECT_EQ(build_trust_policy(request).error().message, "repository \"octo/*\" is not OWNER/REPO (no wildcards)");
  request.repository = "octo/app";
  request.branches.clear();
  EXPECT_EQ(build_trust_policy(request).error().message,
            "nothing to admit: give at least one branch, tag, environment or pull requests");
}

TrustRequest main_of(const std::string& repository) {
  TrustRequest request;
  request.account_id = "123456789012";
  request.repository = repository;
  request.branches = {"main"};
  return request;
}

// Issue 15: during a migration both forms are admitted, as two values of one condition.
TEST(TrustBuilder, BothFormsAreTwoValuesOfTheSubCondition) {
  TrustRequest request = main_of("octo/app");
  request.style = SubjectStyle::kBoth;
  request.owner_id = "1001";
  request.repo_id = "2002";
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_NE(policy->find(R"("token.actions.githubusercontent.com:sub": [
            "repo:octo/app:ref:refs/heads/main",
            "repo:octo@1001/app@2002:ref:refs/heads/main"
          ])"),
            std::string::npos)
      << *policy;
  EXPECT_EQ(decide(*policy, "repo:octo/app:ref:refs/heads/main"), Decision::kAllow);
  EXPECT_EQ(decide(*policy, "repo:octo@1001/app@2002:ref:refs/heads/main"), Decision::kAllow);
  EXPECT_EQ(decide(*policy, "repo:octo@1001/app@2002:ref:refs/heads/dev"), Decision::kImplicitDeny);
}

TEST(TrustBuilder, GithubsSubClaimPrefixIsUsedAsItSpellsTheRepository) {
  TrustRequest request = main_of("octo/app");
  request.style = SubjectStyle::kImmutable;
  request.sub_claim_prefix = "repo:Octo@1001/App@2002";
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_EQ(decide(*policy, "repo:Octo@1001/App@2002:ref:refs/heads/main"), Decision::kAllow);
}

// GitHub docs, "Customizing the subject claims": include_claim_keys
// ["repo", "context", "job_workflow_ref"] gives
// repo:ORG/REPO:environment:NAME:job_workflow_ref:PATH@REF.
TEST(TrustBuilder, CustomTemplateGivesTheSubjectGithubSends) {
  TrustRequest request = main_of("octo-org/octo-repo");
  request.claim_keys = {"repo", "context", "job_workflow_ref"};
  request.workflow = ".github/workflows/deploy.yml";
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  const std::string sub =
      "repo:octo-org/octo-repo:ref:refs/heads/main:job_workflow_ref:octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main";
  EXPECT_EQ(decide_run(*policy, sub, "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main"), Decision::kAllow);
  request.claim_keys = {"repository_owner", "context"};
  const auto owner_only = build_trust_policy(request);
  ASSERT_TRUE(owner_only.has_value());
  EXPECT_NE(owner_only->find("\"repository_owner:octo-org:ref:refs/heads/main\""), std::string::npos) << *owner_only;
}

TEST(TrustBuilder, CustomTemplateKeysWithoutAKnownValueAreRefused) {
  TrustRequest request = main_of("octo/app");
  request.claim_keys = {"repo", "context", "job_workflow_ref"};
  EXPECT_EQ(build_trust_policy(request).error().message,
            "the repository's subject template includes job_workflow_ref: pass --workflow PATH");
  request.claim_keys = {"repo", "actor"};
  const auto refused = build_trust_policy(request);
  EXPECT_EQ(refused.error().kind, util::ErrorKind::kUnsupported);
  EXPECT_EQ(refused.error().message,
            "the repository's subject template includes \"actor\", whose value shipctl cannot know in advance; reset "
            "the template (use_default: true), or write the trust policy's sub condition by hand");
}

// GitHub docs, "Customizing the subject claims", the example for
// ["repo", "context", "job_workflow_ref"] (a workflow of the repository itself).
TEST(TrustBuilder, SubjectsOfOneRunFollowTheTemplateInItsOrder) {
  TrustRequest request;
  request.repository = "octo-org/octo-repo";
  request.claim_keys = {"repo", "context", "job_workflow_ref"};
  request.workflow = ".github/workflows/oidc.yml";
  const auto subs = subjects_of_run(request, {"environment:prod", "refs/heads/main"});
  ASSERT_TRUE(subs.has_value()) << subs.error().message;
  EXPECT_EQ(*subs, std::vector<std::string>{"repo:octo-org/octo-repo:environment:prod:job_workflow_ref:"
                                            "octo-org/octo-repo/.github/workflows/oidc.yml@refs/heads/main"});
  request.claim_keys = {"job_workflow_ref", "repository_owner", "context", "ref"};
  EXPECT_EQ(*subjects_of_run(request, {"pull_request", "refs/pull/7/merge"}),
            std::vector<std::string>{"job_workflow_ref:octo-org/octo-repo/.github/workflows/oidc.yml@refs/pull/7/merge:"
                                     "repository_owner:octo-org:pull_request:ref:refs/pull/7/merge"});
  request.claim_keys = {"repo", "context"};  // GitHub's default, spelled out
  EXPECT_EQ(*subjects_of_run(request, {"ref:refs/tags/v1", "refs/tags/v1"}),
            std::vector<std::string>{"repo:octo-org/octo-repo:ref:refs/tags/v1"});
}

TEST(TrustBuilder, SubjectsOfOneRunGiveBothFormsOnlyWhereTheTemplateHasTheRepo) {
  TrustRequest request;
  request.repository = "octo/app";
  request.style = SubjectStyle::kBoth;
  request.owner_id = "1001";
  request.repo_id = "2002";
  request.claim_keys = {"repo", "context", "repository_id"};
  EXPECT_EQ(*subjects_of_run(request, {"ref:refs/heads/main", "refs/heads/main"}),
            (std::vector<std::string>{"repo:octo/app:ref:refs/heads/main:repository_id:2002",
                                      "repo:octo@1001/app@2002:ref:refs/heads/main:repository_id:2002"}));
  request.claim_keys = {"repository_owner_id", "context"};
  EXPECT_EQ(*subjects_of_run(request, {"ref:refs/heads/main", "refs/heads/main"}),
            std::vector<std::string>{"repository_owner_id:1001:ref:refs/heads/main"});
  request.style = SubjectStyle::kImmutable;
  request.sub_claim_prefix = "repo:Octo@1001/App@2002";  // GitHub's spelling wins, as in the policy
  request.claim_keys = {"repo", "context"};
  EXPECT_EQ(*subjects_of_run(request, {"pull_request", ""}), std::vector<std::string>{"repo:Octo@1001/App@2002:pull_request"});
}

TEST(TrustBuilder, SubjectsOfOneRunNameTheFlagAMissingValueNeeds) {
  TrustRequest request;
  request.repository = "octo/app";
  request.claim_keys = {"repo", "context", "job_workflow_ref"};
  const RunContext main{"ref:refs/heads/main", "refs/heads/main"};
  EXPECT_EQ(subjects_of_run(request, main).error().message,
            "the repository's subject template includes job_workflow_ref: pass --workflow PATH");
  request.workflow = ".github/workflows/deploy.yml";
  const auto no_ref = subjects_of_run(request, {"environment:prod", ""});
  EXPECT_EQ(no_ref.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(no_ref.error().message, "the repository's subject template includes job_workflow_ref: pass --ref REF (the run's ref)");
  request.claim_keys = {"repo", "ref"};
  EXPECT_EQ(subjects_of_run(request, {"pull_request", ""}).error().message,
            "the repository's subject template includes ref: pass --ref REF (the run's ref)");
  request.claim_keys = {"repository_id", "context"};
  EXPECT_EQ(subjects_of_run(request, main).error().message,
            "the subject template's key repository_id needs the ids (--owner-id, --repo-id)");
  request.claim_keys = {"repo", "context", "run_id"};
  EXPECT_EQ(subjects_of_run(request, main).error().kind, util::ErrorKind::kUnsupported);
}

// The policy admits each run's subject as subjects_of_run spells it, so
// policy trust and oidc subject agree; with both forms, the name forms come first.
TEST(TrustBuilder, ThePolicyAdmitsEveryRunsSubjectOfRun) {
  TrustRequest request = main_of("octo/app");
  request.tags = {"v1"};
  request.environments = {"prod"};
  request.style = SubjectStyle::kBoth;
  request.owner_id = "1001";
  request.repo_id = "2002";
  request.claim_keys = {"repo", "context", "job_workflow_ref"};
  request.workflow = ".github/workflows/deploy.yml";
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  const std::string workflow = "octo/app/.github/workflows/deploy.yml@";
  const std::vector<RunContext> runs{{"environment:prod", "refs/heads/feature"},
                                     {"ref:refs/heads/main", "refs/heads/main"},
                                     {"ref:refs/tags/v1", "refs/tags/v1"}};
  for (const auto& run : runs) {
    const auto subs = subjects_of_run(request, run);
    ASSERT_TRUE(subs.has_value()) << subs.error().message;
    ASSERT_EQ(subs->size(), 2u);
    for (const auto& sub : *subs) EXPECT_EQ(decide_run(*policy, sub, workflow + run.ref), Decision::kAllow) << sub;
  }
  EXPECT_EQ(decide_run(*policy, "repo:octo/app:ref:refs/heads/dev:job_workflow_ref:" + workflow + "refs/heads/dev",
                       workflow + "refs/heads/dev"),
            Decision::kImplicitDeny);
  const auto first = policy->find("\"repo:octo/app:ref:refs/tags/v1:job_workflow_ref:");
  const auto immutable = policy->find("\"repo:octo@1001/app@2002:environment:prod:job_workflow_ref:");
  ASSERT_NE(first, std::string::npos) << *policy;
  EXPECT_LT(first, immutable) << *policy;
}

// Issue 15 item 3: STS checks job_workflow_ref (AWS, January 2026), so the
// role is pinned to one workflow by a condition, not a template change.
TEST(TrustBuilder, WorkflowPinsTheRoleToThatWorkflowFile) {
  TrustRequest request = main_of("octo/app");
  request.workflow = ".github/workflows/deploy.yml";
  const auto policy = build_trust_policy(request);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_NE(policy->find(R"("token.actions.githubusercontent.com:job_workflow_ref": "octo/app/.github/workflows/deploy.yml@refs/heads/main")"),
            std::string::npos)
      << *policy;
  const std::string main = "repo:octo/app:ref:refs/heads/main";
  EXPECT_EQ(decide_run(*policy, main, "octo/app/.github/workflows/deploy.yml@refs/heads/main"), Decision::kAllow);
  EXPECT_EQ(decide_run(*policy, main, "octo/app/.github/workflows/other.yml@refs/heads/main"), Decision::kImplicitDeny);
  EXPECT_EQ(decide(*policy, main), Decision::kImplicitDeny);  // a token without the claim
  request.environments = {"production"};
  EXPECT_EQ(job_workflow_refs(request),
            (std::vector<std::string>{"octo/app/.github/workflows/deploy.yml@*", "octo/app/.github/workflows/deploy.yml@refs/heads/main"}));
  LintOptions options;
  options.flag_any_workflow = true;
  EXPECT_TRUE(lint_policy(*parse_policy(*policy), options).empty());
}

TEST(TrustBuilder, WorkflowPathIsAFileUnderGithubWorkflows) {
  EXPECT_EQ(*workflow_path("deploy.yml"), ".github/workflows/deploy.yml");
  EXPECT_EQ(*workflow_path(".github/workflows/ci.yaml"), ".github/workflows/ci.yaml");
  for (const std::string bad : {"deploy.sh", "src/deploy.yml", ".github/workflows/*.yml", ".github/workflows/a/b.yml",
                                ".github/workflows/.yml", ".github/workflows/x.yml@main", ""}) {
    const auto path = workflow_path(bad);
    ASSERT_FALSE(path.has_value()) << bad;
    EXPECT_EQ(path.error().message, "--workflow \"" + bad +
                                        "\" is not a workflow file: give .github/workflows/NAME.yml (GitHub runs only those)");
  }
}

}  // namespace
}  // namespace eem::iam
