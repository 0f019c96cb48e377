// Grammar: "IAM JSON policy element reference" and "Grammar of the IAM JSON
// policy language" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
#include "iam/policy_parser.h"

#include <set>

#include "iam/excerpt.h"
#include "iam/json_strict.h"

namespace eem::iam {
namespace {

using nlohmann::json;
using detail::child_path;
using detail::index_path;
using detail::quoted_excerpt;

util::Error invalid(const std::string& path, const std::string& what) {
  return util::Error{util::ErrorKind::kInvalidInput, path + ": " + what};
}

std::string type_name(const json& v) {
  if (v.is_string()) return "a string " + quoted_excerpt(v.get_ref<const std::string&>());
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  return "null";
}

// A scalar as written ("allow", 12, true), cut to one line; a container by its type.
std::string value_text(const json& v) {
  if (v.is_string()) return quoted_excerpt(v.get_ref<const std::string&>());
  if (v.is_array() || v.is_object()) return type_name(v);
  return v.dump();
}

// A string, or a non-empty array of strings (Action, Resource, Principal values).
util::Result<std::vector<std::string>> string_list(const json& v, const std::string& path) {
  if (v.is_string()) return std::vector<std::string>{v.get<std::string>()};
  if (!v.is_array()) return std::unexpected(invalid(path, "expected a string or an array of strings, got " + type_name(v)));
  if (v.empty()) return std::unexpected(invalid(path, "expected at least one value, got an empty array"));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) return std::unexpected(invalid(index_path(path, i), "expected a string, got " + type_name(v[i])));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

// Condition values may be strings, numbers or booleans (IAM stores them as text).
util::Result<std::string> scalar_text(const json& v, const std::string& path) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean() || v.is_number()) return v.dump();
  return std::unexpected(invalid(path, "expected a string, number or boolean, got " + type_name(v)));
}

util::Result<PrincipalBlock> parse_principal(const json& v, const std::string& path, Negation negation) {
  PrincipalBlock block{negation, {}};
  if (v.is_string()) {
    if (v.get<std::string>() != "*") return std::unexpected(invalid(path, "expected \"*\" or an object, got " + type_name(v)));
    block.entries.push_back({"*", "*"});
    return block;
  }
  if (!v.is_object()) return std::unexpected(invalid(path, "expected \"*\" or an object, got " + type_name(v)));
  static const std::set<std::string> kTypes{"AWS", "Federated", "Service", "CanonicalUser"};
  for (const auto& [type, values] : v.items()) {
    const std::string item_path = child_path(path, type);
    if (kTypes.count(type) == 0) {
      return std::unexpected(invalid(item_path, "unknown principal type " + quoted_excerpt(type) + " (expected AWS, Federated, Service or CanonicalUser)"));
    }
    auto list = string_list(values, item_path);
    if (!list) return std::unexpected(list.error());
    for (auto& value : *list) block.entries.push_back({type, std::move(value)});
  }
  if (block.entries.empty()) return std::unexpected(invalid(path, "expected at least one principal, got an empty object"));
  return block;
}

util::Result<std::vector<Condition>> parse_conditions(const json& v, const std::string& path) {
  if (!v.is_object()) return std::unexpected(invalid(path, "expected an object, got " + type_name(v)));
  std::vector<Condition> out;
  for (const auto& [op_name, keys] : v.items()) {
    const std::string op_path = child_path(path, op_name);
    auto op = parse_operator(op_name);
    if (!op) return std::unexpected(invalid(op_path, "unknown condition operator " + quoted_excerpt(op_name)));
    if (!keys.is_object()) return std::unexpected(invalid(op_path, "expected an object of condition keys, got " + type_name(keys)));
    if (keys.empty()) return std::unexpected(invalid(op_path, "expected at least one condition key, got an empty object"));
    for (const auto& [key, values] : keys.items()) {
      Condition condition{*op, key, {}, child_path(op_path, key)};
      const json list = values.is_array() ? values : json::array({values});
      if (list.empty()) return std::unexpected(invalid(condition.path, "expected at least one value, got an empty array"));
      for (std::size_t i = 0; i < list.size(); ++i) {
        auto text = scalar_text(list[i], values.is_array() ? index_path(condition.path, i) : condition.path);
        if (!text) return std::unexpected(text.error());
        condition.values.push_back(std::move(*text));
      }
      out.push_back(std::move(condition));
    }
  }
  return out;
}

util::Result<void> check_action_names(const std::vector<std::string>& actions, const std::string& path) {
  for (const auto& action : actions) {
    if (action != "*" && action.find(':') == std::string::npos) {
      return std::unexpected(invalid(path, "action " + quoted_excerpt(action) + " is not of the form service:action"));
    }
  }
  return {};
}

// Exactly one of `name` and `negated_name` must be present when `required`.
util::Result<std::optional<std::pair<Negation, const json*>>> pick(const json& st, const std::string& path,
                                                                   const char* name, const char* negated_name,
                                                                   bool required) {
  const bool has = st.contains(name);
  const bool has_not = st.contains(negated_name);
  if (has && has_not) return std::unexpected(invalid(path, std::string("has both ") + name + " and " + negated_name));
  if (!has && !has_not) {
    if (required) return std::unexpected(invalid(path, std::string("missing ") + name + " (or " + negated_name + ")"));
    return std::nullopt;
  }
  if (has) return std::make_pair(Negation::kPositive, &st.at(name));
  return std::make_pair(Negation::kNegated, &st.at(negated_name));
}

util::Result<void> parse_effect(const json& st, const std::string& path, Statement& out) {
  if (!st.contains("Effect")) return std::unexpected(invalid(path, "missing Effect"));
  const json& effect = st["Effect"];
  if (effect == "Allow") {
    out.effect = Effect::kAllow;
  } else if (effect == "Deny") {
    out.effect = Effect::kDeny;
  } else {
    return std::unexpected(invalid(child_path(path, "Effect"), "expected \"Allow\" or \"Deny\", got " + value_text(effect)));
  }
  return {};
}

util::Result<void> parse_principal_element(const json& st, const std::string& path, Statement& out) {
  auto principal = pick(st, path, "Principal", "NotPrincipal", false);
  if (!principal) return std::unexpected(principal.error());
  if (!*principal) return {};
  const char* name = (*principal)->first == Negation::kPositive ? "Principal" : "NotPrincipal";
  auto block = parse_principal(*(*principal)->second, child_path(path, name), (*principal)->first);
  if (!block) return std::unexpected(block.error());
  out.principal = std::move(*block);
  return {};
}

util::Result<void> parse_action_element(const json& st, const std::string& path, Statement& out) {
  auto action = pick(st, path, "Action", "NotAction", true);
  if (!action) return std::unexpected(action.error());
  const std::string action_path = child_path(path, (*action)->first == Negation::kPositive ? "Action" : "NotAction");
  auto actions = string_list(*(*action)->second, action_path);
  if (!actions) return std::unexpected(actions.error());
  if (auto ok = check_action_names(*actions, action_path); !ok) return std::unexpected(ok.error());
  out.action_negation = (*action)->first;
  out.actions = std::move(*actions);
  return {};
}

util::Result<void> parse_resource_element(const json& st, const std::string& path, Statement& out) {
  auto resource = pick(st, path, "Resource", "NotResource", false);
  if (!resource) return std::unexpected(resource.error());
  if (!*resource) return {};
  const char* name = (*resource)->first == Negation::kPositive ? "Resource" : "NotResource";
  auto resources = string_list(*(*resource)->second, child_path(path, name));
  if (!resources) return std::unexpected(resources.error());
  out.resource_negation = (*resource)->first;
  out.resources = std::move(*resources);
  return {};
}

util::Result<Statement> parse_statement(const json& st, const std::string& path, std::size_t index) {
  if (!st.is_object()) return std::unexpected(invalid(path, "expected a statement object, got " + type_name(st)));
  static const std::set<std::string> kElements{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                                               "Resource", "NotResource", "Condition"};
  for (const auto& [key, unused] : st.items()) {
    if (kElements.count(key) == 0) return std::unexpected(invalid(child_path(path, key), "unknown statement element " + quoted_excerpt(key)));
  }
  Statement out;
  out.index = index;
  out.path = path;
  if (st.contains("Sid")) {
    if (!st["Sid"].is_string()) return std::unexpected(invalid(child_path(path, "Sid"), "expected a string, got " + type_name(st["Sid"])));
    out.sid = st["Sid"].get<std::string>();
  }
  // Element order matches the error a reader expects first: Effect, Principal, Action, Resource.
  for (auto* step : {&parse_effect, &parse_principal_element, &parse_action_element, &parse_resource_element}) {
    if (auto ok = step(st, path, out); !ok) return std::unexpected(ok.error());
  }
  if (st.contains("Condition")) {
    auto conditions = parse_conditions(st["Condition"], child_path(path, "Condition"));
    if (!conditions) return std::unexpected(conditions.error());
    out.conditions = std::move(*conditions);
  }
  return out;
}

}  // namespace

util::Result<Policy> parse_policy(std::string_view json_text) {
  if (json_text.size() > kMaxPolicyBytes) {
    return std::unexpected(invalid("$", "the document is " + std::to_string(json_text.size()) + " bytes, over the limit of " +
                                            std::to_string(kMaxPolicyBytes) + "; IAM accepts at most 10,240 characters"));
  }
  auto doc = detail::parse_strict_json(json_text, kMaxPolicyDepth);
  if (!doc) return std::unexpected(doc.error());
  const json& root = doc->value;
  if (!root.is_object()) return std::unexpected(invalid("$", "expected a policy object, got " + type_name(root)));
  Policy policy;
  policy.duplicate_keys = std::move(doc->duplicates);
  policy.unlisted_duplicate_keys = doc->unlisted_duplicates;
  for (const auto& [key, value] : root.items()) {
    const std::string path = child_path("$", key);
    if (key == "Version") {
      if (value != "2012-10-17" && value != "2008-10-17") {
        return std::unexpected(invalid(path, "expected \"2012-10-17\" or \"2008-10-17\", got " + value_text(value)));
      }
      policy.version = value.get<std::string>();
    } else if (key == "Id") {
      if (!value.is_string()) return std::unexpected(invalid(path, "expected a string, got " + type_name(value)));
      policy.id = value.get<std::string>();
    } else if (key != "Statement") {
      return std::unexpected(invalid(path, "unknown policy element " + quoted_excerpt(key)));
    }
  }
  if (!root.contains("Statement")) return std::unexpected(invalid("$", "missing Statement"));
  const json& statements = root["Statement"];
  if (statements.is_array() && statements.empty()) return std::unexpected(invalid("$.Statement", "expected at least one statement, got an empty array"));
  const json list = statements.is_array() ? statements : json::array({statements});
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = statements.is_array() ? index_path("$.Statement", i) : "$.Statement";
    auto statement = parse_statement(list[i], path, i);
    if (!statement) return std::unexpected(statement.error());
    policy.statements.push_back(std::move(*statement));
  }
  return policy;
}

}  // namespace eem::iam
