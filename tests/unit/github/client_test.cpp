#include "github/client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/queued_client.h"

namespace eem::github {
namespace {

using testing::QueuedClient;

net::Response ok(const nlohmann::json& body) { return {200, {}, body.dump()}; }

TEST(GithubClient, SendsTheDocumentedHeadersToTheConfiguredApi) {
  QueuedClient http;
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
  QueuedClient http;
  http.responses.push_back({401, {}, R"({"message":"Bad credentials"})"});
  Client client(http, "https://api.github.com", "ghp_token");
  auto info = client.repository("octo-org/app");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(info.error().message, "GitHub API GET /repos/octo-org/app: HTTP 401: Bad credentials");
}

TEST(GithubClient, RejectsPathsThatAreNotOwnerRepo) {
  QueuedClient http;
  Client client(http, "https://api.github.com", "t");
  EXPECT_FALSE(client.repository("octo-org/app/../../x"));
  EXPECT_TRUE(http.requests.empty());
}

// The answer shape since the immutable-subject rollout (go-github v89's
// OIDCSubjectClaimCustomTemplate; azure-dev#9430's recorded response).
TEST(GithubClient, ReadsTheSubjectCustomizationWithItsImmutableFields) {
  QueuedClient http;
  http.responses.push_back(ok({{"use_default", true}, {"use_immutable_subject", false},
                               {"sub_claim_prefix", "repo:octo-org@9919/app@1296269"}}));
  http.responses.push_back(ok({{"use_default", false}, {"include_claim_keys", {"repo", "context", "job_workflow_ref"}}}));
  Client client(http, "https://api.github.com", "t");
  auto answer = client.oidc_subject_customization("octo-org/app");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_TRUE(answer->use_default);
  EXPECT_EQ(answer->use_immutable_subject, std::optional<bool>(false));
  EXPECT_EQ(answer->sub_claim_prefix, "repo:octo-org@9919/app@1296269");
  EXPECT_EQ(http.requests.at(0).url, "https://api.github.com/repos/octo-org/app/actions/oidc/customization/sub");
  auto custom = client.oidc_subject_customization("octo-org/app");
  ASSERT_TRUE(custom);
  EXPECT_FALSE(custom->use_default);
  EXPECT_EQ(custom->include_claim_keys, (std::vector<std::string>{"repo", "context", "job_workflow_ref"}));
  EXPECT_EQ(custom->use_immutable_subject, std::nullopt);
  EXPECT_EQ(custom->sub_claim_prefix, "");
}

TEST(GithubClient, ReadsTheOrganizationTemplate) {
  QueuedClient http;
  http.responses.push_back(ok({{"include_claim_keys", {"repository_owner", "context"}}}));
  Client client(http, "https://api.github.com", "t");
  auto org = client.org_oidc_subject_customization("octo-org");
  ASSERT_TRUE(org) << org.error().message;
  EXPECT_EQ(org->include_claim_keys, (std::vector<std::string>{"repository_owner", "context"}));
  EXPECT_EQ(http.requests.at(0).url, "https://api.github.com/orgs/octo-org/actions/oidc/customization/sub");
  EXPECT_FALSE(client.org_oidc_subject_customization("../x"));
  EXPECT_EQ(http.requests.size(), 1u);
}

TEST(GithubClient, ARefusedTemplateIsDenied) {
  QueuedClient http;
  http.responses.push_back({403, {}, R"({"message":"Resource not accessible by integration"})"});
  Client client(http, "https://api.github.com", "t");
  auto answer = client.oidc_subject_customization("octo-org/app");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(answer.error().message, "GitHub API GET /repos/octo-org/app/actions/oidc/customization/sub: HTTP 403: "
                                    "Resource not accessible by integration");
}

}  // namespace
}  // namespace eem::github
