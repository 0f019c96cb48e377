#pragma once
// Checks on what the AWS APIs return, without making calls (audit.cpp does):
// the ECR repository's settings (AUD020-AUD022) and the region's CloudTrail
// trails (AUD030, AUD032).

#include <optional>
#include <string>
#include <vector>

#include "audit/finding.h"
#include "aws/cloudtrail.h"
#include "aws/ecr.h"

namespace eem::audit {

// `lifecycle_policy`: nullopt when the repository has none.
std::vector<Finding> check_repository(const aws::Repository& repository, const std::optional<std::string>& lifecycle_policy);

// A trail with what GetTrailStatus and GetEventSelectors said about it.
struct TrailState {
  aws::Trail trail;
  aws::TrailStatus status;
  aws::EventSelectors selectors;
};

// Whether the trail applies to `region`: homed there, or multi-region.
bool covers_region(const aws::Trail& trail, const std::string& region);

// AUD030 when no logging trail covering `region` records management events
// (AssumeRoleWithWebIdentity is one: AWS docs "Logging IAM and AWS STS API
// calls with AWS CloudTrail"); AUD032 when the best ones record only part.
// `trails`: those covering the region.
std::vector<Finding> check_trails(const std::string& region, const std::vector<TrailState>& trails);

}  // namespace eem::audit
