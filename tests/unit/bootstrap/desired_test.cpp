#include "bootstrap/desired.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "aws/permissions.h"

namespace eem::bootstrap {
namespace {

using nlohmann::json;

Settings base() {
  Settings s;
  s.account_id = "123456789012";
  s.region = "ap-northeast-1";
  s.github_repo = "octo-org/app";
  return s;
}

TEST(Desired, NamesAndArnsFollowTheSeed) {
  const auto d = *desired_state(base());
  EXPECT_EQ(d.provider_arn, "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
  EXPECT_EQ(d.role_arn, "arn:aws:iam::123456789012:role/GitHubActionsECRRole");
  EXPECT_EQ(d.repository_arn, "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api");
  EXPECT_EQ(d.repository_uri, "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api");
  EXPECT_EQ(d.client_id, "sts.amazonaws.com");
  const json trust = json::parse(d.trust_policy);
  EXPECT_EQ(trust["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"],
            "repo:octo-org/app:ref:refs/heads/main");
}

TEST(Desired, TheInlinePolicyIsTheWorkflowPolicyOfTheTable) {
  const auto d = *desired_state(base());
  EXPECT_EQ(d.inline_policy, aws::workflow_policy({d.repository_arn, d.role_arn, d.provider_arn}));
  const json policy = json::parse(d.inline_policy);
  EXPECT_EQ(policy["Statement"][0]["Action"], "ecr:GetAuthorizationToken");
  EXPECT_EQ(policy["Statement"][0]["Resource"], "*");
  EXPECT_EQ(policy["Statement"][1]["Resource"], "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api");
  // shipctl verify's two calls (issue 12: the role could not verify its own push).
  const json actions = policy["Statement"][1]["Action"];
  EXPECT_NE(std::find(actions.begin(), actions.end(), "ecr:DescribeImages"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "ecr:DescribeRepositories"), actions.end());
  EXPECT_EQ(policy.dump().find("ecr:*"), std::string::npos);
}

// bootstrap --public writes what `policy role --public` prints.
TEST(Desired, PublicAddsLoginToEcrPublicFromTheTable) {
  auto settings = base();
  settings.ecr_public = aws::EcrPublicLogin::kInclude;
  const auto d = *desired_state(settings);
  EXPECT_EQ(d.ecr_public, aws::EcrPublicLogin::kInclude);
  EXPECT_EQ(d.inline_policy,
            aws::workflow_policy({d.repository_arn, d.role_arn, d.provider_arn}, aws::EcrPublicLogin::kInclude));
  const json last = json::parse(d.inline_policy)["Statement"].back();
  EXPECT_EQ(last["Sid"], "LoginToEcrPublic");
  EXPECT_EQ(last["Action"], json({"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"}));
  EXPECT_EQ(last["Resource"], "*");

  auto without = *desired_state(base());
  EXPECT_EQ(without.inline_policy.find("ecr-public"), std::string::npos);
  include_ecr_public_login(without);
  EXPECT_EQ(without.inline_policy, d.inline_policy);
  EXPECT_EQ(without.ecr_public, aws::EcrPublicLogin::kInclude);
}

TEST(Desired, LifecycleExpiresOnlyUntaggedImages) {
  const json rules = json::parse(lifecycle_policy())["rules"];
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0]["selection"]["tagStatus"], "untagged");
  EXPECT_EQ(rules[0]["selection"]["countNumber"], 7);
  EXPECT_EQ(rules[0]["action"]["type"], "expire");
}

TEST(Desired, ChinaRegionsUseTheirPartitionAndAudience) {
  auto s = base();
  s.region = "cn-north-1";
  const auto d = *desired_state(s);
  EXPECT_EQ(d.client_id, "sts.amazonaws.com.cn");
  EXPECT_EQ(d.role_arn, "arn:aws-cn:iam::123456789012:role/GitHubActionsECRRole");
  EXPECT_EQ(d.managed_policy_arn, "arn:aws-cn:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser");
  EXPECT_NE(d.trust_policy.find("\"sts.amazonaws.com.cn\""), std::string::npos);
}

TEST(Desired, ImmutableSubjectsAndEnvironments) {
  auto s = base();
  s.subject_style = iam::SubjectStyle::kImmutable;
  s.owner_id = "9919";
  s.repo_id = "1296269";
  s.environments = {"production"};
  const auto d = *desired_state(s);
  EXPECT_NE(d.trust_policy.find("repo:octo-org@9919/app@1296269:environment:production"), std::string::npos);
  EXPECT_EQ(d.trust_policy.find("refs/heads/main"), std::string::npos);  // main is the default only without others
}

TEST(Desired, ImmutableWithoutIdsIsInvalidInput) {
  auto s = base();
  s.subject_style = iam::SubjectStyle::kImmutable;
  auto d = desired_state(s);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, util::ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace eem::bootstrap
