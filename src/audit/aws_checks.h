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

// What GetRegistryScanningConfiguration answered: the registry's
// (account-wide) rules, or why they could not be read.
struct RegistryScanning {
  std::optional<aws::RegistryScanningConfiguration> configuration;
  std::string unread;  // the refusal, when not read
};

// `lifecycle_policy`: nullopt when the repository has none. Scan on push
// (AUD020) holds when a registry rule covers the repository (bootstrap's
// way: AWS deprecates the per-repository setting) or the repository's own
// scanOnPush is on.
std::vector<Finding> check_repository(const aws::Repository& repository, const std::optional<std::string>& lifecycle_policy,
                                      const RegistryScanning& scanning = {});

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
