#include "issuer/claims.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace eem::issuer {
namespace {

using nlohmann::ordered_json;

RunConfig run(std::string environment = "", oidc::SubjectFormat format = oidc::SubjectFormat::kName) {
  RunConfig config;
  config.facts = {"octo-org/octo-repo", "65", "74", "push", "refs/heads/main", std::move(environment), format};
  config.sha = "ffac537e6cbbf934b08745a378932722df287a53";
  return config;
}

ordered_json claims_of(const RunConfig& config, const std::string& audience = "sts.amazonaws.com") {
  auto text = build_claims(config, "https://token.actions.githubusercontent.com", audience, 1784073600, "jti-1");
  if (!text) {
    ADD_FAILURE() << text.error().message;
    return {};
  }
  return ordered_json::parse(*text);
}

TEST(IssuerClaims, BranchPushHasGithubsClaimSetInGithubsOrder) {
  const std::string sha = "ffac537e6cbbf934b08745a378932722df287a53";
  const std::string wf = "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main";
  const ordered_json expected{
      {"jti", "jti-1"}, {"sub", "repo:octo-org/octo-repo:ref:refs/heads/main"}, {"aud", "sts.amazonaws.com"},
      {"ref", "refs/heads/main"}, {"sha", sha}, {"repository", "octo-org/octo-repo"},
      {"repository_owner", "octo-org"}, {"actor_id", "583231"}, {"repository_visibility", "private"},
      {"repository_id", "74"}, {"repository_owner_id", "65"}, {"run_id", "1"}, {"run_number", "1"},
      {"run_attempt", "1"}, {"runner_environment", "github-hosted"}, {"actor", "octocat"},
      {"workflow", "Build and Push to ECR"}, {"head_ref", ""}, {"base_ref", ""}, {"event_name", "push"},
      {"ref_protected", "false"}, {"ref_type", "branch"}, {"workflow_ref", wf}, {"workflow_sha", sha},
      {"job_workflow_ref", wf}, {"job_workflow_sha", sha}, {"iss", "https://token.actions.githubusercontent.com"},
      {"nbf", 1784073300}, {"exp", 1784073900}, {"iat", 1784073600}};
  EXPECT_EQ(claims_of(run()).dump(), expected.dump());
}

TEST(IssuerClaims, EnvironmentJobGetsEnvironmentClaimAndSubject) {
  const auto claims = claims_of(run("production"));
  EXPECT_EQ(claims["sub"], "repo:octo-org/octo-repo:environment:production");
  EXPECT_EQ(claims["environment"], "production");
  EXPECT_FALSE(claims_of(run()).contains("environment"));
}

TEST(IssuerClaims, ImmutableSubjectCarriesOwnerAndRepositoryIds) {
  EXPECT_EQ(claims_of(run("", oidc::SubjectFormat::kImmutable))["sub"],
            "repo:octo-org@65/octo-repo@74:ref:refs/heads/main");
}

TEST(IssuerClaims, PullRequestAndTagRuns) {
  RunConfig pr = run();
  pr.facts.event_name = "pull_request";
  pr.facts.ref = "refs/pull/7/merge";
  const auto claims = claims_of(pr);
  EXPECT_EQ(claims["sub"], "repo:octo-org/octo-repo:pull_request");
  EXPECT_EQ(claims["ref_type"], "branch");
  RunConfig tag = run();
  tag.facts.ref = "refs/tags/v1.2.0";
  EXPECT_EQ(claims_of(tag)["ref_type"], "tag");
  EXPECT_EQ(claims_of(tag)["sub"], "repo:octo-org/octo-repo:ref:refs/tags/v1.2.0");
}

TEST(IssuerClaims, LifetimeIsConfigurable) {
  RunConfig config = run();
  config.lifetime = std::chrono::seconds(3600);
  EXPECT_EQ(claims_of(config)["exp"], 1784073600 + 3600);
}

TEST(IssuerClaims, DefaultAudienceIsTheOwnersUrl) { EXPECT_EQ(default_audience(run()), "https://github.com/octo-org"); }

TEST(IssuerClaims, ValidationNamesTheFlagToFix) {
  const std::vector<std::pair<std::function<void(RunConfig&)>, std::string>> cases{
      {[](RunConfig& c) { c.facts.repository = "octo-org"; }, "--repository must be OWNER/REPO, not 'octo-org'"},
      {[](RunConfig& c) { c.facts.repository = "a/b/c"; }, "--repository must be OWNER/REPO, not 'a/b/c'"},
      {[](RunConfig& c) { c.facts.ref = "main"; }, "--ref must be a full ref such as refs/heads/main, not 'main'"},
      {[](RunConfig& c) { c.facts.owner_id = "x65"; }, "--owner-id, --repo-id and --actor-id must be decimal numbers"},
      {[](RunConfig& c) { c.lifetime = std::chrono::seconds(0); }, "--lifetime must be positive"},
  };
  EXPECT_TRUE(validate_run(run()));
  for (const auto& [mutate, message] : cases) {
    RunConfig config = run();
    mutate(config);
    auto ok = validate_run(config);
    ASSERT_FALSE(ok) << message;
    EXPECT_EQ(ok.error().kind, util::ErrorKind::kInvalidInput);
    EXPECT_EQ(ok.error().message, message);
  }
}

}  // namespace
}  // namespace eem::issuer
