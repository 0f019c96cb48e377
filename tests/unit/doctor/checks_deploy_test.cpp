// doctor --deploy's ECS calls and how their answers reach the decisions:
// the deploy engine's model-shaped ECS double (tests/unit/deploy/fake_aws.h)
// answers, the checks run on a Run as doctor.cpp builds it.

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

}  // namespace
}  // namespace eem::doctor
