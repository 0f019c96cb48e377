#include "iam/policy_parser.h"

#include <gtest/gtest.h>

namespace eem::iam {
namespace {

constexpr const char* kSeedTrust = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo/app:ref:refs/heads/main"}
    }
  }]
})";

TEST(PolicyParser, ParsesTheSeedTrustPolicy) {
  const auto policy = parse_policy(kSeedTrust);
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  ASSERT_EQ(policy->statements.size(), 1u);
  const Statement& st = policy->statements[0];
  EXPECT_EQ(st.path, "$.Statement[0]");
  ASSERT_TRUE(st.principal.has_value());
  EXPECT_EQ(st.principal->entries[0].type, "Federated");
  EXPECT_EQ(st.actions, std::vector<std::string>{"sts:AssumeRoleWithWebIdentity"});
  EXPECT_FALSE(st.resource_negation.has_value());
  ASSERT_EQ(st.conditions.size(), 2u);
  EXPECT_EQ(st.conditions[1].op.base, BaseOperator::kStringLike);
  EXPECT_EQ(st.conditions[1].path, R"($.Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"])");
  EXPECT_TRUE(policy->duplicate_keys.empty());
}

TEST(PolicyParser, AcceptsStatementObjectAndScalarConditionValues) {
  const auto policy = parse_policy(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":["a","b"],)"
      R"("Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":[10, 2.5]}}}})");
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  const Statement& st = policy->statements[0];
  EXPECT_EQ(st.path, "$.Statement");
  EXPECT_EQ(st.action_negation, Negation::kNegated);
  EXPECT_EQ(st.resource_negation, Negation::kNegated);
  EXPECT_EQ(st.conditions[0].values, std::vector<std::string>{"false"});
  EXPECT_EQ(st.conditions[1].values, (std::vector<std::string>{"10", "2.5"}));
}

TEST(PolicyParser, ReportsDuplicateKeysWithTheirPath) {
  const auto policy = parse_policy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity",)"
      R"("Condition":{"StringLike":{"k:sub":"repo:a/b:*"},"StringLike":{"k:sub":"repo:c/d:*"}}}]})");
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  ASSERT_EQ(policy->duplicate_keys.size(), 1u);
  EXPECT_EQ(policy->duplicate_keys[0].key, "StringLike");
  EXPECT_EQ(policy->duplicate_keys[0].path, "$.Statement[0].Condition");
  // The last occurrence wins, as in IAM.
  EXPECT_EQ(policy->statements[0].conditions.at(0).values, std::vector<std::string>{"repo:c/d:*"});
}

TEST(PolicyParser, ParsesEveryOperatorForm) {
  for (const char* name : {"StringEquals", "ForAnyValue:StringLike", "ForAllValues:StringNotEqualsIfExists",
                           "ArnLikeIfExists", "Null", "DateGreaterThanEquals", "NotIpAddress", "BinaryEquals"}) {
    EXPECT_TRUE(parse_operator(name).has_value()) << name;
  }
  for (const char* name : {"stringequals", "StringEqual", "NullIfExists", "ForAnyValues:StringLike", ""}) {
    EXPECT_FALSE(parse_operator(name).has_value()) << name;
  }
  const auto op = parse_operator("ForAllValues:StringNotEqualsIfExists");
  EXPECT_EQ(op->base, BaseOperator::kStringNotEquals);
  EXPECT_EQ(op->qualifier, SetQualifier::kForAllValues);
  EXPECT_EQ(op->if_exists, IfExists::kYes);
}

struct BadDocument {
  const char* json;
  const char* message;
};

void PrintTo(const BadDocument& d, std::ostream* os) { *os << d.message; }

class PolicyParserRejects : public testing::TestWithParam<BadDocument> {};

TEST_P(PolicyParserRejects, WithAPreciseMessage) {
  const auto policy = parse_policy(GetParam().json);
  ASSERT_FALSE(policy.has_value());
  EXPECT_EQ(policy.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(policy.error().message, GetParam().message);
}

constexpr const char* kA = R"("Effect":"Allow","Action":"s3:GetObject","Resource":"*")";

INSTANTIATE_TEST_SUITE_P(
    Table, PolicyParserRejects,
    testing::Values(
        BadDocument{"", "not valid JSON: line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"},
        BadDocument{"{\n  \"Version\": }", "not valid JSON: line 2, column 14: syntax error while parsing value - unexpected '}'; expected '[', '{', or a literal"},
        BadDocument{"[]", "$: expected a policy object, got an array"},
        BadDocument{R"({"Version":"2012-10-17"})", "$: missing Statement"},
        BadDocument{R"({"Version":"2012-10-17","Statement":[]})", "$.Statement: expected at least one statement, got an empty array"},
        BadDocument{R"({"Version":"2012-10-18","Statement":[]})", R"($.Version: expected "2012-10-17" or "2008-10-17", got "2012-10-18")"},
        BadDocument{R"({"Statement":{"Effect":"allow","Action":"s3:*"}})", R"($.Statement.Effect: expected "Allow" or "Deny", got "allow")"},
        BadDocument{R"({"Statement":[{"Action":"s3:*"}]})", "$.Statement[0]: missing Effect"},
        BadDocument{R"({"Statement":[{"Effect":"Allow"}]})", "$.Statement[0]: missing Action (or NotAction)"},
        BadDocument{R"({"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:*"}]})", "$.Statement[0]: has both Action and NotAction"},
        BadDocument{R"({"Statement":[{"Effect":"Allow","Action":["s3:*",3]}]})", "$.Statement[0].Action[1]: expected a string, got a number"},
        BadDocument{R"({"Statement":[{"Effect":"Allow","Action":"GetObject"}]})", R"($.Statement[0].Action: action "GetObject" is not of the form service:action)"},
        BadDocument{R"({"Statement":[{"Effect":"Allow","Action":[]}]})", "$.Statement[0].Action: expected at least one value, got an empty array"},
        BadDocument{R"({"Statement":["x"]})", R"($.Statement[0]: expected a statement object, got a string "x")"},
        BadDocument{R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":"me"}]})", R"($.Statement[0].Principal: expected "*" or an object, got a string "me")"},
        BadDocument{R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Principal":{"Github":"x"}}]})", R"($.Statement[0].Principal.Github: unknown principal type "Github" (expected AWS, Federated, Service or CanonicalUser))"},
        BadDocument{R"({"Statement":[{)" "\"Effect\":\"Allow\",\"Action\":\"s3:*\"" R"(,"Condition":{"StringEqual":{"a":"b"}}}]})", R"($.Statement[0].Condition.StringEqual: unknown condition operator "StringEqual")"},
        BadDocument{R"({"Statement":[{)" "\"Effect\":\"Allow\",\"Action\":\"s3:*\"" R"(,"Condition":{"StringEquals":{"a:b":[]}}}]})", R"($.Statement[0].Condition.StringEquals["a:b"]: expected at least one value, got an empty array)"},
        BadDocument{R"({"Statement":[{)" "\"Effect\":\"Allow\",\"Action\":\"s3:*\"" R"(,"Condition":{"StringEquals":{"a":{"x":1}}}}]})", "$.Statement[0].Condition.StringEquals.a: expected a string, number or boolean, got an object"},
        BadDocument{R"({"Statement":[{)" "\"Effect\":\"Allow\",\"Action\":\"s3:*\"" R"(,"Conditions":{}}]})", R"($.Statement[0].Conditions: unknown statement element "Conditions")"},
        BadDocument{R"({"Statement":[{)" "\"Effect\":\"Allow\",\"Action\":\"s3:*\"" R"(}],"Extra":1})", R"($.Extra: unknown policy element "Extra")"}));

TEST(PolicyParser, ValidStatementFragmentParses) {
  EXPECT_TRUE(parse_policy(std::string("{\"Statement\":{") + kA + "}}").has_value());
}

// Issue 13, item 6: hostile documents cost little and come back as one line.

std::string nested(std::size_t depth, std::string_view inner) {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

TEST(PolicyLimits, RefusesADocumentOverTheSizeLimitBeforeParsingIt) {
  const std::string text = std::string("{\"Statement\":{") + kA + "}}" + std::string(kMaxPolicyBytes, ' ');
  const auto policy = parse_policy(text);
  ASSERT_FALSE(policy.has_value());
  EXPECT_EQ(policy.error().message, "$: the document is " + std::to_string(text.size()) +
                                        " bytes, over the limit of 131072; IAM accepts at most 10,240 characters");
}

TEST(PolicyLimits, ADocumentAtTheSizeLimitParses) {
  std::string text = std::string("{\"Statement\":{") + kA + "}}";
  text += std::string(kMaxPolicyBytes - text.size(), '\n');
  EXPECT_TRUE(parse_policy(text).has_value());
}

TEST(PolicyLimits, RefusesNestingDeeperThanTheLimit) {
  constexpr const char* kDeep =
      "$: JSON nested more than 64 levels deep; an IAM policy nests at most 6 (policy, Statement, statement, "
      "Condition, operator, values)";
  for (const std::string& text :
       {nested(kMaxPolicyDepth + 1, ""), nested(60'000, ""),
        // inside a condition value, where arrays are legal
        std::string("{\"Statement\":{") + kA + ",\"Condition\":{\"StringEquals\":{\"k\":" + nested(61, "\"v\"") + "}}}}"}) {
    const auto policy = parse_policy(text);
    ASSERT_FALSE(policy.has_value());
    EXPECT_EQ(policy.error().message, kDeep) << text.substr(0, 80);
  }
  // At the limit, the grammar decides.
  EXPECT_EQ(parse_policy(nested(kMaxPolicyDepth, "")).error().message, "$: expected a policy object, got an array");
}

TEST(PolicyLimits, DuplicateKeysDeepInTheDocumentHaveTheirPath) {
  const auto policy = parse_policy(std::string("{\"Statement\":[{") + kA + "},{" + kA +
                                   R"(,"Condition":{"StringLike":{"a:b":"1","a:b":"2"}},"Sid":"x","Sid":"y"}]})");
  ASSERT_TRUE(policy.has_value()) << policy.error().message;
  ASSERT_EQ(policy->duplicate_keys.size(), 2u);
  EXPECT_EQ(policy->duplicate_keys[0].path, "$.Statement[1].Condition.StringLike");
  EXPECT_EQ(policy->duplicate_keys[0].key, "a:b");
  EXPECT_EQ(policy->duplicate_keys[1].path, "$.Statement[1]");
  EXPECT_EQ(policy->duplicate_keys[1].key, "Sid");
}

TEST(PolicyLimits, LongValuesAndKeysAreEchoedCutToOneLine) {
  const std::string action(100'000, 'x');
  auto policy = parse_policy(R"({"Statement":{"Effect":"Allow","Action":")" + action + "\"}}");
  ASSERT_FALSE(policy.has_value());
  EXPECT_EQ(policy.error().message,
            "$.Statement.Action: action \"" + action.substr(0, 100) + "…\" (100000 bytes) is not of the form service:action");

  const std::string key(5'000, 'k');
  policy = parse_policy(std::string("{\"Statement\":{") + kA + ",\"" + key + "\":1}}");
  ASSERT_FALSE(policy.has_value());
  EXPECT_EQ(policy.error().message, "$.Statement[\"" + key.substr(0, 100) + "…\"]: unknown statement element \"" +
                                        key.substr(0, 100) + "…\" (5000 bytes)");

  // Cut at a character boundary: 99 ASCII bytes, then two-byte characters.
  const std::string effect = std::string(99, 'e') + "éééé";
  policy = parse_policy(R"({"Statement":{"Effect":")" + effect + R"(","Action":"s3:*"}})");
  ASSERT_FALSE(policy.has_value());
  EXPECT_EQ(policy.error().message, "$.Statement.Effect: expected \"Allow\" or \"Deny\", got \"" + std::string(99, 'e') +
                                        "…\" (107 bytes)");
  policy = parse_policy(R"({"Statement":{"Effect":{"a":")" + action + R"("},"Action":"s3:*"}})");
  EXPECT_EQ(policy.error().message, "$.Statement.Effect: expected \"Allow\" or \"Deny\", got an object");
}

TEST(PolicyLimits, ParserReasonsAreCutToALine) {
  const std::string digits(1'000, '9');
  const auto policy = parse_policy(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Condition":{"NumericEquals":{"k":1)" +
                                   digits + "e400}}}}");
  ASSERT_FALSE(policy.has_value());
  EXPECT_EQ(policy.error().message,
            "not valid JSON: line 1, column 1086: number overflow parsing '1" + std::string(174, '9') + "…");
}

}  // namespace
}  // namespace eem::iam
