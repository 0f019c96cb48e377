#include "deploy/inputs.h"

#include <algorithm>
#include <regex>

#include "aws/endpoints.h"
#include "oci/reference.h"
#include "util/strings.h"

namespace eem::deploy {

namespace {

using util::ErrorKind;
using util::fail;

// ECS service and cluster names: up to 255 letters, digits, hyphens and
// underscores (CreateService / CreateCluster parameter docs).
bool valid_name(std::string_view name) {
  static const std::regex kName("[A-Za-z0-9_-]{1,255}");
  return std::regex_match(name.begin(), name.end(), kName);
}

bool valid_role_arn(std::string_view arn) {
  static const std::regex kRole(R"(arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512})");
  return std::regex_match(arn.begin(), arn.end(), kRole);
}

bool valid_deployment_arn(std::string_view arn) {
  static const std::regex kDeployment(
      R"(arn:aws(-cn|-us-gov)?:ecs:[a-z0-9-]+:\d{12}:service-deployment/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+)");
  return std::regex_match(arn.begin(), arn.end(), kDeployment);
}

bool valid_service_arn(std::string_view arn) {
  static const std::regex kService(R"(arn:aws(-cn|-us-gov)?:ecs:[a-z0-9-]+:\d{12}:service/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+)");
  return std::regex_match(arn.begin(), arn.end(), kService);
}

util::Result<void> check_role(std::string_view flag, std::string_view arn) {
  if (arn.empty() || valid_role_arn(arn)) return {};
  return fail(ErrorKind::kInvalidInput, std::string(flag) + " " + std::string(arn) +
                                            " is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)");
}

util::Result<void> check_service(const DeployInputs& in, Wanted& out) {
  if (in.service.starts_with("arn:")) {
    if (!valid_service_arn(in.service)) {
      return fail(ErrorKind::kInvalidInput, "--service " + in.service +
                                                " is not an ECS service ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME)");
    }
    const auto parts = util::split(in.service, '/');
    out.cluster = std::string(parts[1]);
    out.service_name = std::string(parts[2]);
    out.service_arn = in.service;
    return {};
  }
  if (!valid_name(in.service)) {
    return fail(ErrorKind::kInvalidInput, "--service \"" + in.service +
                                              "\" is not a service name (1 to 255 letters, digits, - and _)");
  }
  if (!valid_name(in.cluster)) {
    return fail(ErrorKind::kInvalidInput, "--cluster \"" + in.cluster +
                                              "\" is not a cluster name (1 to 255 letters, digits, - and _)");
  }
  out.service_name = in.service;
  out.cluster = in.cluster;
  return {};
}

util::Result<void> check_image(const DeployInputs& in, Wanted& out) {
  if (in.image.empty()) {
    if (!in.wait_only.empty()) return {};
    return fail(ErrorKind::kInvalidInput, "deploy needs --image REGISTRY/REPOSITORY@sha256:... (push's image-uri output)");
  }
  auto ref = oci::ImageRef::parse(in.image);
  if (!ref) return std::unexpected(ref.error().with_context("--image"));
  if (!ref->digest && !in.allow_tag) {
    return fail(ErrorKind::kInvalidInput, "--image " + in.image +
                                              " names a tag, which can move: pass the digest push printed "
                                              "(REGISTRY/REPOSITORY@sha256:...), or add --allow-tag");
  }
  if (ref->digest) out.digest = ref->digest->str();
  out.spec.container.image = in.image;
  return {};
}

util::Result<void> check_env(const DeployInputs& in, Wanted& out) {
  static const std::regex kKey("[A-Za-z_][A-Za-z0-9_]*");
  for (const auto& entry : in.env) {
    const auto eq = entry.find('=');
    const std::string key = entry.substr(0, eq);
    if (eq == std::string::npos || !std::regex_match(key, kKey)) {
      return fail(ErrorKind::kInvalidInput, "--env \"" + key + "\" is not KEY=VALUE with KEY a variable name");
    }
    out.spec.container.environment.emplace_back(key, entry.substr(eq + 1));
  }
  return {};
}

// Fargate sizes are numbers of CPU units and MiB (the "1 vCPU" forms the
// task definition also accepts are not passed on).
util::Result<void> check_sizes(const DeployInputs& in) {
  for (const auto& [flag, value] : {std::pair{"--cpu", &in.cpu}, std::pair{"--memory", &in.memory}}) {
    if (value->empty() || value->size() > 6 || value->find_first_not_of("0123456789") != std::string::npos) {
      return fail(ErrorKind::kInvalidInput, std::string(flag) + " \"" + *value + "\" is not a number (e.g. --cpu 256 --memory 512)");
    }
  }
  return {};
}

util::Result<void> check_numbers(const DeployInputs& in) {
  if (in.port < 1 || in.port > 65535) {
    return fail(ErrorKind::kInvalidInput, "--port " + std::to_string(in.port) + " is out of range (1 to 65535)");
  }
  if (!in.health_check_path.starts_with('/')) {
    return fail(ErrorKind::kInvalidInput, "--health-check-path \"" + in.health_check_path + "\" must start with /");
  }
  if (in.verify_count < 1 || in.verify_count > 100) return fail(ErrorKind::kInvalidInput, "--verify-count must be between 1 and 100");
  if (in.timeout_seconds < 1) return fail(ErrorKind::kInvalidInput, "--timeout must be a positive number of seconds");
  if (in.verify_timeout_seconds < 1) {
    return fail(ErrorKind::kInvalidInput, "--verify-timeout must be a positive number of seconds");
  }
  return check_sizes(in);
}

util::Result<void> check_commit(const DeployInputs& in) {
  static const std::regex kCommit("[0-9a-f]{7,64}");
  if (in.commit.empty() || std::regex_match(in.commit, kCommit)) return {};
  return fail(ErrorKind::kInvalidInput, "--commit \"" + in.commit + "\" is not a git commit (7 to 64 lower-case hex digits)");
}

util::Result<void> check_wait_only(const DeployInputs& in) {
  if (in.wait_only.empty() || valid_deployment_arn(in.wait_only)) return {};
  return fail(ErrorKind::kInvalidInput, "--wait-only " + in.wait_only +
                                            " is not a service deployment ARN "
                                            "(arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID)");
}

void fill_spec(const DeployInputs& in, Wanted& out) {
  auto& spec = out.spec;
  spec.service_name = out.service_name;
  spec.cluster = out.cluster;
  spec.execution_role_arn = in.execution_role_arn;
  spec.infrastructure_role_arn = in.infrastructure_role_arn;
  spec.task_role_arn = in.task_role_arn;
  spec.health_check_path = in.health_check_path;
  spec.cpu = in.cpu;
  spec.memory = in.memory;
  spec.container.container_port = in.port;
}

}  // namespace

util::Result<Wanted> validate(const DeployInputs& in) {
  Wanted out;
  if (in.wait_only.empty() && in.service.empty()) return fail(ErrorKind::kInvalidInput, "deploy needs --service NAME");
  if (auto ok = check_wait_only(in); !ok) return std::unexpected(ok.error());
  if (!in.service.empty()) {
    if (auto ok = check_service(in, out); !ok) return std::unexpected(ok.error());
  }
  for (const auto& check : {check_numbers(in), check_commit(in), check_role("--execution-role-arn", in.execution_role_arn),
                            check_role("--infrastructure-role-arn", in.infrastructure_role_arn),
                            check_role("--task-role-arn", in.task_role_arn)}) {
    if (!check) return std::unexpected(check.error());
  }
  if (auto ok = check_image(in, out); !ok) return std::unexpected(ok.error());
  if (auto ok = check_env(in, out); !ok) return std::unexpected(ok.error());
  fill_spec(in, out);
  out.wait_only = in.wait_only;
  out.commit = in.commit;
  out.verify_count = in.verify_count;
  out.timeout = std::chrono::seconds(in.timeout_seconds);
  out.verify_timeout = std::chrono::seconds(in.verify_timeout_seconds);
  return out;
}

std::string service_arn(std::string_view region, std::string_view account, std::string_view cluster,
                        std::string_view name) {
  return "arn:" + std::string(aws::partition_of(region).id) + ":ecs:" + std::string(region) + ":" +
         std::string(account) + ":service/" + std::string(cluster) + "/" + std::string(name);
}

std::string arn_account(std::string_view arn) {
  const auto parts = util::split(arn, ':');
  if (parts.size() < 6 || parts[0] != "arn") return "";
  return std::string(parts[4]);
}

}  // namespace eem::deploy
