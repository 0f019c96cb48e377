#include "aws/service_client.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "aws/redact.h"
#include "aws/uri.h"

namespace eem::aws {

namespace {

using util::ErrorKind;

constexpr auto kMaxBackoff = std::chrono::milliseconds(20'000);
// Standard mode's base scales: 1 s for throttling, 50 ms otherwise
// (botocore/retries/standard.py, ExponentialBackoff._DEFAULT_BACKOFF_CONFIG).
constexpr double kThrottlingScaleMs = 1000.0;
constexpr double kOtherScaleMs = 50.0;
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

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  std::tm parts{};
  const std::string copy(text);
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr) return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(timegm(&parts)));
}

util::Result<ServiceClient> ServiceClient::create(const ServiceInfo& service, ClientConfig config) {
  if (config.http == nullptr) return util::fail(ErrorKind::kInternal, "AWS client without HTTP client");
  auto endpoint = resolve_endpoint(service.endpoint_name, config.region, config.env, config.endpoint_url);
  if (!endpoint) return std::unexpected(endpoint.error());
  if (const auto attempts = config.env("AWS_MAX_ATTEMPTS")) {
    const int value = std::atoi(attempts->c_str());
    if (value > 0) config.max_attempts = value;
  }
  if (!config.sleep) config.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!config.random) {
    config.random = [] { return std::uniform_real_distribution<double>(0.0, 1.0)(engine()); };
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
  for (int attempt = 1;; ++attempt) {
    net::Request request = base;
    if (auth == Auth::kSigV4) {
      if (auto signed_ok = sign(request); !signed_ok) {
        return std::unexpected(from_error(signed_ok.error(), service_->id, operation));
      }
    }
    // Added after signing, as botocore does: they change on every attempt
    // and are not part of the signature.
    request.headers.push_back({"amz-sdk-invocation-id", invocation});
    request.headers.push_back({"amz-sdk-request", "attempt=" + std::to_string(attempt) +
                                                      "; max=" + std::to_string(config_.max_attempts)});
    if (config_.debug) config_.debug(describe_request(request));
    ++last_attempts_;
    auto response = config_.http->send(request);
    ApiError error;
    if (!response) {
      error = from_error(response.error(), service_->id, operation);
    } else {
      if (config_.debug) config_.debug(describe_response(*response));
      if (response->status >= 200 && response->status < 300) return std::move(*response);
      error = parse_error(operation, *response);
      if (error.kind == ErrorKind::kClockSkew && correct_clock_skew(*response)) {
        --attempt;  // the corrected retry does not use up an attempt
        continue;
      }
    }
    // Only throttling, 5xx and connection errors are retried; never
    // AccessDenied or validation errors (DESIGN.md section 3).
    const bool retryable = error.kind == ErrorKind::kThrottled || error.kind == ErrorKind::kTransient;
    if (!retryable || attempt >= config_.max_attempts) return std::unexpected(std::move(error));
    config_.sleep(backoff(attempt, error));
  }
}

std::chrono::milliseconds ServiceClient::backoff(int attempt, const ApiError& error) {
  const double scale = error.kind == ErrorKind::kThrottled ? kThrottlingScaleMs : kOtherScaleMs;
  const double ceiling = std::min(scale * static_cast<double>(1LL << std::min(attempt - 1, 20)),
                                  static_cast<double>(kMaxBackoff.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(config_.random() * ceiling));
}

bool ServiceClient::correct_clock_skew(const net::Response& response) {
  if (skew_corrected_) return false;
  const auto date = response.header("Date");
  if (!date) return false;
  const auto server = parse_http_date(*date);
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
  error.message = redact_body(error.message);
  error.kind = classify(error.status, error.code);
  return error;
}

}  // namespace eem::aws
