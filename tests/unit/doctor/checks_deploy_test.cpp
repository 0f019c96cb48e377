// doctor --deploy's ECS calls and how their answers reach the decisions:
// the deploy engine's model-shaped ECS double (tests/unit/deploy/fake_aws.h)
// answers, the checks run on a Run as doctor.cpp builds it.

#include <algorithm>

#include <gtest/gtest.h>

#include "../deploy/fake_aws.h"
#include "doctor/checks.h"

namespace eem::doctor {
namespace {

namespace fakes = deploy::fakes;
using nlohmann::json;

struct DeployRun {
  fakes::FakeEcs http;
  aws::EcsClient ecs = fakes::ecs_client(http);
  Options options;
  Services services;
  Run run{options, services, fakes::kAccount, {}, "GitHubActionsECRRole", fakes::kAccount, {}, {}, {}, {}};

  explicit DeployRun(std::string cluster = "default") {
    options.region = "ap-northeast-1";
    options.deploy.service = "api";
    options.deploy.cluster = std::move(cluster);
    services.ecs = &ecs;
  }
};

// A revision whose target group checks GET `path` on `port`.
json revision_with_target_group(int n, int port, const std::string& path) {
  json answer = fakes::revision(n, fakes::kDigest);
  answer["serviceRevisions"][0]["ecsManagedResources"]["ingressPaths"][0]["targetGroups"] = json::array(
      {{{"arn", "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg/1"},
        {"status", "ACTIVE"},
        {"healthCheckPath", path},
        {"healthCheckPort", port},
        {"port", port}}});
  return answer;
}

TEST(ChecksDeploy, TheClusterIsAskedForByNameAndAMissingOneIsTheCause) {
  DeployRun d("prod");
  d.http.answer("DescribeClusters",
                json{{"clusters", json::array()},
                     {"failures", {{{"arn", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod"}, {"reason", "MISSING"}}}}});
  const auto check = check_deploy_cluster(d.run);
  ASSERT_TRUE(check);
  EXPECT_EQ(d.http.input_of("DescribeClusters"), (json{{"clusters", {"prod"}}}));
  EXPECT_EQ(check->status, Status::kFail);
  EXPECT_EQ(check->evidence.front(), "DescribeClusters: arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod: MISSING");
}

TEST(ChecksDeploy, ARolledBackDeploymentIsReadWithItsRevisionsTargetGroup) {
  DeployRun d;
  d.http.answer("DescribeExpressGatewayService",
                fakes::service("ACTIVE", {fakes::configuration(1, fakes::kOldImage)}));
  d.http.answer("ListServiceDeployments", fakes::listed(2, "ROLLBACK_SUCCESSFUL"));
  d.http.answer("DescribeServiceDeployments",
                fakes::deployment(2, "ROLLBACK_SUCCESSFUL", "", "circuit breaker",
                                  "Task failed ELB health checks in (target-group tg): GET /health answered 404"));
  d.http.answer("DescribeServiceRevisions", revision_with_target_group(2, 8080, "/health"));
  ASSERT_EQ(check_deploy_service(d.run)->status, Status::kPass);
  EXPECT_EQ(d.http.input_of("DescribeExpressGatewayService"), (json{{"serviceArn", fakes::kServiceArn}}));
  EXPECT_EQ(d.http.input_of("ListServiceDeployments"), (json{{"service", fakes::kServiceArn}}));
  EXPECT_EQ(d.http.input_of("DescribeServiceRevisions"), (json{{"serviceRevisionArns", {fakes::revision_arn(2)}}}));

  const auto health = check_health_check(d.run);
  EXPECT_EQ(health->summary, "the service sends traffic to health checks GET /health, but the app answers /ping");
  EXPECT_EQ(health->evidence,
            (std::vector<std::string>{"configured in revision " + fakes::revision_arn(2) + ": port 8080, health check path /health",
                                      "the latest deployment failed: circuit breaker; rollback reason: Task failed ELB "
                                      "health checks in (target-group tg): GET /health answered 404"}));
  const auto rollout = check_rollout(d.run);
  EXPECT_EQ(rollout->summary,
            "deployment failed and was rolled back (ROLLBACK_SUCCESSFUL): its tasks failed the load balancer's health "
            "check (GET /ping on port 8080)");
  EXPECT_EQ(rollout->evidence.back(), "target revision " + fakes::revision_arn(2) + " (image " + fakes::kImage + ")");
}

TEST(ChecksDeploy, EveryEcsCallIsAmongTheCallsDeployNamesLists) {
  DeployRun d;
  d.http.answer("DescribeClusters", json{{"clusters", json::array()}, {"failures", json::array()}});
  d.http.answer("DescribeExpressGatewayService", fakes::service("ACTIVE", {fakes::configuration(1, fakes::kOldImage)}));
  d.http.answer("ListServiceDeployments", fakes::listed(2, "ROLLBACK_SUCCESSFUL"));
  d.http.answer("DescribeServiceDeployments", fakes::deployment(2, "ROLLBACK_SUCCESSFUL", "", "circuit breaker"));
  d.http.answer("DescribeServiceRevisions", revision_with_target_group(2, 8080, "/ping"));
  check_deploy_cluster(d.run);
  check_deploy_service(d.run);
  check_health_check(d.run);
  check_rollout(d.run);
  ASSERT_EQ(d.http.operations.size(), 5U);
  for (const auto& operation : d.http.operations) {
    EXPECT_NE(std::ranges::find(kDeployDoctorCalls, "ecs:" + operation), std::end(kDeployDoctorCalls)) << operation;
  }
}

TEST(ChecksDeploy, AMissingServiceIsNoCauseAndNoDeploymentIsListed) {
  DeployRun d;
  d.http.answer("DescribeExpressGatewayService", fakes::aws_error(400, "ResourceNotFoundException", "Service not found."));
  EXPECT_EQ(check_deploy_service(d.run)->status, Status::kPass);
  EXPECT_EQ(d.http.operations, (std::vector<std::string>{"DescribeExpressGatewayService"}));
  EXPECT_FALSE(check_health_check(d.run));  // no configuration yet: deploy sends both
  EXPECT_EQ(check_rollout(d.run)->summary, "no deployment yet");
}

TEST(ChecksDeploy, ADeniedDescribeCannotRunAndNeitherCanTheRollout) {
  DeployRun d;
  d.http.answer("DescribeExpressGatewayService",
                fakes::aws_error(400, "AccessDeniedException", "User is not authorized to perform ecs:DescribeExpressGatewayService"));
  const auto service = check_deploy_service(d.run);
  EXPECT_EQ(service->status, Status::kCannotRun);
  EXPECT_EQ(service->summary, "no ecs:DescribeExpressGatewayService: AccessDeniedException");
  const auto rollout = check_rollout(d.run);
  EXPECT_EQ(rollout->status, Status::kCannotRun);
  EXPECT_EQ(rollout->summary, "no ecs:DescribeExpressGatewayService: AccessDeniedException");
}

TEST(ChecksDeploy, WithoutAnAccountTheChecksCannotRun) {
  DeployRun d;
  d.run.caller_account.clear();
  d.run.role_account.clear();
  const auto check = check_deploy_cluster(d.run);
  EXPECT_EQ(check->status, Status::kCannotRun);
  EXPECT_EQ(check->summary, "no AWS account to look in (the AWS identity check could not run)");
  EXPECT_TRUE(d.http.operations.empty());
}


TEST(ChecksDeploy, AServiceWithoutStatusOrAnUnknownOneIsNoAllClear) {
  for (const std::string& status : {std::string(), std::string("PAUSED")}) {
    DeployRun d;
    json answer = fakes::service(status, {fakes::configuration(1, fakes::kOldImage)});
    if (status.empty()) answer["service"].erase("status");
    d.http.answer("DescribeExpressGatewayService", answer);
    d.http.answer("ListServiceDeployments", json{{"serviceDeployments", json::array()}});
    const auto check = check_deploy_service(d.run);
    EXPECT_EQ(check->status, Status::kCannotRun) << status;
    EXPECT_EQ(check->summary, status.empty()
                                  ? "DescribeExpressGatewayService returned " + fakes::kServiceArn + " without a status"
                                  : "service api is PAUSED, a status doctor does not know");
  }
}

TEST(ChecksDeploy, AServiceWithNoDeploymentsChecksItsActiveConfiguration) {
  DeployRun d;
  json config = fakes::configuration(1, fakes::kOldImage);
  config["primaryContainer"].erase("containerPort");  // ECS's default, 80
  d.http.answer("DescribeExpressGatewayService", fakes::service("ACTIVE", {config}));
  d.http.answer("ListServiceDeployments", json{{"serviceDeployments", json::array()}});
  EXPECT_EQ(check_deploy_service(d.run)->status, Status::kPass);
  EXPECT_EQ(check_rollout(d.run)->summary, "no deployment yet");
  const auto health = check_health_check(d.run);
  EXPECT_EQ(health->status, Status::kFail);
  EXPECT_EQ(health->summary, "the service sends traffic to port 80, but the app listens on 8080");
  EXPECT_EQ(d.http.count("DescribeServiceDeployments"), 0);
}

TEST(ChecksDeploy, AClusterAnswerWithoutStatusOrWithoutAnyEntryCannotRun) {
  DeployRun d("prod");
  d.http.answer("DescribeClusters", json{{"clusters", json::array({{{"clusterName", "prod"}}})}, {"failures", json::array()}});
  EXPECT_EQ(check_deploy_cluster(d.run)->summary, "DescribeClusters returned prod without a status");
  DeployRun e("prod");
  e.http.answer("DescribeClusters", json::object());
  const auto check = check_deploy_cluster(e.run);
  EXPECT_EQ(check->status, Status::kCannotRun);
  EXPECT_EQ(check->summary, "DescribeClusters answered neither cluster prod nor a failure for it");
}

TEST(ChecksDeploy, HugeAndMultiLineReasonsBecomeOneBoundedLine) {
  DeployRun d;
  d.http.answer("DescribeExpressGatewayService", fakes::service("ACTIVE", {fakes::configuration(1, fakes::kOldImage)}));
  d.http.answer("ListServiceDeployments", fakes::listed(2, "ROLLBACK_SUCCESSFUL"));
  // An escape sequence, newlines and 5000 'é' (2 bytes each) in the rollback reason.
  std::string huge;
  for (int i = 0; i < 5000; ++i) huge += "\xc3\xa9";
  d.http.answer("DescribeServiceDeployments",
                fakes::deployment(2, "ROLLBACK_SUCCESSFUL", "", "circuit\x1b[2J\r\nbreaker\n", "x" + huge));
  d.http.answer("DescribeServiceRevisions", fakes::revision(2, fakes::kDigest));
  ASSERT_EQ(check_deploy_service(d.run)->status, Status::kPass);
  const auto rollout = check_rollout(d.run);
  ASSERT_EQ(rollout->status, Status::kFail);
  EXPECT_EQ(rollout->evidence.at(1), "statusReason: circuit [2J breaker");
  const std::string& line = rollout->evidence.at(2);
  EXPECT_TRUE(line.starts_with("rollback reason: x\xc3\xa9")) << line;
  // 1 + 499 'é' kept (1000 bytes would split the 500th), 4501 'é' left out.
  EXPECT_TRUE(line.ends_with("\xc3\xa9… (9002 more bytes)")) << line.substr(line.size() - 40);
  EXPECT_EQ(line.size(), std::string("rollback reason: ").size() + 999 + std::string("… (9002 more bytes)").size());
  for (const auto& e : rollout->evidence) EXPECT_EQ(e.find_first_of("\n\r\x1b"), std::string::npos) << e;
}

TEST(ChecksDeploy, AFailedDeploymentWhoseRevisionIsDeniedIsNotCheckedAgainstTheActiveConfiguration) {
  DeployRun d;
  // The active configuration is the one rolled back to: port and path right.
  d.http.answer("DescribeExpressGatewayService", fakes::service("ACTIVE", {fakes::configuration(1, fakes::kOldImage)}));
  d.http.answer("ListServiceDeployments", fakes::listed(2, "ROLLBACK_SUCCESSFUL"));
  d.http.answer("DescribeServiceDeployments", fakes::aws_error(400, "AccessDeniedException", "not authorized"));
  d.http.answer("DescribeServiceRevisions", fakes::aws_error(400, "AccessDeniedException", "not authorized"));
  ASSERT_EQ(check_deploy_service(d.run)->status, Status::kPass);
  const std::string unread = "its target revision " + fakes::revision_arn(2) +
                             " could not be read: no ecs:DescribeServiceRevisions: AccessDeniedException";
  const auto health = check_health_check(d.run);
  EXPECT_EQ(health->status, Status::kCannotRun);
  EXPECT_EQ(health->summary, "the latest deployment failed and " + unread);
  const auto rollout = check_rollout(d.run);
  EXPECT_EQ(rollout->status, Status::kFail);
  EXPECT_EQ(rollout->summary, "deployment failed and was rolled back (ROLLBACK_SUCCESSFUL): ECS gave no reason");
  EXPECT_EQ(rollout->evidence,
            (std::vector<std::string>{"deployment " + fakes::deployment_arn(2) + ": ROLLBACK_SUCCESSFUL",
                                      "target revision " + fakes::revision_arn(2),
                                      "its lifecycle stage and rollback reason are unknown: no "
                                      "ecs:DescribeServiceDeployments: AccessDeniedException",
                                      unread}));
}

TEST(ChecksDeploy, ADeploymentWithoutStatusIsNoAllClear) {
  DeployRun d;
  d.http.answer("DescribeExpressGatewayService", fakes::service("ACTIVE", {fakes::configuration(1, fakes::kOldImage)}));
  d.http.answer("ListServiceDeployments", fakes::listed(2, "IN_PROGRESS"));
  json full = fakes::deployment(2, "IN_PROGRESS");
  full["serviceDeployments"][0].erase("status");
  d.http.answer("DescribeServiceDeployments", full);
  d.http.answer("DescribeServiceRevisions", json{{"serviceRevisions", json::array()}});
  ASSERT_EQ(check_deploy_service(d.run)->status, Status::kPass);
  const auto rollout = check_rollout(d.run);
  EXPECT_EQ(rollout->status, Status::kCannotRun);
  EXPECT_EQ(rollout->summary, "deployment " + fakes::deployment_arn(2) + " has no status");
  EXPECT_EQ(rollout->evidence.back(), "its target revision " + fakes::revision_arn(2) +
                                          " could not be read: DescribeServiceRevisions did not return it");
}

TEST(ChecksDeploy, AServiceArnOfAnotherAccountCannotRunWithoutACall) {
  DeployRun d;
  d.options.deploy.service = "arn:aws:ecs:ap-northeast-1:210987654321:service/default/api";
  const auto check = check_deploy_cluster(d.run);
  EXPECT_EQ(check->status, Status::kCannotRun);
  EXPECT_EQ(check->summary, "the service is in account 210987654321, the credentials are account 123456789012's: "
                            "run doctor with that account's credentials");
  EXPECT_EQ(check_rollout(d.run)->status, Status::kCannotRun);
  EXPECT_TRUE(d.http.operations.empty());
}

}  // namespace
}  // namespace eem::doctor
