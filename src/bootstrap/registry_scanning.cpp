#include "bootstrap/registry_scanning.h"

#include <algorithm>


namespace eem::bootstrap {

namespace {

using util::ErrorKind;

constexpr std::string_view kWayOut =
    "; make room in the registry's scanning configuration (ECR console: Private registry > Settings > Scanning, or "
    "aws ecr put-registry-scanning-configuration), e.g. with a wildcard filter that covers this repository, or pass "
    "--skip-registry-scanning to leave registry scanning as it is";

}  // namespace

util::Result<std::optional<aws::RegistryScanningConfiguration>> with_scan_on_push(
    const aws::RegistryScanningConfiguration& current, const std::string& repository) {
  using Out = std::optional<aws::RegistryScanningConfiguration>;
  if (scan_on_push_coverage(current, repository)) return Out();
  if (repository.size() > kMaxScanningFilterLength) {
    return util::fail(ErrorKind::kInvalidInput,
                      "repository name " + repository + " is longer than the " +
                          std::to_string(kMaxScanningFilterLength) + " characters of an ECR scanning filter" + std::string(kWayOut));
  }
  aws::RegistryScanningConfiguration merged = current;
  auto rule = std::find_if(merged.rules.begin(), merged.rules.end(),
                           [](const aws::ScanningRule& r) { return r.scan_frequency == kScanOnPush; });
  if (rule == merged.rules.end()) {
    if (merged.rules.size() >= kMaxScanningRules) {
      return util::fail(ErrorKind::kConflict, "the registry's scanning configuration already has " +
                                                  std::to_string(merged.rules.size()) + " rules, ECR's limit, and none is " +
                                                  std::string(kScanOnPush) + std::string(kWayOut));
    }
    merged.rules.push_back({std::string(kScanOnPush), {}});
    rule = merged.rules.end() - 1;
  }
  if (rule->filters.size() >= kMaxScanningFilters) {
    return util::fail(ErrorKind::kConflict, "the registry's " + std::string(kScanOnPush) + " rule already has " +
                                                std::to_string(rule->filters.size()) +
                                                " repository filters, ECR's limit per rule" + std::string(kWayOut));
  }
  rule->filters.push_back({repository, "WILDCARD"});
  return Out(std::move(merged));
}

}  // namespace eem::bootstrap
