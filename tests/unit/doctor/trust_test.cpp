// diagnose_trust: one case per known cause of "Not authorized to perform
// sts:AssumeRoleWithWebIdentity" (DESIGN.md section 3), asserting the exact
// diagnosis a user reads.

#include "doctor/trust.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace eem::doctor {
namespace {

constexpr const char* kAccount = "123456789012";

// A trust policy in the shape bootstrap writes, with `sub_op` on sub (one
// StringEquals block when both use it: a repeated key would drop one).
std::string policy(const std::string& sub_op, const std::string& sub, const std::string& aud = "sts.amazonaws.com") {
  const std::string aud_entry = R"("token.actions.githubusercontent.com:aud":")" + aud + "\"";
  const std::string sub_entry = R"("token.actions.githubusercontent.com:sub":")" + sub + "\"";
  const std::string condition = sub_op == "StringEquals"
                                    ? R"({"StringEquals":{)" + aud_entry + "," + sub_entry + "}}"
                                    : R"({"StringEquals":{)" + aud_entry + R"(},")" + sub_op + R"(":{)" + sub_entry + "}}";
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
         R"("Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},)"
         R"("Action":"sts:AssumeRoleWithWebIdentity","Condition":)" + condition + "}]}";
}

TokenClaims token(const std::string& sub, const std::string& aud = "sts.amazonaws.com") {
  return TokenClaims{std::string(kGithubIssuer), sub, {aud}, {}, "test"};
}

struct CauseCase {
  std::string name;
  std::string policy;
  TokenClaims claims;
  std::string cause;
};

class TrustCause : public ::testing::TestWithParam<CauseCase> {};

TEST_P(TrustCause, NamesTheCauseAndTheCorrectedPolicyAdmitsTheRun) {
  const CauseCase& c = GetParam();
  const auto d = diagnose_trust(c.policy, c.claims, kAccount);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->decision, iam::Decision::kImplicitDeny);
  EXPECT_EQ(d->cause, c.cause);
  if (d->corrected_policy.empty()) return;
  const auto fixed = diagnose_trust(d->corrected_policy, c.claims, kAccount);
  ASSERT_TRUE(fixed.has_value());
  // A wrong audience is fixed in the workflow, not in the policy.
  if (c.claims.aud.front() == "sts.amazonaws.com") {
    EXPECT_EQ(fixed->decision, iam::Decision::kAllow) << d->corrected_policy;
  }
}

const std::string kMain = "repo:octo-org/app:ref:refs/heads/main";

INSTANTIATE_TEST_SUITE_P(
    Causes, TrustCause,
    ::testing::Values(
        CauseCase{"WrongCase", policy("StringEquals", kMain), token("repo:Octo-Org/App:ref:refs/heads/main"),
                  "case differs: condition values are compared case-sensitively, and GitHub spells the owner and "
                  "repository as in the token"},
        CauseCase{"WildcardUnderStringEquals", policy("StringEquals", "repo:octo-org/app:*"), token(kMain),
                  "StringEquals treats \"*\" and \"?\" literally (the value would match under StringLike); use "
                  "StringLike for wildcards"},
        CauseCase{"EnvironmentJob", policy("StringEquals", kMain), token("repo:octo-org/app:environment:production"),
                  "the job uses a GitHub environment, so its sub is \"repo:octo-org/app:environment:production\" "
                  "instead of the branch form; admit the environment's sub or drop the job's environment"},
        CauseCase{"PullRequest", policy("StringEquals", kMain), token("repo:octo-org/app:pull_request"),
                  "the workflow was triggered by a pull request, so its sub is \"repo:octo-org/app:pull_request\"; "
                  "pull requests are not admitted (keep it that way unless they must deploy)"},
        CauseCase{"WrongAudience", policy("StringEquals", kMain), token(kMain, "sigstore"),
                  "the token's audience is not sts.amazonaws.com; request the token with audience sts.amazonaws.com "
                  "(aws-actions/configure-aws-credentials does) and list it as the provider's client id"},
        CauseCase{"PolicyExpectsAnotherAudience", policy("StringEquals", kMain, "https://github.com/octo-org"), token(kMain),
                  "the condition expects audience \"https://github.com/octo-org\", but tokens for AWS carry aud "
                  "\"sts.amazonaws.com\"; put sts.amazonaws.com in the condition"},
        CauseCase{"ImmutableSubject", policy("StringEquals", kMain), token("repo:octo-org@1001/app@2002:ref:refs/heads/main"),
                  "the repository uses immutable subjects (\"repo:octo-org@1001/app@2002:ref:refs/heads/main\"): a "
                  "name-only sub never matches; use repo:OWNER@OWNER_ID/REPO@REPO_ID:... in the condition"},
        CauseCase{"PolicyExpectsImmutableSubject", policy("StringEquals", "repo:octo-org@1001/app@2002:ref:refs/heads/main"),
                  token(kMain),
                  "the condition expects the immutable subject form repo:OWNER@OWNER_ID/REPO@REPO_ID, but the token's "
                  "sub \"repo:octo-org/app:ref:refs/heads/main\" is name-only; match the subject format the repository "
                  "really uses (--subject-format)"},
        CauseCase{"CustomSubject", policy("StringEquals", kMain),
                  token("repo:octo-org/app:context:prod:job_workflow_ref:octo-org/app/.github/workflows/d.yml@refs/heads/main"),
                  "the organisation or repository customises the subject (include_claim_keys), so the token's sub is "
                  "\"repo:octo-org/app:context:prod:job_workflow_ref:octo-org/app/.github/workflows/d.yml@refs/heads/main\"; "
                  "write the condition in that format"},
        CauseCase{"BranchNotAdmitted", policy("StringEquals", kMain), token("repo:octo-org/app:ref:refs/heads/dev"),
                  "the token's sub \"repo:octo-org/app:ref:refs/heads/dev\" is none of the admitted values: the run's "
                  "branch \"dev\" is not admitted"},
        CauseCase{"TagNotAdmitted", policy("StringEquals", kMain), token("repo:octo-org/app:ref:refs/tags/v1.2"),
                  "the token's sub \"repo:octo-org/app:ref:refs/tags/v1.2\" is none of the admitted values: the run's "
                  "tag \"v1.2\" is not admitted"},
        CauseCase{"OtherRepository", policy("StringLike", "repo:octo-org/app:*"), token("repo:octo-org/web:ref:refs/heads/main"),
                  "the token is for repository \"octo-org/web\", which the condition does not admit"}),
    [](const ::testing::TestParamInfo<CauseCase>& param_info) { return param_info.param.name; });

TEST(DiagnoseTrust, EvidenceNamesOperatorKeyExpectedAndActual) {
  const auto d = diagnose_trust(policy("StringEquals", "repo:octo-org/app:*"), token(kMain), kAccount);
  ASSERT_TRUE(d.has_value());
  const std::vector<std::string> expected{
      "StringEquals token.actions.githubusercontent.com:sub failed at "
      "$.Statement[0].Condition.StringEquals[\"token.actions.githubusercontent.com:sub\"]",
      "expected: \"repo:octo-org/app:*\"",
      "actual:   \"repo:octo-org/app:ref:refs/heads/main\""};
  EXPECT_EQ(d->evidence, expected);
}

TEST(DiagnoseTrust, DiffReplacesOnlyTheWrongLine) {
  const auto d = diagnose_trust(policy("StringEquals", "repo:octo-org/app:*"), token(kMain), kAccount);
  ASSERT_TRUE(d.has_value());
  EXPECT_NE(d->diff.find("-           \"token.actions.githubusercontent.com:sub\": \"repo:octo-org/app:*\"\n"
                         "+           \"token.actions.githubusercontent.com:sub\": \"repo:octo-org/app:ref:refs/heads/main\"\n"),
            std::string::npos)
      << d->diff;
  EXPECT_NE(d->diff.find("            \"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\",\n"), std::string::npos)
      << d->diff;
}

TEST(DiagnoseTrust, CorrectionKeepsWhatThePolicyAdmitsAndAddsTheRun) {
  const auto d = diagnose_trust(policy("StringEquals", kMain), token("repo:octo-org/app:ref:refs/heads/dev"), kAccount);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->widens);
  EXPECT_NE(d->diff.find("-           \"token.actions.githubusercontent.com:sub\": \"repo:octo-org/app:ref:refs/heads/main\"\n"
                         "+           \"token.actions.githubusercontent.com:sub\": [\n"
                         "+             \"repo:octo-org/app:ref:refs/heads/main\",\n"
                         "+             \"repo:octo-org/app:ref:refs/heads/dev\"\n"
                         "+           ]\n"),
            std::string::npos)
      << d->diff;
  // main still deploys under the corrected policy.
  const auto main = diagnose_trust(d->corrected_policy, token(kMain), kAccount);
  ASSERT_TRUE(main.has_value());
  EXPECT_EQ(main->decision, iam::Decision::kAllow);
}

TEST(DiagnoseTrust, AWrongAudienceAloneDoesNotWiden) {
  const auto d = diagnose_trust(policy("StringEquals", kMain, "https://github.com/octo-org"), token(kMain), kAccount);
  ASSERT_TRUE(d.has_value());
  EXPECT_FALSE(d->widens);
}

TEST(DiagnoseTrust, CorrectionDropsValuesThatNeverMatch) {
  // Another spelling of the repository, a wildcard under StringEquals, or
  // the other subject format admit nothing: the correction replaces them.
  for (const auto& [p, sub] : std::vector<std::pair<std::string, std::string>>{
           {policy("StringEquals", "repo:octo-org/app:ref:refs/heads/main"), "repo:Octo-Org/App:ref:refs/heads/main"},
           {policy("StringEquals", "repo:octo-org/app:*"), kMain},
           {policy("StringEquals", kMain), "repo:octo-org@1001/app@2002:ref:refs/heads/main"}}) {
    const auto d = diagnose_trust(p, token(sub), kAccount);
    ASSERT_TRUE(d.has_value());
    EXPECT_FALSE(d->widens) << sub;
    EXPECT_NE(d->corrected_policy.find("\"token.actions.githubusercontent.com:sub\": \"" + sub + "\"\n"), std::string::npos)
        << d->corrected_policy;
  }
}

TEST(DiagnoseTrust, ForAllValuesOnAnAbsentClaimAdmitsButWarns) {
  const std::string p =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
      R"("Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},)"
      R"("Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},)"
      R"("ForAllValues:StringEquals":{"token.actions.githubusercontent.com:environment":"production"}}}]})";
  const auto d = diagnose_trust(p, token(kMain), kAccount);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->decision, iam::Decision::kAllow);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_EQ(d->warnings[0],
            "ForAllValues:StringEquals token.actions.githubusercontent.com:environment at "
            "$.Statement[0].Condition[\"ForAllValues:StringEquals\"][\"token.actions.githubusercontent.com:environment\"] "
            "holds only because the token has no such claim (ForAllValues is true for an absent key): it admits "
            "tokens it was meant to refuse; use StringEquals for a single-valued claim");
}

TEST(DiagnoseTrust, ProviderNotTrusted) {
  const std::string p = policy("StringEquals", kMain);
  TokenClaims claims = token(kMain);
  claims.issuer = "https://token.actions.githubusercontent.com/octo-org";
  const auto d = diagnose_trust(p, claims, kAccount);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->cause, "the trust policy does not trust the OIDC provider token.actions.githubusercontent.com/octo-org "
                      "for sts:AssumeRoleWithWebIdentity");
}

TEST(DiagnoseTrust, AdmittedTokenHasNoCause) {
  const auto d = diagnose_trust(policy("StringLike", "repo:octo-org/app:ref:refs/heads/*"), token(kMain), kAccount);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->decision, iam::Decision::kAllow);
  EXPECT_TRUE(d->cause.empty());
  EXPECT_TRUE(d->diff.empty());
}

TEST(DiagnoseTrust, UnparsablePolicyIsInvalidInput) {
  const auto d = diagnose_trust("{", token(kMain), kAccount);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_TRUE(d.error().message.starts_with("trust policy: ")) << d.error().message;
}

}  // namespace
}  // namespace eem::doctor
