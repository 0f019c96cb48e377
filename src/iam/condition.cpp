#include "iam/condition.h"

#include <algorithm>

#include "iam/value_parsers.h"
#include "util/strings.h"

namespace eem::iam {
namespace {

enum class Family { kString, kStringCi, kLike, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };

Family family(BaseOperator base) {
  switch (base) {
    case BaseOperator::kStringEquals:
    case BaseOperator::kStringNotEquals: return Family::kString;
    case BaseOperator::kStringEqualsIgnoreCase:
    case BaseOperator::kStringNotEqualsIgnoreCase: return Family::kStringCi;
    case BaseOperator::kStringLike:
    case BaseOperator::kStringNotLike: return Family::kLike;
    case BaseOperator::kBool: return Family::kBool;
    case BaseOperator::kBinaryEquals: return Family::kBinary;
    case BaseOperator::kIpAddress:
    case BaseOperator::kNotIpAddress: return Family::kIp;
    case BaseOperator::kArnEquals:
    case BaseOperator::kArnNotEquals:
    case BaseOperator::kArnLike:
    case BaseOperator::kArnNotLike: return Family::kArn;
    case BaseOperator::kNull: return Family::kNull;
    case BaseOperator::kDateEquals:
    case BaseOperator::kDateNotEquals:
    case BaseOperator::kDateLessThan:
    case BaseOperator::kDateLessThanEquals:
    case BaseOperator::kDateGreaterThan:
    case BaseOperator::kDateGreaterThanEquals: return Family::kDate;
    default: return Family::kNumeric;
  }
}

// -1, 0, 1 comparison to the operator's verdict; Equals/NotEquals share one.
bool compare(BaseOperator base, double actual, double expected) {
  switch (base) {
    case BaseOperator::kNumericLessThan:
    case BaseOperator::kDateLessThan: return actual < expected;
    case BaseOperator::kNumericLessThanEquals:
    case BaseOperator::kDateLessThanEquals: return actual <= expected;
    case BaseOperator::kNumericGreaterThan:
    case BaseOperator::kDateGreaterThan: return actual > expected;
    case BaseOperator::kNumericGreaterThanEquals:
    case BaseOperator::kDateGreaterThanEquals: return actual >= expected;
    default: return actual == expected;
  }
}

// Policy variables are honoured by string and ARN operators only.
bool takes_variables(BaseOperator base) {
  const Family f = family(base);
  return f == Family::kString || f == Family::kStringCi || f == Family::kLike || f == Family::kArn;
}

// Does any expected value match `actual`? (the OR across policy values)
bool any_expected_matches(BaseOperator base, const std::vector<std::optional<std::string>>& expected,
                          std::string_view actual) {
  return std::any_of(expected.begin(), expected.end(), [&](const std::optional<std::string>& e) {
    return e.has_value() && value_matches(base, *e, actual);
  });
}

bool evaluate_null(const Condition& condition, bool present) {
  // "Null": true means the key must be absent, false that it must be present.
  return std::any_of(condition.values.begin(), condition.values.end(), [&](const std::string& v) {
    if (util::iequals(v, "true")) return !present;
    if (util::iequals(v, "false")) return present;
    return false;
  });
}

}  // namespace

bool value_matches(BaseOperator base, std::string_view expected, std::string_view actual) {
  switch (family(base)) {
    case Family::kString: return expected == actual;
    case Family::kStringCi: return util::iequals(expected, actual);
    case Family::kLike: return wildcard_match(expected, actual);
    case Family::kBool: return util::iequals(expected, actual);
    case Family::kBinary: return expected == actual;
    case Family::kIp: return ip_in_cidr(actual, expected);
    case Family::kArn: return arn_like(expected, actual);
    case Family::kNull: return false;
    case Family::kNumeric: {
      const auto a = parse_number(actual);
      const auto e = parse_number(expected);
      return a && e && compare(base, *a, *e);
    }
    case Family::kDate: {
      const auto a = parse_date(actual);
      const auto e = parse_date(expected);
      return a && e && compare(base, *a, *e);
    }
  }
  return false;
}

ConditionOutcome evaluate_condition(const Condition& condition, const RequestContext& context,
                                    PolicyVersion version) {
  ConditionOutcome out;
  const auto* values = context.find(condition.key);
  out.key_present = values != nullptr;
  if (values != nullptr) out.actual = *values;
  const BaseOperator base = condition.op.base;
  if (base == BaseOperator::kNull) {
    out.expected = condition.values;
    out.matched = evaluate_null(condition, out.key_present);
    return out;
  }
  std::vector<std::optional<std::string>> expected;
  for (const auto& v : condition.values) {
    auto resolved = (version == PolicyVersion::k2012 && takes_variables(base)) ? substitute_variables(v, context)
                                                                               : std::optional<std::string>(v);
    out.expected.push_back(resolved.value_or(v));
    expected.push_back(std::move(resolved));
  }
  const bool negated = is_negated(base);
  const SetQualifier qualifier = condition.op.qualifier;
  if (values == nullptr) {
    if (qualifier == SetQualifier::kForAllValues) {
      out.matched = true;  // vacuous truth: the documented ForAllValues pitfall
    } else if (qualifier == SetQualifier::kForAnyValue) {
      out.matched = condition.op.if_exists == IfExists::kYes;
    } else {
      out.matched = condition.op.if_exists == IfExists::kYes || negated;
    }
    return out;
  }
  auto hit = [&](const std::string& actual) { return any_expected_matches(base, expected, actual); };
  if (qualifier == SetQualifier::kForAllValues) {
    out.matched = negated ? std::none_of(values->begin(), values->end(), hit)
                          : std::all_of(values->begin(), values->end(), hit);
  } else if (qualifier == SetQualifier::kForAnyValue) {
    out.matched = negated ? !std::all_of(values->begin(), values->end(), hit)
                          : std::any_of(values->begin(), values->end(), hit);
  } else if (context.is_set(condition.key)) {
    // A multivalued key needs a set operator; without one the condition is
    // false, negated operators included (see docs/policy-differential.md).
    out.matched = false;
  } else {
    const bool any = std::any_of(values->begin(), values->end(), hit);
    out.matched = negated ? !any : any;
  }
  return out;
}

}  // namespace eem::iam
