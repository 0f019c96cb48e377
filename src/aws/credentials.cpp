#include "aws/credentials.h"

#include <fstream>
#include <sstream>

#include "aws/profiles.h"
#include "aws/sts.h"

namespace eem::aws {

namespace {

using util::ErrorKind;
using ProviderResult = util::Result<std::shared_ptr<CredentialsProvider>>;

// The SDKs refresh temporary credentials this long before they expire.
constexpr auto kRefreshWindow = std::chrono::minutes(5);

util::Result<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return util::fail(ErrorKind::kIo, "cannot read web identity token file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return util::fail(ErrorKind::kInvalidInput, "web identity token file " + path + " is empty");
  return token;
}

std::optional<int> duration_from(const Profile& profile) {
  const auto found = profile.find("duration_seconds");
  if (found == profile.end()) return std::nullopt;
  return std::atoi(found->second.c_str());
}

std::string value_of(const Profile& profile, std::string_view key) {
  const auto found = profile.find(key);
  return found == profile.end() ? std::string() : found->second;
}

// Static keys of `profile`, or nullopt when it has none.
util::Result<std::optional<Credentials>> static_keys(const Profile& profile, std::string_view name) {
  const std::string id = value_of(profile, "aws_access_key_id");
  const std::string secret = value_of(profile, "aws_secret_access_key");
  if (id.empty() && secret.empty()) return std::optional<Credentials>();
  if (id.empty() || secret.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "profile " + std::string(name) +
                                                    " sets only one of aws_access_key_id and aws_secret_access_key");
  }
  return std::optional<Credentials>(Credentials{id, secret, value_of(profile, "aws_session_token"), std::nullopt});
}

std::shared_ptr<CredentialsProvider> assume_role_provider(const CredentialContext& context,
                                                          std::shared_ptr<CredentialsProvider> source,
                                                          const Profile& profile, std::string name) {
  AssumeRoleRequest request{value_of(profile, "role_arn"), value_of(profile, "role_session_name"),
                            duration_from(profile)};
  if (request.role_session_name.empty()) request.role_session_name = default_session_name(context);
  auto fetch = [context, source, request]() -> util::Result<Credentials> {
    auto service = sts_service(context, source);
    if (!service) return std::unexpected(service.error());
    StsClient sts(std::move(*service));
    auto role = sts.assume_role(request);
    if (!role) return std::unexpected(role.error().to_error());
    return role->credentials;
  };
  return std::make_shared<RefreshingCredentials>("profile " + name + " (assume role)", fetch, context.now);
}

}  // namespace

RefreshingCredentials::RefreshingCredentials(std::string source_name, Fetch fetch, Clock now)
    : source_(std::move(source_name)), fetch_(std::move(fetch)), now_(std::move(now)) {}

util::Result<Credentials> RefreshingCredentials::get() {
  std::lock_guard lock(mutex_);
  if (cached_ && (!cached_->expiration || *cached_->expiration - kRefreshWindow > now_())) return *cached_;
  auto fresh = fetch_();
  if (!fresh) return std::unexpected(fresh.error());
  cached_ = std::move(*fresh);
  return *cached_;
}

util::Result<ServiceClient> sts_service(const CredentialContext& context,
                                        std::shared_ptr<CredentialsProvider> credentials) {
  ClientConfig config;
  config.http = context.http;
  config.credentials = std::move(credentials);
  config.region = context.region.empty() ? "us-east-1" : context.region;
  config.endpoint_url = context.sts_endpoint;
  config.env = context.env;
  config.now = context.now;
  config.sleep = context.sleep;
  return ServiceClient::create(kSts, std::move(config));
}

std::string default_session_name(const CredentialContext& context) {
  if (auto name = context.env("AWS_ROLE_SESSION_NAME")) return *name;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(context.now().time_since_epoch());
  return "shipctl-" + std::to_string(seconds.count());
}

ProviderResult environment_credentials(const CredentialContext& context) {
  const auto id = context.env("AWS_ACCESS_KEY_ID");
  const auto secret = context.env("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return nullptr;
  if (!id || !secret) {
    return util::fail(ErrorKind::kInvalidInput,
                      std::string("AWS_") + (id ? "SECRET_ACCESS_KEY" : "ACCESS_KEY_ID") +
                          " is not set, but AWS_" + (id ? "ACCESS_KEY_ID" : "SECRET_ACCESS_KEY") + " is");
  }
  Credentials credentials{*id, *secret, "", std::nullopt};
  if (auto token = context.env("AWS_SESSION_TOKEN")) {
    credentials.session_token = *token;
  } else if (auto legacy = context.env("AWS_SECURITY_TOKEN")) {
    credentials.session_token = *legacy;
  }
  return std::make_shared<StaticCredentials>(std::move(credentials), "environment");
}

std::shared_ptr<CredentialsProvider> web_identity_file_provider(const CredentialContext& context,
                                                               std::string token_file, std::string role_arn,
                                                               std::string session_name) {
  auto fetch = [context, token_file, role_arn, session_name]() -> util::Result<Credentials> {
    auto token = read_token_file(token_file);
    if (!token) return std::unexpected(token.error());
    auto service = sts_service(context, nullptr);
    if (!service) return std::unexpected(service.error());
    StsClient sts(std::move(*service));
    auto role = sts.assume_role_with_web_identity({role_arn, session_name, *token, std::nullopt});
    if (!role) return std::unexpected(role.error().to_error());
    return role->credentials;
  };
  return std::make_shared<RefreshingCredentials>("web identity token file", fetch, context.now);
}

ProviderResult web_identity_credentials(const CredentialContext& context) {
  const auto file = context.env("AWS_WEB_IDENTITY_TOKEN_FILE");
  const auto role = context.env("AWS_ROLE_ARN");
  if (!file && !role) return nullptr;
  if (!file || !role) {
    return util::fail(ErrorKind::kInvalidInput,
                      "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together");
  }
  return web_identity_file_provider(context, *file, *role, default_session_name(context));
}

ProviderResult profile_credentials(const CredentialContext& context) {
  auto shared = SharedConfig::load(context.env);
  if (!shared) return std::unexpected(shared.error());
  const std::string name = context.profile.empty() ? SharedConfig::selected_profile(context.env) : context.profile;
  const auto profile = shared->profile(name);
  if (!profile) {
    if (name == "default") return nullptr;
    return util::fail(ErrorKind::kNotFound, "AWS profile '" + name + "' is not in the config or credentials file");
  }
  if (const std::string role_arn = value_of(*profile, "role_arn"); !role_arn.empty()) {
    if (const std::string file = value_of(*profile, "web_identity_token_file"); !file.empty()) {
      std::string session = value_of(*profile, "role_session_name");
      return web_identity_file_provider(context, file, role_arn,
                                        session.empty() ? default_session_name(context) : session);
    }
    const std::string source_name = value_of(*profile, "source_profile");
    if (source_name.empty()) {
      return util::fail(ErrorKind::kUnsupported,
                        "profile " + name + " sets role_arn without source_profile or web_identity_token_file");
    }
    const auto source_profile = shared->profile(source_name);
    if (!source_profile) return util::fail(ErrorKind::kNotFound, "source_profile '" + source_name + "' not found");
    auto keys = static_keys(*source_profile, source_name);
    if (!keys) return std::unexpected(keys.error());
    if (!*keys) return util::fail(ErrorKind::kUnsupported, "source_profile '" + source_name + "' has no static keys");
    auto source = std::make_shared<StaticCredentials>(**keys, "profile " + source_name);
    return assume_role_provider(context, source, *profile, name);
  }
  auto keys = static_keys(*profile, name);
  if (!keys) return std::unexpected(keys.error());
  if (!*keys) return nullptr;
  return std::make_shared<StaticCredentials>(**keys, "profile " + name);
}

ProviderResult default_credentials(const CredentialContext& context) {
  using Source = ProviderResult (*)(const CredentialContext&);
  // Profile first when --profile is explicit, as in the CLI.
  const Source explicit_order[] = {profile_credentials};
  const Source sdk_order[] = {environment_credentials, web_identity_credentials, profile_credentials,
                              container_credentials, instance_metadata_credentials};
  const std::span<const Source> order = context.profile.empty() ? std::span<const Source>(sdk_order)
                                                                 : std::span<const Source>(explicit_order);
  for (const Source source : order) {
    auto provider = source(context);
    if (!provider) return provider;
    if (*provider) return provider;
  }
  return util::fail(ErrorKind::kDenied,
                    "no AWS credentials found (tried environment variables, web identity token file, shared "
                    "config profile, container credentials and instance metadata); in GitHub Actions, get "
                    "credentials through OIDC (the job needs `permissions: id-token: write`)");
}

}  // namespace eem::aws
