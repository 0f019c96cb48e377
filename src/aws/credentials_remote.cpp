// Credential sources reached over HTTP: the ECS container endpoint and EC2
// instance metadata (IMDSv2). Part of credentials.h.

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/credentials.h"
#include "aws/timestamp.h"
#include "util/strings.h"

namespace eem::aws {

namespace {

using util::ErrorKind;
using ProviderResult = util::Result<std::shared_ptr<CredentialsProvider>>;

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
constexpr std::string_view kEcsHost = "http://169.254.170.2";
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
constexpr std::string_view kImdsHost = "http://169.254.169.254";
constexpr std::string_view kImdsTokenTtl = "21600";
// The SDKs give up on IMDS after one second so the chain stays fast off EC2.
constexpr auto kImdsTimeout = std::chrono::milliseconds(1000);

// {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}: the shape both
// endpoints return.
util::Result<Credentials> parse_credentials_json(std::string_view body, std::string_view source) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("AccessKeyId") || !json.contains("SecretAccessKey")) {
    return util::fail(ErrorKind::kInvalidInput, std::string(source) + " returned no credentials");
  }
  Credentials credentials;
  credentials.access_key_id = json.value("AccessKeyId", "");
  credentials.secret_access_key = json.value("SecretAccessKey", "");
  credentials.session_token = json.value("Token", "");
  if (json.contains("Expiration")) credentials.expiration = parse_iso8601(json.value("Expiration", ""));
  return credentials;
}

util::Result<net::Response> get_ok(net::HttpClient& http, net::Request request, std::string_view source) {
  auto response = http.send(request);
  if (!response) return std::unexpected(response.error().with_context(std::string(source)));
  if (response->status != 200) {
    return util::fail(response->status == 401 || response->status == 403 ? ErrorKind::kDenied : ErrorKind::kTransient,
                      std::string(source) + ": HTTP " + std::to_string(response->status));
  }
  return response;
}

bool allowed_full_uri(std::string_view uri) {
  // The SDKs accept https, or http to loopback or the EKS Pod Identity agent.
  if (util::starts_with_ci(uri, "https://")) return true;
  for (const auto host : {"http://127.0.0.1", "http://localhost", "http://[::1]", "http://169.254.170.23",
                          "http://[fd00:ec2::23]"}) {
    if (util::starts_with_ci(uri, host) &&
        (uri.size() == std::string_view(host).size() || uri[std::string_view(host).size()] == ':' ||
         uri[std::string_view(host).size()] == '/')) {
      return true;
    }
  }
  return false;
}

util::Result<std::string> container_authorization(const Env& env) {
  if (auto file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    std::ifstream in(*file);
    if (!in) return util::fail(ErrorKind::kIo, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file);
    std::ostringstream text;
    text << in.rdbuf();
    return std::string(util::trim(text.str()));
  }
  return env("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
}

util::Result<std::string> imds_token(net::HttpClient& http, const std::string& base) {
  net::Request request;
  request.method = "PUT";
  request.url = base + "/latest/api/token";
  request.headers.push_back({"X-aws-ec2-metadata-token-ttl-seconds", std::string(kImdsTokenTtl)});
  auto response = get_ok(http, request, "instance metadata");
  if (!response) return std::unexpected(response.error());
  return response->body;
}

util::Result<Credentials> imds_fetch(net::HttpClient& http, const std::string& base) {
  auto token = imds_token(http, base);
  if (!token) return std::unexpected(token.error());
  net::Request request;
  request.url = base + "/latest/meta-data/iam/security-credentials/";
  request.headers.push_back({"X-aws-ec2-metadata-token", *token});
  auto role = get_ok(http, request, "instance metadata");
  if (!role) return std::unexpected(role.error());
  const std::string role_name(util::trim(util::split(role->body, '\n').front()));
  if (role_name.empty()) return util::fail(ErrorKind::kNotFound, "instance metadata: no IAM role attached");
  request.url += role_name;
  auto body = get_ok(http, request, "instance metadata");
  if (!body) return std::unexpected(body.error());
  return parse_credentials_json(body->body, "instance metadata");
}

}  // namespace

ProviderResult container_credentials(const CredentialContext& context) {
  std::string url;
  if (auto relative = context.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = std::string(kEcsHost) + *relative;
  } else if (auto full = context.env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    if (!allowed_full_uri(*full)) {
      return util::fail(ErrorKind::kInvalidInput,
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback http URL");
    }
    url = *full;
  } else {
    return nullptr;
  }
  if (context.http == nullptr) return util::fail(ErrorKind::kInternal, "container credentials need an HTTP client");
  auto fetch = [context, url]() -> util::Result<Credentials> {
    net::Request request;
    request.url = url;
    auto authorization = container_authorization(context.env);
    if (!authorization) return std::unexpected(authorization.error());
    if (!authorization->empty()) request.headers.push_back({"Authorization", *authorization});
    auto response = get_ok(*context.http, request, "container credentials");
    if (!response) return std::unexpected(response.error());
    return parse_credentials_json(response->body, "container credentials");
  };
  return std::make_shared<RefreshingCredentials>("container credentials", fetch, context.now);
}

ProviderResult instance_metadata_credentials(const CredentialContext& context) {
  if (context.env("AWS_EC2_METADATA_DISABLED").value_or("") == "true") return nullptr;
  const std::string base = context.env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or(std::string(kImdsHost));
  net::ClientOptions options;
  options.connect_timeout = kImdsTimeout;
  options.total_timeout = kImdsTimeout;
  std::shared_ptr<net::HttpClient> http = net::make_curl_client(options);
  // Probe once: off EC2 the token request fails fast and the chain moves on.
  if (!imds_token(*http, base)) return nullptr;
  auto fetch = [http, base]() { return imds_fetch(*http, base); };
  return std::make_shared<RefreshingCredentials>("instance metadata", fetch, context.now);
}

}  // namespace eem::aws
