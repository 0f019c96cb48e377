#include "bootstrap/registry_scanning.h"

#include <gtest/gtest.h>

namespace eem::bootstrap {
namespace {

using aws::RegistryScanningConfiguration;
using aws::ScanningRule;

constexpr const char* kRepo = "ecs-express-mode-api";

ScanningRule rule(std::string frequency, std::vector<std::string> filters) {
  ScanningRule out{std::move(frequency), {}};
  for (auto& f : filters) out.filters.push_back({std::move(f), "WILDCARD"});
  return out;
}

// The table of "Filters to choose which repositories are scanned in Amazon
// ECR" (Amazon ECR User Guide): repository names across, filters down.
TEST(RegistryScanning, FiltersMatchAsEcrDocumentsThem) {
  const std::vector<std::string> names = {"prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo"};
  const std::vector<std::pair<std::string, std::vector<bool>>> table = {
      {"prod", {true, true, true, true, true}},
      {"*prod", {true, true, false, false, false}},
      {"prod*", {true, false, true, false, true}},
      {"*prod*", {true, true, true, true, true}},
      {"prod*repo", {false, false, true, false, true}},
  };
  for (const auto& [filter, expected] : table) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(aws::scanning_filter_matches(filter, names[i]), expected[i]) << filter << " vs " << names[i];
    }
  }
  EXPECT_TRUE(aws::scanning_filter_matches("*", kRepo));
  EXPECT_TRUE(aws::scanning_filter_matches("team/*", "team/app"));
  EXPECT_FALSE(aws::scanning_filter_matches("team/*", "other/team-app"));
  EXPECT_TRUE(aws::scanning_filter_matches("e*s*api", kRepo));
  EXPECT_FALSE(aws::scanning_filter_matches("e*s*apix", kRepo));
}

TEST(RegistryScanning, OnlyRulesThatScanOnPushCover) {
  RegistryScanningConfiguration c{"ENHANCED", {rule("MANUAL", {"*"})}};
  EXPECT_FALSE(scan_on_push_coverage(c, kRepo));
  c.rules.push_back(rule("CONTINUOUS_SCAN", {"other", "ecs-*"}));
  const auto coverage = scan_on_push_coverage(c, kRepo);
  ASSERT_TRUE(coverage);
  EXPECT_EQ(coverage->scan_frequency, "CONTINUOUS_SCAN");
  EXPECT_EQ(coverage->filter, "ecs-*");
}

TEST(RegistryScanning, AnUnconfiguredRegistryGetsAScanOnPushRuleForTheRepository) {
  auto merged = with_scan_on_push(RegistryScanningConfiguration{}, kRepo);
  ASSERT_TRUE(merged.has_value()) << merged.error().message;
  ASSERT_TRUE(merged->has_value());
  EXPECT_EQ(**merged, (RegistryScanningConfiguration{"BASIC", {rule("SCAN_ON_PUSH", {kRepo})}}));
}

TEST(RegistryScanning, ExistingRulesAndScanTypeAreKeptAndTheFilterJoinsTheScanOnPushRule) {
  const RegistryScanningConfiguration current{
      "ENHANCED", {rule("CONTINUOUS_SCAN", {"prod-*"}), rule("SCAN_ON_PUSH", {"team/*", "legacy"})}};
  auto merged = with_scan_on_push(current, kRepo);
  ASSERT_TRUE(merged.has_value()) << merged.error().message;
  ASSERT_TRUE(merged->has_value());
  EXPECT_EQ(**merged, (RegistryScanningConfiguration{
                          "ENHANCED", {rule("CONTINUOUS_SCAN", {"prod-*"}), rule("SCAN_ON_PUSH", {"team/*", "legacy", kRepo})}}));
}

TEST(RegistryScanning, ANewRuleWhenOnlyContinuousScanningExists) {
  const RegistryScanningConfiguration current{"ENHANCED", {rule("CONTINUOUS_SCAN", {"prod-*"})}};
  auto merged = with_scan_on_push(current, kRepo);
  ASSERT_TRUE(merged.has_value() && merged->has_value());
  EXPECT_EQ(**merged, (RegistryScanningConfiguration{
                          "ENHANCED", {rule("CONTINUOUS_SCAN", {"prod-*"}), rule("SCAN_ON_PUSH", {kRepo})}}));
}

TEST(RegistryScanning, MergingIsIdempotent) {
  for (const auto& current : {RegistryScanningConfiguration{},
                              RegistryScanningConfiguration{"BASIC", {rule("SCAN_ON_PUSH", {"other"})}},
                              RegistryScanningConfiguration{"BASIC", {rule("SCAN_ON_PUSH", {"*"})}}}) {
    auto once = with_scan_on_push(current, kRepo);
    ASSERT_TRUE(once.has_value());
    const RegistryScanningConfiguration after = once->value_or(current);
    auto twice = with_scan_on_push(after, kRepo);
    ASSERT_TRUE(twice.has_value());
    EXPECT_FALSE(twice->has_value()) << "a second merge changes nothing";
  }
}

TEST(RegistryScanning, AWildcardThatCoversTheRepositoryLeavesEverythingAsItIs) {
  auto merged = with_scan_on_push({"BASIC", {rule("SCAN_ON_PUSH", {"ecs-*"})}}, kRepo);
  ASSERT_TRUE(merged.has_value());
  EXPECT_FALSE(merged->has_value());
}

TEST(RegistryScanning, AFullScanOnPushRuleIsRefusedNotTrimmed) {
  std::vector<std::string> filters;
  for (std::size_t i = 0; i < kMaxScanningFilters; ++i) filters.push_back("team" + std::to_string(i));
  auto merged = with_scan_on_push({"BASIC", {rule("SCAN_ON_PUSH", filters)}}, kRepo);
  ASSERT_FALSE(merged.has_value());
  EXPECT_EQ(merged.error().kind, util::ErrorKind::kConflict);
  EXPECT_EQ(merged.error().message,
            "the registry's SCAN_ON_PUSH rule already has 100 repository filters, ECR's limit per rule; make room in "
            "the registry's scanning configuration (ECR console: Private registry > Settings > Scanning, or aws ecr "
            "put-registry-scanning-configuration), e.g. with a wildcard filter that covers this repository, or pass "
            "--skip-registry-scanning to leave registry scanning as it is");
  filters.pop_back();
  auto fits = with_scan_on_push({"BASIC", {rule("SCAN_ON_PUSH", filters)}}, kRepo);
  ASSERT_TRUE(fits.has_value() && fits->has_value());
  EXPECT_EQ((*fits)->rules[0].filters.size(), kMaxScanningFilters);
}

TEST(RegistryScanning, TwoRulesWithoutScanOnPushLeaveNoRoomForAThird) {
  auto merged = with_scan_on_push({"ENHANCED", {rule("CONTINUOUS_SCAN", {"prod-*"}), rule("MANUAL", {"x"})}}, kRepo);
  ASSERT_FALSE(merged.has_value());
  EXPECT_EQ(merged.error().kind, util::ErrorKind::kConflict);
  EXPECT_TRUE(merged.error().message.starts_with(
      "the registry's scanning configuration already has 2 rules, ECR's limit, and none is SCAN_ON_PUSH; "))
      << merged.error().message;
}

TEST(RegistryScanning, ANameLongerThanAFilterIsRefused) {
  auto merged = with_scan_on_push({}, std::string(256, 'a'));
  ASSERT_FALSE(merged.has_value());
  EXPECT_EQ(merged.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_TRUE(merged.error().message.find("longer than the 255 characters of an ECR scanning filter") != std::string::npos);
}

}  // namespace
}  // namespace eem::bootstrap
