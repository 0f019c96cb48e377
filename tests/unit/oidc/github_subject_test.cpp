#include "oidc/github_subject.h"

#include <gtest/gtest.h>

namespace eem::oidc {
namespace {

struct BuildCase {
  RunFacts facts;
  std::string sub;
};

void PrintTo(const BuildCase& c, std::ostream* os) { *os << c.sub; }

class BuildSubject : public testing::TestWithParam<BuildCase> {};

TEST_P(BuildSubject, FollowsGithubPrecedenceAndRoundTrips) {
  const auto sub = build_subject(GetParam().facts);
  ASSERT_TRUE(sub.has_value()) << sub.error().message;
  EXPECT_EQ(*sub, GetParam().sub);
  const auto parsed = parse_subject(*sub);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->repository(), GetParam().facts.repository);
  EXPECT_EQ(parsed->format(), GetParam().facts.format);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, BuildSubject,
    testing::Values(
        BuildCase{{"octo/app", "", "", "push", "refs/heads/main", "", SubjectFormat::kName}, "repo:octo/app:ref:refs/heads/main"},
        BuildCase{{"octo/app", "", "", "push", "refs/tags/v1.2.0", "", SubjectFormat::kName}, "repo:octo/app:ref:refs/tags/v1.2.0"},
        BuildCase{{"octo/app", "", "", "pull_request", "refs/pull/7/merge", "", SubjectFormat::kName}, "repo:octo/app:pull_request"},
        BuildCase{{"octo/app", "", "", "pull_request", "refs/pull/7/merge", "prod", SubjectFormat::kName}, "repo:octo/app:environment:prod"},
        BuildCase{{"octo/app", "", "", "push", "refs/heads/main", "stage:eu", SubjectFormat::kName}, "repo:octo/app:environment:stage%3Aeu"},
        BuildCase{{"octo/app", "1001", "2002", "push", "refs/heads/main", "", SubjectFormat::kImmutable}, "repo:octo@1001/app@2002:ref:refs/heads/main"},
        BuildCase{{"octo/app", "1001", "2002", "push", "refs/heads/main", "prod", SubjectFormat::kImmutable}, "repo:octo@1001/app@2002:environment:prod"}));

TEST(ParseSubject, ClassifiesEveryForm) {
  const auto branch = parse_subject("repo:octo/app:ref:refs/heads/feature%3Ax");
  EXPECT_EQ(branch->context, SubjectContext::kBranch);
  EXPECT_EQ(branch->value, "feature:x");
  const auto tag = parse_subject("repo:octo/app:ref:refs/tags/v1");
  EXPECT_EQ(tag->context, SubjectContext::kTag);
  EXPECT_EQ(tag->value, "v1");
  EXPECT_EQ(parse_subject("repo:octo/app:pull_request")->context, SubjectContext::kPullRequest);
  const auto env = parse_subject("repo:octo/app:environment:production");
  EXPECT_EQ(env->context, SubjectContext::kEnvironment);
  EXPECT_EQ(env->value, "production");
  const auto immutable = parse_subject("repo:octo@1001/app@2002:ref:refs/heads/main");
  EXPECT_EQ(immutable->owner, "octo");
  EXPECT_EQ(immutable->owner_id, "1001");
  EXPECT_EQ(immutable->repo_id, "2002");
}

TEST(ParseSubject, ReadsCustomisedSubjects) {
  // include_claim_keys: ["repo", "context", "job_workflow_ref"]
  const auto custom = parse_subject(
      "repo:octo/app:environment:prod:job_workflow_ref:octo/app/.github/workflows/deploy.yml@refs/heads/main");
  ASSERT_TRUE(custom.has_value()) << custom.error().message;
  EXPECT_EQ(custom->context, SubjectContext::kCustom);
  ASSERT_EQ(custom->pairs.size(), 2u);
  EXPECT_EQ(custom->pairs[1].first, "job_workflow_ref");
  EXPECT_EQ(custom->pairs[1].second, "octo/app/.github/workflows/deploy.yml@refs/heads/main");
}

TEST(ParseSubject, RejectsMalformedSubjects) {
  EXPECT_EQ(parse_subject("octo/app").error().message, "sub \"octo/app\" does not start with repo:OWNER/REPO:");
  EXPECT_EQ(parse_subject("repo:octo:ref:x").error().message, "sub \"repo:octo:ref:x\" names no OWNER/REPO");
  EXPECT_EQ(parse_subject("repo:octo@1/app:ref:x").error().message,
            "sub \"repo:octo@1/app:ref:x\" has an id for only one of owner and repository");
  EXPECT_EQ(parse_subject("repo:octo/app:ref").error().message,
            "sub \"repo:octo/app:ref\" ends with key \"ref\" without a value");
}

TEST(BuildSubjectErrors, NameWhatIsMissing) {
  EXPECT_EQ(build_subject({"octo", "", "", "push", "refs/heads/main", "", SubjectFormat::kName}).error().message,
            "repository \"octo\" is not OWNER/REPO");
  EXPECT_EQ(build_subject({"octo/app", "", "", "push", "refs/heads/main", "", SubjectFormat::kImmutable}).error().message,
            "the immutable subject format needs the owner id and the repository id");
  EXPECT_EQ(build_subject({"octo/app", "", "", "push", "", "", SubjectFormat::kName}).error().message,
            "a run that is not a pull request needs a ref (refs/heads/... or refs/tags/...)");
}

}  // namespace
}  // namespace eem::oidc

namespace eem::oidc {
namespace {

TEST(ConditionKeys, MapsGithubClaimsToStsConditionKeys) {
  const auto keys = condition_keys("https://token.actions.githubusercontent.com", "repo:octo/app:pull_request",
                                   {"sts.amazonaws.com"},
                                   {{"repository", "octo/app"}, {"run_id", "7"}, {"environment", "prod"}, {"actor_id", "42"}});
  const std::vector<std::pair<std::string, std::string>> expected{
      {"token.actions.githubusercontent.com:sub", "repo:octo/app:pull_request"},
      {"token.actions.githubusercontent.com:aud", "sts.amazonaws.com"},
      {"token.actions.githubusercontent.com:repository", "octo/app"},
      {"token.actions.githubusercontent.com:environment", "prod"},
      {"token.actions.githubusercontent.com:actor_id", "42"}};
  EXPECT_EQ(keys, expected);
}

}  // namespace
}  // namespace eem::oidc
