#pragma once
// Evaluation of one condition (operator, key, values) against a request.
// Semantics from "Condition operators" and "Multivalued context keys"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).

#include <optional>
#include <string>
#include <vector>

#include "iam/policy.h"
#include "iam/request_context.h"

namespace eem::iam {

enum class PolicyVersion { k2008, k2012 };  // 2008-10-17 has no policy variables

struct ConditionOutcome {
  bool matched = false;
  bool key_present = false;
  std::vector<std::string> actual;    // the request's values of the key
  std::vector<std::string> expected;  // the policy's values, variables substituted
};

// Evaluates `condition` against `context`: values are ORed, a negated
// operator is true when no value matches, a missing key makes the
// condition false except for negated operators, ...IfExists, ForAllValues
// and Null; a multivalued key (RequestContext::is_set) without a set
// qualifier makes it false.
ConditionOutcome evaluate_condition(const Condition& condition, const RequestContext& context,
                                    PolicyVersion version);

// True when context value `actual` satisfies the positive form of `base`
// (StringNotLike -> StringLike) against policy value `expected`.
bool value_matches(BaseOperator base, std::string_view expected, std::string_view actual);

}  // namespace eem::iam
