// Condition operator names, from "IAM JSON policy elements: Condition
// operators" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
#include <array>
#include <utility>

#include "iam/policy.h"

namespace eem::iam {
namespace {

constexpr std::array<std::pair<std::string_view, BaseOperator>, 27> kOperators{{
    {"StringEquals", BaseOperator::kStringEquals},
    {"StringNotEquals", BaseOperator::kStringNotEquals},
    {"StringEqualsIgnoreCase", BaseOperator::kStringEqualsIgnoreCase},
    {"StringNotEqualsIgnoreCase", BaseOperator::kStringNotEqualsIgnoreCase},
    {"StringLike", BaseOperator::kStringLike},
    {"StringNotLike", BaseOperator::kStringNotLike},
    {"NumericEquals", BaseOperator::kNumericEquals},
    {"NumericNotEquals", BaseOperator::kNumericNotEquals},
    {"NumericLessThan", BaseOperator::kNumericLessThan},
    {"NumericLessThanEquals", BaseOperator::kNumericLessThanEquals},
    {"NumericGreaterThan", BaseOperator::kNumericGreaterThan},
    {"NumericGreaterThanEquals", BaseOperator::kNumericGreaterThanEquals},
    {"DateEquals", BaseOperator::kDateEquals},
    {"DateNotEquals", BaseOperator::kDateNotEquals},
    {"DateLessThan", BaseOperator::kDateLessThan},
    {"DateLessThanEquals", BaseOperator::kDateLessThanEquals},
    {"DateGreaterThan", BaseOperator::kDateGreaterThan},
    {"DateGreaterThanEquals", BaseOperator::kDateGreaterThanEquals},
    {"Bool", BaseOperator::kBool},
    {"BinaryEquals", BaseOperator::kBinaryEquals},
    {"IpAddress", BaseOperator::kIpAddress},
    {"NotIpAddress", BaseOperator::kNotIpAddress},
    {"ArnEquals", BaseOperator::kArnEquals},
    {"ArnNotEquals", BaseOperator::kArnNotEquals},
    {"ArnLike", BaseOperator::kArnLike},
    {"ArnNotLike", BaseOperator::kArnNotLike},
    {"Null", BaseOperator::kNull},
}};

bool consume_prefix(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::optional<ConditionOperator> parse_operator(std::string_view name) {
  ConditionOperator op;
  op.name = std::string(name);
  std::string_view rest = name;
  if (consume_prefix(rest, "ForAnyValue:")) {
    op.qualifier = SetQualifier::kForAnyValue;
  } else if (consume_prefix(rest, "ForAllValues:")) {
    op.qualifier = SetQualifier::kForAllValues;
  }
  constexpr std::string_view kIfExists = "IfExists";
  if (rest.ends_with(kIfExists)) {
    op.if_exists = IfExists::kYes;
    rest.remove_suffix(kIfExists.size());
  }
  for (const auto& [text, base] : kOperators) {
    if (text != rest) continue;
    // "NullIfExists" is meaningless and IAM rejects it.
    if (base == BaseOperator::kNull && op.if_exists == IfExists::kYes) return std::nullopt;
    op.base = base;
    return op;
  }
  return std::nullopt;
}

std::string_view base_operator_name(BaseOperator base) noexcept {
  for (const auto& [text, b] : kOperators) {
    if (b == base) return text;
  }
  return "?";
}

bool is_negated(BaseOperator base) noexcept {
  switch (base) {
    case BaseOperator::kStringNotEquals:
    case BaseOperator::kStringNotEqualsIgnoreCase:
    case BaseOperator::kStringNotLike:
    case BaseOperator::kNumericNotEquals:
    case BaseOperator::kDateNotEquals:
    case BaseOperator::kNotIpAddress:
    case BaseOperator::kArnNotEquals:
    case BaseOperator::kArnNotLike:
      return true;
    default:
      return false;
  }
}

}  // namespace eem::iam
