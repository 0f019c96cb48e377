#include "bootstrap/inputs.h"

#include <gtest/gtest.h>

namespace eem::bootstrap {
namespace {

std::string error_of(const util::Result<void>& result) { return result ? "" : result.error().message; }

TEST(Inputs, RepositoryNamesFollowEcrRules) {
  EXPECT_TRUE(validate_repository_name("ecs-express-mode-api"));
  EXPECT_TRUE(validate_repository_name("team/app.v2_x"));
  EXPECT_EQ(error_of(validate_repository_name("App")),
            "--repository \"App\" is not a valid ECR repository name (2-256 characters: lower-case letters, digits, "
            "and . _ - / between them)");
  EXPECT_FALSE(validate_repository_name("a"));
  EXPECT_FALSE(validate_repository_name("a--/b"));
  EXPECT_FALSE(validate_repository_name("app/"));
}

TEST(Inputs, AFullImageUriNamesThePartToPass) {
  EXPECT_EQ(error_of(validate_repository_name("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api:latest")),
            "--repository \"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api:latest\" is a full image "
            "URI; pass only the repository name: --repository ecs-express-mode-api");
}

TEST(Inputs, GithubRepositories) {
  EXPECT_TRUE(validate_github_repo("octo-org/ecs-express-mode-api"));
  EXPECT_TRUE(validate_github_repo("o/r.js"));
  for (const char* bad : {"octo-org", "octo/org/app", "/app", "octo/", "oc_to/app", "octo/..", "octo/a b"}) {
    EXPECT_FALSE(validate_github_repo(bad)) << bad;
  }
  EXPECT_EQ(error_of(validate_github_repo("octo")), "--github-repo \"octo\" is not OWNER/REPO (e.g. octo-org/ecs-express-mode-api)");
}

TEST(Inputs, RoleNames) {
  EXPECT_TRUE(validate_role_name("GitHubActionsECRRole"));
  EXPECT_FALSE(validate_role_name(""));
  EXPECT_FALSE(validate_role_name("has space"));
  EXPECT_FALSE(validate_role_name(std::string(65, 'a')));
}

TEST(Inputs, RemotesInEveryGithubForm) {
  for (const char* url : {"https://github.com/octo-org/app.git", "https://github.com/octo-org/app",
                          "git@github.com:octo-org/app.git", "ssh://git@github.com/octo-org/app.git",
                          "https://github.com/octo-org/app/"}) {
    auto repo = parse_github_remote(url);
    ASSERT_TRUE(repo) << url;
    EXPECT_EQ(*repo, "octo-org/app");
  }
  auto other = parse_github_remote("https://gitlab.com/octo-org/app.git");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message,
            "git remote origin \"https://gitlab.com/octo-org/app.git\" is not a github.com repository; pass --github-repo OWNER/REPO");
}

}  // namespace
}  // namespace eem::bootstrap
