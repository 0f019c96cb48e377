#include "iam/condition.h"

#include <gtest/gtest.h>

#include "iam/value_parsers.h"

namespace eem::iam {
namespace {

struct Case {
  const char* op;
  std::vector<std::string> expected;
  std::optional<std::vector<std::string>> actual;  // nullopt: key absent
  bool matched;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.op << (c.matched ? " matches" : " fails"); }

class ConditionTable : public testing::TestWithParam<Case> {};

TEST_P(ConditionTable, Evaluates) {
  const Case& c = GetParam();
  Condition condition{*parse_operator(c.op), "Ctx:Key", c.expected, "$"};
  RequestContext context;
  if (c.actual) {
    for (const auto& v : *c.actual) context.add("ctx:key", v);
  }
  EXPECT_EQ(evaluate_condition(condition, context, PolicyVersion::k2012).matched, c.matched);
}

using V = std::vector<std::string>;

INSTANTIATE_TEST_SUITE_P(
    Operators, ConditionTable,
    testing::Values(
        Case{"StringEquals", V{"a", "b"}, V{"b"}, true},
        Case{"StringEquals", V{"repo:o/r:*"}, V{"repo:o/r:ref:refs/heads/main"}, false},
        Case{"StringEquals", V{"A"}, V{"a"}, false},
        Case{"StringEquals", V{"a"}, std::nullopt, false},
        Case{"StringEqualsIfExists", V{"a"}, std::nullopt, true},
        Case{"StringNotEquals", V{"a"}, std::nullopt, true},
        Case{"StringNotEquals", V{"a", "b"}, V{"c"}, true},
        Case{"StringNotEquals", V{"a", "b"}, V{"b"}, false},
        Case{"StringEqualsIgnoreCase", V{"ABC"}, V{"abc"}, true},
        Case{"StringNotEqualsIgnoreCase", V{"ABC"}, V{"abc"}, false},
        Case{"StringLike", V{"repo:o/r:*"}, V{"repo:o/r:ref:refs/heads/main"}, true},
        Case{"StringLike", V{"a?c"}, V{"abc"}, true},
        Case{"StringLike", V{"a?c"}, V{"ac"}, false},
        Case{"StringNotLike", V{"a*"}, V{"abc"}, false},
        Case{"NumericLessThan", V{"10"}, V{"9.5"}, true},
        Case{"NumericLessThan", V{"10"}, V{"ten"}, false},
        Case{"NumericGreaterThanEquals", V{"10"}, V{"10"}, true},
        Case{"NumericNotEquals", V{"10"}, V{"10"}, false},
        Case{"DateLessThan", V{"2026-07-15T00:00:00Z"}, V{"2026-07-14T23:59:59Z"}, true},
        Case{"DateGreaterThan", V{"2026-07-15"}, V{"1784073601"}, true},
        Case{"DateEquals", V{"2026-07-15T09:00:00+09:00"}, V{"2026-07-15T00:00:00Z"}, true},
        Case{"Bool", V{"true"}, V{"true"}, true},
        Case{"Bool", V{"true"}, V{"false"}, false},
        Case{"BinaryEquals", V{"QmluYXJ5"}, V{"QmluYXJ5"}, true},
        Case{"IpAddress", V{"10.0.0.0/8"}, V{"10.1.2.3"}, true},
        Case{"IpAddress", V{"10.0.0.0/8"}, V{"11.1.2.3"}, false},
        Case{"NotIpAddress", V{"2001:db8::/32"}, V{"2001:db8::1"}, false},
        Case{"ArnLike", V{"arn:aws:iam::*:role/ci-*"}, V{"arn:aws:iam::123456789012:role/ci-deploy"}, true},
        Case{"ArnEquals", V{"arn:aws:iam::123456789012:role/x"}, V{"arn:aws:iam::123456789012:role/y"}, false},
        Case{"ArnNotLike", V{"arn:aws:iam::*:role/x"}, V{"arn:aws:iam::1:role/y"}, true},
        Case{"Null", V{"true"}, std::nullopt, true},
        Case{"Null", V{"false"}, std::nullopt, false},
        Case{"Null", V{"false"}, V{"x"}, true},
        Case{"ForAnyValue:StringEquals", V{"a"}, V{"x", "a"}, true},
        Case{"ForAnyValue:StringEquals", V{"a"}, std::nullopt, false},
        Case{"ForAnyValue:StringNotEquals", V{"a"}, V{"a", "b"}, true},
        Case{"ForAllValues:StringEquals", V{"a", "b"}, V{"a", "b"}, true},
        Case{"ForAllValues:StringEquals", V{"a"}, V{"a", "b"}, false},
        Case{"ForAllValues:StringEquals", V{"a"}, std::nullopt, true},
        Case{"ForAllValues:StringNotEquals", V{"a"}, V{"b", "c"}, true},
        Case{"ForAllValues:StringNotEquals", V{"a"}, V{"b", "a"}, false}));

TEST(ConditionVariables, SubstitutesPolicyVariablesIn2012Policies) {
  Condition condition{*parse_operator("StringEquals"), "aws:PrincipalTag/team", {"${aws:username}"}, "$"};
  RequestContext context;
  context.add("aws:username", "alice");
  context.add("aws:PrincipalTag/team", "alice");
  EXPECT_TRUE(evaluate_condition(condition, context, PolicyVersion::k2012).matched);
  EXPECT_FALSE(evaluate_condition(condition, context, PolicyVersion::k2008).matched);
}

TEST(ConditionVariables, MissingVariableUsesDefaultOrFails) {
  RequestContext context;
  EXPECT_EQ(substitute_variables("a-${aws:username, 'x'}", context), "a-x");
  EXPECT_EQ(substitute_variables("a-${aws:username}", context), std::nullopt);
  EXPECT_EQ(substitute_variables("${*}${?}${$}", context), "*?$");
}

TEST(Wildcard, MatchesLikeIam) {
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(wildcard_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(wildcard_match("S3:get*", "s3:GetObject", CaseFold::kInsensitive));
  EXPECT_FALSE(wildcard_match("S3:get*", "s3:GetObject"));
  EXPECT_FALSE(wildcard_match(std::string(40, 'a') + "*b", std::string(2000, 'a')));
}

TEST(ValueParsers, RejectsMalformedValues) {
  EXPECT_FALSE(parse_number("").has_value());
  EXPECT_FALSE(parse_number("1e5x").has_value());
  EXPECT_FALSE(parse_date("2026-13-01").has_value());
  EXPECT_FALSE(parse_date("yesterday").has_value());
  EXPECT_FALSE(ip_in_cidr("10.0.0.1", "10.0.0.0/33"));
  EXPECT_FALSE(ip_in_cidr("::1", "10.0.0.0/8"));
  EXPECT_FALSE(arn_like("arn:aws:iam::1", "arn:aws:iam::1:role/x"));
}

}  // namespace
}  // namespace eem::iam
