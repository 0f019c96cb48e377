#include "github/client.h"

#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>

#include "bootstrap/github_setup.h"
#include "crypto/base64.h"
#include "crypto/sealed_box.h"

namespace eem::github {
namespace {

// Answers queued responses in order and records the requests.
class FakeHttp : public net::HttpClient {
 public:
  std::deque<net::Response> responses;
  std::vector<net::Request> requests;
  util::Result<net::Response> send(const net::Request& request) override {
    requests.push_back(request);
    net::Response response = responses.front();
    responses.pop_front();
    return response;
  }
};

net::Response ok(const nlohmann::json& body) { return {200, {}, body.dump()}; }

TEST(GithubClient, SendsTheDocumentedHeadersToTheConfiguredApi) {
  FakeHttp http;
  http.responses.push_back(ok({{"id", 1296269}, {"owner", {{"id", 9919}}}, {"full_name", "octo-org/app"},
                               {"created_at", "2026-08-01T10:00:00Z"}}));
  Client client(http, api_url(util::map_env({{"GITHUB_API_URL", "http://127.0.0.1:9/api/v3/"}})), "ghp_token");
  auto info = client.repository("octo-org/app");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->owner_id, "9919");
  EXPECT_EQ(info->repo_id, "1296269");
  const auto& request = http.requests.at(0);
  EXPECT_EQ(request.url, "http://127.0.0.1:9/api/v3/repos/octo-org/app");
  EXPECT_EQ(net::find_header(request.headers, "authorization"), "Bearer ghp_token");
  EXPECT_EQ(net::find_header(request.headers, "accept"), "application/vnd.github+json");
  EXPECT_EQ(net::find_header(request.headers, "x-github-api-version"), "2022-11-28");
}

TEST(GithubClient, DefaultApiUrl) { EXPECT_EQ(api_url(util::map_env({})), "https://api.github.com"); }

TEST(GithubClient, ErrorsNameTheCallAndNeverTheToken) {
  FakeHttp http;
  http.responses.push_back({401, {}, R"({"message":"Bad credentials"})"});
  Client client(http, "https://api.github.com", "ghp_token");
  auto info = client.repository("octo-org/app");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(info.error().message, "GitHub API GET /repos/octo-org/app: HTTP 401: Bad credentials");
}

TEST(GithubClient, RejectsPathsThatAreNotOwnerRepo) {
  FakeHttp http;
  Client client(http, "https://api.github.com", "t");
  EXPECT_FALSE(client.repository("octo-org/app/../../x"));
  EXPECT_TRUE(http.requests.empty());
}

TEST(GithubClient, PutSecretSealsForTheRepositoryKey) {
  const auto keys = crypto::generate_box_keypair();
  FakeHttp http;
  http.responses.push_back(ok({{"key_id", "568250167242549743"}, {"key", crypto::base64_encode(keys.public_key)}}));
  http.responses.push_back({201, {}, ""});
  Client client(http, "https://api.github.com", "t");
  ASSERT_TRUE(bootstrap::store_role_secret(client, "octo-org/app", "arn:aws:iam::123456789012:role/R"));
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[0].url, "https://api.github.com/repos/octo-org/app/actions/secrets/public-key");
  EXPECT_EQ(http.requests[1].method, "PUT");
  EXPECT_EQ(http.requests[1].url, "https://api.github.com/repos/octo-org/app/actions/secrets/AWS_ROLE_ARN");
  const auto body = nlohmann::json::parse(http.requests[1].body);
  EXPECT_EQ(body["key_id"], "568250167242549743");
  auto opened = crypto::seal_open(*crypto::base64_decode(body["encrypted_value"].get<std::string>()), keys);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "arn:aws:iam::123456789012:role/R");
}

TEST(GithubSetup, DetectsTheSubjectFormatFromCustomizationAndCreationDate) {
  FakeHttp http;
  http.responses.push_back(ok({{"use_default", true}}));
  http.responses.push_back(ok({{"id", 2}, {"owner", {{"id", 1}}}, {"created_at", "2026-07-15T00:00:01Z"}}));
  http.responses.push_back(ok({{"use_default", false}, {"include_claim_keys", {"repo", "context"}}}));
  http.responses.push_back(ok({{"id", 2}, {"owner", {{"id", 1}}}, {"created_at", "2021-01-01T00:00:00Z"}}));
  Client client(http, "https://api.github.com", "t");
  auto immutable = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(immutable);
  EXPECT_EQ(immutable->style, iam::SubjectStyle::kImmutable);
  EXPECT_EQ(immutable->reason, "repository created 2026-07-15, on or after 2026-07-15");
  EXPECT_EQ(http.requests[0].url, "https://api.github.com/repos/o/r/actions/oidc/customization/sub");
  auto name = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->style, iam::SubjectStyle::kName);
}

TEST(GithubSetup, CustomClaimKeysAreUnsupported) {
  FakeHttp http;
  http.responses.push_back(ok({{"use_default", false}, {"include_claim_keys", {"repository_owner", "workflow"}}}));
  Client client(http, "https://api.github.com", "t");
  auto detected = bootstrap::detect_subject(client, "o/r");
  ASSERT_FALSE(detected);
  EXPECT_EQ(detected.error().kind, util::ErrorKind::kUnsupported);
  EXPECT_EQ(detected.error().message,
            "detecting the OIDC subject format of o/r: the repository customises its subject (include_claim_keys: "
            "repository_owner, workflow); bootstrap writes trust policies for the default subject only: pass "
            "--subject-format name or immutable after resetting it (use_default: true)");
}

}  // namespace
}  // namespace eem::github
