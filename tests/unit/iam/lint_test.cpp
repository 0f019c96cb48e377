#include "iam/lint.h"

#include <gtest/gtest.h>

#include "iam/policy_parser.h"

namespace eem::iam {
namespace {

constexpr const char* kProvider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

std::string trust(const std::string& condition, const std::string& principal = std::string("{\"Federated\":\"") + kProvider + "\"}") {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)" + principal +
         R"(,"Action":"sts:AssumeRoleWithWebIdentity","Condition":)" + condition + "}]}";
}
std::string with_aud(const std::string& sub_clause) {
  return trust(R"({"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},)" + sub_clause + "}");
}
std::string identity(const std::string& statement) { return R"({"Version":"2012-10-17","Statement":[)" + statement + "]}"; }

struct LintCase {
  const char* name;
  std::string policy;
  std::vector<std::string> rules;  // expected rule ids, in order
  std::string first_path;          // path of the first finding ("" when none)
  ImmutableSubjects immutable = ImmutableSubjects::kUnknown;
};

void PrintTo(const LintCase& c, std::ostream* os) { *os << c.name; }

class LintRules : public testing::TestWithParam<LintCase> {};

TEST_P(LintRules, ReportsExactlyTheExpectedFindings) {
  const auto policy = parse_policy(GetParam().policy);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  const auto findings = lint_policy(*policy, {GetParam().immutable});
  std::vector<std::string> rules;
  for (const auto& f : findings) {
    rules.push_back(f.rule);
    EXPECT_FALSE(f.message.empty());
    EXPECT_FALSE(f.fix.empty());
  }
  EXPECT_EQ(rules, GetParam().rules);
  if (!findings.empty()) {
    EXPECT_EQ(findings.front().path, GetParam().first_path);
  }
}

const std::string kSubPath = R"($.Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"])";

INSTANTIATE_TEST_SUITE_P(
    Table, LintRules,
    testing::Values(
        LintCase{"SeedPolicyIsClean", with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"})"), {}, ""},
        LintCase{"DuplicateKey", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":")" + std::string(kProvider) +
                     R"("},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:o/r:ref:refs/heads/main"}}}]})",
                 {"IAM001", "GHA007"}, "$.Statement[0].Condition"},
        LintCase{"NoSubCondition", trust(R"({"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}})"), {"GHA001"}, "$.Statement[0]"},
        LintCase{"OwnerWildcard", with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:*/app:*"})"), {"GHA002"}, kSubPath},
        LintCase{"RepositoryWildcard", with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/*:ref:refs/heads/main"})"), {"GHA003"}, kSubPath},
        LintCase{"AnyRef", with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:*"})"), {"GHA004", "GHA009"}, kSubPath},
        LintCase{"WildcardUnderStringEquals", trust(R"({"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/*"}})"),
                 {"GHA005"}, R"($.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"])"},
        LintCase{"ForAllValuesInAllow", with_aud(R"("ForAllValues:StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"})"),
                 {"GHA006"}, R"($.Statement[0].Condition["ForAllValues:StringLike"]["token.actions.githubusercontent.com:sub"])"},
        LintCase{"AudienceMissing", trust(R"({"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"}})"), {"GHA007"}, "$.Statement[0]"},
        LintCase{"AudienceWrong", trust(R"({"StringEquals":{"token.actions.githubusercontent.com:aud":"https://github.com/octo"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"}})"),
                 {"GHA008"}, R"($.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"])"},
        LintCase{"PullRequestAdmitted", with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":["repo:octo/app:ref:refs/heads/main","repo:octo/app:pull_request"]})"), {"GHA009"}, kSubPath},
        LintCase{"NameOnlySubjectWithImmutableRepository", with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"})"), {"GHA010"}, kSubPath, ImmutableSubjects::kYes},
        LintCase{"ImmutableSubjectIsClean", with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo@1/app@2:ref:refs/heads/main"})"), {}, "", ImmutableSubjects::kYes},
        LintCase{"PrincipalStar", trust(R"({"StringEquals":{"aws:PrincipalAccount":"123456789012"}})", "\"*\""), {"IAM002"}, "$.Statement[0].Principal"},
        LintCase{"PowerUser", identity(R"({"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"})"), {"IAM003"}, "$.Statement[0].NotAction"},
        LintCase{"EcrStar", identity(R"({"Effect":"Allow","Action":"ecr:*","Resource":"arn:aws:ecr:ap-northeast-1:123456789012:repository/app"})"), {"IAM004"}, "$.Statement[0].Action"},
        LintCase{"SeedEcrPolicyOnStar", identity(R"({"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:PutImage"],"Resource":"*"})"), {"IAM005"}, "$.Statement[0].Resource"},
        LintCase{"ForAnyValueIfExists", identity(R"({"Effect":"Deny","Action":"ecr:PutImage","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"env*"}}})"),
                 {"IAM006"}, R"($.Statement[0].Condition["ForAnyValue:StringLikeIfExists"]["aws:TagKeys"])"},
        LintCase{"TokenOnStarIsClean", identity(R"({"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"})"), {}, ""}),
    [](const testing::TestParamInfo<LintCase>& param) { return std::string(param.param.name); });

// Issue 13, item 6: findings echo values cut to one line, and a document of
// nothing but duplicates lists the first 100 and counts the rest.
std::vector<std::string> rules_of(const std::string& text, const LintOptions& options) {
  const auto policy = parse_policy(text);
  EXPECT_TRUE(policy.has_value());
  std::vector<std::string> rules;
  for (const auto& f : lint_policy(*policy, options)) rules.push_back(f.rule);
  return rules;
}

// Issue 15: the reverse of GHA010, and a migration listing both forms is clean either way.
TEST(LintSubjectForm, EachFormIsJudgedAgainstTheRepositorysForm) {
  const std::string name = with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"})");
  const std::string immutable = with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo@1/app@2:ref:refs/heads/main"})");
  const std::string both = with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":["repo:octo/app:ref:refs/heads/main","repo:octo@1/app@2:ref:refs/heads/main"]})");
  LintOptions yes{ImmutableSubjects::kYes};
  LintOptions no{ImmutableSubjects::kNo};
  EXPECT_EQ(rules_of(name, yes), std::vector<std::string>{"GHA010"});
  EXPECT_EQ(rules_of(immutable, no), std::vector<std::string>{"GHA012"});
  EXPECT_TRUE(rules_of(immutable, yes).empty());
  EXPECT_TRUE(rules_of(name, no).empty());
  EXPECT_TRUE(rules_of(both, yes).empty());
  EXPECT_TRUE(rules_of(both, no).empty());
  const auto findings = lint_policy(*parse_policy(immutable), no);
  EXPECT_EQ(findings.at(0).message, "sub \"repo:octo@1/app@2:ref:refs/heads/main\" uses owner and repository ids, but the "
                                    "repository uses name subjects: it never matches");
}

// Issue 15 item 3: a trust policy that lets any workflow of the admitted refs assume the role.
TEST(LintAnyWorkflow, FlagsATrustPolicyWithoutAWorkflowCondition) {
  LintOptions options;
  options.flag_any_workflow = true;
  const std::string any = with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"})");
  const auto findings = lint_policy(*parse_policy(any), options);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "GHA011");
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  EXPECT_EQ(findings[0].path, "$.Statement[0]");
  EXPECT_EQ(findings[0].message, "no condition on token.actions.githubusercontent.com:job_workflow_ref: any workflow of "
                                 "the admitted refs that is given id-token: write can assume the role");
  EXPECT_TRUE(lint_policy(*parse_policy(any)).empty());  // off unless asked (audit)
  const std::string pinned = with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main","token.actions.githubusercontent.com:job_workflow_ref":"octo/app/.github/workflows/deploy.yml@refs/heads/main"})");
  EXPECT_TRUE(rules_of(pinned, options).empty());
  const std::string in_sub = with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main:job_workflow_ref:octo/app/.github/workflows/deploy.yml@refs/heads/main"})");
  EXPECT_TRUE(rules_of(in_sub, options).empty());
  const std::string negated = with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo/app:ref:refs/heads/main"},"StringNotEquals":{"token.actions.githubusercontent.com:job_workflow_ref":"octo/app/.github/workflows/x.yml@refs/heads/main"})");
  EXPECT_EQ(rules_of(negated, options), std::vector<std::string>{"GHA011"});
}

TEST(LintLimits, LongSubjectsAreEchoedCut) {
  const std::string owner(5'000, 'o');
  const auto policy = parse_policy(with_aud(R"("StringLike":{"token.actions.githubusercontent.com:sub":"repo:)" + owner + R"(/*:*"})"));
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  const auto findings = lint_policy(*policy);
  ASSERT_EQ(findings.size(), 2u);
  const std::string sub = "\"repo:" + std::string(95, 'o') + "…\" (5009 bytes)";
  EXPECT_EQ(findings[0].message, "sub " + sub + " has a wildcard in the repository name: every matching repository of \"" +
                                     std::string(100, 'o') + "…\" (5000 bytes) can assume the role");
  EXPECT_EQ(findings[1].fix, "list the refs meant, e.g. \"repo:" + std::string(95, 'o') + "…\" (5027 bytes)");
}

TEST(LintLimits, DuplicatesBeyondTheFirstHundredAreCounted) {
  std::string keys;
  for (int i = 0; i < 150; ++i) keys += R"("k":"v",)";
  const auto policy = parse_policy(identity(R"({"Effect":"Allow","Action":"s3:GetObject","Resource":"a","Condition":{"StringEquals":{)" +
                                            keys + R"("k":"v"}}})"));
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  EXPECT_EQ(policy->duplicate_keys.size(), 100u);
  EXPECT_EQ(policy->unlisted_duplicate_keys, 50u);
  const auto findings = lint_policy(*policy);
  ASSERT_EQ(findings.size(), 101u);
  EXPECT_EQ(findings[0].path, "$.Statement[0].Condition.StringEquals");
  EXPECT_EQ(findings[100].rule, "IAM001");
  EXPECT_EQ(findings[100].path, "$");
  EXPECT_EQ(findings[100].message, "50 more duplicate keys, not listed");
}

}  // namespace
}  // namespace eem::iam
