#pragma once
// Internals of trust.cpp shared with its unit tests: the text of one failed
// condition, its cause, and the corrected policy.

#include <string>
#include <string_view>
#include <vector>

#include "doctor/trust.h"
#include "iam/evaluator.h"

namespace eem::doctor {

// Appends three lines: "<op> <key> failed at <path>", "expected: ...",
// "actual: ...".
void append_condition_evidence(const iam::ConditionExplanation& condition, std::vector<std::string>& evidence);

// The known cause of `condition` failing for `claims` (src/iam/hints.cpp,
// then the causes it does not know); never empty.
std::string cause_of(const iam::ConditionExplanation& condition, const TokenClaims& claims);

// The trust policy iam::build_trust_policy makes for the run `claims`
// describe (its repository, subject format and branch, tag, environment or
// pull request), also admitting the subjects in `admitted` (the current
// policy's sub values) that are for the same repository in the same form;
// `kept` counts those. Empty for a customised subject or another kind of ref.
struct CorrectedPolicy {
  std::string json;
  std::size_t kept = 0;
};
CorrectedPolicy corrected_policy(const TokenClaims& claims, std::string_view account_id,
                                 const std::vector<std::string>& admitted);

}  // namespace eem::doctor
