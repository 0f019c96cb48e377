#pragma once
// What `shipctl deploy` is asked to do, as plain strings from the flags, and
// the validated form the deploy engine works from. Everything here is
// checked before any AWS call: a bad ARN, a tag where a digest belongs, a
// port out of range are refused in one line (kInvalidInput, exit 2).

#include <chrono>
#include <string>
#include <vector>

#include "aws/ecs.h"
#include "util/error.h"

namespace eem::deploy {

// ECS Express Mode listens on containerPort 80 unless told; our service on
// 8080. The health check path default is Express Mode's own (/ping).
inline constexpr int kDefaultPort = 8080;
// Sent explicitly because the documented defaults conflict (256/512 against
// 1024/2048, issue 14); 0.25 vCPU / 0.5 GB is the smallest Fargate size.
inline constexpr std::string_view kDefaultCpu = "256";
inline constexpr std::string_view kDefaultMemory = "512";

struct DeployInputs {
  std::string service;  // name (or the service ARN)
  std::string cluster = "default";
  std::string image;    // REGISTRY/REPOSITORY@sha256:... (push's image-uri)
  bool allow_tag = false;
  std::string execution_role_arn;
  std::string infrastructure_role_arn;
  std::string task_role_arn;
  std::string cpu{kDefaultCpu};
  std::string memory{kDefaultMemory};
  int port = kDefaultPort;
  std::string health_check_path = "/ping";
  std::vector<std::string> env;  // KEY=VALUE
  std::string wait_only;         // a service-deployment ARN
  std::string commit;            // expected /version commit; empty: no /version check
  int verify_count = 3;
  int timeout_seconds = 1800;
  int verify_timeout_seconds = 300;
};

struct Wanted {
  std::string service_name;
  std::string cluster;
  std::string service_arn;  // empty until the account is known (service_arn())
  std::string digest;       // sha256:...; empty for a tag deployed with --allow-tag
  aws::ExpressServiceSpec spec;
  std::string wait_only;
  std::string commit;
  int verify_count = 3;
  std::chrono::seconds timeout{1800};
  std::chrono::seconds verify_timeout{300};
};

// Checks `inputs` and builds the request shapes. With --wait-only, --image
// is optional (the digest check needs it) and no create/update is made.
util::Result<Wanted> validate(const DeployInputs& inputs);

// "arn:<partition>:ecs:<region>:<account>:service/<cluster>/<name>".
std::string service_arn(std::string_view region, std::string_view account, std::string_view cluster,
                        std::string_view name);

// The account of an ARN ("arn:aws:iam::123456789012:role/x" -> 123456789012);
// empty when `arn` has none.
std::string arn_account(std::string_view arn);

}  // namespace eem::deploy
