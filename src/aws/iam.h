#pragma once
// AWS IAM (Query protocol, API version 2010-05-08): the OIDC provider, roles,
// trust and inline policies, attached policies, and policy simulation that
// `shipctl bootstrap`, `doctor` and `audit` need. Policy documents are JSON
// text; IAM returns them URL-encoded, and these calls return them decoded.

#include <optional>
#include <string>
#include <vector>

#include "aws/service_client.h"

namespace eem::aws {

using Tags = std::vector<std::pair<std::string, std::string>>;

struct OidcProvider {
  std::string arn;
  std::string url;  // without "https://", as IAM returns it
  std::vector<std::string> client_ids;
  std::vector<std::string> thumbprints;
};

struct Role {
  std::string name;
  std::string arn;
  std::string role_id;
  std::string path;
  std::string trust_policy;  // decoded JSON
  int max_session_duration = 3600;
  Tags tags;
};

struct CreateRoleRequest {
  std::string name;
  std::string trust_policy;
  std::string description;
  std::optional<int> max_session_duration;
  Tags tags;
};

struct AttachedPolicy {
  std::string name;
  std::string arn;
};

struct ContextEntry {
  std::string key;                  // "token.actions.githubusercontent.com:sub"
  std::vector<std::string> values;
  std::string type = "string";      // string, stringList, ...
};

struct SimulationRequest {
  std::string policy_source_arn;  // the role or user to simulate
  std::vector<std::string> actions;
  std::vector<std::string> resources;  // empty: "*"
  std::vector<ContextEntry> context;
};

struct SimulationResult {
  std::string action;
  std::string resource;
  std::string decision;  // "allowed", "explicitDeny", "implicitDeny"
};

class IamClient {
 public:
  explicit IamClient(ServiceClient client) : client_(std::move(client)) {}

  ApiResult<std::string> create_oidc_provider(const std::string& url, const std::vector<std::string>& client_ids,
                                              const std::vector<std::string>& thumbprints, const Tags& tags = {});
  ApiResult<OidcProvider> get_oidc_provider(const std::string& arn);
  ApiResult<std::vector<std::string>> list_oidc_providers();  // ARNs
  ApiResult<void> add_client_id_to_oidc_provider(const std::string& arn, const std::string& client_id);

  ApiResult<Role> create_role(const CreateRoleRequest& request);
  ApiResult<Role> get_role(const std::string& name);
  ApiResult<void> update_trust_policy(const std::string& role_name, const std::string& policy);
  ApiResult<void> tag_role(const std::string& role_name, const Tags& tags);

  ApiResult<void> put_role_policy(const std::string& role_name, const std::string& policy_name,
                                  const std::string& policy);
  ApiResult<std::string> get_role_policy(const std::string& role_name, const std::string& policy_name);
  ApiResult<void> delete_role_policy(const std::string& role_name, const std::string& policy_name);

  ApiResult<void> attach_role_policy(const std::string& role_name, const std::string& policy_arn);
  ApiResult<void> detach_role_policy(const std::string& role_name, const std::string& policy_arn);
  ApiResult<std::vector<AttachedPolicy>> list_attached_role_policies(const std::string& role_name);
  // Names of the role's inline policies (first page of up to 1000).
  ApiResult<std::vector<std::string>> list_role_policies(const std::string& role_name);
  // The managed policy's default version id ("v1").
  ApiResult<std::string> get_policy_default_version(const std::string& policy_arn);
  // The decoded JSON document of one version of a managed policy.
  ApiResult<std::string> get_policy_version(const std::string& policy_arn, const std::string& version_id);

  ApiResult<std::vector<SimulationResult>> simulate_principal_policy(const SimulationRequest& request);

  ServiceClient& service_client() { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace eem::aws
