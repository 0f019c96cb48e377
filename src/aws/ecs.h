#pragma once
// Amazon ECS Express Mode (AWS JSON 1.1, AmazonEC2ContainerServiceV20141113):
// Create/Update/Describe/DeleteExpressGatewayService, and service deployments
// for waiting on a canary rollout.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/service_client.h"

namespace eem::aws {

struct ExpressContainer {
  std::string image;                 // required
  std::optional<int> container_port; // service default: 80
  std::vector<std::pair<std::string, std::string>> environment;
};

struct ExpressServiceSpec {
  std::string service_name;              // create only
  std::string cluster;                   // create only; empty: "default"
  std::string execution_role_arn;        // required on create
  std::string infrastructure_role_arn;   // create only, required
  std::string task_role_arn;
  std::string health_check_path;         // service default: "/ping"
  std::string cpu;                       // "256"
  std::string memory;                    // "512"
  ExpressContainer container;
  std::optional<int> min_tasks;
  std::optional<int> max_tasks;
};

// One ExpressGatewayServiceConfiguration (activeConfigurations[] of
// Describe, targetConfiguration of Update).
struct ExpressConfiguration {
  std::string service_revision_arn;
  std::string execution_role_arn;
  std::string task_role_arn;
  std::string cpu;
  std::string memory;
  std::string health_check_path;
  ExpressContainer container;
  std::vector<std::string> public_endpoints;  // ingressPaths[accessType=PUBLIC].endpoint
  std::int64_t created_at = 0;                // epoch seconds; 0 when absent
  // The configuration as the API returned it, for an update back to it
  // (members we do not model, such as secrets or scalingTarget, included).
  std::string raw_json;
};

struct ExpressService {
  std::string arn;
  std::string name;
  std::string cluster;
  std::string status;  // ACTIVE, DRAINING, INACTIVE
  std::string status_reason;
  std::string current_deployment;
  std::vector<std::string> endpoints;  // ingress path endpoints (the public URL)
  std::vector<ExpressConfiguration> configurations;  // activeConfigurations, or Update's targetConfiguration
};

struct ServiceDeployment {
  std::string arn;
  std::string status;  // PENDING, IN_PROGRESS, SUCCESSFUL, ROLLBACK_*, ...
  std::string status_reason;
  std::string target_revision_arn;
  std::string lifecycle_stage;   // DescribeServiceDeployments only
  std::string rollback_reason;   // rollback.reason
  std::int64_t created_at = 0;   // epoch seconds
};

// A managed resource of a service revision (load balancer, certificate, ...).
struct ManagedResource {
  std::string kind;  // "load balancer", "certificate", ... (the member's name in words)
  std::string arn;
  std::string status;  // PROVISIONING, ACTIVE, DEPROVISIONING, DELETED, FAILED
  std::string status_reason;
};

// A target group of a revision's ingress path: where the load balancer
// sends traffic and health checks (ManagedTargetGroup).
struct TargetGroup {
  std::optional<int> port;
  std::optional<int> health_check_port;
  std::string health_check_path;
};

struct ServiceRevision {
  std::string arn;
  std::vector<std::pair<std::string, std::string>> images;  // (image, imageDigest) of containerImages
  std::vector<ManagedResource> managed_resources;           // from ecsManagedResources
  std::vector<TargetGroup> target_groups;                   // ecsManagedResources.ingressPaths[].targetGroups
};

// A cluster of DescribeClusters: found (status ACTIVE, PROVISIONING,
// DEPROVISIONING, FAILED or INACTIVE), or a failure (reason MISSING).
struct Cluster {
  std::string arn;
  std::string name;
  std::string status;
};

struct ClusterLookup {
  std::vector<Cluster> clusters;
  std::vector<std::pair<std::string, std::string>> failures;  // (arn, reason)
};

class EcsClient {
 public:
  explicit EcsClient(ServiceClient client) : client_(std::move(client)) {}

  ApiResult<ExpressService> create_express_gateway_service(const ExpressServiceSpec& spec);
  // Updates `service_arn` with the set fields of `spec` (image, roles, ...).
  ApiResult<ExpressService> update_express_gateway_service(const std::string& service_arn,
                                                           const ExpressServiceSpec& spec);
  ApiResult<ExpressService> describe_express_gateway_service(const std::string& service_arn);
  ApiResult<ExpressService> delete_express_gateway_service(const std::string& service_arn);
  ApiResult<std::vector<ServiceDeployment>> list_service_deployments(const std::string& service,
                                                                     const std::string& cluster = {});
  // The same, limited to deployments created at or after `created_after`
  // (epoch seconds: the createdAt filter).
  ApiResult<std::vector<ServiceDeployment>> list_service_deployments_since(const std::string& service,
                                                                           const std::string& cluster,
                                                                           std::int64_t created_after);
  ApiResult<std::vector<ServiceDeployment>> describe_service_deployments(const std::vector<std::string>& arns);
  ApiResult<std::vector<ServiceRevision>> describe_service_revisions(const std::vector<std::string>& arns);
  // DescribeClusters for cluster names or ARNs.
  ApiResult<ClusterLookup> describe_clusters(const std::vector<std::string>& clusters);
  // Updates `service_arn` back to `configuration` (its raw_json): the
  // members Update accepts (roles, cpu, memory, health check path, the whole
  // primaryContainer, network and scaling), nothing else.
  ApiResult<ExpressService> update_to_configuration(const std::string& service_arn,
                                                    const ExpressConfiguration& configuration);

  ServiceClient& service_client() { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace eem::aws
