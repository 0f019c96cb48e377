#include "doctor/trust.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "doctor/line_diff.h"
#include "doctor/trust_detail.h"
#include "iam/policy_parser.h"
#include "oidc/github_subject.h"
#include "util/strings.h"

namespace eem::doctor {
namespace {

iam::RequestContext context_for(const TokenClaims& claims, std::string_view account_id) {
  iam::RequestContext context;
  context.principal = "arn:aws:iam::" + std::string(account_id) + ":oidc-provider/" + issuer_host(claims.issuer);
  context.action = "sts:AssumeRoleWithWebIdentity";
  for (auto& [key, value] : oidc::condition_keys(claims.issuer, claims.sub, claims.aud, claims.extra)) {
    context.add(key, std::move(value));
  }
  return context;
}

// Allow statements that name the provider and the action: the ones whose
// conditions decide.
std::vector<const iam::StatementExplanation*> candidates(const iam::Evaluation& evaluation) {
  std::vector<const iam::StatementExplanation*> out;
  for (const auto& st : evaluation.statements) {
    if (st.effect == iam::Effect::kAllow && st.principal != iam::ElementMatch::kNotMatched &&
        st.action == iam::ElementMatch::kMatched) {
      out.push_back(&st);
    }
  }
  return out;
}

bool is_sub(const iam::ConditionExplanation& c) { return util::to_lower(c.key).ends_with(":sub"); }

// The sub values the provider's Allow statements admit (StringEquals and
// StringLike only): the corrected policy keeps them.
std::vector<std::string> admitted_subjects(const iam::Evaluation& evaluation) {
  std::vector<std::string> out;
  for (const auto* st : candidates(evaluation)) {
    for (const auto& c : st->conditions) {
      if ((c.op == "StringEquals" || c.op == "StringLike") && is_sub(c)) {
        out.insert(out.end(), c.expected.begin(), c.expected.end());
      }
    }
  }
  return out;
}

// A sub condition refused the token (rather than, say, only aud).
bool sub_refused(const iam::Evaluation& evaluation) {
  for (const auto* st : candidates(evaluation)) {
    for (const auto& c : st->conditions) {
      if (!c.matched && is_sub(c)) return true;
    }
  }
  return false;
}

void explain_denial(const iam::Evaluation& evaluation, const TokenClaims& claims, const std::string& principal,
                    TrustDiagnosis& out) {
  for (const auto& st : evaluation.statements) {
    if (st.effect == iam::Effect::kDeny && st.applies) {
      out.evidence.push_back("Deny statement " + st.path + " applies to this token");
      out.cause = "an explicit Deny in the trust policy matches the token; no Allow can override it";
      return;
    }
  }
  const auto allows = candidates(evaluation);
  if (allows.empty()) {
    out.evidence.push_back("no Allow statement names principal " + principal + " with sts:AssumeRoleWithWebIdentity");
    out.cause = "the trust policy does not trust the OIDC provider " + issuer_host(claims.issuer) +
                " for sts:AssumeRoleWithWebIdentity";
    return;
  }
  for (const auto* st : allows) {
    for (const auto& c : st->conditions) {
      if (c.matched) continue;
      append_condition_evidence(c, out.evidence);
      if (out.cause.empty()) out.cause = cause_of(c, claims);
    }
  }
}

void warn_vacuous(const iam::Evaluation& evaluation, TrustDiagnosis& out) {
  for (const auto& st : evaluation.statements) {
    if (!st.applies || st.effect != iam::Effect::kAllow) continue;
    for (const auto& c : st.conditions) {
      if (c.op.starts_with("ForAllValues:") && !c.key_present) {
        out.warnings.push_back(c.op + " " + c.key + " at " + c.path +
                               " holds only because the token has no such claim (ForAllValues is true for an "
                               "absent key): it admits tokens it was meant to refuse; use " +
                               c.op.substr(13) + " for a single-valued claim");
      }
    }
  }
}

}  // namespace

std::string issuer_host(std::string_view issuer) {
  if (const auto scheme = issuer.find("://"); scheme != std::string_view::npos) issuer.remove_prefix(scheme + 3);
  while (issuer.ends_with('/')) issuer.remove_suffix(1);
  return std::string(issuer);
}

util::Result<TrustDiagnosis> diagnose_trust(std::string_view policy_json, const TokenClaims& claims,
                                            std::string_view account_id) {
  auto policy = iam::parse_policy(policy_json);
  if (!policy) return std::unexpected(policy.error().with_context("trust policy"));
  const iam::RequestContext context = context_for(claims, account_id);
  const iam::Evaluation evaluation = iam::evaluate(*policy, context);
  TrustDiagnosis out;
  out.decision = evaluation.decision;
  out.warnings = evaluation.warnings;
  if (evaluation.decision == iam::Decision::kAllow) {
    warn_vacuous(evaluation, out);
    return out;
  }
  explain_denial(evaluation, claims, context.principal, out);
  const CorrectedPolicy corrected = corrected_policy(claims, account_id, admitted_subjects(evaluation));
  out.corrected_policy = corrected.json;
  out.widens = corrected.kept > 0 && sub_refused(evaluation);
  if (!out.corrected_policy.empty()) {
    const auto current = nlohmann::ordered_json::parse(policy_json, nullptr, false);
    const std::string pretty = current.is_discarded() ? std::string(policy_json) : current.dump(2) + "\n";
    out.diff = line_diff(pretty, out.corrected_policy);
  }
  return out;
}

}  // namespace eem::doctor
