#include "net/redact.h"

#include <gtest/gtest.h>

namespace eem::net {
namespace {

TEST(Redact, PresignedUrlKeepsCredentialScopeButHidesSignatureAndToken) {
  EXPECT_EQ(redact_url("https://h/p?X-Amz-Credential=AKID%2F2026&X-Amz-Security-Token=abc&X-Amz-Signature=f00"),
            "https://h/p?X-Amz-Credential=AKID%2F2026&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>");
}

TEST(Redact, QueryFormBodyHidesWebIdentityToken) {
  EXPECT_EQ(redact_body("Action=AssumeRoleWithWebIdentity&WebIdentityToken=eyJ.x.y&RoleArn=a"),
            "Action=AssumeRoleWithWebIdentity&WebIdentityToken=<redacted>&RoleArn=a");
}

TEST(Redact, XmlCredentialsAreHidden) {
  EXPECT_EQ(redact_body("<Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>"
                        "<SessionToken>tok</SessionToken></Credentials>"),
            "<Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey><redacted></SecretAccessKey>"
            "<SessionToken><redacted></SessionToken></Credentials>");
}

TEST(Redact, JsonSecretsAreHiddenWhateverTheSpacing) {
  EXPECT_EQ(redact_body(R"({"authorizationData":[{"authorizationToken" : "QVdTOnB3", "proxyEndpoint":"https://x"}]})"),
            R"({"authorizationData":[{"authorizationToken" : "<redacted>", "proxyEndpoint":"https://x"}]})");
  EXPECT_EQ(redact_body(R"({"name":"v","Token":"a\"b"})"), R"({"name":"v","Token":"<redacted>"})");
}

TEST(Redact, RegistryTokenAndActionsOidcAnswersAreHidden) {
  EXPECT_EQ(redact_body(R"({"token":"t1","access_token":"t2","refresh_token":"t3","expires_in":300})"),
            R"({"token":"<redacted>","access_token":"<redacted>","refresh_token":"<redacted>","expires_in":300})");
  EXPECT_EQ(redact_body(R"({"count":1,"value":"eyJhbGciOi.eyJzdWIi.c2ln"})"), R"({"count":1,"value":"<redacted>"})");
  EXPECT_EQ(redact_body("grant_type=password&username=AWS&password=pw&service=reg"),
            "grant_type=password&username=AWS&password=<redacted>&service=reg");
}

TEST(Redact, RequestTraceHidesAuthorizationAndTokenHeaders) {
  Request request;
  request.method = "POST";
  request.url = "https://sts.amazonaws.com/";
  request.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=A, Signature=abc"},
                     {"X-Amz-Security-Token", "tok"},
                     {"Content-Type", "x"}};
  EXPECT_EQ(describe_request(request),
            "> POST https://sts.amazonaws.com/\n  Authorization: <redacted>\n  X-Amz-Security-Token: <redacted>\n"
            "  Content-Type: x\n");
}

TEST(Redact, ResponseTraceHidesPresignedLocationAndCookies) {
  Response response;
  response.status = 307;
  response.headers = {{"Location", "https://bucket.s3.amazonaws.com/blob?X-Amz-Signature=abc&X-Amz-Expires=900"},
                      {"Set-Cookie", "session=s"}};
  EXPECT_EQ(describe_response(response),
            "< HTTP 307\n  Location: https://bucket.s3.amazonaws.com/blob?X-Amz-Signature=<redacted>&X-Amz-Expires=900\n"
            "  Set-Cookie: <redacted>\n");
}

}  // namespace
}  // namespace eem::net
