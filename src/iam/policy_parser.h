#pragma once
// Parses IAM policy documents (identity policies and role trust policies).

#include <string_view>

#include "iam/policy.h"
#include "util/error.h"

namespace eem::iam {

// Parses the JSON text of a policy. Fails with kInvalidInput and a message
// that starts with the JSON path of the offending element, e.g.
// `$.Statement[0].Effect: expected "Allow" or "Deny", got "allow"`, or
// "not valid JSON: line 3, column 5: ..." for a syntax error. Duplicate
// object keys are not an error (IAM accepts them, keeping the last one); they
// are listed in Policy::duplicate_keys for the linter and the explanation.
util::Result<Policy> parse_policy(std::string_view json_text);

}  // namespace eem::iam
