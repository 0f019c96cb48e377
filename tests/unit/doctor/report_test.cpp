#include "doctor/report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "doctor/checks.h"

namespace eem::doctor {
namespace {

Report sample() {
  Report r;
  r.checks.push_back({"aws-identity", "AWS identity", Status::kPass, "arn:aws:iam::123456789012:user/dev", {}, {}});
  r.checks.push_back({"oidc-provider", "OIDC provider", Status::kCannotRun, "no iam:ListOpenIDConnectProviders: AccessDenied", {}, {}});
  r.checks.push_back({"role", "IAM role", Status::kFail, "role X does not exist", {"looked up arn"}, "shipctl bootstrap --apply"});
  r.root_cause = "role";
  r.not_run = {"trust-policy", "login"};
  return r;
}

TEST(Report, TextIsAChecklistThenTheRootCause) {
  std::ostringstream out;
  print_text(sample(), out);
  EXPECT_EQ(out.str(),
            " 1. ✔ AWS identity: arn:aws:iam::123456789012:user/dev\n"
            " 2. – OIDC provider: no iam:ListOpenIDConnectProviders: AccessDenied\n"
            " 3. ✘ IAM role: role X does not exist\n"
            "\nRoot cause: IAM role: role X does not exist\n"
            "  Evidence:\n    looked up arn\n"
            "  Fix:\n    shipctl bootstrap --apply\n"
            "\nNot checked after the root cause: trust-policy, login\n");
}

TEST(Report, JsonHasChecksRootCauseAndNotRun) {
  std::ostringstream out;
  print_json(sample(), out);
  const std::string text = out.str();
  EXPECT_NE(text.find("\"root_cause\": \"role\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"status\": \"cannot-run\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"not_run\": [\n    \"trust-policy\",\n    \"login\"\n  ]"), std::string::npos) << text;
}

TEST(Report, ExitCodes) {
  Report r = sample();
  EXPECT_EQ(exit_code(r), kExitRootCause);
  r.root_cause.reset();
  EXPECT_EQ(exit_code(r), kExitIncomplete);
  r.checks.erase(r.checks.begin() + 1);
  EXPECT_EQ(exit_code(r), kExitHealthy);
}

TEST(ParseRepository, FullUriIsSplitIntoAccountRegionAndName) {
  const auto ref = parse_repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:latest");
  EXPECT_EQ(ref.account, "123456789012");
  EXPECT_EQ(ref.region, "us-east-1");
  EXPECT_EQ(ref.name, "team/app");
  EXPECT_EQ(ref.form, RepositoryForm::kUri);
  const auto plain = parse_repository("team/app");
  EXPECT_EQ(plain.account, "");
  EXPECT_EQ(plain.name, "team/app");
  EXPECT_EQ(plain.form, RepositoryForm::kName);
}

TEST(ParseRepository, ArnIsSplitIntoAccountRegionAndName) {
  const auto ref = parse_repository("arn:aws:ecr:eu-west-1:999999999999:repository/team/app");
  EXPECT_EQ(ref.account, "999999999999");
  EXPECT_EQ(ref.region, "eu-west-1");
  EXPECT_EQ(ref.name, "team/app");
  EXPECT_EQ(ref.form, RepositoryForm::kArn);
  // Not a repository ARN: taken as a name, which ECR then rejects.
  EXPECT_EQ(parse_repository("arn:aws:iam::999999999999:role/app").form, RepositoryForm::kName);
}

}  // namespace
}  // namespace eem::doctor
