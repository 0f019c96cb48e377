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

}  // namespace
}  // namespace eem::bootstrap
