#pragma once
// The request an IAM policy is evaluated against: who, what, on which
// resource, and the condition keys with their values.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eem::iam {

class RequestContext {
 public:
  std::string principal;  // ARN of the caller; for trust policies the OIDC provider ARN
  std::string action;     // "sts:AssumeRoleWithWebIdentity", "ecr:PutImage"
  std::string resource;   // ARN; may be empty for trust policies

  // Adds one value of condition key `key`; a second value makes the key
  // multivalued. Key names are case-insensitive in IAM, values are not.
  void add(std::string_view key, std::string value);
  // Sets `key` to a multivalued key (an array in the request, like
  // aws:TagKeys), possibly empty, even with a single value.
  void add_set(std::string_view key, std::vector<std::string> values);
  // The values of `key`, or nullptr when the request does not carry it.
  const std::vector<std::string>* find(std::string_view key) const;
  // True when `key` is present as a multivalued key (see add_set).
  bool is_set(std::string_view key) const;
  // Every key, lower-cased, with its values (for explanations and tests).
  const std::map<std::string, std::vector<std::string>>& keys() const noexcept { return keys_; }

 private:
  std::map<std::string, std::vector<std::string>> keys_;
  std::map<std::string, bool> sets_;
};

// Wildcard matching of IAM: `*` matches any run of characters (also empty),
// `?` exactly one. Case-sensitive unless `fold_case`.
enum class CaseFold { kSensitive, kInsensitive };
bool wildcard_match(std::string_view pattern, std::string_view text, CaseFold fold = CaseFold::kSensitive);

// Replaces policy variables in `text`: ${aws:username}, ${key, 'default'},
// and the escapes ${*}, ${?}, ${$}. Returns nullopt when a variable has no
// value in `context` and no default: AWS then treats the element as not
// matching ("Policy variables: when there is no value").
std::optional<std::string> substitute_variables(std::string_view text, const RequestContext& context);

}  // namespace eem::iam
