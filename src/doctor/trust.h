#pragma once
// Why a role's trust policy refuses (or admits) a GitHub Actions token:
// the policy is evaluated with src/iam's evaluator against the token's
// condition keys, the failing condition is named with its operator, key,
// expected and actual values, the known cause is recognised (DESIGN.md
// section 3), and a corrected policy from iam::build_trust_policy is shown
// as a diff.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "iam/evaluator.h"
#include "util/error.h"

namespace eem::doctor {

// GitHub's issuer and the audience STS expects (GitHub docs "Configuring
// OpenID Connect in Amazon Web Services").
inline constexpr std::string_view kGithubIssuer = "https://token.actions.githubusercontent.com";
inline constexpr std::string_view kStsAudience = "sts.amazonaws.com";

// What a token says, as IAM sees it.
struct TokenClaims {
  std::string issuer;  // kGithubIssuer unless a token says otherwise
  std::string sub;
  std::vector<std::string> aud;
  std::vector<std::pair<std::string, std::string>> extra;  // repository, ref, environment, ...
  std::string origin;  // where they came from, e.g. "the token in ci.jwt"
};

struct TrustDiagnosis {
  iam::Decision decision = iam::Decision::kImplicitDeny;
  std::vector<std::string> evidence;  // the failing condition(s), one fact a line
  std::string cause;                  // one sentence; empty when the token is admitted
  std::vector<std::string> warnings;  // e.g. an Allow that holds only through ForAllValues
  std::string corrected_policy;       // a policy that admits this run; empty when none can be built
  bool widens = false;                // it adds this run's sub to those the current policy admits
  std::string diff;                   // line_diff(current, corrected)
};

// "token.actions.githubusercontent.com" for "https://token.actions.githubusercontent.com/".
std::string issuer_host(std::string_view issuer);

// Evaluates `policy_json` (a role trust policy) for AssumeRoleWithWebIdentity
// by the OIDC provider of `claims.issuer` in `account_id`. kInvalidInput when
// the policy does not parse.
util::Result<TrustDiagnosis> diagnose_trust(std::string_view policy_json, const TokenClaims& claims,
                                            std::string_view account_id);

}  // namespace eem::doctor
