#include "aws/iam.h"

#include "aws/uri.h"

namespace eem::aws {

namespace {

// "Prefix.member.N" entries for a list (the Query protocol's list encoding).
void add_list(QueryParams& params, const std::string& prefix, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    params.emplace_back(prefix + ".member." + std::to_string(i + 1), values[i]);
  }
}

void add_tags(QueryParams& params, const Tags& tags) {
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const std::string prefix = "Tags.member." + std::to_string(i + 1);
    params.emplace_back(prefix + ".Key", tags[i].first);
    params.emplace_back(prefix + ".Value", tags[i].second);
  }
}

std::vector<std::string> member_texts(const XmlElement* list) {
  std::vector<std::string> out;
  if (list == nullptr) return out;
  for (const auto& member : list->children) out.push_back(member.text);
  return out;
}

Role role_from(const XmlElement& element) {
  Role role;
  role.name = element.text_at("RoleName");
  role.arn = element.text_at("Arn");
  role.role_id = element.text_at("RoleId");
  role.path = element.text_at("Path");
  // IAM returns policy documents URL-encoded (RFC 3986).
  role.trust_policy = percent_decode(element.text_at("AssumeRolePolicyDocument"));
  const std::string max = element.text_at("MaxSessionDuration");
  if (!max.empty()) role.max_session_duration = std::atoi(max.c_str());
  if (const XmlElement* tags = element.child("Tags")) {
    for (const auto& member : tags->children) role.tags.emplace_back(member.text_at("Key"), member.text_at("Value"));
  }
  return role;
}

ApiResult<void> done(const ApiResult<XmlElement>& result) {
  if (!result) return std::unexpected(result.error());
  return {};
}

}  // namespace

ApiResult<std::string> IamClient::create_oidc_provider(const std::string& url, const std::vector<std::string>& client_ids,
                                                       const std::vector<std::string>& thumbprints, const Tags& tags) {
  QueryParams params{{"Url", url}};
  add_list(params, "ClientIDList", client_ids);
  add_list(params, "ThumbprintList", thumbprints);
  add_tags(params, tags);
  auto root = client_.query("CreateOpenIDConnectProvider", params);
  if (!root) return std::unexpected(root.error());
  return root->text_at("CreateOpenIDConnectProviderResult/OpenIDConnectProviderArn");
}

ApiResult<OidcProvider> IamClient::get_oidc_provider(const std::string& arn) {
  auto root = client_.query("GetOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}});
  if (!root) return std::unexpected(root.error());
  const XmlElement* result = root->child("GetOpenIDConnectProviderResult");
  OidcProvider provider;
  provider.arn = arn;
  if (result != nullptr) {
    provider.url = result->text_at("Url");
    provider.client_ids = member_texts(result->child("ClientIDList"));
    provider.thumbprints = member_texts(result->child("ThumbprintList"));
  }
  return provider;
}

ApiResult<std::vector<std::string>> IamClient::list_oidc_providers() {
  auto root = client_.query("ListOpenIDConnectProviders", {});
  if (!root) return std::unexpected(root.error());
  std::vector<std::string> arns;
  if (const XmlElement* list = root->find("ListOpenIDConnectProvidersResult/OpenIDConnectProviderList")) {
    for (const auto& member : list->children) arns.push_back(member.text_at("Arn"));
  }
  return arns;
}

ApiResult<void> IamClient::add_client_id_to_oidc_provider(const std::string& arn, const std::string& client_id) {
  return done(client_.query("AddClientIDToOpenIDConnectProvider",
                            {{"OpenIDConnectProviderArn", arn}, {"ClientID", client_id}}));
}

ApiResult<Role> IamClient::create_role(const CreateRoleRequest& request) {
  QueryParams params{{"RoleName", request.name}, {"AssumeRolePolicyDocument", request.trust_policy}};
  if (!request.description.empty()) params.emplace_back("Description", request.description);
  if (request.max_session_duration) params.emplace_back("MaxSessionDuration", std::to_string(*request.max_session_duration));
  add_tags(params, request.tags);
  auto root = client_.query("CreateRole", params);
  if (!root) return std::unexpected(root.error());
  const XmlElement* role = root->find("CreateRoleResult/Role");
  return role == nullptr ? Role{} : role_from(*role);
}

ApiResult<Role> IamClient::get_role(const std::string& name) {
  auto root = client_.query("GetRole", {{"RoleName", name}});
  if (!root) return std::unexpected(root.error());
  const XmlElement* role = root->find("GetRoleResult/Role");
  return role == nullptr ? Role{} : role_from(*role);
}

ApiResult<void> IamClient::update_trust_policy(const std::string& role_name, const std::string& policy) {
  return done(client_.query("UpdateAssumeRolePolicy", {{"RoleName", role_name}, {"PolicyDocument", policy}}));
}

ApiResult<void> IamClient::tag_role(const std::string& role_name, const Tags& tags) {
  QueryParams params{{"RoleName", role_name}};
  add_tags(params, tags);
  return done(client_.query("TagRole", params));
}

ApiResult<void> IamClient::put_role_policy(const std::string& role_name, const std::string& policy_name,
                                           const std::string& policy) {
  return done(client_.query("PutRolePolicy",
                            {{"RoleName", role_name}, {"PolicyName", policy_name}, {"PolicyDocument", policy}}));
}

ApiResult<std::string> IamClient::get_role_policy(const std::string& role_name, const std::string& policy_name) {
  auto root = client_.query("GetRolePolicy", {{"RoleName", role_name}, {"PolicyName", policy_name}});
  if (!root) return std::unexpected(root.error());
  return percent_decode(root->text_at("GetRolePolicyResult/PolicyDocument"));
}

ApiResult<void> IamClient::delete_role_policy(const std::string& role_name, const std::string& policy_name) {
  return done(client_.query("DeleteRolePolicy", {{"RoleName", role_name}, {"PolicyName", policy_name}}));
}

ApiResult<void> IamClient::attach_role_policy(const std::string& role_name, const std::string& policy_arn) {
  return done(client_.query("AttachRolePolicy", {{"RoleName", role_name}, {"PolicyArn", policy_arn}}));
}

ApiResult<void> IamClient::detach_role_policy(const std::string& role_name, const std::string& policy_arn) {
  return done(client_.query("DetachRolePolicy", {{"RoleName", role_name}, {"PolicyArn", policy_arn}}));
}

ApiResult<std::vector<AttachedPolicy>> IamClient::list_attached_role_policies(const std::string& role_name) {
  auto root = client_.query("ListAttachedRolePolicies", {{"RoleName", role_name}});
  if (!root) return std::unexpected(root.error());
  std::vector<AttachedPolicy> policies;
  if (const XmlElement* list = root->find("ListAttachedRolePoliciesResult/AttachedPolicies")) {
    for (const auto& member : list->children) policies.push_back({member.text_at("PolicyName"), member.text_at("PolicyArn")});
  }
  return policies;
}

ApiResult<std::vector<std::string>> IamClient::list_role_policies(const std::string& role_name) {
  auto root = client_.query("ListRolePolicies", {{"RoleName", role_name}, {"MaxItems", "1000"}});
  if (!root) return std::unexpected(root.error());
  return member_texts(root->find("ListRolePoliciesResult/PolicyNames"));
}

ApiResult<std::string> IamClient::get_policy_default_version(const std::string& policy_arn) {
  auto root = client_.query("GetPolicy", {{"PolicyArn", policy_arn}});
  if (!root) return std::unexpected(root.error());
  return root->text_at("GetPolicyResult/Policy/DefaultVersionId");
}

ApiResult<std::string> IamClient::get_policy_version(const std::string& policy_arn, const std::string& version_id) {
  auto root = client_.query("GetPolicyVersion", {{"PolicyArn", policy_arn}, {"VersionId", version_id}});
  if (!root) return std::unexpected(root.error());
  return percent_decode(root->text_at("GetPolicyVersionResult/PolicyVersion/Document"));
}

ApiResult<std::vector<SimulationResult>> IamClient::simulate_principal_policy(const SimulationRequest& request) {
  QueryParams params{{"PolicySourceArn", request.policy_source_arn}};
  add_list(params, "ActionNames", request.actions);
  add_list(params, "ResourceArns", request.resources);
  for (std::size_t i = 0; i < request.context.size(); ++i) {
    const std::string prefix = "ContextEntries.member." + std::to_string(i + 1);
    params.emplace_back(prefix + ".ContextKeyName", request.context[i].key);
    add_list(params, prefix + ".ContextKeyValues", request.context[i].values);
    params.emplace_back(prefix + ".ContextKeyType", request.context[i].type);
  }
  auto root = client_.query("SimulatePrincipalPolicy", params);
  if (!root) return std::unexpected(root.error());
  std::vector<SimulationResult> results;
  if (const XmlElement* list = root->find("SimulatePrincipalPolicyResult/EvaluationResults")) {
    for (const auto& member : list->children) {
      results.push_back({member.text_at("EvalActionName"), member.text_at("EvalResourceName"),
                         member.text_at("EvalDecision")});
    }
  }
  return results;
}

}  // namespace eem::aws
