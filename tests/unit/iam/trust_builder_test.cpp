#include "iam/trust_builder.h"

#include <gtest/gtest.h>

#include "iam/evaluator.h"
#include "iam/lint.h"
#include "iam/policy_parser.h"

namespace eem::iam {
namespace {

Decision decide(const std::string& policy_text, const std::string& sub) {
  const auto policy = parse_policy(policy_text);
  EXPECT_TRUE(policy.has_value());
  RequestContext context;
  context.principal = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
  context.action = "sts:AssumeRoleWithWebIdentity";
  context.add("token.actions.githubusercontent.com:sub", sub);
  context.add("token.actions.githubusercontent.com:aud", "sts.amazonaws.com");
  return evaluate(*policy, context).decision;
}

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
  TrustRequest request{"123456789012", "aws-cn", "octo/app", "", "", SubjectStyle::kName, {"main"}, {}, {}, PullRequests::kAllow, ""};
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

}  // namespace
}  // namespace eem::iam
