#include "iam/hints.h"

#include <algorithm>

#include "iam/excerpt.h"
#include "iam/request_context.h"
#include "util/strings.h"

namespace eem::iam {
namespace {

constexpr std::string_view kAudience = "sts.amazonaws.com";

bool any_of(const std::vector<std::string>& values, auto predicate) {
  return std::any_of(values.begin(), values.end(), predicate);
}

bool has_wildcard(const std::string& v) { return v.find_first_of("*?") != std::string::npos; }

// "repo:OWNER/REPO:..." -> "OWNER/REPO" (empty when `sub` is not of that form).
std::string_view sub_repository(std::string_view sub) {
  if (!sub.starts_with("repo:")) return {};
  sub.remove_prefix(5);
  return sub.substr(0, sub.find(':'));
}

std::string quoted(std::string_view s) { return detail::quoted_excerpt(s); }

std::string sub_cause(const std::string& actual, const std::vector<std::string>& expected) {
  const auto mentions = [&](std::string_view part) {
    return any_of(expected, [&](const std::string& e) { return e.find(part) != std::string::npos; });
  };
  if (actual.find(":environment:") != std::string::npos && !mentions(":environment:")) {
    return "the job uses a GitHub environment, so its sub is " + quoted(actual) +
           " instead of the branch form; admit the environment's sub or drop the job's environment";
  }
  if (actual.ends_with(":pull_request") && !mentions(":pull_request")) {
    return "the workflow was triggered by a pull request, so its sub is " + quoted(actual) +
           "; pull requests are not admitted (keep it that way unless they must deploy)";
  }
  const std::string_view repo = sub_repository(actual);
  if (repo.find('@') != std::string_view::npos && !mentions("@")) {
    return "the repository uses immutable subjects (" + quoted(actual) +
           "): a name-only sub never matches; use repo:OWNER@OWNER_ID/REPO@REPO_ID:... in the condition";
  }
  if (!repo.empty() && !any_of(expected, [&](const std::string& e) {
        return wildcard_match(sub_repository(e), repo);
      })) {
    return "the token is for repository " + quoted(repo) + ", which the condition does not admit";
  }
  return {};
}

}  // namespace

std::string likely_cause(const Condition& condition, const ConditionOutcome& outcome) {
  const std::string key = util::to_lower(condition.key);
  if (!outcome.key_present) {
    return "the request has no value for " + condition.key;
  }
  const BaseOperator base = condition.op.base;
  if (condition.op.qualifier == SetQualifier::kNone && outcome.actual.size() > 1) {
    return condition.key + " has several values: use ForAnyValue: or ForAllValues: with a multivalued key";
  }
  if (base == BaseOperator::kStringEquals && any_of(outcome.expected, has_wildcard)) {
    const bool would_match = any_of(outcome.actual, [&](const std::string& a) {
      return any_of(outcome.expected, [&](const std::string& e) { return wildcard_match(e, a); });
    });
    return std::string("StringEquals treats \"*\" and \"?\" literally") +
           (would_match ? " (the value would match under StringLike)" : "") + "; use StringLike for wildcards";
  }
  const bool positive_string = base == BaseOperator::kStringEquals || base == BaseOperator::kStringLike;
  if (positive_string && any_of(outcome.actual, [&](const std::string& a) {
        return any_of(outcome.expected, [&](const std::string& e) { return wildcard_match(e, a, CaseFold::kInsensitive); });
      })) {
    return "case differs: condition values are compared case-sensitively, and GitHub spells the owner and "
           "repository as in the token";
  }
  if (key.ends_with(":sub") && outcome.actual.size() == 1) {
    if (auto cause = sub_cause(outcome.actual.front(), outcome.expected); !cause.empty()) return cause;
  }
  if (key.ends_with(":aud") && !any_of(outcome.actual, [](const std::string& a) { return a == kAudience; })) {
    return "the token's audience is not sts.amazonaws.com; request the token with audience sts.amazonaws.com "
           "(aws-actions/configure-aws-credentials does) and list it as the provider's client id";
  }
  return {};
}

std::string summarize(const StatementExplanation& st) {
  const std::string effect = st.effect == Effect::kAllow ? "Allow" : "Deny";
  if (st.applies) return effect + " statement applies: every element and condition matched";
  if (st.principal == ElementMatch::kNotMatched) return effect + " statement does not apply: principal not matched";
  if (st.action == ElementMatch::kNotMatched) return effect + " statement does not apply: action not matched";
  if (st.resource == ElementMatch::kNotMatched) return effect + " statement does not apply: resource not matched";
  for (const auto& c : st.conditions) {
    if (c.matched) continue;
    std::string line = effect + " statement does not apply: condition " + c.op + " " + c.key + " failed";
    if (!c.likely_cause.empty()) line += " (" + c.likely_cause + ")";
    return line;
  }
  return effect + " statement does not apply";
}

}  // namespace eem::iam
