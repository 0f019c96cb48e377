#include "audit/aws_checks.h"

#include <gtest/gtest.h>

namespace eem::audit {
namespace {

aws::Repository repository(std::string mutability, bool scan_on_push) {
  aws::Repository r;
  r.name = "ecs-express-mode-api";
  r.arn = "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api";
  r.image_tag_mutability = std::move(mutability);
  r.scan_on_push = scan_on_push;
  return r;
}

std::vector<std::string> ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.id);
  return out;
}

TEST(RepositoryChecks, TheSeedsRepositoryHasEveryFinding) {
  // aws ecr create-repository --repository-name ecs-express-mode-api: service defaults.
  const auto findings = check_repository(repository("MUTABLE", false), std::nullopt);
  EXPECT_EQ(ids(findings), (std::vector<std::string>{"AUD020", "AUD021", "AUD022"}));
  EXPECT_EQ(findings[0].fix,
            "shipctl bootstrap --repository ecs-express-mode-api --region ap-northeast-1 --apply adds it to the "
            "registry's scan-on-push rule (account-wide, other rules kept); AWS deprecates the per-repository setting");
  EXPECT_EQ(findings[0].evidence, (std::vector<std::string>{"imageScanningConfiguration.scanOnPush: false",
                                                            "registry scanning configuration not read"}));
  EXPECT_EQ(findings[1].evidence[0], "imageTagMutability: MUTABLE");
  EXPECT_EQ(findings[2].severity, Severity::kLow);
}

TEST(RepositoryChecks, ImmutableWithExclusionScannedAndExpiringPasses) {
  EXPECT_TRUE(check_repository(repository("IMMUTABLE_WITH_EXCLUSION", true), "{\"rules\": []}").empty());
  EXPECT_TRUE(check_repository(repository("IMMUTABLE", true), "{\"rules\": []}").empty());
}

TEST(RepositoryChecks, ARegistryRuleThatScansTheRepositoryOnPushIsScanOnPush) {
  aws::RegistryScanningConfiguration registry;
  registry.rules = {{"SCAN_ON_PUSH", {{"other-app", "WILDCARD"}}}};
  const RegistryScanning other{registry, ""};
  const auto findings = check_repository(repository("IMMUTABLE", false), "{}", other);
  ASSERT_EQ(ids(findings), std::vector<std::string>{"AUD020"});
  EXPECT_EQ(findings[0].evidence[1], "registry scanning configuration (BASIC): no SCAN_ON_PUSH or CONTINUOUS_SCAN "
                                     "rule has a filter matching ecs-express-mode-api");
  registry.rules[0].filters.push_back({"ecs-*", "WILDCARD"});
  EXPECT_TRUE(check_repository(repository("IMMUTABLE", false), "{}", {registry, ""}).empty());
  // MANUAL scans nothing on push.
  registry.rules[0].scan_frequency = "MANUAL";
  EXPECT_EQ(ids(check_repository(repository("IMMUTABLE", false), "{}", {registry, ""})),
            std::vector<std::string>{"AUD020"});
}

TEST(RepositoryChecks, MutableWithExclusionIsStillMutable) {
  auto r = repository("MUTABLE_WITH_EXCLUSION", true);
  r.mutability_exclusions = {"v*"};
  const auto findings = check_repository(r, "{}");
  ASSERT_EQ(ids(findings), std::vector<std::string>{"AUD021"});
  EXPECT_EQ(findings[0].evidence[0], "imageTagMutability: MUTABLE_WITH_EXCLUSION (exclusions: v*)");
}

TrailState trail(bool logging, aws::EventSelectors selectors = {}) {
  TrailState t;
  t.trail.name = "mgmt";
  t.trail.home_region = "ap-northeast-1";
  t.status.is_logging = logging;
  t.selectors = std::move(selectors);
  return t;
}

TEST(TrailChecks, NoTrailIsAud030) {
  const auto findings = check_trails("ap-northeast-1", {});
  ASSERT_EQ(ids(findings), std::vector<std::string>{"AUD030"});
  EXPECT_EQ(findings[0].evidence[0], "DescribeTrails: no trail is homed in ap-northeast-1 or multi-region");
}

TEST(TrailChecks, ALoggingTrailWithDefaultSelectorsPasses) {
  EXPECT_TRUE(check_trails("ap-northeast-1", {trail(true)}).empty());
  EXPECT_TRUE(check_trails("ap-northeast-1", {trail(true, {{{"All", true, {}}}, {}})}).empty());
}

TEST(TrailChecks, AStoppedTrailDoesNotCount) {
  const auto findings = check_trails("ap-northeast-1", {trail(false)});
  ASSERT_EQ(ids(findings), std::vector<std::string>{"AUD030"});
  EXPECT_EQ(findings[0].evidence[0], "trail mgmt: logging is stopped");
}

TEST(TrailChecks, ManagementEventsExcludedIsAud030) {
  const auto findings = check_trails("ap-northeast-1", {trail(true, {{{"All", false, {}}}, {}})});
  ASSERT_EQ(ids(findings), std::vector<std::string>{"AUD030"});
  EXPECT_EQ(findings[0].evidence[0], "trail mgmt: its event selectors exclude management events");
}

TEST(TrailChecks, WriteOnlyIsAud032) {
  const auto findings = check_trails("ap-northeast-1", {trail(true, {{{"WriteOnly", true, {}}}, {}})});
  ASSERT_EQ(ids(findings), std::vector<std::string>{"AUD032"});
  EXPECT_EQ(findings[0].evidence[0], "trail mgmt: records only WriteOnly management events");
}

TEST(TrailChecks, AdvancedSelectorsForManagementCount) {
  aws::EventSelectors all{{}, {{"m", {{"eventCategory", {"Management"}}}}}};
  EXPECT_TRUE(check_trails("ap-northeast-1", {trail(true, all)}).empty());
  aws::EventSelectors narrowed{{}, {{"m", {{"eventCategory", {"Management"}}, {"readOnly", {"false"}}}}}};
  const auto findings = check_trails("ap-northeast-1", {trail(true, narrowed)});
  ASSERT_EQ(ids(findings), std::vector<std::string>{"AUD032"});
  EXPECT_EQ(findings[0].evidence[0], "trail mgmt: advanced selector \"m\" narrows management events to readOnly false");
}

TEST(TrailChecks, OneGoodTrailIsEnough) {
  EXPECT_TRUE(check_trails("ap-northeast-1", {trail(false), trail(true)}).empty());
}

TEST(TrailChecks, CoverageIsHomeRegionOrMultiRegion) {
  aws::Trail t;
  t.home_region = "us-east-1";
  EXPECT_FALSE(covers_region(t, "ap-northeast-1"));
  t.multi_region = true;
  EXPECT_TRUE(covers_region(t, "ap-northeast-1"));
}

}  // namespace
}  // namespace eem::audit
