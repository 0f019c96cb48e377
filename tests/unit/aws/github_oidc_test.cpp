#include "aws/github_oidc.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/loopback_server.h"

namespace eem::aws {
namespace {

using nlohmann::json;

TEST(GithubOidc, MissingRequestVariablesExplainThePermission) {
  auto http = net::make_curl_client();
  auto token = fetch_github_id_token(*http, util::map_env({{"ACTIONS_ID_TOKEN_REQUEST_URL", "http://x"}}), "sts.amazonaws.com");
  ASSERT_FALSE(token.has_value());
  EXPECT_EQ(token.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(token.error().message,
            "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: the workflow job needs "
            "`permissions: id-token: write` (GitHub provides an OIDC token only then)");
}

TEST(GithubOidc, RejectsBadRoleArnBeforeAnyRequest) {
  CredentialContext context;
  context.env = util::map_env({});
  auto provider = github_oidc_credentials(context, {"not-an-arn", "", "", std::nullopt});
  ASSERT_FALSE(provider.has_value());
  EXPECT_EQ(provider.error().message, "invalid role ARN 'not-an-arn' (expected arn:aws:iam::<account-id>:role/<name>)");
}

TEST(GithubOidc, FetchesTheTokenWithAudienceThenAssumesTheRole) {
  testing::LoopbackServer server;
  auto http = net::make_curl_client();
  net::Request queue;
  queue.method = "POST";
  queue.url = server.url("/queue");
  queue.body = json::array({{{"status", 200}, {"body", R"({"count":1,"value":"eyJ.jwt.sig"})"}},
                            {{"status", 200},
                             {"body", "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                                      "<AccessKeyId>ASIAGH</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
                                      "<SessionToken>t</SessionToken><Expiration>2026-11-25T13:00:00Z</Expiration>"
                                      "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"}}})
                   .dump();
  ASSERT_TRUE(http->send(queue).has_value());
  CredentialContext context;
  context.http = http.get();
  context.region = "cn-north-1";
  context.env = util::map_env({{"ACTIONS_ID_TOKEN_REQUEST_URL", server.url("/token?api-version=2.0")},
                         {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "bearer-secret"},
                         {"AWS_ENDPOINT_URL_STS", server.url("")}});
  auto provider = github_oidc_credentials(context, {"arn:aws-cn:iam::123456789012:role/deploy", "", "", 3600});
  ASSERT_TRUE(provider.has_value()) << provider.error().message;
  auto credentials = (*provider)->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "ASIAGH");
  net::Request log;
  log.url = server.url("/log");
  const json seen = json::parse(http->send(log)->body);
  ASSERT_EQ(seen.size(), 2u);
  // China regions use the sts.amazonaws.com.cn audience.
  EXPECT_EQ(seen[0]["path"], "/token?api-version=2.0&audience=sts.amazonaws.com.cn");
  EXPECT_NE(seen[0]["headers"].dump().find(R"(["Authorization","Bearer bearer-secret"])"), std::string::npos);
  EXPECT_EQ(seen[1]["body"],
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws-cn%3Aiam%3A%3A123456789012%3Arole%2Fdeploy"
            "&RoleSessionName=GitHubActions&WebIdentityToken=eyJ.jwt.sig&DurationSeconds=3600");
}

}  // namespace
}  // namespace eem::aws
