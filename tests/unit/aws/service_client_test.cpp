// The shared protocol layer against a real loopback server that answers with
// scripted responses: retries, no retry on denial or validation, a dropped
// connection, clock skew, error parsing and redacted traces.

#include "aws/service_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/loopback_server.h"

namespace eem::aws {
namespace {

using nlohmann::json;
using util::ErrorKind;

const Credentials kCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "SESSIONTOKEN123", {}};

class ServiceClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::LoopbackServer>();
    net::ClientOptions traced;
    traced.trace = [this](std::string_view text) { trace_ += text; };
    http_ = net::make_curl_client(traced);
    control_ = net::make_curl_client();
  }

  // Queues canned responses: {status, headers, body} or {drop: true}.
  void script(const json& responses) {
    net::Request request;
    request.method = "POST";
    request.url = server_->url("/queue");
    request.body = responses.dump();
    ASSERT_TRUE(control_->send(request).has_value());
  }
  json log() {
    net::Request request;
    request.url = server_->url("/log");
    auto response = control_->send(request);
    return response ? json::parse(response->body) : json::array();
  }

  ServiceClient client(const ServiceInfo& service) {
    ClientConfig config;
    config.http = http_.get();
    config.credentials = std::make_shared<StaticCredentials>(kCredentials);
    config.region = "ap-northeast-1";
    config.endpoint_url = server_->url("");
    config.env = util::map_env({});
    config.now = [this] { return now_; };
    config.sleep = [this](std::chrono::milliseconds delay) { sleeps_.push_back(delay); };
    config.random = [] { return 0.5; };
    auto created = ServiceClient::create(service, std::move(config));
    EXPECT_TRUE(created.has_value());
    return std::move(*created);
  }

  static json query_error(int status, const std::string& code, const std::string& message) {
    return {{"status", status},
            {"headers", json::array({json::array({"Content-Type", "text/xml"})})},
            {"body", "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                     "<Code>" + code + "</Code><Message>" + message +
                         "</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"}};
  }
  static json identity_ok() {
    return {{"status", 200},
            {"body", "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn>"
                     "<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
                     "</GetCallerIdentityResponse>"}};
  }

  std::unique_ptr<testing::LoopbackServer> server_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<net::HttpClient> control_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::sys_days(std::chrono::year(2026) / 11 / 25) + std::chrono::hours(12);
  std::vector<std::chrono::milliseconds> sleeps_;
  std::string trace_;
};

TEST_F(ServiceClientTest, QueryRequestIsSignedFormEncodedPost) {
  script(json::array({identity_ok()}));
  auto sts = client(kSts);
  auto root = sts.query("GetCallerIdentity", {{"Name", "a b/c"}});
  ASSERT_TRUE(root.has_value()) << root.error().describe();
  EXPECT_EQ(root->text_at("GetCallerIdentityResult/Account"), "123456789012");
  const json seen = log();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["method"], "POST");
  EXPECT_EQ(seen[0]["path"], "/");
  EXPECT_EQ(seen[0]["body"], "Action=GetCallerIdentity&Version=2011-06-15&Name=a+b%2Fc");
  std::map<std::string, std::string> headers;
  for (const auto& pair : seen[0]["headers"]) headers[pair[0]] = pair[1];
  EXPECT_EQ(headers["Content-Type"], "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(headers["X-Amz-Date"], "20261125T120000Z");
  EXPECT_EQ(headers["X-Amz-Security-Token"], "SESSIONTOKEN123");
  EXPECT_TRUE(headers["Authorization"].starts_with(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/ap-northeast-1/sts/aws4_request, SignedHeaders="));
  EXPECT_EQ(headers["amz-sdk-request"], "attempt=1; max=3");
}

TEST_F(ServiceClientTest, ThrottlingAnd5xxAreRetriedWithBackoffThenSucceed) {
  script(json::array({query_error(503, "ServiceUnavailable", "busy"), query_error(400, "Throttling", "Rate exceeded"),
                      identity_ok()}));
  auto sts = client(kSts);
  auto root = sts.query("GetCallerIdentity", {});
  ASSERT_TRUE(root.has_value()) << root.error().describe();
  EXPECT_EQ(sts.last_attempts(), 3);
  EXPECT_EQ(log().size(), 3u);
  // Full jitter with random()=0.5: non-throttling 50 ms * 2^0, throttling 1 s * 2^1.
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(25),
                                                              std::chrono::milliseconds(1000)}));
  const json seen = log();
  EXPECT_EQ(seen[2]["headers"].dump().find("attempt=3; max=3") != std::string::npos, true);
}

TEST_F(ServiceClientTest, AccessDeniedIsNeverRetried) {
  script(json::array({query_error(403, "AccessDenied",
                                  "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
                      identity_ok()}));
  auto sts = client(kSts);
  auto root = sts.query("AssumeRoleWithWebIdentity", {}, Auth::kNone);
  ASSERT_FALSE(root.has_value());
  EXPECT_EQ(root.error().kind, ErrorKind::kDenied);
  EXPECT_EQ(root.error().describe(),
            "STS AssumeRoleWithWebIdentity: AccessDenied (HTTP 403): Not authorized to perform "
            "sts:AssumeRoleWithWebIdentity [request id req-1]");
  EXPECT_EQ(log().size(), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(ServiceClientTest, ValidationErrorIsNeverRetried) {
  script(json::array({query_error(400, "ValidationError", "1 validation error detected")}));
  auto sts = client(kSts);
  auto root = sts.query("GetCallerIdentity", {});
  ASSERT_FALSE(root.has_value());
  EXPECT_EQ(root.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(root.error().code, "ValidationError");
  EXPECT_EQ(log().size(), 1u);
}

TEST_F(ServiceClientTest, DroppedConnectionIsRetried) {
  script(json::array({{{"drop", true}}, identity_ok()}));
  auto sts = client(kSts);
  auto root = sts.query("GetCallerIdentity", {});
  ASSERT_TRUE(root.has_value()) << root.error().describe();
  EXPECT_EQ(sts.last_attempts(), 2);
}

TEST_F(ServiceClientTest, PersistentServerErrorsStopAfterMaxAttempts) {
  script(json::array({query_error(500, "InternalFailure", "x"), query_error(500, "InternalFailure", "x"),
                      query_error(500, "InternalFailure", "x"), identity_ok()}));
  auto sts = client(kSts);
  auto root = sts.query("GetCallerIdentity", {});
  ASSERT_FALSE(root.has_value());
  EXPECT_EQ(root.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(log().size(), 3u);
}

TEST_F(ServiceClientTest, ClockSkewIsCorrectedOnceFromTheDateHeader) {
  json skewed = query_error(403, "SignatureDoesNotMatch", "Signature expired");
  skewed["headers"].push_back(json::array({"Date", "Wed, 25 Nov 2026 13:30:00 GMT"}));
  script(json::array({skewed, skewed, identity_ok()}));
  auto sts = client(kSts);
  auto root = sts.query("GetCallerIdentity", {});
  // The second skew error is not corrected again: it is an ordinary
  // retryable failure (util::kind_info), retried with the same correction.
  ASSERT_TRUE(root.has_value()) << root.error().describe();
  const json seen = log();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_NE(seen[0]["headers"].dump().find("20261125T120000Z"), std::string::npos);
  EXPECT_NE(seen[1]["headers"].dump().find("20261125T133000Z"), std::string::npos);
  EXPECT_NE(seen[2]["headers"].dump().find("20261125T133000Z"), std::string::npos);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(ServiceClientTest, JsonProtocolSendsTargetAndParsesTypedErrors) {
  script(json::array({{{"status", 400},
                       {"headers", json::array({json::array({"x-amzn-RequestId", "abc-123"})})},
                       {"body", R"({"__type":"com.amazonaws.ecr#RepositoryNotFoundException",)"
                                R"("message":"The repository with name 'x' does not exist"})"}}}));
  auto ecr = client(kEcr);
  auto body = ecr.json("DescribeRepositories", R"({"repositoryNames":["x"]})");
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(body.error().describe(),
            "ECR DescribeRepositories: RepositoryNotFoundException (HTTP 400): The repository with name 'x' "
            "does not exist [request id abc-123]");
  const json seen = log();
  ASSERT_EQ(seen.size(), 1u);
  const std::string headers = seen[0]["headers"].dump();
  EXPECT_NE(headers.find(R"(["X-Amz-Target","AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"])"),
            std::string::npos);
  EXPECT_NE(headers.find(R"(["Content-Type","application/x-amz-json-1.1"])"), std::string::npos);
}

TEST_F(ServiceClientTest, JsonObjectParsesTheAnswerAndRefusesOtherBodies) {
  script(json::array({{{"status", 200}, {"body", R"({"repositories":[]})"}},
                      {{"status", 200}, {"body", "<html>proxy login</html>"}},
                      {{"status", 200}, {"body", "[1]"}}}));
  auto ecr = client(kEcr);
  auto answer = ecr.json_object("DescribeRepositories", json{{"repositoryNames", {"x"}}});
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ((*answer)["repositories"], json::array());
  for (int i = 0; i < 2; ++i) {
    auto refused = ecr.json_object("DescribeRepositories", json::object());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().kind, ErrorKind::kInvalidInput);
    EXPECT_NE(refused.error().describe().find("ECR DescribeRepositories"), std::string::npos)
        << refused.error().describe();
    EXPECT_NE(refused.error().describe().find("response is not a JSON object"), std::string::npos);
  }
  const json seen = log();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0]["body"], R"({"repositoryNames":["x"]})");
}

// An expired session token, as the services answer it (AWS common errors:
// "The security token included in the request is expired"): STS's Query
// shape with ExpiredToken and ECR's JSON shape with ExpiredTokenException
// (HTTP 400 and 403 both seen). Never retried; exit code 77; the message says
// to refresh the credentials. moto never answers this, hence recorded shapes.
TEST_F(ServiceClientTest, ExpiredTokenIsExpiredNeverRetriedAndSaysToRefresh) {
  const std::string expired = "The security token included in the request is expired";
  const std::string refresh =
      "; the AWS credentials have expired: refresh them (in GitHub Actions, run shipctl credentials again or raise "
      "--duration; elsewhere renew the session, e.g. aws sso login, or export new keys) and retry";
  script(json::array({query_error(403, "ExpiredToken", expired)}));
  auto sts = client(kSts);
  auto identity = sts.query("GetCallerIdentity", {});
  ASSERT_FALSE(identity.has_value());
  EXPECT_EQ(identity.error().kind, ErrorKind::kExpired);
  EXPECT_EQ(util::kind_info(identity.error().to_error().kind).exit_code, 77);
  EXPECT_EQ(identity.error().describe(),
            "STS GetCallerIdentity: ExpiredToken (HTTP 403): " + expired + " [request id req-1]" + refresh);
  EXPECT_EQ(sts.last_attempts(), 1);
  for (const int status : {400, 403}) {
    script(json::array({{{"status", status},
                         {"headers", json::array({json::array({"x-amzn-RequestId", "ecr-1"})})},
                         {"body", R"({"__type":"ExpiredTokenException","message":")" + expired + R"("})"}}}));
    auto ecr = client(kEcr);
    auto token = ecr.json("GetAuthorizationToken", "{}");
    ASSERT_FALSE(token.has_value());
    EXPECT_EQ(token.error().kind, ErrorKind::kExpired);
    EXPECT_EQ(token.error().describe(), "ECR GetAuthorizationToken: ExpiredTokenException (HTTP " +
                                            std::to_string(status) + "): " + expired + " [request id ecr-1]" + refresh);
    EXPECT_EQ(ecr.last_attempts(), 1);
  }
}

// AssumeRoleWithWebIdentity is unsigned: its ExpiredTokenException (STS API
// reference) is about the web identity token, not AWS credentials.
TEST_F(ServiceClientTest, ExpiredWebIdentityTokenSaysToGetANewToken) {
  script(json::array({query_error(400, "ExpiredTokenException", "Token expired: current date/time 1 must be before "
                                                                "the expiration date/time 0")}));
  auto sts = client(kSts);
  auto role = sts.query("AssumeRoleWithWebIdentity", {});
  ASSERT_FALSE(role.has_value());
  EXPECT_EQ(role.error().kind, ErrorKind::kExpired);
  EXPECT_EQ(role.error().describe(),
            "STS AssumeRoleWithWebIdentity: ExpiredTokenException (HTTP 400): Token expired: current date/time 1 must "
            "be before the expiration date/time 0 [request id req-1]; the web identity token has expired: get a new "
            "one (in GitHub Actions, request it again in the job; with a token file, write a fresh token) and retry");
}

TEST_F(ServiceClientTest, DebugTraceRedactsSecrets) {
  script(json::array({identity_ok()}));
  auto sts = client(kSts);
  ASSERT_TRUE(sts.query("AssumeRoleWithWebIdentity", {{"WebIdentityToken", "eyJhbGciOi.secret.jwt"}}, Auth::kNone));
  EXPECT_EQ(trace_.find("eyJhbGciOi"), std::string::npos) << trace_;
  EXPECT_NE(trace_.find("WebIdentityToken=<redacted>"), std::string::npos) << trace_;
  script(json::array({identity_ok()}));
  trace_.clear();
  ASSERT_TRUE(sts.query("GetCallerIdentity", {}));
  EXPECT_EQ(trace_.find("SESSIONTOKEN123"), std::string::npos) << trace_;
  EXPECT_EQ(trace_.find("Signature="), std::string::npos) << trace_;
  EXPECT_NE(trace_.find("Authorization: <redacted>"), std::string::npos) << trace_;
}

TEST(ParseHttpDate, ReadsImfFixdate) {
  const auto parsed = net::parse_http_date("Wed, 25 Nov 2026 13:30:00 GMT");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(amz_date(*parsed), "20261125T133000Z");
  EXPECT_FALSE(net::parse_http_date("yesterday").has_value());
}

}  // namespace
}  // namespace eem::aws
