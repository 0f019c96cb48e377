#pragma once
// Test doubles for the deploy engine: an ECS endpoint that replays answers
// shaped as botocore's ecs model describes them (per operation, in order,
// the last one repeating), a /version endpoint, and a clock that sleeping
// advances.

#include <chrono>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/ecs.h"
#include "net/http_client.h"

namespace eem::deploy::fakes {

using nlohmann::json;

struct Answer {
  int status = 200;
  std::string body;
};

// An AWS JSON 1.1 error answer ("__type" and "message").
Answer aws_error(int status, const std::string& type, const std::string& message);

class FakeEcs final : public net::HttpClient {
 public:
  util::Result<net::Response> send(const net::Request& request) override;

  // Queues `answer` for `operation` ("DescribeExpressGatewayService").
  void answer(const std::string& operation, Answer answer) { script_[operation].push_back(std::move(answer)); }
  void answer(const std::string& operation, const json& body) { answer(operation, Answer{200, body.dump()}); }

  std::vector<std::string> operations;  // in the order they were called
  std::vector<json> inputs;             // their request bodies
  // The input of the `n`-th call of `operation` (0 first).
  json input_of(const std::string& operation, int n = 0) const;
  int count(const std::string& operation) const;

 private:
  std::map<std::string, std::deque<Answer>> script_;
};

// Answers GET /version with queued (status, commit) answers; the last repeats.
class FakeWeb final : public net::HttpClient {
 public:
  util::Result<net::Response> send(const net::Request& request) override;
  void serve(const std::string& commit, int status = 200) { answers_.push_back({status, commit}); }
  std::vector<std::string> urls;

 private:
  std::deque<std::pair<int, std::string>> answers_;
};

struct FakeClock {
  std::chrono::system_clock::time_point t = std::chrono::sys_days{std::chrono::year{2026} / 12 / 3} + std::chrono::hours(9);
  std::vector<std::chrono::milliseconds> sleeps;
  aws::Clock now() {
    return [this] { return t; };
  }
  aws::Sleeper sleep() {
    return [this](std::chrono::milliseconds d) {
      sleeps.push_back(d);
      t += d;
    };
  }
};

// An EcsClient on `http` (static credentials, ap-northeast-1, no retry sleeps).
aws::EcsClient ecs_client(net::HttpClient& http);

// Model-shaped bodies.
inline const std::string kAccount = "123456789012";
inline const std::string kServiceArn = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/api";
inline const std::string kImage =
    "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api@sha256:1111111111111111111111111111111111111111111111111111111111111111";
inline const std::string kDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
inline const std::string kOldImage =
    "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api@sha256:0000000000000000000000000000000000000000000000000000000000000000";
inline const std::string kExecRole = "arn:aws:iam::123456789012:role/exec";
inline const std::string kInfraRole = "arn:aws:iam::123456789012:role/infra";
inline const std::string kHost = "api-1a2b.ecs.ap-northeast-1.on.aws";

std::string revision_arn(int n);
std::string deployment_arn(int n);

// An ExpressGatewayServiceConfiguration for revision `n` running `image`.
json configuration(int n, const std::string& image, const std::string& endpoint = kHost);
// {"service": ECSExpressGatewayService} with `configurations`.
json service(const std::string& status, const std::vector<json>& configurations);
// {"service": UpdatedExpressGatewayService} whose targetConfiguration is `target`.
json updated_service(const json& target);
// ListServiceDeployments with one brief deployment of revision `n`.
json listed(int n, const std::string& status = "PENDING");
// DescribeServiceDeployments with deployment `n` in `status` / `stage`.
json deployment(int n, const std::string& status, const std::string& stage = "", const std::string& reason = "",
                const std::string& rollback_reason = "");
// DescribeServiceRevisions for revision `n` running `digest`, plus managed
// resources (a FAILED certificate when `failed_reason` is set).
json revision(int n, const std::string& digest, const std::string& failed_reason = "");

}  // namespace eem::deploy::fakes
