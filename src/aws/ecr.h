#pragma once
// Amazon ECR control plane (AWS JSON 1.1, AmazonEC2ContainerRegistry_V20150921)
// and Amazon ECR Public's GetAuthorizationToken (AWS JSON 1.1,
// SpencerFrontendService). The registry API itself (blobs, manifests) is the
// OCI push engine's.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/service_client.h"

namespace eem::aws {

struct Repository {
  std::string arn;
  std::string registry_id;
  std::string name;
  std::string uri;  // "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/name"
  std::string image_tag_mutability;  // MUTABLE, IMMUTABLE, *_WITH_EXCLUSION
  bool scan_on_push = false;
  std::vector<std::string> mutability_exclusions;  // WILDCARD filters, e.g. "latest"
};

// A wildcard tag filter exempt from the repository's tag mutability
// (e.g. "latest" stays MUTABLE under IMMUTABLE_WITH_EXCLUSION).
struct TagMutabilityExclusion {
  std::string filter;  // "latest", "dev-*"
};

struct CreateRepositoryRequest {
  std::string name;
  std::string image_tag_mutability;  // empty: the service default (MUTABLE)
  std::vector<TagMutabilityExclusion> exclusions;
  std::optional<bool> scan_on_push;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct ImageId {
  std::string digest;  // "sha256:..."; either or both may be set
  std::string tag;
};

struct ImageDetail {
  std::string digest;
  std::vector<std::string> tags;
  std::int64_t size_bytes = 0;
  std::string manifest_media_type;
  std::optional<std::chrono::system_clock::time_point> pushed_at;
  // imageScanStatus (status "COMPLETE", "IN_PROGRESS", "FAILED", ...) and
  // imageScanFindingsSummary.findingSeverityCounts; empty when the image has
  // no scan (moto 5.2 never reports one).
  std::string scan_status;
  std::string scan_description;
  std::vector<std::pair<std::string, std::int64_t>> finding_counts;  // ("HIGH", 2)
};

struct Image {
  ImageId id;
  std::string manifest;
  std::string manifest_media_type;
};

struct AuthorizationToken {
  std::string username;  // "AWS"
  std::string password;  // a secret: never logged
  std::string proxy_endpoint;  // "https://123456789012.dkr.ecr.region.amazonaws.com"; ECR Public: empty
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

// One repository filter of a registry scanning rule. ECR knows one type,
// WILDCARD: '*' stands for any characters, and a filter without '*' matches
// every name that contains it ("Filters to choose which repositories are
// scanned in Amazon ECR").
struct ScanningFilter {
  std::string filter;
  std::string filter_type = "WILDCARD";
  bool operator==(const ScanningFilter&) const = default;
};

// A rule of the registry scanning configuration: how often the repositories
// its filters match are scanned.
struct ScanningRule {
  std::string scan_frequency;  // SCAN_ON_PUSH, CONTINUOUS_SCAN (ENHANCED only), MANUAL
  std::vector<ScanningFilter> filters;
  bool operator==(const ScanningRule&) const = default;
};

// The registry-level (account and region wide) scanning configuration.
// ECR answers BASIC with no rules for a registry nobody configured.
struct RegistryScanningConfiguration {
  std::string scan_type = "BASIC";  // BASIC or ENHANCED (Amazon Inspector)
  std::vector<ScanningRule> rules;
  bool operator==(const RegistryScanningConfiguration&) const = default;
};

// `configuration` as PutRegistryScanningConfiguration's request body
// ({"scanType", "rules": [{"scanFrequency", "repositoryFilters"}]}), compact JSON.
std::string registry_scanning_document(const RegistryScanningConfiguration& configuration);

inline constexpr std::string_view kScanOnPush = "SCAN_ON_PUSH";
inline constexpr std::string_view kContinuousScan = "CONTINUOUS_SCAN";

// Whether the WILDCARD `filter` matches `repository` as ECR documents it
// ("Filters to choose which repositories are scanned in Amazon ECR"): a
// filter without '*' matches every name that contains it; with '*', the
// whole name must match, each '*' standing for zero or more characters.
bool scanning_filter_matches(std::string_view filter, std::string_view repository);

// The rule that scans `repository` when an image is pushed (SCAN_ON_PUSH, or
// CONTINUOUS_SCAN, which scans on push too) and its first filter matching
// it; nullopt when no rule does. bootstrap adds a repository with it, audit
// (AUD020) accepts it in place of the repository's own scanOnPush.
struct ScanCoverage {
  std::string scan_frequency;
  std::string filter;
};
std::optional<ScanCoverage> scan_on_push_coverage(const RegistryScanningConfiguration& configuration,
                                                  std::string_view repository);

struct LayerAvailability {
  std::string digest;
  bool available = false;
  std::int64_t size_bytes = 0;
};

class EcrClient {
 public:
  explicit EcrClient(ServiceClient client) : client_(std::move(client)) {}

  ApiResult<Repository> create_repository(const CreateRepositoryRequest& request);
  // All repositories when `names` is empty (first page of up to 1000).
  // `registry_id`: another account's registry; empty: the caller's.
  ApiResult<std::vector<Repository>> describe_repositories(const std::vector<std::string>& names,
                                                           const std::string& registry_id = {});
  ApiResult<std::vector<ImageDetail>> describe_images(const std::string& repository, const std::vector<ImageId>& ids);
  ApiResult<std::vector<Image>> batch_get_image(const std::string& repository, const std::vector<ImageId>& ids,
                                                const std::vector<std::string>& accepted_media_types);
  // Decodes base64("AWS:<password>"); proxyEndpoint is the caller's own
  // registry. The deprecated registryIds is never sent: the token is valid
  // for every registry the IAM principal has access to, another account's
  // included when its repository policy allows (ECR API reference,
  // GetAuthorizationToken).
  ApiResult<AuthorizationToken> get_authorization_token();
  ApiResult<void> put_lifecycle_policy(const std::string& repository, const std::string& policy_json);
  // The lifecycle policy text; kNotFound (LifecyclePolicyNotFoundException) when none is set.
  ApiResult<std::string> get_lifecycle_policy(const std::string& repository);
  ApiResult<void> put_image_tag_mutability(const std::string& repository, const std::string& mutability,
                                           const std::vector<TagMutabilityExclusion>& exclusions);
  // The caller's registry's scanning configuration (GetRegistryScanningConfiguration).
  ApiResult<RegistryScanningConfiguration> get_registry_scanning_configuration();
  // Replaces the whole registry scanning configuration, every rule: callers
  // that mean to add one send the rules they read as well.
  ApiResult<void> put_registry_scanning_configuration(const RegistryScanningConfiguration& configuration);
  ApiResult<std::vector<LayerAvailability>> batch_check_layer_availability(const std::string& repository,
                                                                           const std::vector<std::string>& digests);
  // e.g. ("BLOB_MOUNTING", "ENABLED").
  ApiResult<void> put_account_setting(const std::string& name, const std::string& value);

  ServiceClient& service_client() { return client_; }

 private:
  ServiceClient client_;
};

// The registry host of Amazon ECR Public, whatever the repository's alias
// (public.ecr.aws/ALIAS/NAME): its token is for this host.
inline constexpr std::string_view kEcrPublicRegistryHost = "public.ecr.aws";
// GetAuthorizationToken of ECR Public is answered only in us-east-1 (its
// endpoint there is api.ecr-public.us-east-1.amazonaws.com; the us-west-2 one
// answers UnsupportedCommandException "The action isn't supported in this
// Region"), so ECR Public clients are made in this region.
inline constexpr std::string_view kEcrPublicAuthRegion = "us-east-1";

class EcrPublicClient {
 public:
  explicit EcrPublicClient(ServiceClient client) : client_(std::move(client)) {}

  // The token for kEcrPublicRegistryHost ("AWS" and a password); needs
  // ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken (ECR
  // Public API reference, GetAuthorizationToken). The answer names no
  // proxyEndpoint: proxy_endpoint stays empty.
  ApiResult<AuthorizationToken> get_authorization_token();

 private:
  ServiceClient client_;
};

}  // namespace eem::aws
