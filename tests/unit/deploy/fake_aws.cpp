#include "fake_aws.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "aws/credentials.h"
#include "aws/service_client.h"

namespace eem::deploy::fakes {

Answer aws_error(int status, const std::string& type, const std::string& message) {
  return {status, json{{"__type", type}, {"message", message}}.dump()};
}

util::Result<net::Response> FakeEcs::send(const net::Request& request) {
  const std::string target(net::find_header(request.headers, "X-Amz-Target").value_or(""));
  const std::string operation = target.substr(target.find('.') + 1);
  operations.push_back(operation);
  inputs.push_back(json::parse(request.body));
  auto& queue = script_[operation];
  if (queue.empty()) {
    ADD_FAILURE() << "unexpected call " << operation << " " << request.body;
    return net::Response{500, {}, R"({"__type":"ServerException","message":"unscripted"})"};
  }
  const Answer answer = queue.front();
  if (queue.size() > 1) queue.pop_front();
  return net::Response{answer.status, {{"Content-Type", "application/x-amz-json-1.1"}}, answer.body};
}

json FakeEcs::input_of(const std::string& operation, int n) const {
  for (std::size_t i = 0; i < operations.size(); ++i) {
    if (operations[i] == operation && n-- == 0) return inputs[i];
  }
  return nullptr;
}

int FakeEcs::count(const std::string& operation) const {
  return static_cast<int>(std::count(operations.begin(), operations.end(), operation));
}

util::Result<net::Response> FakeWeb::send(const net::Request& request) {
  urls.push_back(request.url);
  if (answers_.empty()) return util::fail(util::ErrorKind::kTransient, "connection refused");
  const auto [status, commit] = answers_.front();
  if (answers_.size() > 1) answers_.pop_front();
  return net::Response{status, {}, json{{"service", "api"}, {"commit", commit}}.dump()};
}

aws::EcsClient ecs_client(net::HttpClient& http) {
  aws::ClientConfig config;
  config.http = &http;
  config.credentials = std::make_shared<aws::StaticCredentials>(aws::Credentials{"AKID", "secret", "", {}});
  config.region = "ap-northeast-1";
  config.env = util::map_env({});
  config.sleep = [](std::chrono::milliseconds) {};
  return aws::EcsClient(*aws::ServiceClient::create(aws::kEcs, std::move(config)));
}

std::string revision_arn(int n) {
  return "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/default/api/" + std::to_string(1000 + n);
}

std::string deployment_arn(int n) {
  return "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/api/d" + std::to_string(n);
}

json configuration(int n, const std::string& image, const std::string& endpoint) {
  return {{"serviceRevisionArn", revision_arn(n)},
          {"executionRoleArn", kExecRole},
          {"cpu", "256"},
          {"memory", "512"},
          {"healthCheckPath", "/ping"},
          {"primaryContainer", {{"image", image}, {"containerPort", 8080}}},
          {"scalingTarget", {{"minTaskCount", 1}, {"maxTaskCount", 2}}},
          {"ingressPaths", json::array({{{"accessType", "PUBLIC"}, {"endpoint", endpoint}}})},
          {"createdAt", 1764748800 + n}};
}

json service(const std::string& status, const std::vector<json>& configurations) {
  return {{"service",
           {{"cluster", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/default"},
            {"serviceName", "api"},
            {"serviceArn", kServiceArn},
            {"infrastructureRoleArn", kInfraRole},
            {"status", {{"statusCode", status}}},
            {"activeConfigurations", configurations},
            {"createdAt", 1764748800}}}};
}

json updated_service(const json& target) {
  return {{"service",
           {{"serviceArn", kServiceArn},
            {"cluster", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/default"},
            {"serviceName", "api"},
            {"status", {{"statusCode", "ACTIVE"}}},
            {"targetConfiguration", target},
            {"updatedAt", 1764748900}}}};
}

json listed(int n, const std::string& status) {
  return {{"serviceDeployments",
           json::array({{{"serviceDeploymentArn", deployment_arn(n)},
                         {"serviceArn", kServiceArn},
                         {"clusterArn", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/default"},
                         {"createdAt", 1764748800 + n},
                         {"targetServiceRevisionArn", revision_arn(n)},
                         {"status", status}}})}};
}

json deployment(int n, const std::string& status, const std::string& stage, const std::string& reason,
                const std::string& rollback_reason) {
  json d = {{"serviceDeploymentArn", deployment_arn(n)},
            {"serviceArn", kServiceArn},
            {"createdAt", 1764748800 + n},
            {"targetServiceRevision", {{"arn", revision_arn(n)}, {"requestedTaskCount", 1}, {"runningTaskCount", 1}}},
            {"status", status}};
  if (!stage.empty()) d["lifecycleStage"] = stage;
  if (!reason.empty()) d["statusReason"] = reason;
  if (!rollback_reason.empty()) {
    d["rollback"] = {{"reason", rollback_reason}, {"startedAt", 1764749000}, {"serviceRevisionArn", revision_arn(n - 1)}};
  }
  return {{"serviceDeployments", json::array({d})}, {"failures", json::array()}};
}

json revision(int n, const std::string& digest, const std::string& failed_reason) {
  json certificate = {{"arn", "arn:aws:acm:ap-northeast-1:123456789012:certificate/c1"},
                      {"status", failed_reason.empty() ? "ACTIVE" : "FAILED"},
                      {"updatedAt", 1764748900},
                      {"domainName", kHost}};
  if (!failed_reason.empty()) certificate["statusReason"] = failed_reason;
  return {{"serviceRevisions",
           json::array({{{"serviceRevisionArn", revision_arn(n)},
                         {"serviceArn", kServiceArn},
                         {"containerImages", json::array({{{"containerName", "Main"},
                                                           {"imageDigest", digest},
                                                           {"image", kImage}}})},
                         {"ecsManagedResources",
                          {{"ingressPaths", json::array({{{"accessType", "PUBLIC"},
                                                          {"endpoint", kHost},
                                                          {"certificate", certificate}}})}}}}})},
          {"failures", json::array()}};
}

}  // namespace eem::deploy::fakes
