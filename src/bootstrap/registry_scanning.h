#pragma once
// Scan on push at registry level (issue 18): AWS is deprecating the
// per-repository PutImageScanningConfiguration in favour of the registry's
// scanning configuration, whose rules are account-wide (one registry per
// account and region). bootstrap adds its repository to that configuration
// and keeps everything else in it as it is. Pure logic; no AWS calls.

#include <optional>
#include <string>
#include <string_view>

#include "aws/ecr.h"
#include "util/error.h"

namespace eem::bootstrap {

// ECR's limits (API reference, RegistryScanningConfiguration and
// RegistryScanningRule; botocore's model has the same list bounds): at most
// 2 rules (one per scan frequency that scans: SCAN_ON_PUSH, CONTINUOUS_SCAN),
// at most 100 repository filters per rule, filters 1 to 255 characters.
inline constexpr std::size_t kMaxScanningRules = 2;
inline constexpr std::size_t kMaxScanningFilters = 100;
inline constexpr std::size_t kMaxScanningFilterLength = 255;

using aws::kContinuousScan;
using aws::kScanOnPush;
using aws::scan_on_push_coverage;

// `current` with `repository` added: its name as a WILDCARD filter of the
// SCAN_ON_PUSH rule (a new rule when there is none); scanType and every
// other rule and filter as they are. nullopt when `current` already scans
// the repository on push. kConflict, naming the limit and the way out,
// when the addition would exceed ECR's limits; nothing is ever dropped.
util::Result<std::optional<aws::RegistryScanningConfiguration>> with_scan_on_push(
    const aws::RegistryScanningConfiguration& current, const std::string& repository);

}  // namespace eem::bootstrap
