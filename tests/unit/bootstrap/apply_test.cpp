// apply_plan's registry scanning step: PutRegistryScanningConfiguration
// replaces every rule of the account's registry, so it is sent only while
// the configuration is still the one the plan was made from.
#include "bootstrap/apply.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace eem::bootstrap {
namespace {

// ECR as far as this step goes: GetRegistryScanningConfiguration answers
// `current`; every request's X-Amz-Target is recorded.
class FakeEcr final : public net::HttpClient {
 public:
  explicit FakeEcr(std::string current) : current_(std::move(current)) {}
  util::Result<net::Response> send(const net::Request& request) override {
    const std::string target(net::find_header(request.headers, "X-Amz-Target").value_or(""));
    targets.push_back(target.substr(target.find('.') + 1));
    if (targets.back() == "PutRegistryScanningConfiguration") sent = nlohmann::json::parse(request.body);
    net::Response response;
    response.status = 200;
    response.body = targets.back() == "GetRegistryScanningConfiguration" ? current_ : "{}";
    return response;
  }
  std::vector<std::string> targets;
  nlohmann::json sent;

 private:
  std::string current_;
};

aws::ServiceClient service(const aws::ServiceInfo& info, net::HttpClient& http) {
  aws::ClientConfig config;
  config.http = &http;
  config.credentials = std::make_shared<aws::StaticCredentials>(aws::Credentials{"AKID", "secret", "", {}});
  config.region = "ap-northeast-1";
  config.env = util::map_env({});
  return *aws::ServiceClient::create(info, std::move(config));
}

const aws::RegistryScanningConfiguration kBefore{"BASIC", {{"SCAN_ON_PUSH", {{"team/*", "WILDCARD"}}}}};
const aws::RegistryScanningConfiguration kAfter{
    "BASIC", {{"SCAN_ON_PUSH", {{"team/*", "WILDCARD"}, {"ecs-express-mode-api", "WILDCARD"}}}}};

util::Result<void> apply_scanning(FakeEcr& ecr_http) {
  FakeEcr iam_http("{}");
  aws::IamClient iam(service(aws::kIam, iam_http));
  aws::EcrClient ecr(service(aws::kEcr, ecr_http));
  Action action{ActionKind::kPutRegistryScanning, Change::kUpdate, "registry", "scan on push (account-wide)", "", ""};
  action.scanning = ScanningChange{kBefore, kAfter};
  return apply_plan(iam, ecr, DesiredState{}, {action}, nullptr);
}

TEST(ApplyRegistryScanning, WritesTheMergedConfigurationWhenTheRegistryIsAsPlanned) {
  FakeEcr ecr(R"({"registryId":"123456789012","scanningConfiguration":)" + aws::registry_scanning_document(kBefore) + "}");
  auto done = apply_scanning(ecr);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(ecr.targets, (std::vector<std::string>{"GetRegistryScanningConfiguration", "PutRegistryScanningConfiguration"}));
  EXPECT_EQ(ecr.sent, nlohmann::json::parse(aws::registry_scanning_document(kAfter)));
}

TEST(ApplyRegistryScanning, AConfigurationChangedSinceThePlanIsNotOverwritten) {
  const aws::RegistryScanningConfiguration changed{"BASIC", {{"SCAN_ON_PUSH", {{"other", "WILDCARD"}}}}};
  FakeEcr ecr(R"({"scanningConfiguration":)" + aws::registry_scanning_document(changed) + "}");
  auto done = apply_scanning(ecr);
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().kind, util::ErrorKind::kConflict);
  EXPECT_EQ(done.error().message,
            "step 1/1 (scan on push (account-wide)): ECR PutRegistryScanningConfiguration: the registry's scanning "
            "configuration changed since the plan was made; nothing was written: run shipctl bootstrap again to see "
            "the new plan");
  EXPECT_EQ(ecr.targets, std::vector<std::string>{"GetRegistryScanningConfiguration"});
}

}  // namespace
}  // namespace eem::bootstrap
