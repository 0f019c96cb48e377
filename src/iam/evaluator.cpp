#include "iam/evaluator.h"

#include <algorithm>

#include "iam/arn.h"
#include "iam/condition.h"
#include "iam/excerpt.h"
#include "iam/hints.h"
#include "util/strings.h"

namespace eem::iam {
namespace {

std::string account_of(std::string_view arn) {
  const auto parsed = Arn::parse(arn);
  return parsed ? parsed->account : std::string();
}

// "AWS": "123456789012" and "arn:aws:iam::123456789012:root" stand for every
// principal of the account ("Specifying a principal: AWS account principals").
bool principal_entry_matches(const Principal& entry, std::string_view principal) {
  if (entry.type == "*" || entry.value == "*") return true;
  if (entry.type == "AWS") {
    if (is_account_id(entry.value)) return account_of(principal) == entry.value;
    if (entry.value.ends_with(":root") && entry.value.starts_with("arn:")) {
      return account_of(principal) == account_of(entry.value);
    }
  }
  return entry.value == principal;
}

ElementMatch match_principal(const Statement& st, const RequestContext& context) {
  if (!st.principal) return ElementMatch::kAbsent;
  const auto& entries = st.principal->entries;
  const bool any = std::any_of(entries.begin(), entries.end(),
                               [&](const Principal& p) { return principal_entry_matches(p, context.principal); });
  const bool matched = st.principal->negation == Negation::kPositive ? any : !any;
  return matched ? ElementMatch::kMatched : ElementMatch::kNotMatched;
}

ElementMatch match_action(const Statement& st, const RequestContext& context) {
  // Action names are case-insensitive ("IAM JSON policy elements: Action").
  const bool any = std::any_of(st.actions.begin(), st.actions.end(), [&](const std::string& pattern) {
    return wildcard_match(pattern, context.action, CaseFold::kInsensitive);
  });
  const bool matched = st.action_negation == Negation::kPositive ? any : !any;
  return matched ? ElementMatch::kMatched : ElementMatch::kNotMatched;
}

ElementMatch match_resource(const Statement& st, const RequestContext& context, PolicyVersion version) {
  if (!st.resource_negation) return ElementMatch::kAbsent;
  const bool any = std::any_of(st.resources.begin(), st.resources.end(), [&](const std::string& pattern) {
    const auto resolved = version == PolicyVersion::k2012 ? substitute_variables(pattern, context)
                                                          : std::optional<std::string>(pattern);
    return resolved && wildcard_match(*resolved, context.resource);
  });
  const bool matched = *st.resource_negation == Negation::kPositive ? any : !any;
  return matched ? ElementMatch::kMatched : ElementMatch::kNotMatched;
}

StatementExplanation explain_statement(const Statement& st, const RequestContext& context, PolicyVersion version) {
  StatementExplanation out;
  out.index = st.index;
  out.sid = st.sid;
  out.effect = st.effect;
  out.path = st.path;
  out.principal = match_principal(st, context);
  out.action = match_action(st, context);
  out.resource = match_resource(st, context, version);
  bool conditions_hold = true;
  for (const auto& condition : st.conditions) {
    const ConditionOutcome outcome = evaluate_condition(condition, context, version);
    conditions_hold = conditions_hold && outcome.matched;
    out.conditions.push_back({condition.op.name, condition.key, outcome.expected, outcome.actual, outcome.key_present,
                              outcome.matched, condition.path, outcome.matched ? std::string() : likely_cause(condition, outcome)});
  }
  out.applies = out.principal != ElementMatch::kNotMatched && out.action == ElementMatch::kMatched &&
                out.resource != ElementMatch::kNotMatched && conditions_hold;
  out.summary = summarize(out);
  return out;
}

}  // namespace

std::string_view decision_name(Decision decision) noexcept {
  switch (decision) {
    case Decision::kAllow: return "Allow";
    case Decision::kExplicitDeny: return "ExplicitDeny";
    case Decision::kImplicitDeny: return "ImplicitDeny";
  }
  return "ImplicitDeny";
}

std::string_view element_match_name(ElementMatch match) noexcept {
  switch (match) {
    case ElementMatch::kMatched: return "matched";
    case ElementMatch::kNotMatched: return "not matched";
    case ElementMatch::kAbsent: return "absent";
  }
  return "absent";
}

Evaluation evaluate(const Policy& policy, const RequestContext& context) {
  Evaluation out;
  const PolicyVersion version = policy.version == "2012-10-17" ? PolicyVersion::k2012 : PolicyVersion::k2008;
  bool allowed = false;
  bool denied = false;
  for (const auto& st : policy.statements) {
    out.statements.push_back(explain_statement(st, context, version));
    if (!out.statements.back().applies) continue;
    (st.effect == Effect::kDeny ? denied : allowed) = true;
  }
  out.decision = denied ? Decision::kExplicitDeny : allowed ? Decision::kAllow : Decision::kImplicitDeny;
  for (const auto& dup : policy.duplicate_keys) {
    out.warnings.push_back("duplicate key " + detail::quoted_excerpt(dup.key) + " in " + dup.path +
                           ": IAM keeps only the last one, the others are silently ignored");
  }
  if (policy.unlisted_duplicate_keys > 0) {
    out.warnings.push_back(std::to_string(policy.unlisted_duplicate_keys) + " more duplicate keys, not listed");
  }
  return out;
}

}  // namespace eem::iam
