#include "aws/sts.h"

#include <gtest/gtest.h>

#include <deque>

#include "crypto/base64.h"

namespace eem::aws {
namespace {

TEST(StsValidation, SessionNameAllowsTwoToSixtyFourOfTheDocumentedCharacters) {
  EXPECT_TRUE(validate_role_session_name("GitHubActions").has_value());
  EXPECT_TRUE(validate_role_session_name("a+=,.@-_9").has_value());
  EXPECT_TRUE(validate_role_session_name(std::string(64, 'x')).has_value());
  EXPECT_FALSE(validate_role_session_name("a").has_value());
  EXPECT_FALSE(validate_role_session_name(std::string(65, 'x')).has_value());
  auto bad = validate_role_session_name("has space");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message,
            "invalid role session name 'has space': use 2 to 64 characters of letters, digits and _+=,.@-");
}

TEST(StsValidation, DurationMustBeBetween900And43200) {
  EXPECT_TRUE(validate_duration_seconds(900).has_value());
  EXPECT_TRUE(validate_duration_seconds(43200).has_value());
  EXPECT_FALSE(validate_duration_seconds(899).has_value());
  auto bad = validate_duration_seconds(43201);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "invalid session duration 43201 s: must be between 900 (15 minutes) and 43200 (12 hours)");
}

TEST(StsValidation, RoleArnMustBeAnIamRoleWithATwelveDigitAccount) {
  for (const char* good : {"arn:aws:iam::123456789012:role/GitHubActionsECRRole", "arn:aws-cn:iam::123456789012:role/x",
                           "arn:aws-us-gov:iam::123456789012:role/path/to/deploy"}) {
    EXPECT_TRUE(validate_role_arn(good).has_value()) << good;
  }
  for (const char* bad : {"GitHubActionsECRRole", "arn:aws:iam::12345:role/r", "arn:aws:iam:123456789012:role/r",
                          "arn:aws:iam::123456789012:user/deploy", "arn:aws:sts::123456789012:role/r",
                          "arn:aws:iam:us-east-1:123456789012:role/r", "arn:aws:iam::123456789012:role/",
                          "arn:aws:iam::123456789012:role/path/", "arn:aws:iam::12345678901x:role/r", ""}) {
    auto refused = validate_role_arn(bad);
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_EQ(refused.error().kind, util::ErrorKind::kInvalidInput);
    EXPECT_EQ(refused.error().message,
              "invalid role ARN '" + std::string(bad) + "' (expected arn:aws:iam::<account-id>:role/<name>)");
  }
}

// Invalid input never reaches the network: the client below has no server.
TEST(StsValidation, AssumeRoleWithWebIdentityValidatesBeforeCalling) {
  auto http = net::make_curl_client();
  ClientConfig config;
  config.http = http.get();
  config.region = "us-east-1";
  config.endpoint_url = "http://127.0.0.1:1";
  config.env = util::map_env({});
  StsClient sts(*ServiceClient::create(kSts, std::move(config)));
  auto result = sts.assume_role_with_web_identity({"arn:aws:iam::123456789012:role/r", "x", "token", std::nullopt});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(sts.service_client().last_attempts(), 0);
  auto arn = sts.assume_role_with_web_identity({"role/r", "session", "token", std::nullopt});
  ASSERT_FALSE(arn.has_value());
  EXPECT_EQ(arn.error().describe(),
            "STS AssumeRoleWithWebIdentity: invalid role ARN 'role/r' (expected arn:aws:iam::<account-id>:role/<name>)");
}

// Answers from a queue; records the WebIdentityToken of each request.
class ScriptedSts final : public net::HttpClient {
 public:
  std::deque<net::Response> answers;
  std::vector<std::string> tokens;
  util::Result<net::Response> send(const net::Request& request) override {
    const auto at = request.body.find("WebIdentityToken=");
    tokens.push_back(request.body.substr(at + 17, request.body.find('&', at) - at - 17));
    auto answer = answers.front();
    answers.pop_front();
    return answer;
  }
};

net::Response sts_error(int status, const std::string& code, const std::string& message) {
  return {status, {}, "<ErrorResponse><Error><Code>" + code + "</Code><Message>" + message +
                          "</Message></Error><RequestId>r</RequestId></ErrorResponse>"};
}

net::Response assumed() {
  return {200, {}, "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                   "<AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
                   "<Expiration>2026-11-25T13:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
                   "</AssumeRoleWithWebIdentityResponse>"};
}

// An unsigned JWT whose only claim is `exp` (STS checks the rest).
std::string jwt_expiring(std::chrono::sys_seconds exp) {
  return crypto::base64url_encode(R"({"alg":"RS256"})") + "." +
         crypto::base64url_encode(R"({"exp":)" + std::to_string(exp.time_since_epoch().count()) + "}") + ".sig";
}

class WebIdentityRetryTest : public ::testing::Test {
 protected:
  StsClient sts() {
    ClientConfig config;
    config.http = &http_;
    config.region = "us-east-1";
    config.env = util::map_env({});
    config.sleep = [](std::chrono::milliseconds) {};
    return StsClient(*ServiceClient::create(kSts, std::move(config)));
  }
  util::Result<AssumedRole> assume(StsClient& client) {
    net::RetryPolicy policy = web_identity_retry_policy();
    policy.sleep = [this](std::chrono::milliseconds d) {
      sleeps_.push_back(d);
      now_ += d;
    };
    policy.random = [] { return 0.5; };
    return client.assume_role_with_web_identity(
        {"arn:aws:iam::123456789012:role/deploy", "GitHubActions", "", std::nullopt},
        [this]() -> util::Result<std::string> {
          ++fetched_;
          return jwt_expiring(std::chrono::floor<std::chrono::seconds>(now_) + lifetime_) + std::to_string(fetched_);
        },
        policy, [this] { return now_; });
  }
  ScriptedSts http_;
  std::chrono::system_clock::time_point now_ = std::chrono::sys_days(std::chrono::year(2026) / 11 / 25);
  std::chrono::seconds lifetime_{300};
  std::vector<std::chrono::milliseconds> sleeps_;
  int fetched_ = 0;
};

constexpr std::string_view kNoKey = "Couldn't retrieve verification key from your identity provider,  please reference "
                                    "AssumeRoleWithWebIdentity documentation for requirements";

TEST_F(WebIdentityRetryTest, IntermittentIdentityProviderFailuresAreRetriedWithBackoff) {
  http_.answers = {sts_error(400, "InvalidIdentityToken", std::string(kNoKey)),
                   sts_error(400, "IDPCommunicationError", "The IDP could not be reached"), assumed()};
  auto client = sts();
  auto role = assume(client);
  ASSERT_TRUE(role.has_value()) << role.error().message;
  EXPECT_EQ(role->credentials.access_key_id, "ASIA");
  EXPECT_EQ(http_.tokens.size(), 3u);
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(500),
                                                              std::chrono::milliseconds(1000)}));
  EXPECT_EQ(fetched_, 1);  // a 5-minute token outlives 1.5 s of waiting
}

TEST_F(WebIdentityRetryTest, ATokenAboutToExpireIsFetchedAgainBeforeTheRetry) {
  lifetime_ = std::chrono::seconds(60);  // within a minute of expiring by the retry
  http_.answers = {sts_error(400, "IDPCommunicationError", "x"), assumed()};
  auto client = sts();
  ASSERT_TRUE(assume(client).has_value());
  EXPECT_EQ(fetched_, 2);
  EXPECT_NE(http_.tokens[0], http_.tokens[1]);
}

TEST_F(WebIdentityRetryTest, AccessDeniedAndOtherInvalidTokensAreNeverRetried) {
  for (const auto& answer : {sts_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
                             sts_error(400, "InvalidIdentityToken", "Incorrect token audience")}) {
    http_.answers = {answer, assumed()};
    http_.tokens.clear();
    auto client = sts();
    auto role = assume(client);
    ASSERT_FALSE(role.has_value());
    EXPECT_EQ(role.error().kind, util::ErrorKind::kDenied);
    EXPECT_EQ(http_.tokens.size(), 1u);
    EXPECT_TRUE(sleeps_.empty());
  }
}

TEST_F(WebIdentityRetryTest, PersistentIdentityProviderFailureIsTransientAndSaysSo) {
  for (int i = 0; i < 5; ++i) http_.answers.push_back(sts_error(400, "InvalidIdentityToken", std::string(kNoKey)));
  auto client = sts();
  auto role = assume(client);
  ASSERT_FALSE(role.has_value());
  EXPECT_EQ(role.error().kind, util::ErrorKind::kTransient);
  EXPECT_EQ(role.error().message,
            "STS AssumeRoleWithWebIdentity: InvalidIdentityToken (HTTP 400): " + std::string(kNoKey) +
                " [request id r] (gave up after 5 attempts); STS could not reach the identity provider or its keys, "
                "an intermittent failure on AWS's side, not the trust policy: run the job again");
  EXPECT_EQ(http_.tokens.size(), 5u);
  EXPECT_EQ(client.service_client().max_attempts(), 3);  // restored
}

}  // namespace
}  // namespace eem::aws
