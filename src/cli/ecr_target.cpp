#include "cli/ecr_target.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <regex>

#include "aws/endpoints.h"
#include "aws/sts.h"
#include "iam/arn.h"
#include "oci/registry.h"
#include "util/strings.h"

namespace eem::cli {

namespace {

using util::ErrorKind;
using util::fail;

// The repositoryName pattern of the ECR API reference (CreateRepository).
const std::regex& repository_pattern() {
  static const std::regex pattern("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
  return pattern;
}

// The repository part of something that looks like an image URI, if it is one.
std::optional<std::string> repository_in_uri(std::string_view text) {
  std::string_view rest = text;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  const auto slash = rest.find('/');
  const bool host_first = slash != std::string_view::npos && rest.substr(0, slash).find_first_of(".:") != std::string_view::npos;
  if (!host_first && rest.find_first_of(":@") == std::string_view::npos) return std::nullopt;
  std::string name(host_first ? rest.substr(slash + 1) : rest);
  name = name.substr(0, name.find_first_of(":@"));
  return name;
}

}  // namespace

util::Result<void> validate_repository_name(std::string_view name) {
  if (name.empty()) return fail(ErrorKind::kInvalidInput, "--repository is empty");
  if (const auto uri = repository_in_uri(name)) {
    return fail(ErrorKind::kInvalidInput, "--repository takes the repository name, not the image URI: pass --repository " +
                                              (uri->empty() ? std::string("NAME") : *uri) +
                                              " (the registry comes from the account and region, the tag from --tag)");
  }
  if (name.size() < 2 || name.size() > 256 || !std::regex_match(name.begin(), name.end(), repository_pattern())) {
    return fail(ErrorKind::kInvalidInput, "--repository \"" + std::string(name) +
                                              "\" is not a repository name: lower-case letters, digits and . _ - /, "
                                              "2 to 256 characters (e.g. ecs-express-mode-api or team/app)");
  }
  return {};
}

std::string missing_repository_message(std::string_view repository, std::string_view registry_id,
                                       std::string_view region) {
  return oci::ecr_missing_repository(repository, registry_id, region);
}

util::Result<std::string> caller_account(const AwsSession& session) {
  auto client = session.client(aws::kSts);
  if (!client) return std::unexpected(client.error());
  aws::StsClient sts(std::move(*client));
  auto identity = sts.get_caller_identity();
  if (!identity) return std::unexpected(identity.error().to_error().with_context("finding the AWS account"));
  return identity->account;
}

util::Result<aws::EcrClient> ecr_client(const AwsSession& session) {
  auto client = session.client(aws::kEcr);
  if (!client) return std::unexpected(client.error());
  return aws::EcrClient(std::move(*client));
}

util::Result<void> check_repository_exists(aws::EcrClient& ecr, const std::string& repository,
                                           const std::string& registry_id, std::string_view region) {
  auto found = ecr.describe_repositories({repository}, registry_id);
  if (found) return {};
  if (found.error().code == "RepositoryNotFoundException") {
    return fail(ErrorKind::kNotFound, missing_repository_message(repository, registry_id, region));
  }
  if (found.error().kind == ErrorKind::kDenied) return {};  // no ecr:DescribeRepositories: the push will tell
  return std::unexpected(found.error().to_error());
}

util::Result<EcrLogin> ecr_login(aws::EcrClient& ecr) {
  auto token = ecr.get_authorization_token();
  if (!token) return std::unexpected(token.error().to_error().with_context("getting ECR registry credentials"));
  std::string host = token->proxy_endpoint;
  if (const auto scheme = host.find("://"); scheme != std::string::npos) host.erase(0, scheme + 3);
  while (!host.empty() && host.back() == '/') host.pop_back();
  if (host.empty()) {
    return fail(ErrorKind::kInvalidInput, "ECR GetAuthorizationToken: the answer names no proxyEndpoint");
  }
  return EcrLogin{std::move(host), std::move(*token)};
}

util::Result<std::vector<EcrLogin>> ecr_logins(aws::EcrClient& ecr, const std::vector<std::string>& account_ids,
                                               std::string_view region) {
  auto token = ecr.get_authorization_token();
  if (!token) return std::unexpected(token.error().to_error().with_context("getting ECR registry credentials"));
  std::vector<EcrLogin> logins;
  for (const auto& account : account_ids) logins.push_back({aws::ecr_registry_host(account, region), *token});
  return logins;
}

util::Result<EcrLogin> ecr_public_login(const AwsSession& session) {
  auto client = session.client(aws::kEcrPublic, aws::kEcrPublicAuthRegion);
  if (!client) return std::unexpected(client.error());
  auto token = aws::EcrPublicClient(std::move(*client)).get_authorization_token();
  if (!token) {
    util::Error error = token.error().to_error().with_context("getting ECR Public registry credentials");
    if (error.kind == ErrorKind::kDenied && token.error().code.find("AccessDenied") != std::string::npos) {
      error.message += " (login --public needs both ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken, "
                       "on Resource \"*\")";
    }
    return std::unexpected(std::move(error));
  }
  return EcrLogin{std::string(aws::kEcrPublicRegistryHost), std::move(*token)};
}

util::Result<std::vector<std::string>> parse_registry_ids(const std::vector<std::string>& values,
                                                          std::string_view flag) {
  std::vector<std::string> ids;
  for (const auto& value : values) {
    std::string_view rest = value;
    while (true) {
      const auto comma = rest.find(',');
      const std::string id(util::trim(rest.substr(0, comma)));
      if (!iam::is_account_id(id)) {
        return fail(ErrorKind::kInvalidInput, std::string(flag) + ": \"" + id + "\" is not an AWS account id (12 "
                                              "digits, e.g. 123456789012; several: --registries "
                                              "111111111111,222222222222)");
      }
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return ids;
}

std::optional<std::string> current_commit(const util::EnvLookup& env) {
  if (auto sha = env("GITHUB_SHA"); sha && !sha->empty()) return sha;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen("git rev-parse HEAD 2>/dev/null", "r"), ::pclose);
  if (!pipe) return std::nullopt;
  char line[128] = {};
  if (std::fgets(line, sizeof line, pipe.get()) == nullptr) return std::nullopt;
  std::string sha(line);
  while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) sha.pop_back();
  if (sha.size() != 40 || sha.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
  return sha;
}

}  // namespace eem::cli
