#include "aws/ecs.h"

#include <nlohmann/json.hpp>

namespace eem::aws {

namespace {

using nlohmann::json;

json container_json(const ExpressContainer& container) {
  json out = {{"image", container.image}};
  if (container.container_port) out["containerPort"] = *container.container_port;
  if (!container.environment.empty()) {
    out["environment"] = json::array();
    for (const auto& [name, value] : container.environment) out["environment"].push_back({{"name", name}, {"value", value}});
  }
  return out;
}

// The members shared by Create and Update, in the service model's order.
void add_common(json& input, const ExpressServiceSpec& spec) {
  if (!spec.health_check_path.empty()) input["healthCheckPath"] = spec.health_check_path;
  if (!spec.container.image.empty()) input["primaryContainer"] = container_json(spec.container);
  if (!spec.task_role_arn.empty()) input["taskRoleArn"] = spec.task_role_arn;
  if (!spec.cpu.empty()) input["cpu"] = spec.cpu;
  if (!spec.memory.empty()) input["memory"] = spec.memory;
  if (spec.min_tasks || spec.max_tasks) {
    json scaling = json::object();
    if (spec.min_tasks) scaling["minTaskCount"] = *spec.min_tasks;
    if (spec.max_tasks) scaling["maxTaskCount"] = *spec.max_tasks;
    input["scalingTarget"] = scaling;
  }
}

ExpressService service_from(const json& item) {
  ExpressService service;
  service.arn = item.value("serviceArn", "");
  service.name = item.value("serviceName", "");
  service.cluster = item.value("cluster", "");
  const json status = item.value("status", json::object());
  service.status = status.value("statusCode", "");
  service.status_reason = status.value("statusReason", "");
  service.current_deployment = item.value("currentDeployment", "");
  for (const auto& configuration : item.value("activeConfigurations", json::array())) {
    for (const auto& path : configuration.value("ingressPaths", json::array())) {
      service.endpoints.push_back(path.value("endpoint", ""));
    }
  }
  return service;
}

ApiResult<ExpressService> service_result(ApiResult<json> output) {
  if (!output) return std::unexpected(output.error());
  return service_from(output->value("service", json::object()));
}

std::vector<ServiceDeployment> deployments_from(const json& list) {
  std::vector<ServiceDeployment> deployments;
  for (const auto& item : list) {
    ServiceDeployment deployment;
    deployment.arn = item.value("serviceDeploymentArn", "");
    deployment.status = item.value("status", "");
    deployment.status_reason = item.value("statusReason", "");
    deployment.target_revision_arn = item.value("targetServiceRevisionArn", "");
    if (deployment.target_revision_arn.empty() && item.contains("targetServiceRevision")) {
      deployment.target_revision_arn = item["targetServiceRevision"].value("arn", "");
    }
    deployments.push_back(std::move(deployment));
  }
  return deployments;
}

}  // namespace

ApiResult<ExpressService> EcsClient::create_express_gateway_service(const ExpressServiceSpec& spec) {
  json input = {{"executionRoleArn", spec.execution_role_arn}, {"infrastructureRoleArn", spec.infrastructure_role_arn}};
  if (!spec.service_name.empty()) input["serviceName"] = spec.service_name;
  if (!spec.cluster.empty()) input["cluster"] = spec.cluster;
  add_common(input, spec);
  return service_result(client_.json_object("CreateExpressGatewayService", input));
}

ApiResult<ExpressService> EcsClient::update_express_gateway_service(const std::string& service_arn,
                                                                    const ExpressServiceSpec& spec) {
  json input = {{"serviceArn", service_arn}};
  if (!spec.execution_role_arn.empty()) input["executionRoleArn"] = spec.execution_role_arn;
  add_common(input, spec);
  return service_result(client_.json_object("UpdateExpressGatewayService", input));
}

ApiResult<ExpressService> EcsClient::describe_express_gateway_service(const std::string& service_arn) {
  return service_result(client_.json_object("DescribeExpressGatewayService", {{"serviceArn", service_arn}}));
}

ApiResult<ExpressService> EcsClient::delete_express_gateway_service(const std::string& service_arn) {
  return service_result(client_.json_object("DeleteExpressGatewayService", {{"serviceArn", service_arn}}));
}

ApiResult<std::vector<ServiceDeployment>> EcsClient::list_service_deployments(const std::string& service,
                                                                              const std::string& cluster) {
  json input = {{"service", service}};
  if (!cluster.empty()) input["cluster"] = cluster;
  auto output = client_.json_object("ListServiceDeployments", input);
  if (!output) return std::unexpected(output.error());
  return deployments_from(output->value("serviceDeployments", json::array()));
}

ApiResult<std::vector<ServiceDeployment>> EcsClient::describe_service_deployments(const std::vector<std::string>& arns) {
  auto output = client_.json_object("DescribeServiceDeployments", {{"serviceDeploymentArns", arns}});
  if (!output) return std::unexpected(output.error());
  return deployments_from(output->value("serviceDeployments", json::array()));
}

}  // namespace eem::aws
