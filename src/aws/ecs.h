#pragma once
// Amazon ECS Express Mode (AWS JSON 1.1, AmazonEC2ContainerServiceV20141113):
// Create/Update/Describe/DeleteExpressGatewayService, and service deployments
// for waiting on a canary rollout.

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

struct ExpressService {
  std::string arn;
  std::string name;
  std::string cluster;
  std::string status;  // ACTIVE, DRAINING, INACTIVE
  std::string status_reason;
  std::string current_deployment;
  std::vector<std::string> endpoints;  // ingress path endpoints (the public URL)
};

struct ServiceDeployment {
  std::string arn;
  std::string status;  // PENDING, IN_PROGRESS, SUCCESSFUL, ROLLBACK_*, ...
  std::string status_reason;
  std::string target_revision_arn;
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
  ApiResult<std::vector<ServiceDeployment>> describe_service_deployments(const std::vector<std::string>& arns);

  ServiceClient& service_client() { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace eem::aws
