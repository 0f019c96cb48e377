#include "deploy/deploy.h"

#include <gtest/gtest.h>

#include "fake_aws.h"

namespace eem::deploy {
namespace {

using namespace fakes;  // NOLINT(google-build-using-namespace)

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kOldCommit = "fedcba9876543210fedcba9876543210fedcba98";
const std::string kAssume =
    "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/infra' that was provided for this service. "
    "Please verify that the role being passed has the proper trust relationship and permissions.";

class DeployTest : public ::testing::Test {
 protected:
  static Wanted wanted() {
    DeployInputs in;
    in.service = "api";
    in.image = kImage;
    in.execution_role_arn = kExecRole;
    in.infrastructure_role_arn = kInfraRole;
    in.commit = kCommit;
    in.timeout_seconds = 600;
    auto w = validate(in);
    EXPECT_TRUE(w.has_value()) << w.error().message;
    w->service_arn = kServiceArn;
    return *w;
  }

  Report run_with(const Wanted& w) {
    Environment env;
    env.ecs = &ecs_;
    env.web = &web_;
    env.now = clock_.now();
    env.sleep = clock_.sleep();
    env.progress = [this](std::string_view line) { lines_.emplace_back(line); };
    env.resume_command = [](std::string_view arn) { return "shipctl deploy --wait-only " + std::string(arn) + " --region ap-northeast-1"; };
    env.rollback_on_verify_failure = rollback_;
    return run(w, env);
  }

  // The tail of a deployment of revision `n` that succeeds and serves kCommit.
  void script_success(int n) {
    fake_.answer("DescribeServiceDeployments", deployment(n, "SUCCESSFUL", "CLEAN_UP"));
    fake_.answer("DescribeServiceRevisions", revision(n, kDigest));
    fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {configuration(n, kImage)}));
    web_.serve(kCommit);
  }

  // Describe says the service is missing; Create answers revision 1.
  void script_create() {
    fake_.answer("DescribeExpressGatewayService",
                 aws_error(400, "ResourceNotFoundException", "Service not found: " + kServiceArn));
    fake_.answer("CreateExpressGatewayService", service("ACTIVE", {configuration(1, kImage)}));
    fake_.answer("ListServiceDeployments", listed(1));
  }

  static int exit_code(const Report& report) {
    return report.error ? util::kind_info(report.error->kind).exit_code : 0;
  }

  FakeEcs fake_;
  aws::EcsClient ecs_ = ecs_client(fake_);
  FakeWeb web_;
  FakeClock clock_;
  std::vector<std::string> lines_;
  bool rollback_ = false;
};

TEST_F(DeployTest, MissingServiceIsCreatedWithEveryExplicitSettingThenFollowedAndVerified) {
  script_create();
  fake_.answer("DescribeServiceDeployments", deployment(1, "PENDING"));
  fake_.answer("DescribeServiceDeployments", deployment(1, "IN_PROGRESS", "SCALE_UP"));
  fake_.answer("DescribeServiceDeployments", deployment(1, "IN_PROGRESS", "BAKE_TIME"));
  script_success(1);
  const Report report = run_with(wanted());
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(report.action, Action::kCreated);
  EXPECT_EQ(report.deployment_arn, deployment_arn(1));
  EXPECT_EQ(report.status, "SUCCESSFUL");
  EXPECT_EQ(report.endpoint, "https://" + kHost);
  EXPECT_EQ(report.image_digest, kDigest);
  EXPECT_EQ(report.commit, kCommit);
  const json create = fake_.input_of("CreateExpressGatewayService");
  EXPECT_EQ(create, json({{"executionRoleArn", kExecRole},
                          {"infrastructureRoleArn", kInfraRole},
                          {"serviceName", "api"},
                          {"cluster", "default"},
                          {"healthCheckPath", "/ping"},
                          {"primaryContainer", {{"image", kImage}, {"containerPort", 8080}}},
                          {"cpu", "256"},
                          {"memory", "512"}}));
  ASSERT_EQ(report.stages.size(), 4u);
  EXPECT_EQ(report.stages[1].stage, "SCALE_UP");
  EXPECT_NE(std::find(lines_.begin(), lines_.end(), "deploy: 30s IN_PROGRESS (BAKE_TIME)"), lines_.end());
  EXPECT_EQ(web_.urls, std::vector<std::string>(3, "https://" + kHost + "/version"));
}

TEST_F(DeployTest, NoDefaultClusterYetIsAMissingServiceExpressModeCreatesBoth) {
  fake_.answer("DescribeExpressGatewayService", aws_error(400, "ClusterNotFoundException", "Cluster not found."));
  fake_.answer("CreateExpressGatewayService", service("ACTIVE", {configuration(1, kImage)}));
  fake_.answer("ListServiceDeployments", listed(1));
  script_success(1);
  const Report report = run_with(wanted());
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(report.action, Action::kCreated);
}

TEST_F(DeployTest, AMissingClusterOtherThanTheDefaultIsNamedWithTheCommandThatCreatesIt) {
  Wanted w = wanted();
  w.cluster = "prod";
  fake_.answer("DescribeExpressGatewayService", aws_error(400, "ClusterNotFoundException", "Cluster not found."));
  const Report report = run_with(w);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->kind, util::ErrorKind::kNotFound);
  EXPECT_NE(report.error->message.find("cluster prod does not exist ("), std::string::npos) << report.error->message;
  EXPECT_NE(report.error->message.find("aws ecs create-cluster --cluster-name prod, or deploy without --cluster"),
            std::string::npos);
  EXPECT_EQ(fake_.count("CreateExpressGatewayService"), 0);
}

TEST_F(DeployTest, SameConfigurationMakesNoCallAndGoesStraightToVerification) {
  json active = configuration(1, kImage);
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {active}));
  fake_.answer("DescribeServiceRevisions", revision(1, kDigest));
  web_.serve(kCommit);
  const Report report = run_with(wanted());
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(report.action, Action::kUnchanged);
  EXPECT_EQ(fake_.operations, (std::vector<std::string>{"DescribeExpressGatewayService", "DescribeServiceRevisions",
                                                        "DescribeExpressGatewayService"}));
  EXPECT_EQ(report.image_digest, kDigest);
  EXPECT_EQ(lines_.front(), "deploy: service " + kServiceArn + " already runs this configuration: no update");
}

// A createdAt no clock can hold (1e300) is unknown, not an undefined cast
// (UBSan's float-cast-overflow aborts the dev build on it).
TEST_F(DeployTest, ACreatedAtOutOfRangeIsUnknownNotACrash) {
  json active = configuration(1, kImage);
  active["createdAt"] = 1e300;
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {active}));
  fake_.answer("DescribeServiceRevisions", revision(1, kDigest));
  web_.serve(kCommit);
  const Report report = run_with(wanted());
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(report.action, Action::kUnchanged);
}

TEST_F(DeployTest, AMemberOfAnotherTypeThanTheModelsIsAMalformedAnswerNotACrash) {
  json answer = service("ACTIVE", {configuration(1, kImage)});
  answer["service"]["status"]["statusCode"] = nullptr;
  fake_.answer("DescribeExpressGatewayService", answer);
  const Report report = run_with(wanted());
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->kind, util::ErrorKind::kInvalidInput);
  EXPECT_NE(report.error->message.find("ECS DescribeExpressGatewayService"), std::string::npos) << report.error->message;
  EXPECT_NE(report.error->message.find("response does not match the service model"), std::string::npos);
  EXPECT_EQ(fake_.count("CreateExpressGatewayService") + fake_.count("UpdateExpressGatewayService"), 0);
}

TEST_F(DeployTest, ADeploymentListThatIsNotAListOfObjectsIsMalformed) {
  fake_.answer("DescribeExpressGatewayService",
               aws_error(400, "ResourceNotFoundException", "Service not found: " + kServiceArn));
  fake_.answer("CreateExpressGatewayService", service("ACTIVE", {configuration(1, kImage)}));
  fake_.answer("ListServiceDeployments", json{{"serviceDeployments", json::array({"arn:aws:ecs:x"})}});
  const Report report = run_with(wanted());
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->kind, util::ErrorKind::kInvalidInput);
  EXPECT_NE(report.error->message.find("ECS ListServiceDeployments"), std::string::npos) << report.error->message;
}

TEST_F(DeployTest, ADifferentImageIsAnUpdateSendingTheWholePrimaryContainerAndNoCreateOnlyMembers) {
  Wanted w = wanted();
  w.spec.container.environment = {{"LOG_LEVEL", "info"}};
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {configuration(1, kOldImage)}));
  fake_.answer("UpdateExpressGatewayService", updated_service(configuration(2, kImage)));
  fake_.answer("ListServiceDeployments", listed(2));
  script_success(2);
  const auto started = std::chrono::duration_cast<std::chrono::seconds>(clock_.t.time_since_epoch()).count();
  const Report report = run_with(w);
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(report.action, Action::kUpdated);
  EXPECT_EQ(report.differences, (std::vector<std::string>{"image", "environment"}));
  EXPECT_EQ(fake_.input_of("UpdateExpressGatewayService"),
            json({{"serviceArn", kServiceArn},
                  {"executionRoleArn", kExecRole},
                  {"healthCheckPath", "/ping"},
                  {"primaryContainer",
                   {{"image", kImage},
                    {"containerPort", 8080},
                    {"environment", json::array({{{"name", "LOG_LEVEL"}, {"value", "info"}}})}}},
                  {"cpu", "256"},
                  {"memory", "512"}}));
  // The deployment is found by the target revision, created since the call (minus a minute of slack).
  const json list = fake_.input_of("ListServiceDeployments");
  EXPECT_EQ(list["service"], kServiceArn);
  EXPECT_EQ(list["createdAt"]["after"].get<std::int64_t>(), started - 60);
  EXPECT_EQ(report.deployment_arn, deployment_arn(2));
}

TEST_F(DeployTest, DrainingAndInactiveServicesAreRefusedWithTheirState) {
  for (const std::string status : {"DRAINING", "INACTIVE"}) {
    SCOPED_TRACE(status);
    FakeEcs fake;
    aws::EcsClient ecs = ecs_client(fake);
    fake.answer("DescribeExpressGatewayService", service(status, {}));
    Environment env;
    env.ecs = &ecs;
    env.web = &web_;
    env.now = clock_.now();
    env.sleep = clock_.sleep();
    env.progress = [](std::string_view) {};
    const Report report = run(wanted(), env);
    ASSERT_TRUE(report.error);
    EXPECT_EQ(exit_code(report), 4);
    EXPECT_EQ(fake.operations, std::vector<std::string>{"DescribeExpressGatewayService"});
    EXPECT_NE(report.error->message.find("service " + kServiceArn + " is " + status), std::string::npos);
  }
}

struct EndState {
  std::string status;
  int exit_code;
  std::string message;
};

// Names the case in test output (instead of a byte dump).
void PrintTo(const EndState& state, std::ostream* os) { *os << state.status; }

class EndStates : public DeployTest, public ::testing::WithParamInterface<EndState> {};

TEST_P(EndStates, EachFailedEndStateHasItsExitCodeAndTheApiReasons) {
  const auto& param = GetParam();
  script_create();
  fake_.answer("DescribeServiceDeployments", deployment(1, "IN_PROGRESS", "SCALE_UP"));
  fake_.answer("DescribeServiceDeployments",
               deployment(1, param.status, "", "tasks failed their health check", "alarm 4xx+5xx in alarm"));
  fake_.answer("DescribeServiceRevisions", revision(1, kDigest, "DNS validation timed out"));
  const Report report = run_with(wanted());
  ASSERT_TRUE(report.error);
  EXPECT_EQ(exit_code(report), param.exit_code);
  EXPECT_EQ(report.error->message, "deployment " + deployment_arn(1) + param.message +
                                       ": tasks failed their health check; rollback reason: alarm 4xx+5xx in alarm; "
                                       "failed resources: certificate arn:aws:acm:ap-northeast-1:123456789012:"
                                       "certificate/c1: DNS validation timed out" +
                                       (param.status == "ROLLBACK_SUCCESSFUL" ? "; the previous revision keeps serving"
                                        : param.status == "ROLLBACK_FAILED" ? "; check the service in the ECS console"
                                                                              : ""));
  EXPECT_EQ(report.status, param.status);
  EXPECT_EQ(web_.urls.size(), 0u);  // nothing verified after a failure
}

INSTANTIATE_TEST_SUITE_P(
    Deploy, EndStates,
    ::testing::Values(EndState{"STOPPED", 11, " was stopped (STOPPED)"},
                      EndState{"ROLLBACK_SUCCESSFUL", 12, " failed and was rolled back (ROLLBACK_SUCCESSFUL)"},
                      EndState{"ROLLBACK_FAILED", 13, " failed and its rollback failed too (ROLLBACK_FAILED)"}),
    [](const auto& test) { return test.param.status; });

TEST_F(DeployTest, ARollbackInProgressIsReportedAsAFailureBeforeItEnds) {
  script_create();
  fake_.answer("DescribeServiceDeployments", deployment(1, "ROLLBACK_IN_PROGRESS", "", "", "alarm 4xx+5xx in alarm"));
  fake_.answer("DescribeServiceDeployments", deployment(1, "ROLLBACK_SUCCESSFUL", "", "", "alarm 4xx+5xx in alarm"));
  fake_.answer("DescribeServiceRevisions", revision(1, kDigest));
  const Report report = run_with(wanted());
  EXPECT_EQ(exit_code(report), 12);
  EXPECT_NE(std::find(lines_.begin(), lines_.end(),
                      "deploy: the deployment failed: ECS is rolling back (alarm 4xx+5xx in alarm)"),
            lines_.end());
}

TEST_F(DeployTest, TimeoutHasItsOwnExitCodeAndPrintsTheResumeCommand) {
  Wanted w = wanted();
  w.timeout = std::chrono::seconds(60);
  script_create();
  fake_.answer("DescribeServiceDeployments", deployment(1, "IN_PROGRESS", "BAKE_TIME"));
  const Report report = run_with(w);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(exit_code(report), 10);
  EXPECT_EQ(report.error->message, "timed out waiting for deployment " + deployment_arn(1) +
                                       " (last: IN_PROGRESS (BAKE_TIME)); the deployment goes on; resume the wait "
                                       "with: shipctl deploy --wait-only " + deployment_arn(1) +
                                       " --region ap-northeast-1");
  EXPECT_EQ(fake_.count("DescribeServiceDeployments"), 5);  // at 0, 15, 30, 45 and 60 s
  EXPECT_EQ(report.deployment_arn, deployment_arn(1));
}

TEST_F(DeployTest, WaitOnlyFollowsTheGivenDeploymentWithoutCreatingOrUpdating) {
  Wanted w = wanted();
  w.wait_only = deployment_arn(3);
  script_success(3);
  const Report report = run_with(w);
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(report.action, Action::kWaited);
  EXPECT_EQ(fake_.count("CreateExpressGatewayService") + fake_.count("UpdateExpressGatewayService"), 0);
  EXPECT_EQ(fake_.input_of("DescribeServiceRevisions")["serviceRevisionArns"], json::array({revision_arn(3)}));
}

TEST_F(DeployTest, IamPropagationErrorsAreRetriedForABoundedTime) {
  fake_.answer("DescribeExpressGatewayService", aws_error(400, "ResourceNotFoundException", "not found"));
  fake_.answer("CreateExpressGatewayService", aws_error(400, "InvalidParameterException", kAssume));
  const Report report = run_with(wanted());
  ASSERT_TRUE(report.error);
  EXPECT_EQ(exit_code(report), 2);
  // 120 s window, a try every 10 s: the first try and 12 retries.
  EXPECT_EQ(fake_.count("CreateExpressGatewayService"), 13);
  EXPECT_EQ(report.error->message, "creating " + kServiceArn +
                                       ": ECS CreateExpressGatewayService: InvalidParameterException (HTTP 400): " + kAssume);
}

TEST_F(DeployTest, APropagationErrorThatClearsLetsTheCreateThrough) {
  fake_.answer("DescribeExpressGatewayService", aws_error(400, "ResourceNotFoundException", "not found"));
  fake_.answer("CreateExpressGatewayService",
               aws_error(400, "ClientException", "Unable to validate the provided access credentials"));
  fake_.answer("CreateExpressGatewayService", service("ACTIVE", {configuration(1, kImage)}));
  fake_.answer("ListServiceDeployments", listed(1));
  script_success(1);
  const Report report = run_with(wanted());
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(fake_.count("CreateExpressGatewayService"), 2);
  EXPECT_EQ(lines_[1], "deploy: IAM has not propagated the roles yet (Unable to validate the provided access "
                       "credentials); retrying in 10 s");
}

TEST_F(DeployTest, AccessDeniedIsNeverRetried) {
  fake_.answer("DescribeExpressGatewayService", aws_error(400, "ResourceNotFoundException", "not found"));
  fake_.answer("CreateExpressGatewayService",
               aws_error(400, "AccessDeniedException",
                         "User is not authorized to perform: iam:PassRole on resource: " + kInfraRole +
                             " (cannot assume role)"));
  const Report report = run_with(wanted());
  ASSERT_TRUE(report.error);
  EXPECT_EQ(exit_code(report), 77);
  EXPECT_EQ(fake_.count("CreateExpressGatewayService"), 1);
}

TEST_F(DeployTest, ARunningDigestOtherThanThePushedOneFailsVerification) {
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {configuration(1, kImage)}));
  fake_.answer("DescribeServiceRevisions", revision(1, "sha256:" + std::string(64, '2')));
  const Report report = run_with(wanted());
  ASSERT_TRUE(report.error);
  EXPECT_EQ(exit_code(report), 14);
  EXPECT_EQ(report.error->message, "revision " + revision_arn(1) + " runs sha256:" + std::string(64, '2') +
                                       ", not the pushed " + kDigest);
}

TEST_F(DeployTest, ServedCommitMustBeSeenNTimesInARowAWrongAnswerRestartsTheCount) {
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {configuration(1, kImage)}));
  fake_.answer("DescribeServiceRevisions", revision(1, kDigest));
  web_.serve(kOldCommit);
  web_.serve(kCommit);
  web_.serve(kOldCommit);  // the old task still answers once
  web_.serve(kCommit);
  const Report report = run_with(wanted());
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(web_.urls.size(), 6u);  // old, new, old, new, new, new
  EXPECT_EQ(report.commit, kCommit);
}

TEST_F(DeployTest, ServedCommitThatNeverArrivesFailsWithTheLastAnswer) {
  Wanted w = wanted();
  w.verify_timeout = std::chrono::seconds(20);
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {configuration(1, kImage)}));
  fake_.answer("DescribeServiceRevisions", revision(1, kDigest));
  web_.serve(kOldCommit);
  const Report report = run_with(w);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(exit_code(report), 14);
  EXPECT_EQ(report.error->message, "https://" + kHost + "/version did not report commit " + kCommit +
                                       " 3 times in a row within 20 s; last answer: commit " + kOldCommit);
  EXPECT_EQ(web_.urls.size(), 5u);  // at 0, 5, 10, 15 and 20 s
}

TEST_F(DeployTest, EndpointWithASchemeIsUsedAsIs) {
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {configuration(1, kImage, "https://" + kHost + "/")}));
  fake_.answer("DescribeServiceRevisions", revision(1, kDigest));
  web_.serve(kCommit);
  const Report report = run_with(wanted());
  ASSERT_FALSE(report.error) << report.error->message;
  EXPECT_EQ(report.endpoint, "https://" + kHost);
  EXPECT_EQ(web_.urls.front(), "https://" + kHost + "/version");
}

TEST_F(DeployTest, VerifyFailureRollsBackToThePreviousConfigurationWhenAsked) {
  rollback_ = true;
  Wanted w = wanted();
  w.verify_timeout = std::chrono::seconds(5);
  json previous = configuration(1, kOldImage);
  previous["primaryContainer"]["secrets"] = json::array({{{"name", "TOKEN"}, {"valueFrom", "arn:aws:ssm:x"}}});
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {previous}));
  fake_.answer("UpdateExpressGatewayService", updated_service(configuration(2, kImage)));
  fake_.answer("UpdateExpressGatewayService", updated_service(configuration(3, kOldImage)));
  fake_.answer("ListServiceDeployments", listed(2));
  fake_.answer("ListServiceDeployments", listed(3));
  fake_.answer("DescribeServiceDeployments", deployment(2, "SUCCESSFUL"));
  fake_.answer("DescribeServiceDeployments", deployment(3, "SUCCESSFUL"));
  fake_.answer("DescribeServiceRevisions", revision(2, kDigest));
  fake_.answer("DescribeExpressGatewayService", service("ACTIVE", {configuration(2, kImage)}));
  web_.serve(kOldCommit);
  const Report report = run_with(w);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(exit_code(report), 14);
  EXPECT_EQ(report.rollback, "rolled back to the previous configuration (deployment " + deployment_arn(3) + " SUCCESSFUL)");
  EXPECT_EQ(report.deployment_arn, deployment_arn(2));
  json back = fake_.input_of("UpdateExpressGatewayService", 1);
  EXPECT_EQ(back["serviceArn"], kServiceArn);
  EXPECT_EQ(back["primaryContainer"], previous["primaryContainer"]);  // secrets included
  EXPECT_EQ(back["scalingTarget"], previous["scalingTarget"]);
  EXPECT_FALSE(back.contains("ingressPaths"));
  EXPECT_FALSE(back.contains("serviceRevisionArn"));
}

TEST(Differences, OnlyTheMembersThatDifferAreNamedRoleMembersOnlyWhenWanted) {
  aws::ExpressServiceSpec spec;
  spec.container = {kImage, 8080, {{"A", "1"}, {"B", "2"}}};
  spec.cpu = "256";
  spec.memory = "512";
  spec.health_check_path = "/ping";
  aws::ExpressConfiguration active;
  active.container = {kImage, 8080, {{"B", "2"}, {"A", "1"}}};
  active.cpu = "256";
  active.memory = "512";
  active.health_check_path = "/ping";
  active.execution_role_arn = kExecRole;
  EXPECT_TRUE(differences(spec, active).empty());
  active.container.container_port.reset();  // the service would use its default, 80
  active.memory = "1024";
  EXPECT_EQ(differences(spec, active), (std::vector<std::string>{"containerPort", "memory"}));
}

TEST(Differences, AnImageGivenByTagAlwaysDiffersItMayHaveMoved) {
  aws::ExpressServiceSpec spec;
  spec.container.image = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:latest";
  aws::ExpressConfiguration active;
  active.container.image = spec.container.image;
  EXPECT_EQ(differences(spec, active), (std::vector<std::string>{"image"}));
}

TEST(PropagationErrors, AreRecognisedByTheirTextButNeverWhenDenied) {
  aws::ApiError error{util::ErrorKind::kInvalidInput, "ECS", "CreateExpressGatewayService", 400,
                      "InvalidParameterException", kAssume, ""};
  EXPECT_TRUE(is_propagation_error(error));
  error.message = "Cannot assume role arn:aws:iam::123456789012:role/exec";
  EXPECT_TRUE(is_propagation_error(error));
  error.message = "The container port 70000 is out of range";
  EXPECT_FALSE(is_propagation_error(error));
  error = {util::ErrorKind::kDenied, "ECS", "CreateExpressGatewayService", 400, "AccessDeniedException",
           "Cannot assume role", ""};
  EXPECT_FALSE(is_propagation_error(error));
}

TEST(ServiceOfDeployment, IsTheServiceArnOfADeploymentArn) {
  EXPECT_EQ(service_of_deployment(deployment_arn(1)), kServiceArn);
  EXPECT_EQ(service_of_deployment(kServiceArn), "");
}

}  // namespace
}  // namespace eem::deploy
