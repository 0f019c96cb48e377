// --registries as users type it (amazon-ecr-login's comma-separated
// `registries` input, or the flag repeated), and the one line a mistake gets.

#include "cli/ecr_target.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace eem::cli {
namespace {

using Ids = std::vector<std::string>;

// Records the request and answers it with ECR's token for the caller's registry.
class TokenHttp final : public net::HttpClient {
 public:
  util::Result<net::Response> send(const net::Request& request) override {
    bodies.push_back(request.body);
    net::Response response;
    response.status = 200;
    response.body = R"({"authorizationData":[{"authorizationToken":"QVdTOnNoYXJlZA==",)"  // base64("AWS:shared")
                    R"("proxyEndpoint":"https://999999999999.dkr.ecr.cn-north-1.amazonaws.com.cn"}]})";
    return response;
  }
  std::vector<std::string> bodies;
};

aws::EcrClient ecr_in_china(TokenHttp& http) {
  aws::ClientConfig config;
  config.http = &http;
  config.credentials = std::make_shared<aws::StaticCredentials>(aws::Credentials{"AKID", "secret", "", {}});
  config.region = "cn-north-1";
  config.env = util::map_env({});
  return aws::EcrClient(*aws::ServiceClient::create(aws::kEcr, std::move(config)));
}

// push's login, also for another account's registry: without the deprecated
// registryIds, the host from proxyEndpoint.
TEST(EcrLogin, AsksWithoutRegistryIdsAndNamesTheCallersRegistry) {
  TokenHttp http;
  aws::EcrClient ecr = ecr_in_china(http);
  auto login = ecr_login(ecr);
  ASSERT_TRUE(login.has_value()) << login.error().message;
  ASSERT_EQ(http.bodies.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(http.bodies[0]), nlohmann::json::object());
  EXPECT_EQ(login->registry, "999999999999.dkr.ecr.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(login->token.password, "shared");
}

// One call without the deprecated registryIds; a host per account, with the
// partition's suffix (aws::ecr_registry_host), each with the one token.
TEST(EcrLogins, OneTokenForEveryAccountsRegistryInTheRegion) {
  TokenHttp http;
  aws::EcrClient ecr = ecr_in_china(http);
  auto logins = ecr_logins(ecr, {"111111111111", "222222222222"}, "cn-north-1");
  ASSERT_TRUE(logins.has_value()) << logins.error().message;
  ASSERT_EQ(http.bodies.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(http.bodies[0]), nlohmann::json::object());
  ASSERT_EQ(logins->size(), 2u);
  EXPECT_EQ((*logins)[0].registry, "111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ((*logins)[1].registry, "222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn");
  for (const auto& login : *logins) {
    EXPECT_EQ(login.token.username, "AWS");
    EXPECT_EQ(login.token.password, "shared");
  }
}

TEST(RegistryIds, CommaSeparatedAndRepeatedFlagsGiveOneOrderedListWithoutDuplicates) {
  auto ids = parse_registry_ids({"111111111111,222222222222", "333333333333", "111111111111"});
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  EXPECT_EQ(*ids, (Ids{"111111111111", "222222222222", "333333333333"}));
}

// amazon-ecr-login issue 27: a blank after the comma failed ECR's [0-9]{12} pattern.
TEST(RegistryIds, BlanksAroundAnIdAreTrimmed) {
  auto ids = parse_registry_ids({" 111111111111 , 222222222222\t"});
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  EXPECT_EQ(*ids, (Ids{"111111111111", "222222222222"}));
}

TEST(RegistryIds, TheMessageNamesTheFlagGiven) {
  auto ids = parse_registry_ids({"12345"}, "--registry-id");
  ASSERT_FALSE(ids.has_value());
  EXPECT_EQ(ids.error().message, "--registry-id: \"12345\" is not an AWS account id (12 digits, e.g. 123456789012; "
                                 "several: --registries 111111111111,222222222222)");
}

TEST(RegistryIds, NoneGivenIsTheCallersOwnRegistry) {
  auto ids = parse_registry_ids({});
  ASSERT_TRUE(ids.has_value());
  EXPECT_TRUE(ids->empty());
}

TEST(RegistryIds, EachBadEntryIsNamedOnOneLine) {
  struct Case {
    std::vector<std::string> values;
    std::string named;
  };
  for (const auto& c : std::vector<Case>{{{"111111111111,12345"}, "12345"},
                                         {{"111111111111,,222222222222"}, ""},
                                         {{"111111111111,"}, ""},
                                         {{"1111111111112"}, "1111111111112"},
                                         {{"11111111111a"}, "11111111111a"},
                                         // the ECR Public host in amazon-ecr-login issue 116
                                         {{"public.ecr.aws/deadbeef"}, "public.ecr.aws/deadbeef"},
                                         {{"111111111111", "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"},
                                          "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"}}) {
    auto ids = parse_registry_ids(c.values);
    ASSERT_FALSE(ids.has_value()) << c.named;
    EXPECT_EQ(ids.error().kind, util::ErrorKind::kInvalidInput);
    EXPECT_EQ(ids.error().message, "--registries: \"" + c.named +
                                       "\" is not an AWS account id (12 digits, e.g. 123456789012; several: "
                                       "--registries 111111111111,222222222222)");
  }
}

}  // namespace
}  // namespace eem::cli
