// Request equality with botocore for every STS, IAM, ECR and ECS operation we
// implement. botocore_requests.py runs request_cases.json through real
// botocore clients (one process) and records the requests; here the same
// inputs go through our clients into a capturing HttpClient. Compared: method,
// URL path, Content-Type, X-Amz-Target, the body (Query: byte for byte; JSON:
// as parsed documents, since botocore's key order and spacing differ from
// ours), the signed header names, and that both sign or both do not.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "aws/ecr.h"
#include "aws/ecs.h"
#include "aws/iam.h"
#include "aws/sts.h"
#include "net/loopback_server.h"
#include "util/strings.h"

namespace eem::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Records every request and answers 200 with `body`.
class CapturingHttp final : public net::HttpClient {
 public:
  util::Result<net::Response> send(const net::Request& request) override {
    requests.push_back(request);
    net::Response response;
    response.status = 200;
    response.body = body;
    return response;
  }
  std::vector<net::Request> requests;
  std::string body = "{}";
};

const std::string kArn = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/ecs-express-mode-api";
const std::string kDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kProvider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const std::string kRepo = "ecs-express-mode-api";

struct Clients {
  StsClient sts;
  IamClient iam;
  EcrClient ecr;
  EcsClient ecs;
  EcrPublicClient ecr_public;
};

using Call = std::function<void(Clients&)>;

// Our side of request_cases.json, case by case (same inputs).
const std::map<std::string, Call>& our_calls() {
  static const std::map<std::string, Call> calls{
      {"sts_get_caller_identity", [](Clients& c) { (void)c.sts.get_caller_identity(); }},
      {"sts_assume_role_with_web_identity",
       [](Clients& c) {
         (void)c.sts.assume_role_with_web_identity({"arn:aws:iam::123456789012:role/github-deploy", "GitHubActions",
                                                    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2ln", 3600});
       }},
      {"sts_assume_role",
       [](Clients& c) { (void)c.sts.assume_role({"arn:aws:iam::123456789012:role/admin", "ops@example.com", 900}); }},
      {"iam_create_oidc_provider",
       [](Clients& c) {
         (void)c.iam.create_oidc_provider("https://token.actions.githubusercontent.com", {"sts.amazonaws.com"},
                                          {"6938fd4d98bab03faadb97b34396831e3780aea1"}, {{"app", "ecs express"}});
       }},
      {"iam_get_oidc_provider", [](Clients& c) { (void)c.iam.get_oidc_provider(kProvider); }},
      {"iam_list_oidc_providers", [](Clients& c) { (void)c.iam.list_oidc_providers(); }},
      {"iam_add_client_id", [](Clients& c) { (void)c.iam.add_client_id_to_oidc_provider(kProvider, "sts.amazonaws.com"); }},
      {"iam_create_role",
       [](Clients& c) {
         CreateRoleRequest request;
         request.name = "github-deploy";
         request.trust_policy =
             R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":")" + kProvider +
             R"("},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:o/r:*"}}}]})";
         request.description = "Deploys ecs-express-mode-api";
         request.max_session_duration = 3600;
         request.tags = {{"app", "x"}, {"team", "y z"}};
         (void)c.iam.create_role(request);
       }},
      {"iam_get_role", [](Clients& c) { (void)c.iam.get_role("github-deploy"); }},
      {"iam_update_trust_policy",
       [](Clients& c) { (void)c.iam.update_trust_policy("github-deploy", R"({"Version":"2012-10-17","Statement":[]})"); }},
      {"iam_tag_role", [](Clients& c) { (void)c.iam.tag_role("github-deploy", {{"a", "1"}, {"b", "2"}}); }},
      {"iam_put_role_policy",
       [](Clients& c) {
         (void)c.iam.put_role_policy(
             "github-deploy", "ecr-push",
             R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]})");
       }},
      {"iam_get_role_policy", [](Clients& c) { (void)c.iam.get_role_policy("github-deploy", "ecr-push"); }},
      {"iam_delete_role_policy", [](Clients& c) { (void)c.iam.delete_role_policy("github-deploy", "ecr-push"); }},
      {"iam_attach_role_policy",
       [](Clients& c) {
         (void)c.iam.attach_role_policy("github-deploy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser");
       }},
      {"iam_list_attached_role_policies", [](Clients& c) { (void)c.iam.list_attached_role_policies("github-deploy"); }},
      {"iam_simulate_principal_policy",
       [](Clients& c) {
         SimulationRequest request;
         request.policy_source_arn = "arn:aws:iam::123456789012:role/github-deploy";
         request.actions = {"ecr:PutImage", "ecr:InitiateLayerUpload"};
         request.resources = {"arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"};
         request.context = {{"aws:SourceIp", {"10.0.0.1", "10.0.0.2"}, "ipList"}};
         (void)c.iam.simulate_principal_policy(request);
       }},
      {"ecr_create_repository",
       [](Clients& c) {
         CreateRepositoryRequest request;
         request.name = kRepo;
         request.image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION";
         request.exclusions = {{"latest"}};
         request.scan_on_push = true;
         request.tags = {{"app", "x"}};
         (void)c.ecr.create_repository(request);
       }},
      {"ecr_describe_repositories", [](Clients& c) { (void)c.ecr.describe_repositories({kRepo}); }},
      {"ecr_describe_images",
       [](Clients& c) { (void)c.ecr.describe_images(kRepo, {{"", "latest"}, {kDigest, ""}}); }},
      {"ecr_batch_get_image",
       [](Clients& c) {
         (void)c.ecr.batch_get_image(kRepo, {{"", "latest"}}, {"application/vnd.oci.image.manifest.v1+json"});
       }},
      {"ecr_get_authorization_token", [](Clients& c) { (void)c.ecr.get_authorization_token(); }},
      {"ecr_public_get_authorization_token", [](Clients& c) { (void)c.ecr_public.get_authorization_token(); }},
      {"ecr_put_lifecycle_policy",
       [](Clients& c) {
         (void)c.ecr.put_lifecycle_policy(
             kRepo,
             R"({"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]})");
       }},
      {"ecr_put_image_tag_mutability",
       [](Clients& c) { (void)c.ecr.put_image_tag_mutability(kRepo, "IMMUTABLE_WITH_EXCLUSION", {{"latest"}}); }},
      {"ecr_get_registry_scanning_configuration", [](Clients& c) { (void)c.ecr.get_registry_scanning_configuration(); }},
      {"ecr_put_registry_scanning_configuration",
       [](Clients& c) {
         (void)c.ecr.put_registry_scanning_configuration(
             {"ENHANCED",
              {{"CONTINUOUS_SCAN", {{"prod-*", "WILDCARD"}}},
               {"SCAN_ON_PUSH", {{kRepo, "WILDCARD"}, {"team/*", "WILDCARD"}}}}});
       }},
      {"ecr_batch_check_layer_availability",
       [](Clients& c) { (void)c.ecr.batch_check_layer_availability(kRepo, {kDigest}); }},
      {"ecr_put_account_setting", [](Clients& c) { (void)c.ecr.put_account_setting("BLOB_MOUNTING", "ENABLED"); }},
      {"ecs_create_express_gateway_service",
       [](Clients& c) {
         ExpressServiceSpec spec;
         spec.execution_role_arn = "arn:aws:iam::123456789012:role/exec";
         spec.infrastructure_role_arn = "arn:aws:iam::123456789012:role/infra";
         spec.service_name = kRepo;
         spec.cluster = "default";
         spec.health_check_path = "/ping";
         spec.container = {"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api:abc", 8080,
                           {{"LOG_LEVEL", "info"}}};
         spec.cpu = "256";
         spec.memory = "512";
         spec.min_tasks = 1;
         spec.max_tasks = 3;
         (void)c.ecs.create_express_gateway_service(spec);
       }},
      {"ecs_update_express_gateway_service",
       [](Clients& c) {
         ExpressServiceSpec spec;
         spec.container.image = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api:def";
         (void)c.ecs.update_express_gateway_service(kArn, spec);
       }},
      {"ecs_describe_express_gateway_service", [](Clients& c) { (void)c.ecs.describe_express_gateway_service(kArn); }},
      {"ecs_delete_express_gateway_service", [](Clients& c) { (void)c.ecs.delete_express_gateway_service(kArn); }},
      {"ecs_list_service_deployments", [](Clients& c) { (void)c.ecs.list_service_deployments(kRepo, "default"); }},
      {"ecs_describe_service_deployments",
       [](Clients& c) {
         (void)c.ecs.describe_service_deployments(
             {"arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/ecs-express-mode-api/abc"});
       }},
      {"ecs_list_service_deployments_since",
       [](Clients& c) { (void)c.ecs.list_service_deployments_since(kArn, "", 1764748800); }},
      {"ecs_describe_clusters", [](Clients& c) { (void)c.ecs.describe_clusters({"default"}); }},
      {"ecs_describe_service_revisions",
       [](Clients& c) {
         (void)c.ecs.describe_service_revisions(
             {"arn:aws:ecs:ap-northeast-1:123456789012:service-revision/default/ecs-express-mode-api/1001"});
       }},
      {"ecs_update_deploy",
       [](Clients& c) {
         // What shipctl deploy sends: every member explicit, the whole primaryContainer.
         ExpressServiceSpec spec;
         spec.service_name = kRepo;  // create-only members are not sent on update
         spec.cluster = "default";
         spec.infrastructure_role_arn = "arn:aws:iam::123456789012:role/infra";
         spec.execution_role_arn = "arn:aws:iam::123456789012:role/exec";
         spec.health_check_path = "/ping";
         spec.container = {"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api@" + kDigest, 8080,
                           {{"LOG_LEVEL", "info"}}};
         spec.cpu = "256";
         spec.memory = "512";
         (void)c.ecs.update_express_gateway_service(kArn, spec);
       }},
      {"ecs_update_to_configuration",
       [](Clients& c) {
         // An activeConfigurations[] entry as Describe returns it, outputs included.
         ExpressConfiguration previous;
         previous.raw_json = json{{"serviceRevisionArn", "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/default/x/1"},
                                  {"executionRoleArn", "arn:aws:iam::123456789012:role/exec"},
                                  {"cpu", "256"},
                                  {"memory", "512"},
                                  {"healthCheckPath", "/ping"},
                                  {"primaryContainer",
                                   {{"image", "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api:old"},
                                    {"containerPort", 8080},
                                    {"secrets", json::array({{{"name", "TOKEN"},
                                                              {"valueFrom", "arn:aws:ssm:ap-northeast-1:123456789012:parameter/token"}}})}}},
                                  {"scalingTarget", {{"minTaskCount", 1}, {"maxTaskCount", 2}}},
                                  {"ingressPaths", json::array({{{"accessType", "PUBLIC"}, {"endpoint", "x.ecs.ap-northeast-1.on.aws"}}})},
                                  {"createdAt", 1764748800.5}}
                                     .dump();
         (void)c.ecs.update_to_configuration(kArn, previous);
       }},
  };
  return calls;
}

json botocore_requests() {
  const std::string dir = testing::source_dir() + "/tests/unit/aws/";
  const fs::path out = fs::temp_directory_path() / ("botocore-requests-" + std::to_string(getpid()) + ".json");
  const std::string command =
      "python3 '" + dir + "botocore_requests.py' '" + dir + "request_cases.json' '" + out.string() + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("botocore capture failed: " + command);
  std::ifstream in(out);
  json captured = json::parse(in);
  fs::remove(out);
  return captured;
}

ServiceClient service(const ServiceInfo& info, CapturingHttp& http) {
  ClientConfig config;
  config.http = &http;
  config.credentials = std::make_shared<StaticCredentials>(Credentials{"AKIDEXAMPLE", "secret", "TOKEN", {}});
  config.region = "ap-northeast-1";
  config.endpoint_url = "http://capture.invalid";
  config.env = util::map_env({});
  return *ServiceClient::create(info, std::move(config));
}

std::string header(const json& headers, std::string_view name) {
  for (const auto& pair : headers) {
    if (util::iequals(pair[0].get<std::string>(), name)) return pair[1];
  }
  return "(absent)";
}

std::string signed_headers(std::string_view authorization) {
  const auto start = authorization.find("SignedHeaders=");
  if (start == std::string_view::npos) return "(unsigned)";
  const auto end = authorization.find(',', start);
  return std::string(authorization.substr(start + 14, end - start - 14));
}

class BotocoreRequests : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { expected_ = new json(botocore_requests()); }
  static void TearDownTestSuite() {
    delete expected_;
    expected_ = nullptr;
  }
  static json* expected_;
};
json* BotocoreRequests::expected_ = nullptr;

TEST_F(BotocoreRequests, EveryOperationSendsWhatBotocoreSends) {
  ASSERT_EQ(expected_->size(), our_calls().size()) << "request_cases.json and our_calls() list different cases";
  for (const auto& [name, call] : our_calls()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(expected_->contains(name));
    const json& theirs = (*expected_)[name];
    CapturingHttp sts_http, iam_http, ecr_http, ecs_http, ecr_public_http;
    Clients clients{StsClient(service(kSts, sts_http)), IamClient(service(kIam, iam_http)),
                    EcrClient(service(kEcr, ecr_http)), EcsClient(service(kEcs, ecs_http)),
                    EcrPublicClient(service(kEcrPublic, ecr_public_http))};
    call(clients);
    std::vector<net::Request> sent;
    for (auto* http : {&sts_http, &iam_http, &ecr_http, &ecs_http, &ecr_public_http}) {
      sent.insert(sent.end(), http->requests.begin(), http->requests.end());
    }
    ASSERT_EQ(sent.size(), 1u);
    const net::Request& ours = sent[0];
    EXPECT_EQ(ours.method, theirs["method"]);
    EXPECT_EQ(ours.url, theirs["url"]);
    EXPECT_EQ(net::find_header(ours.headers, "Content-Type").value_or("(absent)"),
              header(theirs["headers"], "Content-Type"));
    EXPECT_EQ(net::find_header(ours.headers, "X-Amz-Target").value_or("(absent)"),
              header(theirs["headers"], "X-Amz-Target"));
    EXPECT_EQ(signed_headers(net::find_header(ours.headers, "Authorization").value_or("")),
              signed_headers(header(theirs["headers"], "Authorization")));
    const std::string body = theirs["body"];
    if (body.starts_with("{")) {
      EXPECT_EQ(json::parse(ours.body), json::parse(body));
    } else {
      EXPECT_EQ(ours.body, body);
    }
  }
}

}  // namespace
}  // namespace eem::aws
