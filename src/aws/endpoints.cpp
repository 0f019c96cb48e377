#include "aws/endpoints.h"

#include <array>

#include "util/strings.h"

namespace eem::aws {

namespace {

// From the SDKs' partitions.json: region prefixes, DNS suffixes, and the
// region IAM's global endpoint signs with.
constexpr std::array<Partition, 3> kPartitions{{
    {"aws", "amazonaws.com", "us-east-1", "sts.amazonaws.com"},
    {"aws-cn", "amazonaws.com.cn", "cn-north-1", "sts.amazonaws.com.cn"},
    {"aws-us-gov", "amazonaws.com", "us-gov-west-1", "sts.amazonaws.com"},
}};

std::string strip_trailing_slashes(std::string url) {
  while (url.ends_with('/')) url.pop_back();
  return url;
}

std::string env_name_for(std::string_view service) {
  // The service id, upper case, spaces as underscores: STS, IAM, ECR, ECS,
  // ECR_PUBLIC (id "ECR PUBLIC", endpoint name "ecr-public").
  std::string name = "AWS_ENDPOINT_URL_";
  for (const char c : service) {
    name.push_back(c == ' ' || c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
  }
  return name;
}

std::string default_url(std::string_view service, std::string_view region, const Partition& partition) {
  const std::string suffix(partition.dns_suffix);
  if (service == "iam") {
    if (partition.id == "aws") return "https://iam.amazonaws.com";
    if (partition.id == "aws-us-gov") return "https://iam.us-gov.amazonaws.com";
    return "https://iam." + std::string(partition.iam_region) + "." + suffix;
  }
  // endpointPrefix "api.ecr" and "api.ecr-public" in botocore's models.
  if (service == "ecr" || service == "ecr-public") {
    return "https://api." + std::string(service) + "." + std::string(region) + "." + suffix;
  }
  // sts (regional endpoints, the SDKs' default since 2022), ecs and others.
  return "https://" + std::string(service) + "." + std::string(region) + "." + suffix;
}

}  // namespace

const Partition& partition_of(std::string_view region) {
  if (region.starts_with("cn-")) return kPartitions[1];
  if (region.starts_with("us-gov-")) return kPartitions[2];
  return kPartitions[0];
}

util::Result<void> validate_region(std::string_view region) {
  const bool ok = !region.empty() && region.size() <= 64 &&
                  region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
  if (!ok) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "invalid AWS region '" + std::string(region) + "' (expected e.g. ap-northeast-1)");
  }
  return {};
}

util::Result<Endpoint> resolve_endpoint(std::string_view service, std::string_view region,
                                        const Env& env, std::string_view explicit_url) {
  if (auto valid = validate_region(region); !valid) return std::unexpected(valid.error());
  const Partition& partition = partition_of(region);
  Endpoint endpoint;
  endpoint.signing_region = service == "iam" ? std::string(partition.iam_region) : std::string(region);
  const bool ignore_env = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("") == "true";
  std::optional<std::string> override_url;
  if (!explicit_url.empty()) {
    override_url = std::string(explicit_url);
  } else if (!ignore_env) {
    override_url = env(env_name_for(service));
    if (!override_url) override_url = env("AWS_ENDPOINT_URL");
  }
  if (override_url) {
    if (!util::starts_with_ci(*override_url, "http://") && !util::starts_with_ci(*override_url, "https://")) {
      return util::fail(util::ErrorKind::kInvalidInput,
                        "endpoint URL '" + *override_url + "' must start with http:// or https://");
    }
    endpoint.url = strip_trailing_slashes(*override_url);
    endpoint.overridden = true;
    // The SDKs sign an overridden endpoint with the configured region, IAM
    // included (botocore does).
    endpoint.signing_region = std::string(region);
    return endpoint;
  }
  endpoint.url = default_url(service, region, partition);
  return endpoint;
}

std::string ecr_registry_host(std::string_view account_id, std::string_view region) {
  return std::string(account_id) + ".dkr.ecr." + std::string(region) + "." +
         std::string(partition_of(region).dns_suffix);
}

}  // namespace eem::aws
