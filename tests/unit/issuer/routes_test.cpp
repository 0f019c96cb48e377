#include "issuer/routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "issuer_fixture.h"

namespace eem::issuer {
namespace {

constexpr const char* kUnauthorized =
    R"({"$id":"1","innerException":null,"message":"TF400813: The user '' is not authorized to access this resource.",)"
    R"("typeName":"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, )"
    R"(Microsoft.TeamFoundation.Framework.Server","typeKey":"UnauthorizedRequestException","errorCode":0,"eventId":3000})";

class IssuerRoutes : public testing::Test {
 protected:
  server::Response get(std::string_view path, std::string_view query, std::string_view authorization = {},
                       std::string_view method = "GET") {
    server::Request request;
    request.method = method;
    request.path = path;
    request.query = query;
    if (!authorization.empty()) request.headers.emplace_back("authorization", authorization);
    server::Response response;
    router_.dispatch(request, response);
    return response;
  }
  server::Router router_ = make_router(testing_support::shared_issuer(), "request-token");
};

TEST_F(IssuerRoutes, TokenEndpointMintsForTheRequestToken) {
  auto response = get("/token", "api-version=2.0&audience=sts.amazonaws.com", "Bearer request-token");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = nlohmann::json::parse(response.body);
  ASSERT_EQ(body.size(), 1u);
  auto jwt = testing_support::verify(testing_support::shared_issuer(), body["value"], "sts.amazonaws.com");
  EXPECT_TRUE(jwt) << jwt.error().message;
}

TEST_F(IssuerRoutes, AudienceIsPercentDecodedAndDefaultsToTheOwner) {
  auto custom = get("/token", "audience=https%3A%2F%2Fexample.com%2Fa+b", "bearer request-token");
  ASSERT_EQ(custom.status, 200);
  auto jwt = oidc::decode_jwt(nlohmann::json::parse(custom.body)["value"].get<std::string>());
  EXPECT_EQ(jwt->claims.aud, std::vector<std::string>{"https://example.com/a b"});
  auto absent = get("/token", "api-version=2.0", "Bearer request-token");
  jwt = oidc::decode_jwt(nlohmann::json::parse(absent.body)["value"].get<std::string>());
  EXPECT_EQ(jwt->claims.aud, std::vector<std::string>{"https://github.com/octo-org"});
}

TEST_F(IssuerRoutes, MissingOrWrongBearerIs401WithTheServicesErrorBody) {
  for (const auto* authorization : {"", "Bearer wrong-token", "Basic cmVxdWVzdC10b2tlbg==", "Bearer "}) {
    auto response = get("/token", "audience=sts.amazonaws.com", authorization);
    EXPECT_EQ(response.status, 401) << authorization;
    EXPECT_EQ(response.body, kUnauthorized);
    EXPECT_EQ(response.extra_headers(), "WWW-Authenticate: Bearer\r\n");
  }
}

TEST_F(IssuerRoutes, RepeatedOrMalformedAudienceIs400) {
  EXPECT_EQ(get("/token", "audience=a&audience=b", "Bearer request-token").status, 400);
  EXPECT_EQ(get("/token", "audience=%zz", "Bearer request-token").status, 400);
}

TEST_F(IssuerRoutes, ServesDiscoveryAndJwks) {
  auto discovery = get("/.well-known/openid-configuration", "");
  EXPECT_EQ(discovery.status, 200);
  EXPECT_EQ(discovery.body, testing_support::shared_issuer().discovery_json());
  auto jwks = get("/.well-known/jwks", "");
  EXPECT_EQ(jwks.status, 200);
  EXPECT_EQ(jwks.body, testing_support::shared_issuer().jwks_json());
  EXPECT_EQ(get("/token", "", "Bearer request-token", "POST").status, 405);
}

}  // namespace
}  // namespace eem::issuer
