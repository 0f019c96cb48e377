#include "aws/github_oidc.h"

#include <nlohmann/json.hpp>

#include "aws/endpoints.h"
#include "aws/sts.h"
#include "aws/uri.h"

namespace eem::aws {

namespace {

using util::ErrorKind;

constexpr std::string_view kMissingPermission =
    "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: the workflow job needs "
    "`permissions: id-token: write` (GitHub provides an OIDC token only then)";

}  // namespace

util::Result<std::string> fetch_github_id_token(net::HttpClient& http, const Env& env, std::string_view audience) {
  const auto url = env("ACTIONS_ID_TOKEN_REQUEST_URL");
  const auto bearer = env("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  if (!url || !bearer) return util::fail(ErrorKind::kInvalidInput, std::string(kMissingPermission));
  net::Request request;
  // The request URL already carries a query (api-version=...); GitHub's
  // toolkit appends "&audience=".
  request.url = *url + (url->find('?') == std::string::npos ? "?" : "&") + "audience=" + uri_encode(audience);
  request.headers.push_back({"Authorization", "Bearer " + *bearer});
  request.headers.push_back({"Accept", "application/json; api-version=2.0"});
  auto response = http.send(request);
  if (!response) return std::unexpected(response.error().with_context("requesting the GitHub OIDC token"));
  if (response->status != 200) {
    return util::fail(response->status == 401 || response->status == 403 ? ErrorKind::kDenied : ErrorKind::kTransient,
                      "requesting the GitHub OIDC token: HTTP " + std::to_string(response->status));
  }
  const auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object() || !body.contains("value") || !body["value"].is_string()) {
    return util::fail(ErrorKind::kInvalidInput, "requesting the GitHub OIDC token: response has no \"value\"");
  }
  return body["value"].get<std::string>();
}

util::Result<std::shared_ptr<CredentialsProvider>> github_oidc_credentials(const CredentialContext& context,
                                                                           GithubOidcOptions options) {
  if (auto ok = validate_role_arn(options.role_arn); !ok) return std::unexpected(ok.error());
  if (context.http == nullptr) return util::fail(ErrorKind::kInternal, "the GitHub OIDC source needs an HTTP client");
  if (options.session_name.empty()) options.session_name = "GitHubActions";
  if (auto ok = validate_role_session_name(options.session_name); !ok) return std::unexpected(ok.error());
  if (options.duration_seconds) {
    if (auto ok = validate_duration_seconds(*options.duration_seconds); !ok) return std::unexpected(ok.error());
  }
  if (options.audience.empty()) {
    options.audience = std::string(partition_of(context.region.empty() ? "us-east-1" : context.region).oidc_audience);
  }
  auto fetch = [context, options]() -> util::Result<Credentials> {
    auto service = sts_service(context, nullptr);
    if (!service) return std::unexpected(service.error());
    StsClient sts(std::move(*service));
    auto policy = web_identity_retry_policy();
    policy.sleep = context.sleep;
    auto role = sts.assume_role_with_web_identity(
        {options.role_arn, options.session_name, "", options.duration_seconds},
        [&] { return fetch_github_id_token(*context.http, context.env, options.audience); }, policy, context.now);
    if (!role) return std::unexpected(role.error());
    return role->credentials;
  };
  return std::make_shared<RefreshingCredentials>("github actions oidc", fetch, context.now);
}

}  // namespace eem::aws
