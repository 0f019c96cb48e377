#include "bootstrap/plan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bootstrap/json_diff.h"

namespace eem::bootstrap {
namespace {

DesiredState desired(PolicyMode mode = PolicyMode::kInline,
                     aws::EcrPublicLogin ecr_public = aws::EcrPublicLogin::kOmit) {
  Settings settings;
  settings.account_id = "123456789012";
  settings.region = "ap-northeast-1";
  settings.github_repo = "octo-org/app";
  settings.policy_mode = mode;
  settings.ecr_public = ecr_public;
  return *desired_state(settings);
}

DesiredState desired_public() { return desired(PolicyMode::kInline, aws::EcrPublicLogin::kInclude); }

// Everything as bootstrap would have left it, but with other formatting.
ObservedState complete(const DesiredState& d) {
  ObservedState o;
  o.provider = ObservedProvider{d.provider_arn, {"sts.amazonaws.com"}};
  o.role = ObservedRole{d.role_arn, nlohmann::json::parse(d.trust_policy).dump(), nlohmann::json::parse(d.inline_policy).dump(), {}};
  o.repository = ObservedRepository{d.repository_arn, d.repository_uri, "IMMUTABLE_WITH_EXCLUSION", {"latest"},
                                    nlohmann::json::parse(d.lifecycle_policy).dump()};
  return o;
}

std::vector<std::string_view> ids(const std::vector<Action>& actions) {
  std::vector<std::string_view> out;
  for (const auto& action : actions) out.push_back(action_id(action.kind));
  return out;
}

// make_plan's actions; a failure fails the test.
std::vector<Action> planned(const DesiredState& d, const ObservedState& o) {
  auto actions = make_plan(d, o);
  EXPECT_TRUE(actions.has_value()) << (actions ? "" : actions.error().message);
  return actions.value_or(std::vector<Action>{});
}

TEST(Plan, EmptyAccountCreatesEverythingInDependencyOrder) {
  const auto actions = planned(desired(), ObservedState{});
  EXPECT_EQ(ids(actions), (std::vector<std::string_view>{"create-oidc-provider", "create-role", "put-inline-policy",
                                                          "create-repository", "put-lifecycle-policy"}));
  EXPECT_EQ(actions[0].summary, "create OIDC provider https://token.actions.githubusercontent.com (client id sts.amazonaws.com)");
  EXPECT_EQ(actions[1].document, normalize_json(desired().trust_policy));
  EXPECT_EQ(actions[3].summary,
            "create ECR repository ecs-express-mode-api (scan on push, tags IMMUTABLE_WITH_EXCLUSION except latest)");
}

TEST(Plan, CompleteStateWithOtherFormattingHasNoChanges) {
  const auto d = desired();
  EXPECT_TRUE(planned(d, complete(d)).empty());
}

TEST(Plan, ProviderWithoutClientIdGetsItAdded) {
  const auto d = desired();
  auto o = complete(d);
  o.provider->client_ids = {"sigstore"};
  const auto actions = planned(d, o);
  ASSERT_EQ(ids(actions), std::vector<std::string_view>{"add-client-id"});
  EXPECT_EQ(actions[0].summary, "add client id sts.amazonaws.com to OIDC provider https://token.actions.githubusercontent.com");
}

TEST(Plan, DriftedTrustPolicyIsAnUpdateWithALineDiff) {
  const auto d = desired();
  auto o = complete(d);
  auto drifted = nlohmann::json::parse(d.trust_policy);
  drifted["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] = "repo:octo-org/app:ref:refs/heads/dev";
  o.role->trust_policy = drifted.dump();
  const auto actions = planned(d, o);
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
  o.repository->lifecycle_policy.reset();
  const auto actions = planned(d, o);
  EXPECT_EQ(ids(actions), (std::vector<std::string_view>{"put-tag-mutability", "put-lifecycle-policy"}));
  EXPECT_EQ(actions[0].summary,
            "set tag mutability of ECR repository ecs-express-mode-api: MUTABLE -> IMMUTABLE_WITH_EXCLUSION except latest");
}

TEST(Plan, InlineModeDetachesTheSeedsPowerUserAfterPuttingTheScopedPolicy) {
  const auto d = desired();
  auto o = complete(d);
  o.role->inline_policy.reset();
  o.role->attached_policy_arns = {"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"};
  EXPECT_EQ(ids(planned(d, o)), (std::vector<std::string_view>{"put-inline-policy", "detach-managed-policy"}));
}

TEST(Plan, ManagedModeAttachesPowerUserThenDeletesTheInlinePolicy) {
  const auto d = desired(PolicyMode::kManaged);
  const auto actions = planned(d, complete(d));
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
  const auto actions = planned(d, o);
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
  const auto actions = planned(d, o);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].summary, "put inline policy ShipctlEcrPush on role GitHubActionsECRRole");
}

TEST(Plan, PublicOnAnEmptyAccountShowsLoginToEcrPublicInThePolicy) {
  const auto d = desired_public();
  const auto actions = planned(d, ObservedState{});
  ASSERT_EQ(actions[2].kind, ActionKind::kPutInlinePolicy);
  EXPECT_NE(actions[2].document.find("ecr-public:GetAuthorizationToken"), std::string::npos) << actions[2].document;
  EXPECT_NE(actions[2].document.find("sts:GetServiceBearerToken"), std::string::npos) << actions[2].document;
}

TEST(Plan, PublicOnTheDefaultPolicyAddsTheTwoActionsNamingLoginPublic) {
  auto d = desired_public();
  const auto o = complete(desired());
  keep_opt_ins(d, o);
  const auto actions = planned(d, o);
  ASSERT_EQ(ids(actions), (std::vector<std::string_view>{"put-inline-policy"}));
  EXPECT_EQ(actions[0].summary, "put inline policy ShipctlEcrPush on role GitHubActionsECRRole: adds "
                                "ecr-public:GetAuthorizationToken (login --public), sts:GetServiceBearerToken "
                                "(login --public)");
  EXPECT_NE(actions[0].diff.find("+       \"Sid\": \"LoginToEcrPublic\""), std::string::npos) << actions[0].diff;
}

TEST(Plan, APolicyWithLoginToEcrPublicIsNoDriftWithPublic) {
  auto d = desired_public();
  const auto o = complete(d);
  keep_opt_ins(d, o);
  EXPECT_TRUE(planned(d, o).empty());
}

// As a run without --deploy leaves ShipctlExpressDeploy alone.
TEST(Plan, WithoutPublicAStatementAnEarlierPublicAddedIsKept) {
  auto d = desired();
  const auto o = complete(desired_public());
  keep_opt_ins(d, o);
  EXPECT_EQ(d.ecr_public, aws::EcrPublicLogin::kInclude);
  EXPECT_TRUE(planned(d, o).empty());
  // ...and kept through a repair of the rest of the policy.
  auto older = o;
  auto policy = nlohmann::json::parse(*o.role->inline_policy);
  policy["Statement"][1]["Action"].erase(policy["Statement"][1]["Action"].end() - 1);
  older.role->inline_policy = policy.dump();
  auto repaired = desired();
  keep_opt_ins(repaired, older);
  const auto actions = planned(repaired, older);
  ASSERT_EQ(ids(actions), (std::vector<std::string_view>{"put-inline-policy"}));
  EXPECT_EQ(actions[0].summary.find("removes"), std::string::npos) << actions[0].summary;
  EXPECT_NE(actions[0].document.find("sts:GetServiceBearerToken"), std::string::npos);
}

TEST(Plan, WithoutPublicAPolicyGrantingOnlyPartOfItGetsNothingKept) {
  auto d = desired();
  auto o = complete(d);
  auto policy = nlohmann::json::parse(*o.role->inline_policy);
  policy["Statement"].push_back({{"Effect", "Allow"}, {"Action", "ecr-public:GetAuthorizationToken"}, {"Resource", "*"}});
  o.role->inline_policy = policy.dump();
  keep_opt_ins(d, o);
  EXPECT_EQ(d.ecr_public, aws::EcrPublicLogin::kOmit);
  const auto actions = planned(d, o);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].summary,
            "put inline policy ShipctlEcrPush on role GitHubActionsECRRole: removes ecr-public:GetAuthorizationToken");
}

// Keeping means writing the canonical statement: a grant narrowed by a
// condition, or beside a Deny, would be widened, so it is not kept and the
// plan names the removal instead.
TEST(Plan, WithoutPublicANarrowedGrantIsNotKeptButRemovedVisibly) {
  const auto base = complete(desired());
  auto conditioned = nlohmann::json::parse(*base.role->inline_policy);
  conditioned["Statement"].push_back({{"Effect", "Allow"},
                                      {"Action", {"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"}},
                                      {"Resource", "*"},
                                      {"Condition", {{"Bool", {{"aws:SecureTransport", "true"}}}}}});
  auto denied = nlohmann::json::parse(*complete(desired_public()).role->inline_policy);
  denied["Statement"].push_back({{"Effect", "Deny"}, {"Action", "sts:GetServiceBearerToken"}, {"Resource", "*"}});
  for (const auto& policy : {conditioned, denied}) {
    auto d = desired();
    auto o = base;
    o.role->inline_policy = policy.dump();
    keep_opt_ins(d, o);
    EXPECT_EQ(d.ecr_public, aws::EcrPublicLogin::kOmit) << policy.dump();
    const auto actions = planned(d, o);
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_NE(actions[0].summary.find("removes ecr-public:GetAuthorizationToken, sts:GetServiceBearerToken"),
              std::string::npos)
        << actions[0].summary;
  }
}

TEST(Plan, ManagedModeKeepsNothingOptIn) {
  auto d = desired(PolicyMode::kManaged);
  keep_opt_ins(d, complete(desired_public()));
  EXPECT_EQ(d.ecr_public, aws::EcrPublicLogin::kOmit);
}

TEST(Plan, AnUnconfiguredRegistryGetsTheRepositoryInAScanOnPushRuleSaidToBeAccountWide) {
  const auto d = desired();
  auto o = complete(d);
  o.registry_scanning = aws::RegistryScanningConfiguration{};  // ECR's default: BASIC, no rules
  const auto actions = planned(d, o);
  ASSERT_EQ(ids(actions), std::vector<std::string_view>{"put-registry-scanning-configuration"});
  const Action& a = actions[0];
  EXPECT_EQ(a.change, Change::kUpdate);
  EXPECT_EQ(a.resource, "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com");
  EXPECT_EQ(a.summary, "scan on push for ECR repository ecs-express-mode-api, set in the registry's scanning "
                       "configuration (account-wide)");
  EXPECT_EQ(a.note,
            "ACCOUNT-WIDE: this is the scanning configuration of the whole registry, every repository of account "
            "123456789012 in ap-northeast-1, not a setting of ecs-express-mode-api.\n"
            "It adds a SCAN_ON_PUSH rule with filter \"ecs-express-mode-api\"; scanType BASIC stays (there are no rules yet).\n"
            "A filter without '*' matches every repository whose name contains it.");
  ASSERT_TRUE(a.scanning);
  EXPECT_EQ(a.scanning->before, aws::RegistryScanningConfiguration{});
  EXPECT_EQ(a.scanning->after.rules.size(), 1u);
  EXPECT_NE(a.diff.find("+           \"filter\": \"ecs-express-mode-api\",\n"), std::string::npos) << a.diff;
  EXPECT_NE(a.diff.find("  \"scanType\": \"BASIC\"\n"), std::string::npos) << a.diff;
}

TEST(Plan, ExistingRulesAreKeptAndShownInTheDiff) {
  const auto d = desired();
  auto o = complete(d);
  o.registry_scanning = aws::RegistryScanningConfiguration{
      "ENHANCED", {{"CONTINUOUS_SCAN", {{"prod-*", "WILDCARD"}}}, {"SCAN_ON_PUSH", {{"team/*", "WILDCARD"}}}}};
  const auto actions = planned(d, o);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].scanning->after.rules[0], o.registry_scanning->rules[0]);
  EXPECT_EQ(actions[0].scanning->after.rules[1].filters.size(), 2u);
  EXPECT_NE(actions[0].note.find("It adds filter \"ecs-express-mode-api\" in the existing SCAN_ON_PUSH rule; scanType "
                                 "ENHANCED and the 2 existing rule(s) with their 2 filter(s) stay as they are."),
            std::string::npos)
      << actions[0].note;
  EXPECT_NE(actions[0].diff.find("  \"filter\": \"prod-*\""), std::string::npos) << actions[0].diff;
  EXPECT_TRUE(actions[0].note.ends_with("\nENHANCED scanning is Amazon Inspector's: it bills the images it scans."))
      << actions[0].note;
}

TEST(Plan, ARegistryThatScansTheRepositoryAlreadyNeedsNothing) {
  const auto d = desired();
  auto o = complete(d);
  o.registry_scanning = aws::RegistryScanningConfiguration{"BASIC", {{"SCAN_ON_PUSH", {{"*", "WILDCARD"}}}}};
  EXPECT_TRUE(planned(d, o).empty());
}

TEST(Plan, ARegistryAtEcrsLimitsStopsThePlan) {
  const auto d = desired();
  auto o = complete(d);
  o.registry_scanning = aws::RegistryScanningConfiguration{
      "ENHANCED", {{"CONTINUOUS_SCAN", {{"prod-*", "WILDCARD"}}}, {"MANUAL", {{"*", "WILDCARD"}}}}};
  auto actions = make_plan(d, o);
  ASSERT_FALSE(actions.has_value());
  EXPECT_EQ(actions.error().kind, util::ErrorKind::kConflict);
  EXPECT_TRUE(actions.error().message.starts_with(
      "scan on push for ecs-express-mode-api: the registry's scanning configuration already has 2 rules"))
      << actions.error().message;
}

TEST(Plan, SkippedRegistryScanningIsNeitherPlannedNorRead) {
  Settings settings;
  settings.account_id = "123456789012";
  settings.region = "ap-northeast-1";
  settings.github_repo = "octo-org/app";
  settings.registry_scanning = false;
  const auto d = *desired_state(settings);
  EXPECT_FALSE(d.registry_scanning);
  auto o = complete(d);
  o.registry_scanning = aws::RegistryScanningConfiguration{};
  EXPECT_TRUE(planned(d, o).empty());
}

}  // namespace
}  // namespace eem::bootstrap
