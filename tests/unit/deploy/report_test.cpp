#include "deploy/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace eem::deploy {
namespace {

Report sample() {
  Report r;
  r.action = Action::kUpdated;
  r.service_arn = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api";
  r.endpoint = "https://api.ecs.ap-northeast-1.on.aws";
  r.deployment_arn = "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/api/d1";
  r.status = "ROLLBACK_SUCCESSFUL";
  r.stages = {{std::chrono::seconds(0), "PENDING", ""}, {std::chrono::seconds(15), "ROLLBACK_IN_PROGRESS", "SCALE_UP"}};
  r.error = util::Error{util::ErrorKind::kRolledBack, "deployment d1 failed | rolled back"};
  return r;
}

TEST(DeployReport, OutputsAreTheFiveNamedValuesInOrder) {
  const auto outputs = report_outputs(sample());
  ASSERT_EQ(outputs.size(), 5u);
  EXPECT_EQ(outputs[0], (std::pair<std::string, std::string>{"service-arn", sample().service_arn}));
  EXPECT_EQ(outputs[1].first, "endpoint");
  EXPECT_EQ(outputs[1].second, "https://api.ecs.ap-northeast-1.on.aws");
  EXPECT_EQ(outputs[2].first, "deployment-arn");
  EXPECT_EQ(outputs[3].first, "image-digest");
  EXPECT_EQ(outputs[4].first, "commit");
}

TEST(DeployReport, JsonCarriesTheResultKindAndStages) {
  const auto doc = nlohmann::json::parse(report_json(sample()));
  EXPECT_EQ(doc["result"], "rolled_back");
  EXPECT_EQ(doc["action"], "updated");
  EXPECT_EQ(doc["stages"][1]["elapsed_s"], 15);
  EXPECT_EQ(doc["stages"][1]["stage"], "SCALE_UP");
}

TEST(DeployReport, SummaryIsATableWhoseCellsCannotBreakARow) {
  const std::string md = report_summary(sample());
  EXPECT_NE(md.find("| result | rolled_back: deployment d1 failed   rolled back |\n"), std::string::npos);
  EXPECT_NE(md.find("| elapsed | status | stage |\n|---:|---|---|\n| 0 s | PENDING |  |\n"
                    "| 15 s | ROLLBACK_IN_PROGRESS | SCALE_UP |\n"),
            std::string::npos);
}

}  // namespace
}  // namespace eem::deploy
