#include "aws/regions.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>
#include <vector>

namespace eem::aws {

namespace {

constexpr std::array<std::string_view, 39> kRegions{
    "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "af-south-1",
    "ap-east-1",      "ap-east-2",      "ap-south-1",     "ap-south-2",     "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
    "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1",
    "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-west-1",      "eu-west-2",
    "eu-west-3",      "eu-south-1",     "eu-south-2",     "eu-north-1",     "il-central-1",
    "me-south-1",     "me-central-1",   "mx-central-1",   "sa-east-1",      "cn-north-1",
    "cn-northwest-1", "us-gov-east-1",  "us-gov-west-1",  "eusc-de-east-1",
};

// Levenshtein distance (two rows).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

std::span<const std::string_view> known_regions() { return kRegions; }

util::Result<void> check_known_region(std::string_view region) {
  if (std::find(kRegions.begin(), kRegions.end(), region) != kRegions.end()) return {};
  std::string_view nearest;
  std::size_t best = 3;  // suggest only within two edits
  for (const auto candidate : kRegions) {
    const std::size_t distance = edit_distance(region, candidate);
    if (distance < best) {
      best = distance;
      nearest = candidate;
    }
  }
  std::string message = "unknown region \"" + std::string(region) + "\"";
  message += nearest.empty() ? "; see `aws ec2 describe-regions` for valid names"
                             : "; did you mean " + std::string(nearest) + "?";
  return util::fail(util::ErrorKind::kInvalidInput, std::move(message));
}

}  // namespace eem::aws
