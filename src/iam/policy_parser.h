#pragma once
// Parses IAM policy documents (identity policies and role trust policies).

#include <cstddef>
#include <string_view>

#include "iam/policy.h"
#include "util/error.h"

namespace eem::iam {

// Limits on the text parse_policy() reads, far above any policy IAM accepts,
// so that a hostile file costs little (issue 13, item 6). IAM's own quotas
// ("IAM and AWS STS quotas", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
// a role trust policy holds 2,048 characters by default and 8,192 at most, a
// managed policy 6,144, a role's inline policies 10,240 together, whitespace
// not counted. 128 KiB leaves twelve times the largest room for indentation.
inline constexpr std::size_t kMaxPolicyBytes = 128 * 1024;
// A policy nests six levels: policy, Statement, statement, Condition,
// operator, values. Ten times that, and the parser's work stays linear.
inline constexpr std::size_t kMaxPolicyDepth = 64;

// Parses the JSON text of a policy. Fails with kInvalidInput and a message
// that starts with the JSON path of the offending element, e.g.
// `$.Statement[0].Effect: expected "Allow" or "Deny", got "allow"`, or
// "not valid JSON: line 3, column 5: ..." for a syntax error, or a message
// naming the limit for a text over kMaxPolicyBytes or nested deeper than
// kMaxPolicyDepth. Keys and values are echoed cut to one line. Duplicate
// object keys are not an error (IAM accepts them, keeping the last one); they
// are listed in Policy::duplicate_keys for the linter and the explanation.
util::Result<Policy> parse_policy(std::string_view json_text);

}  // namespace eem::iam
