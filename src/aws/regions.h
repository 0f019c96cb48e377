#pragma once
// The AWS regions shipctl knows, to catch typos ("ap-northeast-l") before a
// request goes to a host that does not exist. Source: the AWS General
// Reference "Regions and Zones" list and botocore's endpoints.json
// partitions (aws, aws-cn, aws-us-gov), as of 2026.

#include <span>
#include <string_view>

#include "util/error.h"

namespace eem::aws {

std::span<const std::string_view> known_regions();

// kInvalidInput for a region not in known_regions(): "unknown region
// \"ap-northeast-l\"; did you mean ap-northeast-1?" (the nearest within two
// edits), else listing where to find the valid names.
util::Result<void> check_known_region(std::string_view region);

}  // namespace eem::aws
