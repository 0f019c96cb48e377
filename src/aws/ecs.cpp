#include "aws/ecs.h"

#include <nlohmann/json.hpp>

#include "aws/json_answer.h"
#include "aws/timestamp.h"

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

std::int64_t epoch_seconds(const json& item, const char* name) {
  const auto it = item.find(name);
  if (it == item.end() || !it->is_number()) return 0;
  const double seconds = it->get<double>();
  // Out of the clock's range the cast is undefined: such a time is unknown (0).
  if (!(seconds >= 0 && seconds < static_cast<double>(kEndOfTimestamps))) return 0;
  return static_cast<std::int64_t>(seconds);
}

ExpressContainer container_from(const json& item) {
  ExpressContainer container;
  container.image = item.value("image", "");
  if (item.contains("containerPort") && item["containerPort"].is_number_integer()) {
    container.container_port = item["containerPort"].get<int>();
  }
  for (const auto& pair : item.value("environment", json::array())) {
    container.environment.emplace_back(pair.value("name", ""), pair.value("value", ""));
  }
  return container;
}

ExpressConfiguration configuration_from(const json& item) {
  ExpressConfiguration configuration;
  configuration.service_revision_arn = item.value("serviceRevisionArn", "");
  configuration.execution_role_arn = item.value("executionRoleArn", "");
  configuration.task_role_arn = item.value("taskRoleArn", "");
  configuration.cpu = item.value("cpu", "");
  configuration.memory = item.value("memory", "");
  configuration.health_check_path = item.value("healthCheckPath", "");
  configuration.container = container_from(item.value("primaryContainer", json::object()));
  for (const auto& path : item.value("ingressPaths", json::array())) {
    if (path.value("accessType", "") == "PUBLIC") configuration.public_endpoints.push_back(path.value("endpoint", ""));
  }
  configuration.created_at = epoch_seconds(item, "createdAt");
  configuration.raw_json = item.dump();
  return configuration;
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
    service.configurations.push_back(configuration_from(configuration));
  }
  if (item.contains("targetConfiguration")) service.configurations.push_back(configuration_from(item["targetConfiguration"]));
  return service;
}

ExpressService service_of(const json& output) { return service_from(output.value("service", json::object())); }


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
    deployment.lifecycle_stage = item.value("lifecycleStage", "");
    deployment.rollback_reason = item.value("rollback", json::object()).value("reason", "");
    deployment.created_at = epoch_seconds(item, "createdAt");
    deployments.push_back(std::move(deployment));
  }
  return deployments;
}

std::vector<ServiceDeployment> deployments_of(const json& output) {
  return deployments_from(output.value("serviceDeployments", json::array()));
}

void add_resource(std::vector<ManagedResource>& out, const char* kind, const json& item) {
  if (!item.is_object()) return;
  out.push_back({kind, item.value("arn", ""), item.value("status", ""), item.value("statusReason", "")});
}

void add_resources(std::vector<ManagedResource>& out, const char* kind, const json& list) {
  if (!list.is_array()) return;
  for (const auto& item : list) add_resource(out, kind, item);
}

// ecsManagedResources, flattened in the model's member order.
std::vector<ManagedResource> managed_from(const json& managed) {
  std::vector<ManagedResource> out;
  for (const auto& path : managed.value("ingressPaths", json::array())) {
    add_resource(out, "load balancer", path.value("loadBalancer", json()));
    add_resources(out, "load balancer security group", path.value("loadBalancerSecurityGroups", json()));
    add_resource(out, "certificate", path.value("certificate", json()));
    add_resource(out, "listener", path.value("listener", json()));
    add_resource(out, "listener rule", path.value("rule", json()));
    add_resources(out, "target group", path.value("targetGroups", json()));
  }
  const json scaling = managed.value("autoScaling", json::object());
  add_resource(out, "scalable target", scaling.value("scalableTarget", json()));
  add_resources(out, "scaling policy", scaling.value("applicationAutoScalingPolicies", json()));
  add_resources(out, "metric alarm", managed.value("metricAlarms", json()));
  add_resources(out, "service security group", managed.value("serviceSecurityGroups", json()));
  add_resources(out, "log group", managed.value("logGroups", json()));
  return out;
}

std::optional<int> optional_int(const json& item, const char* name) {
  const auto it = item.find(name);
  if (it == item.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

std::vector<TargetGroup> target_groups_from(const json& managed) {
  std::vector<TargetGroup> out;
  for (const auto& path : managed.value("ingressPaths", json::array())) {
    for (const auto& group : path.value("targetGroups", json::array())) {
      if (!group.is_object()) continue;
      out.push_back({optional_int(group, "port"), optional_int(group, "healthCheckPort"),
                     group.value("healthCheckPath", "")});
    }
  }
  return out;
}

std::vector<ServiceRevision> revisions_from(const json& list) {
  std::vector<ServiceRevision> revisions;
  for (const auto& item : list) {
    ServiceRevision revision;
    revision.arn = item.value("serviceRevisionArn", "");
    for (const auto& image : item.value("containerImages", json::array())) {
      revision.images.emplace_back(image.value("image", ""), image.value("imageDigest", ""));
    }
    revision.managed_resources = managed_from(item.value("ecsManagedResources", json::object()));
    revision.target_groups = target_groups_from(item.value("ecsManagedResources", json::object()));
    revisions.push_back(std::move(revision));
  }
  return revisions;
}

// The members of a configuration that UpdateExpressGatewayService accepts
// (botocore's UpdateExpressGatewayServiceRequest); the rest (revision ARN,
// ingress paths, createdAt) are outputs only.
json update_members(const json& configuration) {
  json input = json::object();
  for (const char* name : {"executionRoleArn", "healthCheckPath", "primaryContainer", "taskRoleArn",
                           "networkConfiguration", "cpu", "memory", "scalingTarget"}) {
    if (configuration.contains(name)) input[name] = configuration[name];
  }
  return input;
}

}  // namespace

ApiResult<ExpressService> EcsClient::create_express_gateway_service(const ExpressServiceSpec& spec) {
  json input = {{"executionRoleArn", spec.execution_role_arn}, {"infrastructureRoleArn", spec.infrastructure_role_arn}};
  if (!spec.service_name.empty()) input["serviceName"] = spec.service_name;
  if (!spec.cluster.empty()) input["cluster"] = spec.cluster;
  add_common(input, spec);
  return json_answer(client_, "CreateExpressGatewayService", input, service_of);
}

ApiResult<ExpressService> EcsClient::update_express_gateway_service(const std::string& service_arn,
                                                                    const ExpressServiceSpec& spec) {
  json input = {{"serviceArn", service_arn}};
  if (!spec.execution_role_arn.empty()) input["executionRoleArn"] = spec.execution_role_arn;
  add_common(input, spec);
  return json_answer(client_, "UpdateExpressGatewayService", input, service_of);
}

ApiResult<ExpressService> EcsClient::describe_express_gateway_service(const std::string& service_arn) {
  return json_answer(client_, "DescribeExpressGatewayService", {{"serviceArn", service_arn}}, service_of);
}

ApiResult<ExpressService> EcsClient::delete_express_gateway_service(const std::string& service_arn) {
  return json_answer(client_, "DeleteExpressGatewayService", {{"serviceArn", service_arn}}, service_of);
}

ApiResult<std::vector<ServiceDeployment>> EcsClient::list_service_deployments(const std::string& service,
                                                                              const std::string& cluster) {
  json input = {{"service", service}};
  if (!cluster.empty()) input["cluster"] = cluster;
  return json_answer(client_, "ListServiceDeployments", input, deployments_of);
}

ApiResult<std::vector<ServiceDeployment>> EcsClient::list_service_deployments_since(const std::string& service,
                                                                                    const std::string& cluster,
                                                                                    std::int64_t created_after) {
  json input = {{"service", service}};
  if (!cluster.empty()) input["cluster"] = cluster;
  input["createdAt"] = {{"after", created_after}};
  return json_answer(client_, "ListServiceDeployments", input, deployments_of);
}

ApiResult<std::vector<ServiceRevision>> EcsClient::describe_service_revisions(const std::vector<std::string>& arns) {
  return json_answer(client_, "DescribeServiceRevisions", {{"serviceRevisionArns", arns}}, [](const json& output) {
    return revisions_from(output.value("serviceRevisions", json::array()));
  });
}

ApiResult<ClusterLookup> EcsClient::describe_clusters(const std::vector<std::string>& clusters) {
  return json_answer(client_, "DescribeClusters", {{"clusters", clusters}}, [](const json& output) {
    ClusterLookup lookup;
    for (const auto& item : output.value("clusters", json::array())) {
      lookup.clusters.push_back({item.value("clusterArn", ""), item.value("clusterName", ""), item.value("status", "")});
    }
    for (const auto& item : output.value("failures", json::array())) {
      lookup.failures.emplace_back(item.value("arn", ""), item.value("reason", ""));
    }
    return lookup;
  });
}

ApiResult<ExpressService> EcsClient::update_to_configuration(const std::string& service_arn,
                                                             const ExpressConfiguration& configuration) {
  const json parsed = json::parse(configuration.raw_json, nullptr, false);
  json input = update_members(parsed.is_object() ? parsed : json::object());
  input["serviceArn"] = service_arn;
  return json_answer(client_, "UpdateExpressGatewayService", input, service_of);
}

ApiResult<std::vector<ServiceDeployment>> EcsClient::describe_service_deployments(const std::vector<std::string>& arns) {
  return json_answer(client_, "DescribeServiceDeployments", {{"serviceDeploymentArns", arns}}, deployments_of);
}

}  // namespace eem::aws
