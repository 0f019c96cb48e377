// Sources: AWS ECR docs "Image tag mutability" (IMMUTABLE_WITH_EXCLUSION keeps
// listed tags such as latest movable), "Scan images for software
// vulnerabilities" (scan on push), "Lifecycle policies"; AWS CloudTrail API
// reference (EventSelector, AdvancedEventSelector: with no selectors a trail
// logs every management event).
#include "audit/aws_checks.h"

#include <algorithm>

#include "iam/arn.h"
#include "util/strings.h"

namespace eem::audit {

namespace {

// The region of an ARN (arn:aws:ecr:REGION:ACCOUNT:repository/NAME).
std::string arn_region(const std::string& arn) {
  const auto parsed = iam::Arn::parse(arn);
  return parsed ? parsed->region : std::string();
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

enum class Coverage { kNone, kPartial, kFull };

struct Verdict {
  Coverage coverage = Coverage::kNone;
  std::string reason;
};

Verdict advanced_verdict(const aws::AdvancedEventSelector& selector) {
  bool management = false;
  std::string narrowing;
  for (const auto& [field, values] : selector.fields) {
    if (field == "eventCategory") management = std::find(values.begin(), values.end(), "Management") != values.end();
    else narrowing += (narrowing.empty() ? "" : ", ") + field + " " + joined(values);
  }
  if (!management) return {};
  if (!narrowing.empty()) return {Coverage::kPartial, "advanced selector \"" + selector.name + "\" narrows management events to " + narrowing};
  return {Coverage::kFull, ""};
}

Verdict selectors_verdict(const aws::EventSelectors& selectors) {
  if (selectors.basic.empty() && selectors.advanced.empty()) return {Coverage::kFull, ""};
  Verdict best{Coverage::kNone, "its event selectors exclude management events"};
  for (const auto& s : selectors.basic) {
    if (!s.include_management_events) continue;
    if (s.read_write_type == "All") return {Coverage::kFull, ""};
    best = {Coverage::kPartial, "records only " + s.read_write_type + " management events"};
  }
  for (const auto& s : selectors.advanced) {
    Verdict v = advanced_verdict(s);
    if (v.coverage == Coverage::kFull) return v;
    if (v.coverage == Coverage::kPartial) best = v;
  }
  return best;
}

Verdict trail_verdict(const TrailState& t) {
  if (!t.status.is_logging) return {Coverage::kNone, "logging is stopped"};
  return selectors_verdict(t.selectors);
}

}  // namespace

std::vector<Finding> check_repository(const aws::Repository& repository, const std::optional<std::string>& lifecycle_policy,
                                      const RegistryScanning& scanning) {
  std::vector<Finding> out;
  const std::string region = " --region " + arn_region(repository.arn);
  const std::string name = repository.name;
  const bool registry_scans =
      scanning.configuration && aws::scan_on_push_coverage(*scanning.configuration, name).has_value();
  if (!repository.scan_on_push && !registry_scans) {
    std::vector<std::string> evidence{"imageScanningConfiguration.scanOnPush: false"};
    evidence.push_back(scanning.configuration
                           ? "registry scanning configuration (" + scanning.configuration->scan_type +
                                 "): no SCAN_ON_PUSH or CONTINUOUS_SCAN rule has a filter matching " + name
                           : "registry scanning configuration not read" +
                                 (scanning.unread.empty() ? std::string() : ": " + scanning.unread));
    out.push_back(make_finding("AUD020", CheckName::kRepository, name, std::move(evidence),
                               "shipctl bootstrap --repository " + name + region +
                                   " --apply adds it to the registry's scan-on-push rule (account-wide, other rules "
                                   "kept); AWS deprecates the per-repository setting"));
  }
  const std::string& mutability = repository.image_tag_mutability;
  if (mutability != "IMMUTABLE" && mutability != "IMMUTABLE_WITH_EXCLUSION") {
    std::string evidence = "imageTagMutability: " + (mutability.empty() ? std::string("(absent: MUTABLE)") : mutability);
    if (!repository.mutability_exclusions.empty()) evidence += " (exclusions: " + joined(repository.mutability_exclusions) + ")";
    out.push_back(make_finding("AUD021", CheckName::kRepository, name, {evidence},
                               "aws ecr put-image-tag-mutability --repository-name " + name +
                                   " --image-tag-mutability IMMUTABLE_WITH_EXCLUSION"
                                   " --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter=latest" + region +
                                   " (commit-SHA tags immutable, latest movable)"));
  }
  if (!lifecycle_policy) {
    out.push_back(make_finding("AUD022", CheckName::kRepository, name, {"GetLifecyclePolicy: none set"},
                               "expire untagged images: shipctl bootstrap --apply sets one (or aws ecr put-lifecycle-policy)"));
  }
  return out;
}

bool covers_region(const aws::Trail& trail, const std::string& region) {
  return trail.multi_region || trail.home_region == region;
}

std::vector<Finding> check_trails(const std::string& region, const std::vector<TrailState>& trails) {
  const std::string fix =
      "aws cloudtrail create-trail --name management-events --s3-bucket-name BUCKET --is-multi-region-trail --region " +
      region + " && aws cloudtrail start-logging --name management-events --region " + region +
      " (Event history alone keeps management events for 90 days)";
  if (trails.empty()) {
    return {make_finding("AUD030", CheckName::kCloudTrail, region, {"DescribeTrails: no trail is homed in " + region + " or multi-region"}, fix)};
  }
  std::vector<std::string> partial, none;
  for (const auto& t : trails) {
    const Verdict v = trail_verdict(t);
    if (v.coverage == Coverage::kFull) return {};
    (v.coverage == Coverage::kPartial ? partial : none).push_back("trail " + t.trail.name + ": " + v.reason);
  }
  if (!partial.empty()) {
    return {make_finding("AUD032", CheckName::kCloudTrail, region, partial,
                         "record every management event: aws cloudtrail put-event-selectors --trail-name NAME "
                         "--event-selectors ReadWriteType=All,IncludeManagementEvents=true")};
  }
  return {make_finding("AUD030", CheckName::kCloudTrail, region, none, fix)};
}

}  // namespace eem::audit
