#include "aws/ecr.h"

#include <gtest/gtest.h>

#include <functional>

namespace eem::aws {
namespace {

// Answers every request with one canned JSON body.
class CannedHttp final : public net::HttpClient {
 public:
  explicit CannedHttp(std::string body) : body_(std::move(body)) {}
  util::Result<net::Response> send(const net::Request&) override {
    net::Response response;
    response.status = 200;
    response.body = body_;
    return response;
  }

 private:
  std::string body_;
};

ServiceClient service(CannedHttp& http, const ServiceInfo& info, std::string region) {
  ClientConfig config;
  config.http = &http;
  config.credentials = std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", "", {}});
  config.region = std::move(region);
  config.env = util::map_env({});
  return *ServiceClient::create(info, std::move(config));
}

EcrClient client(CannedHttp& http) { return EcrClient(service(http, kEcr, "ap-northeast-1")); }

TEST(EcrClient, AuthorizationTokenIsDecodedIntoUserAndPassword) {
  // base64("AWS:123456789012-auth-token"), as moto and ECR answer.
  CannedHttp http(R"({"authorizationData":[{"authorizationToken":"QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu",)"
                  R"("expiresAt":1764115200.5,"proxyEndpoint":"https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"}]})");
  auto ecr = client(http);
  auto token = ecr.get_authorization_token();
  ASSERT_TRUE(token.has_value()) << token.error().describe();
  EXPECT_EQ(token->username, "AWS");
  EXPECT_EQ(token->password, "123456789012-auth-token");
  EXPECT_EQ(token->proxy_endpoint, "https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com");
  ASSERT_TRUE(token->expires_at.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(token->expires_at->time_since_epoch()).count(),
            1764115200500);
}

// Issue 13, item 7: epoch seconds that no clock holds were cast from double
// (undefined); the expiry is then unknown, as when ECR leaves it out.
TEST(EcrClient, ExpiryOutsideTheClocksRangeIsUnknown) {
  for (const char* expires : {"1e300", "-1e300", "1e11", "-1"}) {
    CannedHttp http(std::string(R"({"authorizationData":[{"authorizationToken":"QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu",)") +
                    R"("expiresAt":)" + expires + "}]}");
    auto ecr = client(http);
    auto token = ecr.get_authorization_token();
    ASSERT_TRUE(token.has_value()) << token.error().describe();
    EXPECT_FALSE(token->expires_at.has_value()) << expires;
  }
}

TEST(EcrClient, MalformedTokenIsAnErrorNotAnEmptyPassword) {
  CannedHttp http(R"({"authorizationData":[{"authorizationToken":"bm9jb2xvbg=="}]})");
  auto ecr = client(http);
  auto token = ecr.get_authorization_token();
  ASSERT_FALSE(token.has_value());
  EXPECT_EQ(token.error().describe(), "ECR GetAuthorizationToken: authorization token is not base64 of user:password");
}

// ECR Public answers one authorizationData object, no list and no proxyEndpoint
// (GetAuthorizationTokenResponse, botocore's ecr-public model).
TEST(EcrPublicClient, AuthorizationTokenIsOneObjectWithoutProxyEndpoint) {
  CannedHttp http(R"({"authorizationData":{"authorizationToken":"QVdTOnB1YmxpYy1wYXNzd29yZA==",)"
                  R"("expiresAt":1764115200}})");
  auto public_service = service(http, kEcrPublic, std::string(kEcrPublicAuthRegion));
  EXPECT_EQ(public_service.endpoint().url, "https://api.ecr-public.us-east-1.amazonaws.com");
  auto token = EcrPublicClient(std::move(public_service)).get_authorization_token();
  ASSERT_TRUE(token.has_value()) << token.error().describe();
  EXPECT_EQ(token->username + ":" + token->password, "AWS:public-password");
  EXPECT_TRUE(token->proxy_endpoint.empty());
  ASSERT_TRUE(token->expires_at.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*token->expires_at), 1764115200);
}

// ECR's shape (a list) is not ECR Public's: no token is read from it.
TEST(EcrPublicClient, AListOfAuthorizationDataIsNotEcrPublicsAnswer) {
  CannedHttp http(R"({"authorizationData":[{"authorizationToken":"QVdTOnB1YmxpYy1wYXNzd29yZA=="}]})");
  auto token = EcrPublicClient(service(http, kEcrPublic, "us-east-1")).get_authorization_token();
  ASSERT_FALSE(token.has_value());
  EXPECT_EQ(token.error().describe(), "ECR Public GetAuthorizationToken: response has no authorizationData");
}

TEST(EcrClient, AMemberOfAnotherTypeThanTheModelsIsAMalformedAnswer) {
  const std::pair<const char*, std::function<util::ErrorKind(EcrClient&)>> cases[] = {
      {R"({"repositories":[{"repositoryName":"app","repositoryUri":null}]})",
       [](EcrClient& ecr) { return ecr.describe_repositories({"app"}).error().kind; }},
      {R"({"imageDetails":[{"imageDigest":"sha256:0","imageTags":"latest"}]})",
       [](EcrClient& ecr) { return ecr.describe_images("app", {}).error().kind; }},
      {R"({"authorizationData":[{"authorizationToken":"QVdTOng=","proxyEndpoint":7}]})",
       [](EcrClient& ecr) { return ecr.get_authorization_token().error().kind; }},
      {R"({"scanningConfiguration":{"scanType":"BASIC","rules":[{"scanFrequency":1}]}})",
       [](EcrClient& ecr) { return ecr.get_registry_scanning_configuration().error().kind; }},
  };
  for (const auto& [body, call] : cases) {
    CannedHttp http(body);
    auto ecr = client(http);
    EXPECT_EQ(call(ecr), util::ErrorKind::kInvalidInput) << body;
  }
  CannedHttp http(R"({"repositories":[{"repositoryName":"app","repositoryUri":null}]})");
  auto ecr = client(http);
  const auto answer = ecr.describe_repositories({"app"});
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().operation, "DescribeRepositories");
  EXPECT_NE(answer.error().message.find("response does not match the service model"), std::string::npos);
}

TEST(EcrClient, LayerAvailabilityReportsFailuresAsMissing) {
  CannedHttp http(R"({"layers":[{"layerDigest":"sha256:a","layerAvailability":"AVAILABLE","layerSize":10}],)"
                  R"("failures":[{"layerDigest":"sha256:b","failureCode":"MissingLayerDigest"}]})");
  auto ecr = client(http);
  auto layers = ecr.batch_check_layer_availability("repo", {"sha256:a", "sha256:b"});
  ASSERT_TRUE(layers.has_value());
  ASSERT_EQ(layers->size(), 2u);
  EXPECT_TRUE((*layers)[0].available);
  EXPECT_EQ((*layers)[0].size_bytes, 10);
  EXPECT_FALSE((*layers)[1].available);
  EXPECT_EQ((*layers)[1].digest, "sha256:b");
}

// GetRegistryScanningConfiguration's answer (botocore's
// GetRegistryScanningConfigurationResponse), every rule and filter kept.
TEST(EcrClient, RegistryScanningConfigurationKeepsEveryRule) {
  CannedHttp http(R"({"registryId":"123456789012","scanningConfiguration":{"scanType":"ENHANCED","rules":[)"
                  R"({"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"prod-*","filterType":"WILDCARD"}]},)"
                  R"({"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"a","filterType":"WILDCARD"},)"
                  R"({"filter":"b*","filterType":"WILDCARD"}]}]}})");
  auto ecr = client(http);
  auto got = ecr.get_registry_scanning_configuration();
  ASSERT_TRUE(got.has_value()) << got.error().describe();
  const RegistryScanningConfiguration want{
      "ENHANCED", {{"CONTINUOUS_SCAN", {{"prod-*", "WILDCARD"}}}, {"SCAN_ON_PUSH", {{"a", "WILDCARD"}, {"b*", "WILDCARD"}}}}};
  EXPECT_EQ(*got, want);
  EXPECT_EQ(registry_scanning_document(want),
            R"({"rules":[{"repositoryFilters":[{"filter":"prod-*","filterType":"WILDCARD"}],"scanFrequency":"CONTINUOUS_SCAN"},)"
            R"({"repositoryFilters":[{"filter":"a","filterType":"WILDCARD"},{"filter":"b*","filterType":"WILDCARD"}],)"
            R"("scanFrequency":"SCAN_ON_PUSH"}],"scanType":"ENHANCED"})");
}

// A registry nobody configured: ECR's default, BASIC without rules.
TEST(EcrClient, UnsetRegistryScanningIsBasicWithoutRules) {
  for (const char* body : {R"({"registryId":"123456789012"})", R"({"scanningConfiguration":{}})"}) {
    CannedHttp http(body);
    auto ecr = client(http);
    auto got = ecr.get_registry_scanning_configuration();
    ASSERT_TRUE(got.has_value()) << got.error().describe();
    EXPECT_EQ(*got, RegistryScanningConfiguration{}) << body;
    EXPECT_EQ(got->scan_type, "BASIC");
  }
}

}  // namespace
}  // namespace eem::aws
