#include "aws/redact.h"

#include <gtest/gtest.h>

namespace eem::aws {
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
  EXPECT_EQ(redact_body(R"({"value":"v","Token":"a\"b"})"), R"({"value":"v","Token":"<redacted>"})");
}

TEST(Redact, RequestTraceHidesAuthorizationAndTokenHeaders) {
  net::Request request;
  request.method = "POST";
  request.url = "https://sts.amazonaws.com/";
  request.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=A, Signature=abc"},
                     {"X-Amz-Security-Token", "tok"},
                     {"Content-Type", "x"}};
  EXPECT_EQ(describe_request(request),
            "> POST https://sts.amazonaws.com/\n  Authorization: <redacted>\n  X-Amz-Security-Token: <redacted>\n"
            "  Content-Type: x\n");
}

}  // namespace
}  // namespace eem::aws
