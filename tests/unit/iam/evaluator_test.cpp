#include "iam/evaluator.h"

#include <gtest/gtest.h>

#include "iam/policy_parser.h"

namespace eem::iam {
namespace {

constexpr const char* kProvider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

std::string seed_trust(const std::string& sub_operator = "StringLike",
                       const std::string& sub = "repo:octo/app:ref:refs/heads/main") {
  return std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":")") + kProvider +
         R"("},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},")" +
         sub_operator + R"(":{"token.actions.githubusercontent.com:sub":")" + sub + R"("}}}]})";
}

RequestContext token_context(const std::string& sub, const std::string& aud = "sts.amazonaws.com") {
  RequestContext context;
  context.principal = kProvider;
  context.action = "sts:AssumeRoleWithWebIdentity";
  context.resource = "arn:aws:iam::123456789012:role/GitHubActionsECRRole";
  context.add("token.actions.githubusercontent.com:sub", sub);
  context.add("token.actions.githubusercontent.com:aud", aud);
  return context;
}

struct TrustCase {
  const char* name;
  std::string policy;
  std::string sub;
  std::string aud;
  Decision decision;
  std::string cause;  // likely cause of the first failed condition, "" if none
};

void PrintTo(const TrustCase& c, std::ostream* os) { *os << c.name; }

class SeedTrustPolicy : public testing::TestWithParam<TrustCase> {};

TEST_P(SeedTrustPolicy, DecidesAndExplains) {
  const TrustCase& c = GetParam();
  const auto policy = parse_policy(c.policy);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  const Evaluation result = evaluate(*policy, token_context(c.sub, c.aud));
  EXPECT_EQ(result.decision, c.decision);
  std::string cause;
  for (const auto& cond : result.statements.at(0).conditions) {
    if (!cond.matched) {
      cause = cond.likely_cause;
      break;
    }
  }
  EXPECT_EQ(cause, c.cause);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SeedTrustPolicy,
    testing::Values(
        TrustCase{"PushToMain", seed_trust(), "repo:octo/app:ref:refs/heads/main", "sts.amazonaws.com", Decision::kAllow, ""},
        TrustCase{"PullRequest", seed_trust(), "repo:octo/app:pull_request", "sts.amazonaws.com", Decision::kImplicitDeny,
                  "the workflow was triggered by a pull request, so its sub is \"repo:octo/app:pull_request\"; pull requests are not admitted (keep it that way unless they must deploy)"},
        TrustCase{"OtherRepository", seed_trust(), "repo:evil/app:ref:refs/heads/main", "sts.amazonaws.com", Decision::kImplicitDeny,
                  "the token is for repository \"evil/app\", which the condition does not admit"},
        TrustCase{"Environment", seed_trust(), "repo:octo/app:environment:production", "sts.amazonaws.com", Decision::kImplicitDeny,
                  "the job uses a GitHub environment, so its sub is \"repo:octo/app:environment:production\" instead of the branch form; admit the environment's sub or drop the job's environment"},
        TrustCase{"CaseDiffers", seed_trust(), "repo:Octo/App:ref:refs/heads/main", "sts.amazonaws.com", Decision::kImplicitDeny,
                  "case differs: condition values are compared case-sensitively, and GitHub spells the owner and repository as in the token"},
        TrustCase{"ImmutableSubject", seed_trust(), "repo:octo@1001/app@2002:ref:refs/heads/main", "sts.amazonaws.com", Decision::kImplicitDeny,
                  "the repository uses immutable subjects (\"repo:octo@1001/app@2002:ref:refs/heads/main\"): a name-only sub never matches; use repo:OWNER@OWNER_ID/REPO@REPO_ID:... in the condition"},
        TrustCase{"WrongAudience", seed_trust(), "repo:octo/app:ref:refs/heads/main", "https://github.com/octo", Decision::kImplicitDeny,
                  "the token's audience is not sts.amazonaws.com; request the token with audience sts.amazonaws.com (aws-actions/configure-aws-credentials does) and list it as the provider's client id"},
        TrustCase{"WildcardUnderStringEquals", seed_trust("StringEquals", "repo:octo/app:*"), "repo:octo/app:ref:refs/heads/main", "sts.amazonaws.com", Decision::kImplicitDeny,
                  "StringEquals treats \"*\" and \"?\" literally (the value would match under StringLike); use StringLike for wildcards"},
        TrustCase{"WildcardUnderStringLike", seed_trust("StringLike", "repo:octo/app:*"), "repo:octo/app:pull_request", "sts.amazonaws.com", Decision::kAllow, ""}),
    [](const testing::TestParamInfo<TrustCase>& param) { return std::string(param.param.name); });

TEST(Evaluator, OtherProviderPrincipalDoesNotMatch) {
  const auto policy = parse_policy(seed_trust());
  RequestContext context = token_context("repo:octo/app:ref:refs/heads/main");
  context.principal = "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com";
  const Evaluation result = evaluate(*policy, context);
  EXPECT_EQ(result.decision, Decision::kImplicitDeny);
  EXPECT_EQ(result.statements[0].principal, ElementMatch::kNotMatched);
  EXPECT_EQ(result.statements[0].summary, "Allow statement does not apply: principal not matched");
}

TEST(Evaluator, ExplicitDenyWinsOverAllow) {
  const auto policy = parse_policy(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"ecr:*","Resource":"*"},
    {"Sid":"NoDelete","Effect":"Deny","Action":"ecr:Delete*","Resource":"arn:aws:ecr:*:*:repository/prod-*"}]})");
  ASSERT_TRUE(policy.has_value());
  RequestContext context;
  context.principal = "arn:aws:iam::123456789012:role/ci";
  context.action = "ecr:DeleteRepository";
  context.resource = "arn:aws:ecr:ap-northeast-1:123456789012:repository/prod-api";
  EXPECT_EQ(evaluate(*policy, context).decision, Decision::kExplicitDeny);
  context.resource = "arn:aws:ecr:ap-northeast-1:123456789012:repository/dev-api";
  EXPECT_EQ(evaluate(*policy, context).decision, Decision::kAllow);
  context.action = "s3:GetObject";
  const Evaluation none = evaluate(*policy, context);
  EXPECT_EQ(none.decision, Decision::kImplicitDeny);
  EXPECT_EQ(none.statements[0].summary, "Allow statement does not apply: action not matched");
}

TEST(Evaluator, IdentityPolicyForEcrPush) {
  const auto policy = parse_policy(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},
    {"Effect":"Allow","Action":["ecr:PutImage","ecr:UploadLayerPart"],
     "Resource":"arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]})");
  RequestContext context;
  context.action = "ecr:PutImage";
  context.resource = "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api";
  EXPECT_EQ(evaluate(*policy, context).decision, Decision::kAllow);
  context.resource = "arn:aws:ecr:ap-northeast-1:123456789012:repository/other";
  const Evaluation denied = evaluate(*policy, context);
  EXPECT_EQ(denied.decision, Decision::kImplicitDeny);
  EXPECT_EQ(denied.statements[1].summary, "Allow statement does not apply: resource not matched");
}

TEST(Evaluator, WarnsAboutDuplicateKeys) {
  const auto policy = parse_policy(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",
    "Condition":{"StringEquals":{"aws:a":"1"},"StringEquals":{"aws:b":"2"}}}})");
  RequestContext context;
  context.action = "s3:GetObject";
  context.add("aws:b", "2");
  const Evaluation result = evaluate(*policy, context);
  EXPECT_EQ(result.decision, Decision::kAllow);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0],
            "duplicate key \"StringEquals\" in $.Statement.Condition: IAM keeps only the last one, the others are silently ignored");
}

}  // namespace
}  // namespace eem::iam
