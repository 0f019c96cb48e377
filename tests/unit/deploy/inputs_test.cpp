#include "deploy/inputs.h"

#include <gtest/gtest.h>

namespace eem::deploy {
namespace {

const std::string kImage =
    "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api@sha256:1111111111111111111111111111111111111111111111111111111111111111";

DeployInputs good() {
  DeployInputs in;
  in.service = "api";
  in.image = kImage;
  return in;
}

std::string refusal(const DeployInputs& in) {
  auto w = validate(in);
  if (w) return "(accepted)";
  EXPECT_EQ(w.error().kind, util::ErrorKind::kInvalidInput);
  return w.error().message;
}

TEST(DeployInputs, DigestImageBuildsTheAlwaysExplicitSpec) {
  auto w = validate(good());
  ASSERT_TRUE(w.has_value()) << w.error().message;
  EXPECT_EQ(w->digest, "sha256:1111111111111111111111111111111111111111111111111111111111111111");
  EXPECT_EQ(w->spec.container.image, kImage);
  EXPECT_EQ(w->spec.container.container_port, 8080);
  EXPECT_EQ(w->spec.health_check_path, "/ping");
  EXPECT_EQ(w->spec.cpu, "256");
  EXPECT_EQ(w->spec.memory, "512");
  EXPECT_EQ(w->spec.cluster, "default");
  EXPECT_EQ(w->timeout, std::chrono::seconds(1800));
}

TEST(DeployInputs, ATagIsRefusedUnlessAllowed) {
  DeployInputs in = good();
  in.image = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:latest";
  EXPECT_EQ(refusal(in), "--image " + in.image +
                             " names a tag, which can move: pass the digest push printed "
                             "(REGISTRY/REPOSITORY@sha256:...), or add --allow-tag");
  in.allow_tag = true;
  auto w = validate(in);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->digest, "");
}

TEST(DeployInputs, BadValuesAreRefusedInOneLineNamingTheFlag) {
  DeployInputs in = good();
  in.port = 70000;
  EXPECT_EQ(refusal(in), "--port 70000 is out of range (1 to 65535)");
  in = good();
  in.port = 0;
  EXPECT_EQ(refusal(in), "--port 0 is out of range (1 to 65535)");
  in = good();
  in.execution_role_arn = "arn:aws:iam::123:role/x";
  EXPECT_EQ(refusal(in), "--execution-role-arn arn:aws:iam::123:role/x is not an IAM role ARN "
                         "(arn:aws:iam::123456789012:role/NAME)");
  in = good();
  in.infrastructure_role_arn = "ecsInfrastructureRole";
  EXPECT_EQ(refusal(in), "--infrastructure-role-arn ecsInfrastructureRole is not an IAM role ARN "
                         "(arn:aws:iam::123456789012:role/NAME)");
  in = good();
  in.service = "my service";
  EXPECT_EQ(refusal(in), "--service \"my service\" is not a service name (1 to 255 letters, digits, - and _)");
  in = good();
  in.env = {"=x"};
  EXPECT_EQ(refusal(in), "--env \"\" is not KEY=VALUE with KEY a variable name");
  in = good();
  in.env = {"NOVALUE"};
  EXPECT_EQ(refusal(in), "--env \"NOVALUE\" is not KEY=VALUE with KEY a variable name");
  in = good();
  in.health_check_path = "ping";
  EXPECT_EQ(refusal(in), "--health-check-path \"ping\" must start with /");
  in = good();
  in.cpu = "1 vCPU";
  EXPECT_EQ(refusal(in), "--cpu \"1 vCPU\" is not a number (e.g. --cpu 256 --memory 512)");
  in = good();
  in.commit = "HEAD";
  EXPECT_EQ(refusal(in), "--commit \"HEAD\" is not a git commit (7 to 64 lower-case hex digits)");
  in = good();
  in.image = "";
  EXPECT_EQ(refusal(in), "deploy needs --image REGISTRY/REPOSITORY@sha256:... (push's image-uri output)");
  in = good();
  in.wait_only = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api";
  EXPECT_EQ(refusal(in), "--wait-only arn:aws:ecs:ap-northeast-1:123456789012:service/default/api is not a service "
                         "deployment ARN (arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID)");
}

TEST(DeployInputs, EnvValuesMayHoldEqualsSigns) {
  DeployInputs in = good();
  in.env = {"QUERY=a=b", "EMPTY="};
  auto w = validate(in);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->spec.container.environment,
            (std::vector<std::pair<std::string, std::string>>{{"QUERY", "a=b"}, {"EMPTY", ""}}));
}

TEST(DeployInputs, AServiceArnGivesClusterAndName) {
  DeployInputs in = good();
  in.service = "arn:aws:ecs:us-east-1:123456789012:service/prod/api";
  auto w = validate(in);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->cluster, "prod");
  EXPECT_EQ(w->service_name, "api");
  EXPECT_EQ(w->service_arn, in.service);
}

TEST(DeployInputs, WaitOnlyNeedsNeitherServiceNorImage) {
  DeployInputs in;
  in.wait_only = "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/api/abc123";
  EXPECT_TRUE(validate(in).has_value());
}

TEST(ServiceArn, FollowsThePartitionOfTheRegion) {
  EXPECT_EQ(service_arn("ap-northeast-1", "123456789012", "default", "api"),
            "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api");
  EXPECT_EQ(service_arn("cn-north-1", "123456789012", "default", "api"),
            "arn:aws-cn:ecs:cn-north-1:123456789012:service/default/api");
  EXPECT_EQ(arn_account("arn:aws:iam::123456789012:role/exec"), "123456789012");
  EXPECT_EQ(arn_account(""), "");
}

}  // namespace
}  // namespace eem::deploy
