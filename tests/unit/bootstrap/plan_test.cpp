#include "bootstrap/plan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bootstrap/json_diff.h"

namespace eem::bootstrap {
namespace {

DesiredState desired(PolicyMode mode = PolicyMode::kInline) {
  Settings settings;
  settings.account_id = "123456789012";
  settings.region = "ap-northeast-1";
  settings.github_repo = "octo-org/app";
  settings.policy_mode = mode;
  return *desired_state(settings);
}

// Everything as bootstrap would have left it, but with other formatting.
ObservedState complete(const DesiredState& d) {
  ObservedState o;
  o.provider = ObservedProvider{d.provider_arn, {"sts.amazonaws.com"}};
  o.role = ObservedRole{d.role_arn, nlohmann::json::parse(d.trust_policy).dump(), nlohmann::json::parse(d.inline_policy).dump(), {}};
  o.repository = ObservedRepository{d.repository_arn, d.repository_uri, "IMMUTABLE_WITH_EXCLUSION", {"latest"}, true,
                                    nlohmann::json::parse(d.lifecycle_policy).dump()};
  return o;
}

std::vector<std::string_view> ids(const std::vector<Action>& actions) {
  std::vector<std::string_view> out;
  for (const auto& action : actions) out.push_back(action_id(action.kind));
  return out;
}

TEST(Plan, EmptyAccountCreatesEverythingInDependencyOrder) {
  const auto actions = make_plan(desired(), ObservedState{});
  EXPECT_EQ(ids(actions), (std::vector<std::string_view>{"create-oidc-provider", "create-role", "put-inline-policy",
                                                          "create-repository", "put-lifecycle-policy"}));
  EXPECT_EQ(actions[0].summary, "create OIDC provider https://token.actions.githubusercontent.com (client id sts.amazonaws.com)");
  EXPECT_EQ(actions[1].document, normalize_json(desired().trust_policy));
  EXPECT_EQ(actions[3].summary,
            "create ECR repository ecs-express-mode-api (scan on push, tags IMMUTABLE_WITH_EXCLUSION except latest)");
}

TEST(Plan, CompleteStateWithOtherFormattingHasNoChanges) {
  const auto d = desired();
  EXPECT_TRUE(make_plan(d, complete(d)).empty());
}

TEST(Plan, ProviderWithoutClientIdGetsItAdded) {
  const auto d = desired();
  auto o = complete(d);
  o.provider->client_ids = {"sigstore"};
  const auto actions = make_plan(d, o);
  ASSERT_EQ(ids(actions), std::vector<std::string_view>{"add-client-id"});
  EXPECT_EQ(actions[0].summary, "add client id sts.amazonaws.com to OIDC provider https://token.actions.githubusercontent.com");
}

TEST(Plan, DriftedTrustPolicyIsAnUpdateWithALineDiff) {
  const auto d = desired();
  auto o = complete(d);
  auto drifted = nlohmann::json::parse(d.trust_policy);
  drifted["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] = "repo:octo-org/app:ref:refs/heads/dev";
  o.role->trust_policy = drifted.dump();
  const auto actions = make_plan(d, o);
  ASSERT_EQ(ids(actions), std::vector<std::string_view>{"update-trust-policy"});
  EXPECT_NE(actions[0].diff.find("-           \"token.actions.githubusercontent.com:sub\": \"repo:octo-org/app:ref:refs/heads/dev\"\n"
                                 "+           \"token.actions.githubusercontent.com:sub\": \"repo:octo-org/app:ref:refs/heads/main\"\n"),
            std::string::npos)
      << actions[0].diff;
}

TEST(Plan, RepositorySettingsDriftIsRepairedInPlace) {
  const auto d = desired();
  auto o = complete(d);
  o.repository->tag_mutability = "MUTABLE";
  o.repository->mutability_exclusions.clear();
  o.repository->scan_on_push = false;
  o.repository->lifecycle_policy.reset();
  const auto actions = make_plan(d, o);
  EXPECT_EQ(ids(actions), (std::vector<std::string_view>{"put-image-scanning", "put-tag-mutability", "put-lifecycle-policy"}));
  EXPECT_EQ(actions[1].summary,
            "set tag mutability of ECR repository ecs-express-mode-api: MUTABLE -> IMMUTABLE_WITH_EXCLUSION except latest");
}

TEST(Plan, InlineModeDetachesTheSeedsPowerUserAfterPuttingTheScopedPolicy) {
  const auto d = desired();
  auto o = complete(d);
  o.role->inline_policy.reset();
  o.role->attached_policy_arns = {"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"};
  EXPECT_EQ(ids(make_plan(d, o)), (std::vector<std::string_view>{"put-inline-policy", "detach-managed-policy"}));
}

TEST(Plan, ManagedModeAttachesPowerUserThenDeletesTheInlinePolicy) {
  const auto d = desired(PolicyMode::kManaged);
  const auto actions = make_plan(d, complete(d));
  EXPECT_EQ(ids(actions), (std::vector<std::string_view>{"attach-managed-policy", "delete-inline-policy"}));
  EXPECT_EQ(actions[0].resource, "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser");
}

// The inline policy shipctl 0.x wrote before issue 12: no verify actions.
constexpr const char* kOldInlinePolicy = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "GetAuthorizationToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
  {"Sid": "PushAndPullThisRepository", "Effect": "Allow",
   "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
              "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
   "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]})";

TEST(Plan, AnOlderInlinePolicyGetsTheMissingActionsNamedAndDiffed) {
  const auto d = desired();
  auto o = complete(d);
  o.role->inline_policy = kOldInlinePolicy;
  const auto actions = make_plan(d, o);
  ASSERT_EQ(ids(actions), (std::vector<std::string_view>{"put-inline-policy"}));
  EXPECT_EQ(actions[0].change, Change::kUpdate);
  EXPECT_EQ(actions[0].summary,
            "put inline policy ShipctlEcrPush on role GitHubActionsECRRole: adds ecr:DescribeRepositories (verify), "
            "ecr:DescribeImages (verify); removes ecr:GetDownloadUrlForLayer");
  EXPECT_NE(actions[0].diff.find("+         \"ecr:DescribeImages\""), std::string::npos) << actions[0].diff;
  EXPECT_NE(actions[0].diff.find("-         \"ecr:GetDownloadUrlForLayer\""), std::string::npos) << actions[0].diff;
}

TEST(Plan, APolicyDifferingOnlyInStatementIdsNamesNoActions) {
  const auto d = desired();
  auto o = complete(d);
  auto renamed = nlohmann::json::parse(d.inline_policy);
  renamed["Statement"][1]["Sid"] = "Other";
  o.role->inline_policy = renamed.dump();
  const auto actions = make_plan(d, o);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].summary, "put inline policy ShipctlEcrPush on role GitHubActionsECRRole");
}

}  // namespace
}  // namespace eem::bootstrap
