#pragma once
// The IAM policy language as data: what policy_parser.h produces and
// evaluator.h consumes. Grammar: AWS "IAM JSON policy element reference"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace eem::iam {

enum class Effect { kAllow, kDeny };

// One entry of a Principal / NotPrincipal block. `type` is "AWS",
// "Federated", "Service", "CanonicalUser", or "*" for `"Principal": "*"`.
struct Principal {
  std::string type;
  std::string value;
};

enum class Negation { kPositive, kNegated };

struct PrincipalBlock {
  Negation negation = Negation::kPositive;  // kNegated for NotPrincipal
  std::vector<Principal> entries;
};

// The base operator, without the IfExists suffix or a set qualifier.
enum class BaseOperator {
  kStringEquals, kStringNotEquals, kStringEqualsIgnoreCase, kStringNotEqualsIgnoreCase,
  kStringLike, kStringNotLike,
  kNumericEquals, kNumericNotEquals, kNumericLessThan, kNumericLessThanEquals,
  kNumericGreaterThan, kNumericGreaterThanEquals,
  kDateEquals, kDateNotEquals, kDateLessThan, kDateLessThanEquals, kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool, kBinaryEquals, kIpAddress, kNotIpAddress,
  kArnEquals, kArnNotEquals, kArnLike, kArnNotLike,
  kNull,
};

enum class SetQualifier { kNone, kForAnyValue, kForAllValues };
enum class IfExists { kNo, kYes };

struct ConditionOperator {
  std::string name;  // as written in the policy, e.g. "ForAnyValue:StringLikeIfExists"
  BaseOperator base = BaseOperator::kStringEquals;
  SetQualifier qualifier = SetQualifier::kNone;
  IfExists if_exists = IfExists::kNo;
};

// Parses an operator name such as "ForAllValues:StringNotEqualsIfExists";
// nullopt when it is not a known operator. Operator names are case-sensitive
// in IAM ("stringequals" is rejected by the policy validator).
std::optional<ConditionOperator> parse_operator(std::string_view name);

// The base operator's name ("StringEquals"), and whether it is a negated one
// (StringNotEquals, NotIpAddress, ArnNotLike, ...).
std::string_view base_operator_name(BaseOperator base) noexcept;
bool is_negated(BaseOperator base) noexcept;

// One (operator, key) pair of a Condition block with its values, which are
// ORed. Non-string JSON values are kept in their JSON spelling (true, 12).
struct Condition {
  ConditionOperator op;
  std::string key;  // as written; compared case-insensitively
  std::vector<std::string> values;
  std::string path;  // JSON path of the key, e.g. $.Statement[0].Condition.StringLike["k"]
};

struct Statement {
  std::size_t index = 0;
  std::string sid;
  Effect effect = Effect::kAllow;
  std::optional<PrincipalBlock> principal;
  Negation action_negation = Negation::kPositive;  // kNegated for NotAction
  std::vector<std::string> actions;
  std::optional<Negation> resource_negation;  // unset: no Resource element
  std::vector<std::string> resources;
  std::vector<Condition> conditions;
  std::string path;  // $.Statement[0], or $.Statement when it is an object
};

// A JSON object key that occurs more than once; IAM keeps one of them
// silently, which can drop a whole condition.
struct DuplicateKey {
  std::string key;
  std::string path;  // path of the object holding the key
};

struct Policy {
  std::string version;  // empty when absent
  std::string id;
  std::vector<Statement> statements;
  std::vector<DuplicateKey> duplicate_keys;  // the first 100
  std::size_t unlisted_duplicate_keys = 0;   // more duplicates, only counted
};

}  // namespace eem::iam
