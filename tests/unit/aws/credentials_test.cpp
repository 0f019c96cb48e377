// Credential sources: environment, profiles, web identity token file,
// container and instance metadata endpoints (real loopback server), refresh.

#include "aws/credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "aws/profiles.h"
#include "net/loopback_server.h"

namespace eem::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kAssumeResponse =
    "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
    "<AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey>"
    "<SessionToken>roletoken</SessionToken><Expiration>2026-11-25T13:00:00Z</Expiration></Credentials>"
    "<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/ci/s</Arn></AssumedRoleUser>"
    "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("creds-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

CredentialContext context_with(std::map<std::string, std::string, std::less<>> env, net::HttpClient* http = nullptr) {
  CredentialContext context;
  context.http = http;
  if (!env.contains("HOME")) env["HOME"] = "/nonexistent";
  context.env = util::map_env(std::move(env));
  context.now = [] { return std::chrono::system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 11 / 25)) + std::chrono::hours(12); };
  return context;
}

TEST(EnvironmentCredentials, ReadsKeysAndSessionToken) {
  auto provider = environment_credentials(
      context_with({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_SESSION_TOKEN", "t"}}));
  ASSERT_TRUE(provider.has_value() && *provider);
  EXPECT_EQ((*provider)->source(), "environment");
  EXPECT_EQ((*provider)->get()->session_token, "t");
}

TEST(EnvironmentCredentials, HalfAPairIsAnErrorNotASilentFallThrough) {
  auto provider = default_credentials(context_with({{"AWS_ACCESS_KEY_ID", "AKID"}}));
  ASSERT_FALSE(provider.has_value());
  EXPECT_EQ(provider.error().message, "AWS_SECRET_ACCESS_KEY is not set, but AWS_ACCESS_KEY_ID is");
}

TEST(Profiles, ConfigAndCredentialsFilesMergeWithCredentialsWinning) {
  const auto shared = SharedConfig::from_text(
      "# comment\n[default]\nregion = us-east-1\n[profile dev]\nregion=ap-northeast-1\naws_access_key_id = OLD\n"
      "[sso-session x]\nfoo=bar\n",
      "[dev]\naws_access_key_id = AKIDDEV\r\naws_secret_access_key = devsecret\n; c\n");
  const auto dev = shared.profile("dev");
  ASSERT_TRUE(dev.has_value());
  EXPECT_EQ(dev->at("region"), "ap-northeast-1");
  EXPECT_EQ(dev->at("aws_access_key_id"), "AKIDDEV");
  EXPECT_EQ(dev->at("aws_secret_access_key"), "devsecret");
  EXPECT_FALSE(shared.profile("x").has_value());
  EXPECT_FALSE(shared.profile("sso-session x").has_value());
}

TEST(Profiles, WritingAProfileKeepsEverythingElse) {
  const std::string text =
      "# team settings\n[default]\nregion = us-east-1\n\n[prod]\n; rotated by shipctl\nAWS_ACCESS_KEY_ID = OLD\n"
      "output = json\n\n[other]\naws_access_key_id = KEEP\n";
  const auto out = with_profile_values(text, "prod", {{"aws_access_key_id", "NEW"}, {"aws_session_token", "T"}});
  EXPECT_EQ(out,
            "# team settings\n[default]\nregion = us-east-1\n\n[prod]\n; rotated by shipctl\naws_access_key_id = NEW\n"
            "output = json\naws_session_token = T\n\n[other]\naws_access_key_id = KEEP\n");
  // What was written reads back as the profile it names.
  const auto shared = SharedConfig::from_text("", out);
  EXPECT_EQ(shared.profile("prod")->at("aws_session_token"), "T");
  EXPECT_EQ(shared.profile("other")->at("aws_access_key_id"), "KEEP");
}

TEST(Profiles, WritingAMissingProfileAppendsItsSection) {
  EXPECT_EQ(with_profile_values("", "profile ci", {{"region", "eu-west-1"}}), "[profile ci]\nregion = eu-west-1\n");
  EXPECT_EQ(with_profile_values("[default]\nregion = us-east-1", "profile ci", {{"region", "eu-west-1"}}),
            "[default]\nregion = us-east-1\n\n[profile ci]\nregion = eu-west-1\n");
  // A section that only starts with the name is another section.
  EXPECT_EQ(with_profile_values("[profile ci-old]\nregion = x\n", "profile ci", {{"region", "y"}}),
            "[profile ci-old]\nregion = x\n\n[profile ci]\nregion = y\n");
}

TEST(Profiles, ProfileNamesAreWhatASectionHeaderCanHold) {
  EXPECT_TRUE(is_valid_profile_name("prod"));
  EXPECT_TRUE(is_valid_profile_name("team.prod-1_x"));
  EXPECT_FALSE(is_valid_profile_name(""));
  EXPECT_FALSE(is_valid_profile_name("a]b"));
  EXPECT_FALSE(is_valid_profile_name("two words"));
  EXPECT_FALSE(is_valid_profile_name(std::string(65, 'a')));
}

TEST(Profiles, DefaultChainUsesTheSelectedProfileAndItsRegion) {
  TempDir home;
  home.write(".aws/credentials", "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n");
  home.write(".aws/config", "[profile dev]\nregion = eu-west-1\n");
  const auto context = context_with({{"HOME", home.path()}, {"AWS_PROFILE", "dev"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto provider = default_credentials(context);
  ASSERT_TRUE(provider.has_value()) << provider.error().message;
  EXPECT_EQ((*provider)->source(), "profile dev");
  EXPECT_EQ((*provider)->get()->access_key_id, "AKIDDEV");
  EXPECT_EQ(*resolve_region(context.env), "eu-west-1");
}

TEST(Profiles, MissingNamedProfileIsNotFound) {
  CredentialContext context = context_with({});
  context.profile = "nope";
  auto provider = default_credentials(context);
  ASSERT_FALSE(provider.has_value());
  EXPECT_EQ(provider.error().kind, util::ErrorKind::kNotFound);
  EXPECT_EQ(provider.error().message, "AWS profile 'nope' is not in the config or credentials file");
}

TEST(DefaultChain, NothingConfiguredIsDeniedNamingWhatWasTried) {
  auto provider = default_credentials(context_with({{"AWS_EC2_METADATA_DISABLED", "true"}}));
  ASSERT_FALSE(provider.has_value());
  EXPECT_EQ(provider.error().kind, util::ErrorKind::kDenied);
  EXPECT_TRUE(provider.error().message.starts_with("no AWS credentials found (tried environment variables"));
}

TEST(RefreshingCredentials, RefetchesOnlyWithinFiveMinutesOfExpiry) {
  auto now = std::chrono::system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1));
  int fetches = 0;
  RefreshingCredentials provider(
      "test",
      [&] {
        ++fetches;
        return util::Result<Credentials>(Credentials{"A", "S", "T", now + std::chrono::minutes(60)});
      },
      [&] { return now; });
  ASSERT_TRUE(provider.get().has_value());
  now += std::chrono::minutes(54);
  ASSERT_TRUE(provider.get().has_value());
  EXPECT_EQ(fetches, 1);
  now += std::chrono::minutes(2);  // 4 minutes left: refresh
  ASSERT_TRUE(provider.get().has_value());
  EXPECT_EQ(fetches, 2);
}

class RemoteCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::LoopbackServer>();
    http_ = net::make_curl_client();
  }
  void script(const json& responses) {
    net::Request request;
    request.method = "POST";
    request.url = server_->url("/queue");
    request.body = responses.dump();
    ASSERT_TRUE(http_->send(request).has_value());
  }
  json log() {
    net::Request request;
    request.url = server_->url("/log");
    return json::parse(http_->send(request)->body);
  }
  std::unique_ptr<testing::LoopbackServer> server_;
  std::unique_ptr<net::HttpClient> http_;
};

TEST_F(RemoteCredentials, WebIdentityTokenFileAssumesTheRoleUnsigned) {
  TempDir dir;
  const std::string token_file = dir.write("token", "eyJ.token.sig\n");
  script(json::array({{{"status", 200}, {"body", kAssumeResponse}}}));
  auto context = context_with({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file}, {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci"},
                               {"AWS_ROLE_SESSION_NAME", "ci-run"}, {"AWS_ENDPOINT_URL_STS", server_->url("")}},
                              http_.get());
  auto provider = default_credentials(context);
  ASSERT_TRUE(provider.has_value()) << provider.error().message;
  EXPECT_EQ((*provider)->source(), "web identity token file");
  auto credentials = (*provider)->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "ASIAROLE");
  EXPECT_EQ(credentials->session_token, "roletoken");
  const json seen = log();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["body"],
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fci"
            "&RoleSessionName=ci-run&WebIdentityToken=eyJ.token.sig");
  EXPECT_EQ(seen[0]["headers"].dump().find("Authorization"), std::string::npos);
}

TEST_F(RemoteCredentials, ContainerEndpointSendsTheAuthorizationToken) {
  script(json::array({{{"status", 200},
                       {"body", R"({"AccessKeyId":"ASIATASK","SecretAccessKey":"x","Token":"t","Expiration":"2026-11-25T18:00:00Z"})"}}}));
  auto context = context_with({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/creds")},
                               {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-auth"}},
                              http_.get());
  auto provider = default_credentials(context);
  ASSERT_TRUE(provider.has_value()) << provider.error().message;
  auto credentials = (*provider)->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "ASIATASK");
  EXPECT_NE(log()[0]["headers"].dump().find(R"(["Authorization","task-auth"])"), std::string::npos);
}

TEST_F(RemoteCredentials, ContainerFullUriMustBeLoopbackOrHttps) {
  auto provider = container_credentials(context_with({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/x"}}));
  ASSERT_FALSE(provider.has_value());
  EXPECT_EQ(provider.error().message, "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback http URL");
}

TEST_F(RemoteCredentials, InstanceMetadataUsesImdsV2SessionTokens) {
  script(json::array({{{"status", 200}, {"body", "imds-token"}},
                      {{"status", 200}, {"body", "imds-token"}},
                      {{"status", 200}, {"body", "ec2-role\n"}},
                      {{"status", 200}, {"body", R"({"AccessKeyId":"ASIAEC2","SecretAccessKey":"x","Token":"t"})"}}}));
  auto context = context_with({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server_->url("")}}, http_.get());
  auto provider = default_credentials(context);
  ASSERT_TRUE(provider.has_value()) << provider.error().message;
  EXPECT_EQ((*provider)->source(), "instance metadata");
  auto credentials = (*provider)->get();
  ASSERT_TRUE(credentials.has_value()) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "ASIAEC2");
  const json seen = log();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0]["method"], "PUT");
  EXPECT_EQ(seen[0]["path"], "/latest/api/token");
  EXPECT_EQ(seen[3]["path"], "/latest/meta-data/iam/security-credentials/ec2-role");
  EXPECT_NE(seen[3]["headers"].dump().find(R"(["X-aws-ec2-metadata-token","imds-token"])"), std::string::npos);
}

}  // namespace
}  // namespace eem::aws
