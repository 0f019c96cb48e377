#pragma once
// Evaluates one policy against one request like IAM does (explicit deny over
// allow over implicit deny), and explains every statement's verdict.
// Reference: "Policy evaluation logic"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "iam/policy.h"
#include "iam/request_context.h"

namespace eem::iam {

enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };
std::string_view decision_name(Decision decision) noexcept;  // "Allow", "ExplicitDeny", "ImplicitDeny"

enum class ElementMatch { kMatched, kNotMatched, kAbsent };  // kAbsent: the statement has no such element
std::string_view element_match_name(ElementMatch match) noexcept;  // "matched", "not matched", "absent"

struct ConditionExplanation {
  std::string op;   // as written, e.g. "StringLike"
  std::string key;  // as written
  std::vector<std::string> expected;
  std::vector<std::string> actual;  // empty when the key is absent
  bool key_present = false;
  bool matched = false;
  std::string path;          // JSON path of the key in the policy
  std::string likely_cause;  // empty unless a known mistake fits (hints.h)
};

struct StatementExplanation {
  std::size_t index = 0;
  std::string sid;
  Effect effect = Effect::kAllow;
  std::string path;
  ElementMatch principal = ElementMatch::kAbsent;
  ElementMatch action = ElementMatch::kNotMatched;
  ElementMatch resource = ElementMatch::kAbsent;
  std::vector<ConditionExplanation> conditions;  // all of them, matched or not
  bool applies = false;  // every element and every condition matched
  std::string summary;   // one line a person can act on
};

struct Evaluation {
  Decision decision = Decision::kImplicitDeny;
  std::vector<StatementExplanation> statements;
  std::vector<std::string> warnings;  // e.g. duplicate JSON keys in the policy
};

// Evaluates `policy` for `context`. Statements with a Principal element are
// checked against context.principal (resource and trust policies); statements
// without one apply to any principal (identity policies). A statement without
// a Resource element matches any resource (trust policies have none).
Evaluation evaluate(const Policy& policy, const RequestContext& context);

}  // namespace eem::iam
