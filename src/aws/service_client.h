#pragma once
// The protocol layer every AWS client shares: endpoint resolution, the AWS
// Query and JSON 1.1 wire formats, SigV4 signing, retries in the SDKs'
// standard mode and clock-skew correction. The transport wrappers are
// assembled here, in one documented place:
//   operation -> serialise -> [sign] -> HttpClient (traced when --debug:
//   net/tracing_client.h) -> parse error -> classify -> correct skew once
//   -> net::with_retries (what util::kind_info calls retryable).

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/api_error.h"
#include "aws/credentials_provider.h"
#include "aws/endpoints.h"
#include "aws/environment.h"
#include "aws/xml.h"
#include "net/http_client.h"
#include "net/retry.h"

namespace eem::aws {

enum class Protocol { kQuery, kJson11 };

// The static description of one AWS service.
struct ServiceInfo {
  std::string_view id;            // "STS": used in messages and AWS_ENDPOINT_URL_<ID>
  std::string_view endpoint_name; // "sts": endpoint prefix
  std::string_view signing_name;  // "sts": SigV4 service name
  Protocol protocol;
  std::string_view api_version;    // Query: "2011-06-15"
  std::string_view target_prefix;  // JSON 1.1: "AmazonEC2ContainerRegistry_V20150921"
};

inline constexpr ServiceInfo kSts{"STS", "sts", "sts", Protocol::kQuery, "2011-06-15", ""};
inline constexpr ServiceInfo kIam{"IAM", "iam", "iam", Protocol::kQuery, "2010-05-08", ""};
inline constexpr ServiceInfo kEcr{"ECR", "ecr", "ecr", Protocol::kJson11, "",
                                  "AmazonEC2ContainerRegistry_V20150921"};
// Amazon ECR Public (botocore data/ecr-public/2020-10-30/service-2.json:
// endpointPrefix api.ecr-public, signingName ecr-public, targetPrefix
// SpencerFrontendService). Its endpoint variable, AWS_ENDPOINT_URL_ECR_PUBLIC,
// comes from serviceId "ECR PUBLIC"; the endpoint name gives the same.
inline constexpr ServiceInfo kEcrPublic{"ECR Public", "ecr-public", "ecr-public", Protocol::kJson11, "",
                                        "SpencerFrontendService"};
inline constexpr ServiceInfo kEcs{"ECS", "ecs", "ecs", Protocol::kJson11, "",
                                  "AmazonEC2ContainerServiceV20141113"};

using Clock = std::function<std::chrono::system_clock::time_point()>;
using Sleeper = net::Sleeper;

struct ClientConfig {
  net::HttpClient* http = nullptr;                    // required, not owned
  std::shared_ptr<CredentialsProvider> credentials;  // required for signed calls
  std::string region;
  std::string endpoint_url;  // --endpoint-url; empty: environment or default
  Env env;  // default: the process environment
  Clock now = [] { return std::chrono::system_clock::now(); };
  Sleeper sleep;                  // default: std::this_thread::sleep_for
  std::function<double()> random; // uniform in [0, 1); default: std::mt19937
  // Attempts per call, first included (standard mode: 3; AWS_MAX_ATTEMPTS
  // overrides when set to a positive number).
  int max_attempts = 3;
};

enum class Auth { kSigV4, kNone };

// Ordered name/value parameters of a Query request ("RoleArn", "arn:...").
using QueryParams = std::vector<std::pair<std::string, std::string>>;

class ServiceClient {
 public:
  // Resolves the endpoint for `service` in `config.region`.
  static util::Result<ServiceClient> create(const ServiceInfo& service, ClientConfig config);

  // AWS Query: POSTs Action, Version and `params` form-encoded; returns the
  // root element of the response (e.g. <GetCallerIdentityResponse>).
  ApiResult<XmlElement> query(std::string_view action, const QueryParams& params,
                              Auth auth = Auth::kSigV4);
  // AWS JSON 1.1: POSTs `body` (a JSON document) with X-Amz-Target
  // "<prefix>.<operation>"; returns the response body.
  ApiResult<std::string> json(std::string_view operation, std::string body);
  // The same with a JSON input, for the operations whose answer is a JSON
  // object (all of ECR's, ECS's and CloudTrail's): the parsed answer, or
  // kInvalidInput when the body is not one.
  ApiResult<nlohmann::json> json_object(std::string_view operation, const nlohmann::json& input);

  const Endpoint& endpoint() const { return endpoint_; }
  const ServiceInfo& service() const { return *service_; }
  int max_attempts() const { return config_.max_attempts; }
  void set_max_attempts(int attempts) { config_.max_attempts = attempts; }
  // Requests sent by the last call (retries included), for tests and doctor.
  int last_attempts() const { return last_attempts_; }

 private:
  ServiceClient(const ServiceInfo& service, ClientConfig config, Endpoint endpoint);
  ApiResult<net::Response> call(std::string_view operation, const net::Request& base, Auth auth);
  ApiResult<net::Response> attempt(std::string_view operation, const net::Request& base, Auth auth,
                                   const std::string& invocation, net::Attempt& attempt);
  util::Result<void> sign(net::Request& request);
  ApiError parse_error(std::string_view operation, const net::Response& response) const;
  bool correct_clock_skew(const net::Response& response);
  net::RetryPolicy retry_policy() const;

  const ServiceInfo* service_;
  ClientConfig config_;
  Endpoint endpoint_;
  std::chrono::seconds clock_offset_{0};
  bool skew_corrected_ = false;
  int last_attempts_ = 0;
};

}  // namespace eem::aws
