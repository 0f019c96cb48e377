#pragma once
// Turns a failed condition into the likely mistake behind it, and a
// statement's verdict into one line. The causes are the common reasons for
// "Not authorized to perform sts:AssumeRoleWithWebIdentity" (DESIGN.md
// section 3; GitHub docs "Configuring OpenID Connect in Amazon Web Services").

#include <string>

#include "iam/condition.h"
#include "iam/evaluator.h"
#include "iam/policy.h"

namespace eem::iam {

// A sentence naming the likely cause of `condition` failing with `outcome`,
// or "" when none of the known mistakes fits.
std::string likely_cause(const Condition& condition, const ConditionOutcome& outcome);

// "Allow statement applies", or what made the statement not apply.
std::string summarize(const StatementExplanation& statement);

}  // namespace eem::iam
