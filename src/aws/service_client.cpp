#include "aws/service_client.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "aws/uri.h"
#include "net/redact.h"

namespace eem::aws {

namespace {

using util::ErrorKind;

// Standard mode's base scales: 1 s for throttling, 50 ms otherwise
// (botocore/retries/standard.py, ExponentialBackoff._DEFAULT_BACKOFF_CONFIG).
constexpr std::chrono::milliseconds kThrottlingScale{1000};
constexpr std::chrono::milliseconds kOtherScale{50};
// AWS rejects signatures more than 5 minutes off; correct only real skew.
constexpr auto kSkewThreshold = std::chrono::seconds(60);

std::string random_uuid(std::mt19937_64& engine) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const auto nibble = static_cast<std::size_t>(engine() & 0x0F);
    out.push_back(i == 12 ? '4' : (i == 16 ? kHex[8 + (nibble & 3)] : kHex[nibble]));
  }
  return out;
}

std::mt19937_64& engine() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator;
}

std::string after_hash(std::string code) {
  // JSON __type is "com.amazonaws.ecr#RepositoryNotFoundException" or a bare
  // code; x-amzn-ErrorType may carry ":http://..." after the code.
  if (const auto hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  if (const auto colon = code.find(':'); colon != std::string::npos) code.erase(colon);
  return code;
}

}  // namespace

util::Result<ServiceClient> ServiceClient::create(const ServiceInfo& service, ClientConfig config) {
  if (config.http == nullptr) return util::fail(ErrorKind::kInternal, "AWS client without HTTP client");
  auto endpoint = resolve_endpoint(service.endpoint_name, config.region, config.env, config.endpoint_url);
  if (!endpoint) return std::unexpected(endpoint.error());
  if (const auto attempts = config.env("AWS_MAX_ATTEMPTS")) {
    const int value = std::atoi(attempts->c_str());
    if (value > 0) config.max_attempts = value;
  }
  return ServiceClient(service, std::move(config), std::move(*endpoint));
}

ServiceClient::ServiceClient(const ServiceInfo& service, ClientConfig config, Endpoint endpoint)
    : service_(&service), config_(std::move(config)), endpoint_(std::move(endpoint)) {}

ApiResult<XmlElement> ServiceClient::query(std::string_view action, const QueryParams& params, Auth auth) {
  net::Request request;
  request.method = "POST";
  request.url = endpoint_.url + "/";
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
  request.body = "Action=" + form_encode(action) + "&Version=" + form_encode(service_->api_version);
  for (const auto& [name, value] : params) request.body += "&" + form_encode(name) + "=" + form_encode(value);
  auto response = call(action, request, auth);
  if (!response) return std::unexpected(response.error());
  auto root = parse_xml(response->body);
  if (!root) return std::unexpected(from_error(root.error(), service_->id, action));
  return std::move(*root);
}

ApiResult<std::string> ServiceClient::json(std::string_view operation, std::string body) {
  net::Request request;
  request.method = "POST";
  request.url = endpoint_.url + "/";
  request.headers.push_back({"X-Amz-Target", std::string(service_->target_prefix) + "." + std::string(operation)});
  request.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});
  request.body = body.empty() ? "{}" : std::move(body);
  auto response = call(operation, request, Auth::kSigV4);
  if (!response) return std::unexpected(response.error());
  return std::move(response->body);
}

ApiResult<nlohmann::json> ServiceClient::json_object(std::string_view operation, const nlohmann::json& input) {
  auto body = json(operation, input.dump());
  if (!body) return std::unexpected(body.error());
  auto parsed = nlohmann::json::parse(*body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::unexpected(
        from_error({util::ErrorKind::kInvalidInput, "response is not a JSON object"}, service_->id, operation));
  }
  return parsed;
}

util::Result<void> ServiceClient::sign(net::Request& request) {
  if (!config_.credentials) {
    return util::fail(ErrorKind::kDenied, "no AWS credentials configured for " + std::string(service_->id));
  }
  auto credentials = config_.credentials->get();
  if (!credentials) return std::unexpected(credentials.error());
  SigningParams params;
  params.credentials = std::move(*credentials);
  params.region = endpoint_.signing_region;
  params.service = std::string(service_->signing_name);
  params.time = std::chrono::floor<std::chrono::seconds>(config_.now() + clock_offset_);
  auto signed_request = sign_request(request, params);
  if (!signed_request) return std::unexpected(signed_request.error());
  return {};
}

ApiResult<net::Response> ServiceClient::call(std::string_view operation, const net::Request& base, Auth auth) {
  const std::string invocation = random_uuid(engine());
  last_attempts_ = 0;
  return net::with_retries(retry_policy(), [&](net::Attempt& current) {
    return attempt(operation, base, auth, invocation, current);
  });
}

net::RetryPolicy ServiceClient::retry_policy() const {
  net::RetryPolicy policy;
  policy.max_attempts = config_.max_attempts;
  policy.base_delay = kOtherScale;
  policy.throttled_base_delay = kThrottlingScale;
  policy.sleep = config_.sleep;
  policy.random = config_.random;
  return policy;
}

// One attempt; a clock-skew answer with a usable Date is sent again at once
// with the corrected time, without using up an attempt (at most once per client).
ApiResult<net::Response> ServiceClient::attempt(std::string_view operation, const net::Request& base, Auth auth,
                                                const std::string& invocation, net::Attempt& current) {
  for (;;) {
    net::Request request = base;
    if (auth == Auth::kSigV4) {
      if (auto signed_ok = sign(request); !signed_ok) {
        return std::unexpected(from_error(signed_ok.error(), service_->id, operation));
      }
    }
    // Added after signing, as botocore does: they change on every attempt
    // and are not part of the signature.
    request.headers.push_back({"amz-sdk-invocation-id", invocation});
    request.headers.push_back({"amz-sdk-request", "attempt=" + std::to_string(current.number) +
                                                      "; max=" + std::to_string(config_.max_attempts)});
    ++last_attempts_;
    auto response = config_.http->send(request);
    if (!response) return std::unexpected(from_error(response.error(), service_->id, operation));
    if (response->status >= 200 && response->status < 300) return std::move(*response);
    if (const auto after = response->header("Retry-After")) current.retry_after = net::parse_retry_after(*after, config_.now());
    ApiError error = parse_error(operation, *response);
    if (error.kind == ErrorKind::kClockSkew && correct_clock_skew(*response)) continue;
    return std::unexpected(std::move(error));
  }
}

bool ServiceClient::correct_clock_skew(const net::Response& response) {
  if (skew_corrected_) return false;
  const auto date = response.header("Date");
  if (!date) return false;
  const auto server = net::parse_http_date(*date);
  if (!server) return false;
  const auto local = std::chrono::floor<std::chrono::seconds>(config_.now());
  const auto offset = *server - local;
  if (offset < kSkewThreshold && offset > -kSkewThreshold) return false;
  clock_offset_ = offset;
  skew_corrected_ = true;
  return true;
}

ApiError ServiceClient::parse_error(std::string_view operation, const net::Response& response) const {
  ApiError error;
  error.service = std::string(service_->id);
  error.operation = std::string(operation);
  error.status = response.status;
  error.request_id = std::string(response.header("x-amzn-RequestId").value_or(""));
  if (service_->protocol == Protocol::kQuery) {
    if (auto root = parse_xml(response.body)) {
      const XmlElement* detail = root->name == "Error" ? &*root : root->find("Error");
      if (detail == nullptr) detail = root->find("Errors/Error");
      if (detail != nullptr) {
        error.code = detail->text_at("Code");
        error.message = detail->text_at("Message");
      }
      if (error.request_id.empty()) error.request_id = root->text_at("RequestId");
      if (error.request_id.empty()) error.request_id = root->text_at("RequestID");
    }
  } else {
    const auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object()) {
      error.code = after_hash(body.value("__type", std::string()));
      error.message = body.contains("message") ? body.value("message", std::string())
                                               : body.value("Message", std::string());
    }
    if (error.code.empty()) error.code = after_hash(std::string(response.header("x-amzn-ErrorType").value_or("")));
  }
  if (error.message.empty() && error.code.empty()) error.message = "unexpected response";
  error.message = net::redact_body(error.message);
  error.kind = classify(error.status, error.code);
  return error;
}

}  // namespace eem::aws
