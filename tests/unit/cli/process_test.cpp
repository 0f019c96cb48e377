// Commands read the process through cli::Process: the environment, stdin
// and the terminal tests come from what run() is given, never from the
// real process (which these tests leave untouched).

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"

namespace eem::cli {
namespace {

struct Outcome {
  int code = 0;
  std::string out, err;
};

Outcome run_with(std::vector<const char*> args, util::EnvLookup env, std::istream& in) {
  args.insert(args.begin(), "shipctl");
  std::ostringstream out, err;
  Process process{std::move(env), in, false, false, [] { return std::chrono::system_clock::time_point{}; }};
  const int code = run(static_cast<int>(args.size()), args.data(), out, err, std::move(process));
  return {code, out.str(), err.str()};
}

util::EnvLookup no_aws_files(std::map<std::string, std::string, std::less<>> values) {
  values.emplace("AWS_CONFIG_FILE", "/nonexistent/shipctl-test/config");
  values.emplace("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/shipctl-test/credentials");
  return util::map_env(std::move(values));
}

TEST(Process, PolicyEvalReadsDashFromTheGivenStdin) {
  std::istringstream in(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]})");
  const auto r = run_with({"policy", "eval", "--policy", "-", "--action", "ecr:GetAuthorizationToken",
                           "--resource", "*", "--json"},
                          util::map_env({}), in);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"decision\": \"Allow\""), std::string::npos) << r.out;
}

TEST(Process, OidcDecodeReadsDashFromTheGivenStdin) {
  // {"alg":"RS256","typ":"JWT"} . {"sub":"repo:octo/app:ref:refs/heads/main"} . "sig"
  std::istringstream in(
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJyZXBvOm9jdG8vYXBwOnJlZjpyZWZzL2hlYWRzL21haW4ifQ.c2ln");
  const auto r = run_with({"oidc", "decode", "--token", "-", "--json"}, util::map_env({}), in);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("repo:octo/app:ref:refs/heads/main"), std::string::npos) << r.out;
}

TEST(Process, BootstrapReadsGithubTokenFromTheGivenEnvironment) {
  std::istringstream in;
  // A token in the given environment satisfies --set-secret's check (the
  // real one has none here); the region typo after it then stops the run
  // before any request.
  const auto r = run_with({"bootstrap", "--github-repo", "octo/app", "--set-secret"},
                          no_aws_files({{"GITHUB_TOKEN", "ghp_given"}, {"AWS_REGION", "ap-northeast-l"}}), in);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err.find("--set-secret needs GITHUB_TOKEN"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ap-northeast-l"), std::string::npos) << r.err;
  const auto empty = run_with({"bootstrap", "--github-repo", "octo/app", "--set-secret"},
                              no_aws_files({{"GITHUB_TOKEN", ""}}), in);
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("--set-secret needs GITHUB_TOKEN"), std::string::npos) << empty.err;
}

TEST(Process, CredentialsReadsAwsRoleArnFromTheGivenEnvironment) {
  std::istringstream in;
  const auto given = run_with({"credentials"}, no_aws_files({{"AWS_ROLE_ARN", "arn:aws:iam::12:role/x"}}), in);
  EXPECT_EQ(given.code, 2);
  EXPECT_NE(given.err.find("arn:aws:iam::12:role/x"), std::string::npos) << given.err;
  // The unset secret, as `AWS_ROLE_ARN: ${{ secrets.AWS_ROLE_ARN }}` passes it.
  const auto empty = run_with({"credentials"}, no_aws_files({{"AWS_ROLE_ARN", ""}}), in);
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("the AWS_ROLE_ARN secret is empty or not set"), std::string::npos) << empty.err;
  // An explicit flag wins over the environment.
  const auto flag = run_with({"credentials", "--role-arn", "arn:aws:iam::34:role/y"},
                             no_aws_files({{"AWS_ROLE_ARN", "arn:aws:iam::12:role/x"}}), in);
  EXPECT_NE(flag.err.find("arn:aws:iam::34:role/y"), std::string::npos) << flag.err;
}

TEST(Process, AnEmptyAwsRegionIsUnsetAndTheNextSourceIsRead) {
  std::istringstream in;
  // AWS_REGION= is skipped (the SDK rule); the typo in AWS_DEFAULT_REGION is
  // then refused before any request, which shows which variable was read.
  const auto r = run_with({"bootstrap", "--github-repo", "octo/app"},
                          no_aws_files({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "ap-northeast-l"}}), in);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("ap-northeast-l"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ap-northeast-1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace eem::cli
