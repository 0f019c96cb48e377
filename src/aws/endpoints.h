#pragma once
// Where each AWS service lives: partitions (aws, aws-cn, aws-us-gov), the
// regional STS endpoints, the global IAM endpoint, the ECR registry host, and
// the endpoint overrides the SDKs honour
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).

#include <string>
#include <string_view>

#include "aws/environment.h"
#include "util/error.h"

namespace eem::aws {

struct Partition {
  std::string_view id;          // "aws", "aws-cn", "aws-us-gov"
  std::string_view dns_suffix;  // "amazonaws.com", "amazonaws.com.cn"
  std::string_view iam_region;  // where IAM (a global service) signs
  std::string_view oidc_audience;  // client id STS accepts for GitHub tokens
};

// The partition of `region` ("cn-north-1" -> aws-cn); unknown prefixes are
// commercial AWS, as in the SDKs' partition regex fallback.
const Partition& partition_of(std::string_view region);

// Fails with kInvalidInput unless `region` looks like an AWS region
// (lower-case letters, digits, dashes), so it is safe in a host name.
util::Result<void> validate_region(std::string_view region);

struct Endpoint {
  std::string url;             // "https://sts.ap-northeast-1.amazonaws.com"
  std::string signing_region;  // "us-east-1" for IAM in the aws partition
  bool overridden = false;     // from --endpoint-url or AWS_ENDPOINT_URL*
};

// Resolves the endpoint of `service` ("sts", "iam", "ecr", "ecr-public", "ecs") in
// `region`. Precedence as in the SDKs: `explicit_url` (--endpoint-url), then
// AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_STS), then
// AWS_ENDPOINT_URL; the two variables are ignored when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true". Trailing slashes of
// overrides are removed.
util::Result<Endpoint> resolve_endpoint(std::string_view service, std::string_view region,
                                        const Env& env, std::string_view explicit_url = {});

// "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com" (".com.cn" in China).
std::string ecr_registry_host(std::string_view account_id, std::string_view region);

}  // namespace eem::aws
