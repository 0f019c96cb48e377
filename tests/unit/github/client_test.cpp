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

}  // namespace
}  // namespace eem::github
