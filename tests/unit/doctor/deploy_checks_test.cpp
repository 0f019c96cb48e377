#include "doctor/deploy_checks.h"

#include <gtest/gtest.h>

namespace eem::doctor {
namespace {

constexpr const char* kAccount = "123456789012";
constexpr const char* kWorkflowArn = "arn:aws:iam::123456789012:role/GitHubActionsECRRole";
constexpr const char* kExecArn = "arn:aws:iam::123456789012:role/ShipctlExpressExecutionRole";
constexpr const char* kInfraArn = "arn:aws:iam::123456789012:role/ShipctlExpressInfrastructureRole";
constexpr const char* kImage =
    "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api@sha256:"
    "1111111111111111111111111111111111111111111111111111111111111111";
// AmazonECSTaskExecutionRolePolicy's document (v1).
constexpr const char* kExecutionPolicy = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
  "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
  "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]})";

DeployTarget target(std::string cluster = "default") {
  DeployOptions options;
  options.service = "api";
  options.cluster = std::move(cluster);
  return resolve_target(options, "ap-northeast-1", kAccount, "GitHubActionsECRRole");
}

std::string trust(const std::string& service, const std::string& condition = "") {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":")" + service +
         R"("},"Action":"sts:AssumeRole")" + condition + "}]}";
}

aws::Role role(const std::string& name, const std::string& trust_policy) {
  aws::Role r;
  r.name = name;
  r.arn = "arn:aws:iam::123456789012:role/" + name;
  r.trust_policy = trust_policy;
  return r;
}

aws::ServiceDeployment deployment(const std::string& status, const std::string& reason, const std::string& rollback) {
  aws::ServiceDeployment d;
  d.arn = "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/api/d1";
  d.status = status;
  d.status_reason = reason;
  d.rollback_reason = rollback;
  d.target_revision_arn = "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/default/api/2";
  return d;
}

TEST(DeployTarget, NamesTheServiceAndBothRolesInTheAccount) {
  const auto t = target("apps");
  EXPECT_EQ(t.service_arn, "arn:aws:ecs:ap-northeast-1:123456789012:service/apps/api");
  EXPECT_EQ(t.execution_role_arn, kExecArn);
  EXPECT_EQ(t.infrastructure_role_arn, kInfraArn);
  DeployOptions by_arn;
  by_arn.service = "arn:aws:ecs:ap-northeast-1:123456789012:service/web/shop";
  const auto u = resolve_target(by_arn, "ap-northeast-1", kAccount, "r");
  EXPECT_EQ((std::vector<std::string>{u.service_name, u.cluster, u.service_arn}),
            (std::vector<std::string>{"shop", "web", by_arn.service}));
}

TEST(DeployOptions, NamesAndArnsEcsWouldRefuseAreRefusedNamingTheFlag) {
  DeployOptions o;
  o.service = "api_2-b";
  EXPECT_TRUE(validate_deploy_options(o, "ap-northeast-1"));
  o.service = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api";
  EXPECT_TRUE(validate_deploy_options(o, "ap-northeast-1"));
  for (const std::string& bad : std::vector<std::string>{"a/b", "api;rm", std::string(256, 'a'),
                                                        "arn:aws:ecs:ap-northeast-1:123456789012:api",
                                                        "arn:aws:ecs:ap-northeast-1:1:service/default/api",
                                                        "arn:aws:ecs::123456789012:service/default/api",
                                                        "arn:aws:iam::123456789012:service/default/api",
                                                        "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api/x",
                                                        "arn:aws:ecs:ap-northeast-1:123456789012:service/def ault/api"}) {
    o.service = bad;
    const auto r = validate_deploy_options(o, "ap-northeast-1");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, util::ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().message, "--deploy " + bad + ": not a service name (up to 255 letters, digits, - and _) or a "
                                 "service ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME)");
  }
  o.service = "api";
  o.cluster = "my cluster";
  EXPECT_EQ(validate_deploy_options(o, "ap-northeast-1").error().message,
            "--cluster my cluster: not a cluster name (up to 255 letters, digits, - and _)");
  o.cluster = "default";
  o.health_check_path = "ping";
  EXPECT_EQ(validate_deploy_options(o, "ap-northeast-1").error().message, "--health-check-path ping: must start with /");
}

TEST(DeployOptions, AServiceArnOfAnotherRegionOrPartitionIsRefusedNamingTheRegionToAsk) {
  DeployOptions o;
  o.service = "arn:aws:ecs:us-east-1:123456789012:service/default/api";
  EXPECT_EQ(validate_deploy_options(o, "ap-northeast-1").error().message,
            "--deploy " + o.service + ": the service is in region us-east-1, doctor asks ap-northeast-1: pass --region us-east-1");
  o.service = "arn:aws-cn:ecs:ap-northeast-1:123456789012:service/default/api";
  EXPECT_EQ(validate_deploy_options(o, "ap-northeast-1").error().message,
            "--deploy " + o.service + ": partition aws-cn, but region ap-northeast-1 is in aws");
  o.service = "arn:aws-cn:ecs:cn-north-1:123456789012:service/web/api";
  ASSERT_TRUE(validate_deploy_options(o, "cn-north-1"));
  const auto t = resolve_target(o, "cn-north-1", kAccount, "r");
  EXPECT_EQ((std::vector<std::string>{t.service_name, t.cluster, t.service_arn, t.execution_role_arn}),
            (std::vector<std::string>{"api", "web", o.service,
                                      "arn:aws-cn:iam::123456789012:role/ShipctlExpressExecutionRole"}));
}

TEST(DeployOptions, AClusterOtherThanTheServiceArnsIsRefusedNotOverridden) {
  DeployOptions o;
  o.service = "arn:aws:ecs:ap-northeast-1:123456789012:service/web/api";
  o.cluster = "web";
  ASSERT_TRUE(validate_deploy_options(o, "ap-northeast-1"));
  o.cluster = "default";
  EXPECT_EQ(validate_deploy_options(o, "ap-northeast-1").error().message,
            "--cluster default: the service ARN --deploy names is in cluster web: drop --cluster or pass the ARN's");
  o.cluster.clear();
  ASSERT_TRUE(validate_deploy_options(o, "ap-northeast-1"));
  EXPECT_EQ(resolve_target(o, "ap-northeast-1", kAccount, "r").cluster, "web");
  o.service = "api";
  EXPECT_EQ(resolve_target(o, "ap-northeast-1", kAccount, "r").cluster, "default");
}

TEST(DeployCluster, AMissingClusterIsTheCauseWithTheCreateCommand) {
  aws::ClusterLookup lookup;
  lookup.failures = {{"arn:aws:ecs:ap-northeast-1:123456789012:cluster/apps", "MISSING"}};
  const Check c = decide_cluster(target("apps"), lookup);
  EXPECT_EQ(c.id, "deploy-cluster");
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary,
            "cluster apps does not exist in account 123456789012, region ap-northeast-1: ECS answers "
            "ClusterNotFoundException");
  EXPECT_EQ(c.evidence, (std::vector<std::string>{"DescribeClusters: arn:aws:ecs:ap-northeast-1:123456789012:cluster/apps: MISSING",
                                                  "Express Mode creates only the default cluster by itself"}));
  EXPECT_EQ(c.fix,
            "aws ecs create-cluster --cluster-name apps --region ap-northeast-1\n"
            "or deploy to the default cluster, which Express Mode creates: drop --cluster");
}

TEST(DeployCluster, AMissingDefaultClusterIsFineExpressModeCreatesIt) {
  const Check c = decide_cluster(target(), {});
  EXPECT_EQ(c.status, Status::kPass);
  EXPECT_EQ(c.summary, "no default cluster yet in ap-northeast-1: Express Mode creates it with the first service");
}

TEST(DeployCluster, AnInactiveClusterIsNamed) {
  aws::ClusterLookup lookup;
  lookup.clusters = {{"arn:aws:ecs:ap-northeast-1:123456789012:cluster/apps", "apps", "INACTIVE"}};
  const Check c = decide_cluster(target("apps"), lookup);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary, "cluster apps is INACTIVE (arn:aws:ecs:ap-northeast-1:123456789012:cluster/apps)");
  lookup.clusters[0].status = "ACTIVE";
  EXPECT_EQ(decide_cluster(target("apps"), lookup).status, Status::kPass);
}

TEST(DeployService, ADrainingNameSaysWaitOrPickAnother) {
  aws::ExpressService service;
  service.arn = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api";
  service.status = "DRAINING";
  const Check c = decide_service(target(), service);
  EXPECT_EQ(c.id, "deploy-service");
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary,
            "service api was deleted and is still DRAINING: ECS refuses its name until it is INACTIVE (\"Unable to "
            "Start a service that is still Draining\")");
  EXPECT_EQ(c.fix,
            "Wait until this prints INACTIVE, then deploy again:\n"
            "  aws ecs describe-express-gateway-service --service-arn "
            "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api --query service.status.statusCode\n"
            "or deploy under another name: shipctl deploy --service api-2 ...");
}

TEST(DeployService, AnInactiveNameIsNotBroughtBack) {
  aws::ExpressService service;
  service.arn = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api";
  service.status = "INACTIVE";
  const Check c = decide_service(target(), service);
  EXPECT_EQ(c.summary, "service api was deleted (INACTIVE): shipctl deploy does not bring a deleted service back on its own");
  EXPECT_TRUE(c.fix.starts_with("Deploy under another name: shipctl deploy --service api-2 ...\n")) << c.fix;
  EXPECT_EQ(decide_service(target(), std::nullopt).summary,
            "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api does not exist yet: shipctl deploy creates it");
  service.status = "ACTIVE";
  EXPECT_EQ(decide_service(target(), service).status, Status::kPass);
}

TEST(DeployRole, AMissingRoleNamesBootstrapAndTheCreateCommands) {
  const Check c = decide_role(target(), ExpressRole::kExecution, std::nullopt);
  EXPECT_EQ(c.id, "execution-role");
  EXPECT_EQ(c.title, "Execution role ShipctlExpressExecutionRole");
  EXPECT_EQ(c.summary, "role ShipctlExpressExecutionRole does not exist in account 123456789012");
  EXPECT_EQ(c.fix,
            "shipctl bootstrap --deploy api --apply\n"
            "or: aws iam create-role --role-name ShipctlExpressExecutionRole --assume-role-policy-document "
            "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
            "\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'\n"
            "    aws iam attach-role-policy --role-name ShipctlExpressExecutionRole --policy-arn "
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
}

TEST(DeployRole, TrustingTheWrongPrincipalIsNamedAndTheSwapSuspected) {
  const auto infra = role("ShipctlExpressInfrastructureRole", trust("ecs-tasks.amazonaws.com"));
  const Check c = decide_role(target(), ExpressRole::kInfrastructure, infra);
  EXPECT_EQ(c.id, "infrastructure-role");
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary,
            "role ShipctlExpressInfrastructureRole does not trust ecs.amazonaws.com: its trust policy admits Service "
            "ecs-tasks.amazonaws.com");
  EXPECT_EQ(c.evidence.front(), std::string("trust policy of ") + kInfraArn +
                                    " evaluated for ecs.amazonaws.com calling sts:AssumeRole: ImplicitDeny");
  EXPECT_EQ(c.evidence.back(),
            "ecs-tasks.amazonaws.com is what the execution role trusts: are the two roles swapped "
            "(--execution-role-arn, --infrastructure-role-arn)?");
  EXPECT_EQ(c.fix,
            "aws iam update-assume-role-policy --role-name ShipctlExpressInfrastructureRole --policy-document "
            "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
            "\"ecs.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'\n"
            "or: shipctl bootstrap --deploy api --apply");
}

TEST(DeployRole, TheRightPrincipalPassesAlsoWithASourceAccountCondition) {
  EXPECT_EQ(decide_role(target(), ExpressRole::kInfrastructure,
                        role("ShipctlExpressInfrastructureRole", trust("ecs.amazonaws.com")))
                .summary,
            std::string(kInfraArn) + " trusts ecs.amazonaws.com");
  const std::string guarded = trust("ecs-tasks.amazonaws.com",
                                    R"(,"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}})");
  EXPECT_EQ(decide_role(target(), ExpressRole::kExecution, role("ShipctlExpressExecutionRole", guarded)).status,
            Status::kPass);
  const std::string other = trust("ecs-tasks.amazonaws.com", R"(,"Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}})");
  const Check c = decide_role(target(), ExpressRole::kExecution, role("ShipctlExpressExecutionRole", other));
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary,
            "the trust policy of role ShipctlExpressExecutionRole names ecs-tasks.amazonaws.com, but its conditions "
            "refuse it (ECS sends aws:SourceAccount 123456789012)");
}

TEST(DeployRole, ADenyAndAnUnparsablePolicyAreNamed) {
  const std::string deny = R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"},
    {"Effect":"Deny","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:*"}]})";
  EXPECT_EQ(decide_role(target(), ExpressRole::kInfrastructure, role("ShipctlExpressInfrastructureRole", deny)).summary,
            "the trust policy of role ShipctlExpressInfrastructureRole denies ecs.amazonaws.com");
  const Check broken = decide_role(target(), ExpressRole::kInfrastructure, role("ShipctlExpressInfrastructureRole", "{"));
  EXPECT_EQ(broken.status, Status::kFail);
  EXPECT_TRUE(broken.summary.starts_with(std::string("the trust policy of ") + kInfraArn + " does not parse: "))
      << broken.summary;
}

TEST(PassRole, PassRoleOnOnlyOneRoleNamesTheOther) {
  const std::string policy = std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":")") +
                             kExecArn + R"("}]})";
  const Check c = decide_pass_role(target(), kWorkflowArn, {{"inline policy ShipctlExpressDeploy", policy}});
  EXPECT_EQ(c.id, "pass-role");
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary, std::string("the workflow role ") + kWorkflowArn + " may not perform iam:PassRole on " + kInfraArn);
  EXPECT_EQ(c.evidence, (std::vector<std::string>{
                            std::string("iam:PassRole on ") + kExecArn +
                                " (iam:PassedToService ecs-tasks.amazonaws.com): Allow (inline policy ShipctlExpressDeploy)",
                            std::string("iam:PassRole on ") + kInfraArn +
                                " (iam:PassedToService ecs.amazonaws.com): ImplicitDeny"}));
  EXPECT_EQ(c.fix, std::string("shipctl bootstrap --deploy api --apply (writes the inline policy ShipctlExpressDeploy)\n"
                               "or add this statement to ShipctlExpressDeploy on role GitHubActionsECRRole (aws iam "
                               "put-role-policy replaces the whole document):\n"
                               "{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":[\"") +
                       kExecArn + "\",\"" + kInfraArn + "\"]}");
}

TEST(PassRole, PassedToServiceIsTheRolesOwnPrincipal) {
  const std::string both = std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":[")") +
                           kExecArn + "\",\"" + kInfraArn + "\"]}]}";
  EXPECT_EQ(decide_pass_role(target(), kWorkflowArn, {{"p", both}}).status, Status::kPass);
  // Passing only to ecs-tasks.amazonaws.com leaves the infrastructure role (passed to ecs.amazonaws.com) denied.
  const std::string tasks_only = std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
    "Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]})");
  const Check c = decide_pass_role(target(), kWorkflowArn, {{"p", tasks_only}});
  EXPECT_EQ(c.summary, std::string("the workflow role ") + kWorkflowArn + " may not perform iam:PassRole on " + kInfraArn);
  EXPECT_EQ(decide_pass_role(target(), kWorkflowArn, {}).summary,
            std::string("the workflow role ") + kWorkflowArn + " may not perform iam:PassRole on " + kExecArn + " and " +
                kInfraArn);
}

TEST(PassRole, AnUnreadablePolicyLeavesThePassUnjudgedUnlessAReadableOneDenies) {
  const std::string both = std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":[")") +
                           kExecArn + "\",\"" + kInfraArn + "\"]}]}";
  // The unreadable policy might deny what `both` allows.
  const Check c = decide_pass_role(target(), kWorkflowArn, {{"p", both}, {"inline policy odd", "{"}});
  EXPECT_EQ(c.status, Status::kCannotRun);
  EXPECT_TRUE(c.summary.starts_with("not judged: a policy of the workflow role could not be read (inline policy odd: "))
      << c.summary;
  const std::string deny = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]})";
  EXPECT_EQ(decide_pass_role(target(), kWorkflowArn, {{"p", both}, {"d", deny}, {"inline policy odd", "{"}}).status,
            Status::kFail);
}

TEST(ImagePull, AnUnreadableExecutionRolePolicyLeavesThePullUnjudged) {
  ImageFacts facts;
  facts.image = kImage;
  facts.role_policies = {{"inline policy odd", "{"}};
  const Check c = decide_image_pull(target(), facts);
  EXPECT_EQ(c.status, Status::kCannotRun);
  EXPECT_TRUE(c.summary.starts_with("not judged: a policy of ShipctlExpressExecutionRole could not be read")) << c.summary;
  facts.failure = "CannotPullContainerError: pull access denied";
  EXPECT_EQ(decide_image_pull(target(), facts).status, Status::kFail);
}

TEST(ImagePull, AnExecutionRoleWithoutTheManagedPolicyCannotPull) {
  ImageFacts facts;
  facts.image = kImage;
  const Check c = decide_image_pull(target(), facts);
  EXPECT_EQ(c.id, "image-pull");
  EXPECT_EQ(c.status, Status::kFail);
  const std::string repo = "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api";
  EXPECT_EQ(c.summary, "execution role ShipctlExpressExecutionRole may not pull " + std::string(kImage) +
                           ": its policies do not allow ecr:GetAuthorizationToken on *, ecr:BatchGetImage on " + repo +
                           ", ecr:GetDownloadUrlForLayer on " + repo);
  EXPECT_EQ(c.fix,
            "aws iam attach-role-policy --role-name ShipctlExpressExecutionRole --policy-arn "
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy\n"
            "or: shipctl bootstrap --deploy api --apply");
}

TEST(ImagePull, TheManagedPolicyPullsAndAMissingDigestIsNamed) {
  ImageFacts facts;
  facts.image = kImage;
  facts.role_policies = {{"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", kExecutionPolicy}};
  facts.digest_in_ecr = true;
  EXPECT_EQ(decide_image_pull(target(), facts).status, Status::kPass);
  facts.digest_in_ecr = false;
  facts.ecr_note = "DescribeImages on repository ecs-express-mode-api: ImageNotFoundException";
  const Check c = decide_image_pull(target(), facts);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary, std::string("image ") + kImage +
                           " is not in ECR: DescribeImages knows no "
                           "sha256:1111111111111111111111111111111111111111111111111111111111111111");
  EXPECT_EQ(c.evidence, (std::vector<std::string>{facts.ecr_note}));
}

TEST(ImagePull, ACannotPullContainerErrorFailsEvenOutsideEcr) {
  ImageFacts facts;
  facts.image = "ghcr.io/octo-org/app:1";
  EXPECT_EQ(decide_image_pull(target(), facts).summary,
            "ShipctlExpressExecutionRole can pull ghcr.io/octo-org/app:1 (not an ECR image: no ECR permission needed)");
  facts.failure = "CannotPullContainerError: pull image manifest has been retried 1 time(s): not found";
  const Check c = decide_image_pull(target(), facts);
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary, "the deployment could not pull ghcr.io/octo-org/app:1");
  EXPECT_EQ(c.evidence, (std::vector<std::string>{"the latest deployment failed: " + facts.failure}));
}

TEST(ImagePull, AnEcrRefusalInTheReasonIsCheckedAgainstTheRolesPolicies) {
  ImageFacts facts;
  facts.image = "localhost/app:1";
  facts.failure = "rollback reason: ResourceInitializationError: unable to pull secrets or registry auth: "
                  "AccessDeniedException: ... not authorized to perform: ecr:GetAuthorizationToken on resource: *";
  const Check c = decide_image_pull(target(), facts);
  EXPECT_EQ(c.summary,
            "execution role ShipctlExpressExecutionRole may not pull localhost/app:1: its policies do not allow "
            "ecr:GetAuthorizationToken on *");
  facts.role_policies = {{"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", kExecutionPolicy}};
  EXPECT_EQ(decide_image_pull(target(), facts).summary, "the deployment could not pull localhost/app:1");
}

TEST(HealthCheck, ThePortDefaultOf80IsNotTheApps8080) {
  const Check c = decide_health_check(target(), {std::nullopt, "/ping", "revision r2", "rollback reason: Task failed ELB health checks"});
  EXPECT_EQ(c.id, "health-check");
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary, "the service sends traffic to port 80, but the app listens on 8080");
  EXPECT_EQ(c.evidence, (std::vector<std::string>{
                            "configured in revision r2: port 80 (ECS's default), health check path /ping",
                            "the latest deployment failed: rollback reason: Task failed ELB health checks"}));
  EXPECT_EQ(c.fix,
            "Deploy with the app's port and path (deploy sends both every time):\n"
            "  shipctl deploy --service api --image IMAGE@sha256:DIGEST --port 8080 --health-check-path /ping\n"
            "(ecs-express-mode-api listens on $PORT, 8080, and answers GET /ping)");
}

TEST(HealthCheck, AnotherPathIsNamedAndMatchingOnesPass) {
  EXPECT_EQ(decide_health_check(target(), {8080, "/health", "revision r2", ""}).summary,
            "the service sends traffic to health checks GET /health, but the app answers /ping");
  const Check ok = decide_health_check(target(), {8080, "/ping", "revision r2", ""});
  EXPECT_EQ(ok.status, Status::kPass);
  EXPECT_EQ(ok.summary, "port 8080 and /ping match the app");
}

TEST(Rollout, AHealthCheckRollbackIsNamedWithTheProbe) {
  RolloutFacts facts;
  facts.deployment = deployment("ROLLBACK_SUCCESSFUL",
                                "Service deployment rolled back because the circuit breaker threshold was exceeded.",
                                "Task failed ELB health checks in (target-group tg): GET /ping answered 503");
  facts.target = aws::ServiceRevision{facts.deployment->target_revision_arn, {{kImage, "sha256:11"}}, {}, {}};
  const Check c = decide_rollout(target(), facts);
  EXPECT_EQ(c.id, "rollout");
  EXPECT_EQ(c.status, Status::kFail);
  EXPECT_EQ(c.summary,
            "deployment failed and was rolled back (ROLLBACK_SUCCESSFUL): its tasks failed the load balancer's health "
            "check (GET /ping on port 8080)");
  EXPECT_EQ(c.evidence,
            (std::vector<std::string>{
                "deployment arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/api/d1: ROLLBACK_SUCCESSFUL",
                "statusReason: Service deployment rolled back because the circuit breaker threshold was exceeded.",
                "rollback reason: Task failed ELB health checks in (target-group tg): GET /ping answered 503",
                "target revision arn:aws:ecs:ap-northeast-1:123456789012:service-revision/default/api/2 (image " +
                    std::string(kImage) + ")"}));
  EXPECT_EQ(c.fix, "The image must answer 200 on GET /ping on the port in $PORT (8080). Try it locally:\n"
                   "  podman run --rm -e PORT=8080 -p 8080:8080 " + std::string(kImage) + "\n"
                   "  curl -i http://127.0.0.1:8080/ping\n"
                   "then deploy a fixed image:\n"
                   "  shipctl deploy --service api --image IMAGE@sha256:DIGEST --port 8080 --health-check-path /ping");
}

TEST(Rollout, AFailedManagedResourceAndAFailedRollbackAreNamed) {
  RolloutFacts facts;
  facts.deployment = deployment("ROLLBACK_FAILED", "", "");
  facts.target = aws::ServiceRevision{
      facts.deployment->target_revision_arn, {}, {{"certificate", "arn:aws:acm:x", "FAILED", "limit exceeded"}}, {}};
  const Check c = decide_rollout(target(), facts);
  EXPECT_EQ(c.summary,
            "deployment failed and its rollback failed too (ROLLBACK_FAILED): ECS could not provision the service's "
            "certificate arn:aws:acm:x: limit exceeded");
  EXPECT_TRUE(c.fix.ends_with("\nThe rollback failed too: the service may have no healthy revision; deploy a "
                              "known-good digest first."))
      << c.fix;
}

TEST(Rollout, StoppedCarriesTheReasonAndSuccessfulOrGoingPass) {
  RolloutFacts facts;
  facts.deployment = deployment("STOPPED", "Stopped by the user.", "");
  EXPECT_EQ(decide_rollout(target(), facts).summary, "deployment was stopped (STOPPED): ECS says: Stopped by the user.");
  facts.deployment = deployment("IN_PROGRESS", "", "");
  facts.deployment->lifecycle_stage = "BAKE_TIME";
  EXPECT_EQ(decide_rollout(target(), facts).summary,
            "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/api/d1 is IN_PROGRESS (BAKE_TIME)");
  EXPECT_EQ(decide_rollout(target(), {}).summary, "no deployment yet");
}

TEST(ApiText, ControlCharactersBecomeOneSpaceAndShortTextIsKept) {
  EXPECT_EQ(api_text(""), "");
  EXPECT_EQ(api_text("\n\tTask failed\r\n\x1b[31mELB health checks\x7f\n"), "Task failed [31mELB health checks");
  EXPECT_EQ(api_text(std::string(kApiTextLimit, 'a')), std::string(kApiTextLimit, 'a'));
  EXPECT_EQ(api_text(std::string(kApiTextLimit + 3, 'a')), std::string(kApiTextLimit, 'a') + "… (3 more bytes)");
}

}  // namespace
}  // namespace eem::doctor
