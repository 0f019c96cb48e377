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

TEST(GithubSetup, DetectsTheSubjectFormatFromCustomizationAndCreationDate) {
  QueuedClient http;
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
  QueuedClient http;
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
