#include "bootstrap/github_setup.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/sealed_box.h"
#include "github/client.h"
#include "net/queued_client.h"

namespace eem::github {
namespace {

using testing::QueuedClient;

net::Response ok(const nlohmann::json& body) { return {200, {}, body.dump()}; }

TEST(GithubSetup, PutSecretSealsForTheRepositoryKey) {
  const auto keys = crypto::generate_box_keypair();
  QueuedClient http;
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

net::Response repository_created(const std::string& created_at) {
  return ok({{"id", 2002}, {"owner", {{"id", 1001}}}, {"created_at", created_at}});
}

// Issue 15 item 2: GitHub's sub_claim_prefix decides, even where
// use_immutable_subject is false (immutable by creation date, not opt-in).
TEST(GithubSetup, GithubsPrefixDecidesTheForm) {
  QueuedClient http;
  http.responses.push_back(ok({{"use_default", true}, {"use_immutable_subject", false},
                               {"sub_claim_prefix", "repo:octo@1001/app@2002"}}));
  http.responses.push_back(ok({{"use_default", true}, {"use_immutable_subject", false}, {"sub_claim_prefix", "repo:octo/app"}}));
  Client client(http, "https://api.github.com", "t");
  auto immutable = bootstrap::detect_subject(client, "octo/app");
  ASSERT_TRUE(immutable) << immutable.error().message;
  EXPECT_EQ(immutable->style, iam::SubjectStyle::kImmutable);
  EXPECT_EQ(immutable->owner_id, "1001");
  EXPECT_EQ(immutable->repo_id, "2002");
  EXPECT_EQ(immutable->reason, "GitHub's sub_claim_prefix \"repo:octo@1001/app@2002\"");
  EXPECT_FALSE(immutable->guessed);
  EXPECT_TRUE(immutable->claim_keys.empty());
  auto name = bootstrap::detect_subject(client, "octo/app");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->style, iam::SubjectStyle::kName);
  EXPECT_FALSE(name->guessed);
  EXPECT_EQ(http.requests.size(), 2u);  // the prefix made the repository lookup unnecessary
}

// The prefix goes into a trust policy as is: one that does not name the
// repository (a wildcard, another repository, ids that are not numbers) is refused.
TEST(GithubSetup, APrefixThatDoesNotNameTheRepositoryIsRefused) {
  for (const std::string bad : {"repo:*", "repo:octo/*", "repo:evil/app", "repo:octo@x/app@2", "repo:octo/app/x", "repo:octo@1/app",
                                "octo/app", "repo:octo@1/app@2:ref:refs/heads/*"}) {
    QueuedClient http;
    http.responses.push_back(ok({{"use_default", true}, {"sub_claim_prefix", bad}}));
    Client client(http, "https://api.github.com", "t");
    auto detected = bootstrap::detect_subject(client, "octo/app");
    ASSERT_FALSE(detected) << bad;
    EXPECT_EQ(detected.error().message, "detecting the OIDC subject format of octo/app: GitHub's sub_claim_prefix \"" +
                                            bad + "\" is not repo:OWNER[@ID]/REPO[@ID] for octo/app");
  }
  QueuedClient http;
  http.responses.push_back(ok({{"use_default", true}, {"sub_claim_prefix", "repo:Octo@1/App@2"}}));
  Client client(http, "https://api.github.com", "t");
  EXPECT_TRUE(bootstrap::detect_subject(client, "octo/app"));  // GitHub's own capitals are kept
}

TEST(GithubSetup, OptedInWithoutAPrefixLooksUpTheIds) {
  QueuedClient http;
  http.responses.push_back(ok({{"use_default", true}, {"use_immutable_subject", true}}));
  http.responses.push_back(repository_created("2021-01-01T00:00:00Z"));
  Client client(http, "https://api.github.com", "t");
  auto detected = bootstrap::detect_subject(client, "octo/app");
  ASSERT_TRUE(detected) << detected.error().message;
  EXPECT_EQ(detected->style, iam::SubjectStyle::kImmutable);
  EXPECT_EQ(detected->reason, "GitHub's use_immutable_subject: true");
  EXPECT_EQ(detected->owner_id, "1001");
  EXPECT_FALSE(detected->guessed);
}

TEST(GithubSetup, WithoutAPrefixTheCreationDateIsAGuess) {
  QueuedClient http;
  http.responses.push_back(ok({{"use_default", true}}));
  http.responses.push_back(repository_created("2026-07-15T00:00:01Z"));
  http.responses.push_back(ok({{"use_default", false}, {"include_claim_keys", {"repo", "context"}}}));
  http.responses.push_back(repository_created("2021-01-01T00:00:00Z"));
  Client client(http, "https://api.github.com", "t");
  auto immutable = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(immutable);
  EXPECT_EQ(immutable->style, iam::SubjectStyle::kImmutable);
  EXPECT_TRUE(immutable->guessed);
  EXPECT_EQ(immutable->reason, "GitHub sent no sub_claim_prefix; repository created 2026-07-15, on or after 2026-07-15");
  EXPECT_EQ(http.requests[0].url, "https://api.github.com/repos/o/r/actions/oidc/customization/sub");
  auto name = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->style, iam::SubjectStyle::kName);
  EXPECT_TRUE(name->claim_keys.empty());  // {"repo", "context"} is the default spelled out
}

TEST(GithubSetup, ACustomTemplateIsKeptForTheTrustPolicy) {
  QueuedClient http;
  http.responses.push_back(ok({{"use_default", false}, {"include_claim_keys", {"repo", "context", "job_workflow_ref"}},
                               {"sub_claim_prefix", "repo:o/r"}}));
  Client client(http, "https://api.github.com", "t");
  auto detected = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(detected) << detected.error().message;
  EXPECT_EQ(detected->claim_keys, (std::vector<std::string>{"repo", "context", "job_workflow_ref"}));
  EXPECT_EQ(detected->reason, "GitHub's sub_claim_prefix \"repo:o/r\"; subject template: repo, context, job_workflow_ref");
}

TEST(GithubSetup, NoKeysOfItsOwnMeansTheOrganizationsTemplate) {
  QueuedClient http;
  http.responses.push_back(ok({{"use_default", false}, {"sub_claim_prefix", "repo:o/r"}}));
  http.responses.push_back(ok({{"include_claim_keys", {"repository_owner", "context"}}}));
  http.responses.push_back(ok({{"use_default", false}, {"sub_claim_prefix", "repo:user/r"}}));
  http.responses.push_back({404, {}, R"({"message":"Not Found"})"});  // a user, not an organization
  Client client(http, "https://api.github.com", "t");
  auto org = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(org) << org.error().message;
  EXPECT_EQ(org->claim_keys, (std::vector<std::string>{"repository_owner", "context"}));
  EXPECT_EQ(http.requests[1].url, "https://api.github.com/orgs/o/actions/oidc/customization/sub");
  auto user = bootstrap::detect_subject(client, "user/r");
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_TRUE(user->claim_keys.empty());
}

// 403: a token that may read the repository but not its OIDC settings; 404:
// GitHub shows no template. Both fall back to the creation date, marked a guess.
TEST(GithubSetup, ARefusedOrMissingTemplateFallsBackToAGuess) {
  QueuedClient http;
  http.responses.push_back({403, {}, R"({"message":"Must have admin rights to Repository."})"});
  http.responses.push_back(repository_created("2026-08-01T00:00:00Z"));
  http.responses.push_back({404, {}, R"({"message":"Not Found"})"});
  http.responses.push_back(repository_created("2020-08-01T00:00:00Z"));
  Client client(http, "https://api.github.com", "t");
  auto refused = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_TRUE(refused->guessed);
  EXPECT_EQ(refused->style, iam::SubjectStyle::kImmutable);
  EXPECT_EQ(refused->reason, "GitHub API GET /repos/o/r/actions/oidc/customization/sub: HTTP 403: Must have admin rights "
                             "to Repository.; repository created 2026-08-01, on or after 2026-07-15");
  auto missing = bootstrap::detect_subject(client, "o/r");
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->guessed);
  EXPECT_EQ(missing->style, iam::SubjectStyle::kName);
}

TEST(GithubSetup, WhenEvenTheRepositoryIsRefusedTheFirstRefusalIsReported) {
  QueuedClient http;
  http.responses.push_back({401, {}, R"({"message":"Bad credentials"})"});
  http.responses.push_back({401, {}, R"({"message":"Bad credentials"})"});
  Client client(http, "https://api.github.com", "t");
  auto detected = bootstrap::detect_subject(client, "o/r");
  ASSERT_FALSE(detected);
  EXPECT_EQ(detected.error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(detected.error().message, "detecting the OIDC subject format of o/r: GitHub API GET "
                                      "/repos/o/r/actions/oidc/customization/sub: HTTP 401: Bad credentials");
}

}  // namespace
}  // namespace eem::github
