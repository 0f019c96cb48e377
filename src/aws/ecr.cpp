#include "aws/ecr.h"

#include <nlohmann/json.hpp>

#include "aws/json_answer.h"
#include "aws/timestamp.h"
#include "crypto/base64.h"
#include "iam/request_context.h"

namespace eem::aws {

namespace {

using nlohmann::json;

Repository repository_from(const json& item) {
  Repository repository;
  repository.arn = item.value("repositoryArn", "");
  repository.registry_id = item.value("registryId", "");
  repository.name = item.value("repositoryName", "");
  repository.uri = item.value("repositoryUri", "");
  repository.image_tag_mutability = item.value("imageTagMutability", "");
  if (item.contains("imageScanningConfiguration")) {
    repository.scan_on_push = item["imageScanningConfiguration"].value("scanOnPush", false);
  }
  for (const auto& filter : item.value("imageTagMutabilityExclusionFilters", json::array())) {
    repository.mutability_exclusions.push_back(filter.value("filter", ""));
  }
  return repository;
}

json image_ids(const std::vector<ImageId>& ids) {
  json list = json::array();
  for (const auto& id : ids) {
    json item = json::object();
    if (!id.digest.empty()) item["imageDigest"] = id.digest;
    if (!id.tag.empty()) item["imageTag"] = id.tag;
    list.push_back(item);
  }
  return list;
}

json exclusions_json(const std::vector<TagMutabilityExclusion>& exclusions) {
  json list = json::array();
  for (const auto& exclusion : exclusions) list.push_back({{"filterType", "WILDCARD"}, {"filter", exclusion.filter}});
  return list;
}

RegistryScanningConfiguration scanning_from(const json& item) {
  RegistryScanningConfiguration configuration;
  if (!item.is_object()) return configuration;
  configuration.scan_type = item.value("scanType", configuration.scan_type);
  for (const auto& rule : item.value("rules", json::array())) {
    ScanningRule out{rule.value("scanFrequency", ""), {}};
    for (const auto& filter : rule.value("repositoryFilters", json::array())) {
      out.filters.push_back({filter.value("filter", ""), filter.value("filterType", "WILDCARD")});
    }
    configuration.rules.push_back(std::move(out));
  }
  return configuration;
}

json scanning_json(const RegistryScanningConfiguration& configuration) {
  json rules = json::array();
  for (const auto& rule : configuration.rules) {
    json filters = json::array();
    for (const auto& f : rule.filters) filters.push_back({{"filter", f.filter}, {"filterType", f.filter_type}});
    rules.push_back({{"scanFrequency", rule.scan_frequency}, {"repositoryFilters", filters}});
  }
  return {{"scanType", configuration.scan_type}, {"rules", rules}};
}

std::optional<std::chrono::system_clock::time_point> epoch_time(const json& value) {
  if (!value.is_number()) return std::nullopt;
  const double seconds = value.get<double>();
  // Out of the clock's range the cast below is undefined: such an expiry is unknown.
  if (!(seconds >= 0 && seconds < static_cast<double>(kEndOfTimestamps))) return std::nullopt;
  const auto millis = static_cast<std::int64_t>(seconds * 1000.0);
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(millis));
}

void scan_from(const json& item, ImageDetail& detail) {
  if (const auto status = item.find("imageScanStatus"); status != item.end() && status->is_object()) {
    detail.scan_status = status->value("status", "");
    detail.scan_description = status->value("description", "");
  }
  const auto summary = item.find("imageScanFindingsSummary");
  if (summary == item.end() || !summary->is_object()) return;
  const json counts = summary->value("findingSeverityCounts", json::object());
  for (const auto& [severity, count] : counts.items()) {
    if (count.is_number_integer()) detail.finding_counts.emplace_back(severity, count.get<std::int64_t>());
  }
}

std::unexpected<ApiError> bad_token(std::string_view service, std::string message) {
  return std::unexpected(
      from_error({util::ErrorKind::kInvalidInput, std::move(message)}, service, "GetAuthorizationToken"));
}

// An authorizationData object of ECR or ECR Public: base64("AWS:<password>")
// and expiresAt (epoch seconds).
ApiResult<AuthorizationToken> token_from(std::string_view service, const json& data) {
  const auto decoded = crypto::base64_decode(data.value("authorizationToken", ""));
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) return bad_token(service, "authorization token is not base64 of user:password");
  AuthorizationToken token;
  token.username = decoded->substr(0, colon);
  token.password = decoded->substr(colon + 1);
  if (data.contains("expiresAt")) token.expires_at = epoch_time(data["expiresAt"]);
  return token;
}

}  // namespace

std::string registry_scanning_document(const RegistryScanningConfiguration& configuration) {
  return scanning_json(configuration).dump();
}

bool scanning_filter_matches(std::string_view filter, std::string_view repository) {
  if (filter.find('*') == std::string_view::npos) return repository.find(filter) != std::string_view::npos;
  // IAM's glob is ECR's: '*' is any run of characters and the whole name
  // must match ('?' never occurs: ECR's filter pattern is [a-z0-9._/*-]).
  return iam::wildcard_match(filter, repository);
}

std::optional<ScanCoverage> scan_on_push_coverage(const RegistryScanningConfiguration& configuration,
                                                  std::string_view repository) {
  for (const auto& rule : configuration.rules) {
    if (rule.scan_frequency != kScanOnPush && rule.scan_frequency != kContinuousScan) continue;
    for (const auto& f : rule.filters) {
      if (scanning_filter_matches(f.filter, repository)) return ScanCoverage{rule.scan_frequency, f.filter};
    }
  }
  return std::nullopt;
}

ApiResult<Repository> EcrClient::create_repository(const CreateRepositoryRequest& request) {
  json input = {{"repositoryName", request.name}};
  if (!request.tags.empty()) {
    input["tags"] = json::array();
    for (const auto& [key, value] : request.tags) input["tags"].push_back({{"Key", key}, {"Value", value}});
  }
  if (!request.image_tag_mutability.empty()) input["imageTagMutability"] = request.image_tag_mutability;
  if (!request.exclusions.empty()) input["imageTagMutabilityExclusionFilters"] = exclusions_json(request.exclusions);
  if (request.scan_on_push) input["imageScanningConfiguration"] = {{"scanOnPush", *request.scan_on_push}};
  return json_answer(client_, "CreateRepository", input,
                     [](const json& output) { return repository_from(output.value("repository", json::object())); });
}

ApiResult<std::vector<Repository>> EcrClient::describe_repositories(const std::vector<std::string>& names,
                                                                   const std::string& registry_id) {
  json input = json::object();
  if (!registry_id.empty()) input["registryId"] = registry_id;
  if (!names.empty()) input["repositoryNames"] = names;
  return json_answer(client_, "DescribeRepositories", input, [](const json& output) {
    std::vector<Repository> repositories;
    for (const auto& item : output.value("repositories", json::array())) repositories.push_back(repository_from(item));
    return repositories;
  });
}

ApiResult<std::vector<ImageDetail>> EcrClient::describe_images(const std::string& repository,
                                                               const std::vector<ImageId>& ids) {
  json input = {{"repositoryName", repository}};
  if (!ids.empty()) input["imageIds"] = image_ids(ids);
  return json_answer(client_, "DescribeImages", input, [](const json& output) {
    std::vector<ImageDetail> details;
    for (const auto& item : output.value("imageDetails", json::array())) {
      ImageDetail detail;
      detail.digest = item.value("imageDigest", "");
      detail.tags = item.value("imageTags", std::vector<std::string>{});
      detail.size_bytes = item.value("imageSizeInBytes", std::int64_t{0});
      detail.manifest_media_type = item.value("imageManifestMediaType", "");
      if (item.contains("imagePushedAt")) detail.pushed_at = epoch_time(item["imagePushedAt"]);
      scan_from(item, detail);
      details.push_back(std::move(detail));
    }
    return details;
  });
}

ApiResult<std::vector<Image>> EcrClient::batch_get_image(const std::string& repository,
                                                         const std::vector<ImageId>& ids,
                                                         const std::vector<std::string>& accepted_media_types) {
  json input = {{"repositoryName", repository}, {"imageIds", image_ids(ids)}};
  if (!accepted_media_types.empty()) input["acceptedMediaTypes"] = accepted_media_types;
  return json_answer(client_, "BatchGetImage", input, [](const json& output) {
    std::vector<Image> images;
    for (const auto& item : output.value("images", json::array())) {
      Image image;
      const json id = item.value("imageId", json::object());
      image.id = {id.value("imageDigest", ""), id.value("imageTag", "")};
      image.manifest = item.value("imageManifest", "");
      image.manifest_media_type = item.value("imageManifestMediaType", "");
      images.push_back(std::move(image));
    }
    return images;
  });
}

ApiResult<AuthorizationToken> EcrClient::get_authorization_token() {
  auto answer = json_answer(client_, "GetAuthorizationToken", json::object(), [](const json& output) {
    const json data = output.value("authorizationData", json::array());
    if (!data.is_array() || data.empty() || !data[0].is_object()) {
      return ApiResult<AuthorizationToken>(bad_token("ECR", "response has no authorizationData"));
    }
    auto token = token_from("ECR", data[0]);
    if (token) token->proxy_endpoint = data[0].value("proxyEndpoint", "");
    return token;
  });
  if (!answer) return std::unexpected(answer.error());
  return *answer;
}

ApiResult<AuthorizationToken> EcrPublicClient::get_authorization_token() {
  auto answer = json_answer(client_, "GetAuthorizationToken", json::object(), [](const json& output) {
    // One object here, not ECR's list (GetAuthorizationTokenResponse in the ECR Public model).
    const auto data = output.find("authorizationData");
    if (data == output.end() || !data->is_object()) {
      return ApiResult<AuthorizationToken>(bad_token("ECR Public", "response has no authorizationData"));
    }
    return token_from("ECR Public", *data);
  });
  if (!answer) return std::unexpected(answer.error());
  return *answer;
}

ApiResult<void> EcrClient::put_lifecycle_policy(const std::string& repository, const std::string& policy_json) {
  auto output = client_.json_object("PutLifecyclePolicy",
                     {{"repositoryName", repository}, {"lifecyclePolicyText", policy_json}});
  if (!output) return std::unexpected(output.error());
  return {};
}

ApiResult<std::string> EcrClient::get_lifecycle_policy(const std::string& repository) {
  return json_answer(client_, "GetLifecyclePolicy", {{"repositoryName", repository}}, [](const json& output) {
    return output.value("lifecyclePolicyText", std::string());
  });
}

ApiResult<void> EcrClient::put_image_tag_mutability(const std::string& repository, const std::string& mutability,
                                                    const std::vector<TagMutabilityExclusion>& exclusions) {
  json input = {{"repositoryName", repository}, {"imageTagMutability", mutability}};
  if (!exclusions.empty()) input["imageTagMutabilityExclusionFilters"] = exclusions_json(exclusions);
  auto output = client_.json_object("PutImageTagMutability", input);
  if (!output) return std::unexpected(output.error());
  return {};
}

ApiResult<RegistryScanningConfiguration> EcrClient::get_registry_scanning_configuration() {
  return json_answer(client_, "GetRegistryScanningConfiguration", json::object(), [](const json& output) {
    return scanning_from(output.value("scanningConfiguration", json::object()));
  });
}

ApiResult<void> EcrClient::put_registry_scanning_configuration(const RegistryScanningConfiguration& configuration) {
  auto output = client_.json_object("PutRegistryScanningConfiguration", scanning_json(configuration));
  if (!output) return std::unexpected(output.error());
  return {};
}

ApiResult<std::vector<LayerAvailability>> EcrClient::batch_check_layer_availability(
    const std::string& repository, const std::vector<std::string>& digests) {
  const json input = {{"repositoryName", repository}, {"layerDigests", digests}};
  return json_answer(client_, "BatchCheckLayerAvailability", input, [](const json& output) {
    std::vector<LayerAvailability> layers;
    for (const auto& item : output.value("layers", json::array())) {
      layers.push_back({item.value("layerDigest", ""), item.value("layerAvailability", "") == "AVAILABLE",
                        item.value("layerSize", std::int64_t{0})});
    }
    for (const auto& failure : output.value("failures", json::array())) {
      layers.push_back({failure.value("layerDigest", ""), false, 0});
    }
    return layers;
  });
}

ApiResult<void> EcrClient::put_account_setting(const std::string& name, const std::string& value) {
  auto output = client_.json_object("PutAccountSetting", {{"name", name}, {"value", value}});
  if (!output) return std::unexpected(output.error());
  return {};
}

}  // namespace eem::aws
