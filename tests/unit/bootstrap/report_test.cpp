#include "bootstrap/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace eem::bootstrap {
namespace {

Report planned() {
  Settings settings;
  settings.account_id = "123456789012";
  settings.region = "ap-northeast-1";
  settings.github_repo = "octo-org/app";
  Report report;
  report.github_repo = "octo-org/app";
  report.desired = *desired_state(settings);
  report.actions = {{ActionKind::kAddClientId, Change::kUpdate, "arn", "add client id sts.amazonaws.com", "", ""},
                    {ActionKind::kUpdateTrustPolicy, Change::kUpdate, "arn", "update trust policy of role R", "{}", "- a\n+ b\n"}};
  return report;
}

TEST(Report, PlanShowsDiffsIndented) {
  EXPECT_EQ(render_plan_text(planned().actions),
            "Plan: 2 changes\n  ~ add client id sts.amazonaws.com\n  ~ update trust policy of role R\n      - a\n      + b\n");
  EXPECT_EQ(render_plan_text({}), "No changes: the OIDC provider, role, policies and repository are as desired.\n");
}

TEST(Report, PlannedRunsSayNothingChanged) {
  EXPECT_EQ(render_outcome_text(planned()), "Nothing was changed. Run again with --apply to make these 2 changes.\n");
}

TEST(Report, AppliedRunsGiveTheRoleArnAndTheGhCommand) {
  auto report = planned();
  report.outcome = Outcome::kApplied;
  EXPECT_EQ(render_outcome_text(report),
            "Applied 2 changes.\nRole ARN: arn:aws:iam::123456789012:role/GitHubActionsECRRole\n"
            "Repository: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api\n"
            "Store the role ARN as the AWS_ROLE_ARN secret:\n"
            "  gh secret set AWS_ROLE_ARN --repo octo-org/app --body arn:aws:iam::123456789012:role/GitHubActionsECRRole\n");
}

TEST(Report, JsonListsChangesWithStableIds) {
  const auto out = nlohmann::json::parse(render_json(planned()));
  EXPECT_EQ(out["outcome"], "planned");
  EXPECT_EQ(out["changes"][0]["action"], "add-client-id");
  EXPECT_EQ(out["changes"][1]["change"], "update");
  EXPECT_EQ(out["changes"][1]["diff"], "- a\n+ b\n");
  EXPECT_EQ(out["secret_stored"], false);
}

// The registry scanning action: its note above the diff, and in JSON the
// configuration before and after, marked account-wide.
Report with_registry_scanning() {
  Report report = planned();
  report.registry_scanning = aws::RegistryScanningConfiguration{};
  Action action{ActionKind::kPutRegistryScanning, Change::kUpdate, "registry", "scan on push (account-wide)", "{}",
                "- x\n+ y\n"};
  action.note = "ACCOUNT-WIDE: one\ntwo";
  action.scanning = ScanningChange{{}, {"BASIC", {{"SCAN_ON_PUSH", {{"ecs-express-mode-api", "WILDCARD"}}}}}};
  report.actions = {action};
  return report;
}

TEST(Report, RegistryScanningShowsItsNoteThenTheDiff) {
  EXPECT_EQ(render_plan_text(with_registry_scanning().actions),
            "Plan: 1 change\n  ~ scan on push (account-wide)\n      ACCOUNT-WIDE: one\n      two\n      - x\n      + y\n");
  EXPECT_EQ(render_outcome_text(with_registry_scanning()),
            "Nothing was changed. Run again with --apply to make these 1 change.\n");
}

TEST(Report, RegistryScanningJsonCarriesBeforeAndAfter) {
  const auto out = nlohmann::json::parse(render_json(with_registry_scanning()));
  const auto& change = out["changes"][0];
  EXPECT_EQ(change["action"], "put-registry-scanning-configuration");
  EXPECT_EQ(change["account_wide"], true);
  EXPECT_EQ(change["note"], "ACCOUNT-WIDE: one\ntwo");
  EXPECT_EQ(change["before"], nlohmann::json::parse(R"({"scanType": "BASIC", "rules": []})"));
  EXPECT_EQ(change["after"]["rules"][0]["repositoryFilters"][0]["filter"], "ecs-express-mode-api");
  EXPECT_EQ(out["registry_scanning"], nlohmann::json::parse(R"({"status": "change", "scan_type": "BASIC"})"));
}

TEST(Report, ARegistryThatAlreadyScansSaysWhichRuleDoes) {
  Report report = planned();
  report.actions.clear();
  report.outcome = Outcome::kNoChanges;
  report.registry_scanning = aws::RegistryScanningConfiguration{"BASIC", {{"SCAN_ON_PUSH", {{"ecs-*", "WILDCARD"}}}}};
  EXPECT_TRUE(render_outcome_text(report).starts_with(
      "Registry scanning: ecs-express-mode-api is already scanned on push (SCAN_ON_PUSH rule, filter \"ecs-*\"); "
      "nothing to write.\nRole ARN: "))
      << render_outcome_text(report);
  const auto out = nlohmann::json::parse(render_json(report));
  EXPECT_EQ(out["registry_scanning"], nlohmann::json::parse(
      R"({"status": "already_done", "scan_type": "BASIC", "covered_by": {"scan_frequency": "SCAN_ON_PUSH", "filter": "ecs-*"}})"));
}

TEST(Report, SkippedRegistryScanningIsSaid) {
  Report report = planned();
  report.desired.registry_scanning = false;
  EXPECT_TRUE(render_outcome_text(report).starts_with(
      "Registry scanning: not read (--skip-registry-scanning); the registry's rules decide whether "
      "ecs-express-mode-api is scanned on push.\n"));
  EXPECT_EQ(nlohmann::json::parse(render_json(report))["registry_scanning"]["status"], "skipped");
}

}  // namespace
}  // namespace eem::bootstrap
