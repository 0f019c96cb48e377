#pragma once
// AWS CloudTrail (JSON 1.1, com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101;
// the prefix is botocore's cloudtrail service model "targetPrefix"): the
// read-only calls `shipctl audit` needs to tell whether a trail records the
// management events (AssumeRoleWithWebIdentity among them) of a region.

#include <optional>
#include <string>
#include <vector>

#include "aws/service_client.h"

namespace eem::aws {

inline constexpr ServiceInfo kCloudTrail{"CloudTrail", "cloudtrail", "cloudtrail", Protocol::kJson11, "",
                                         "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"};

struct Trail {
  std::string name;
  std::string arn;
  std::string home_region;
  bool multi_region = false;
  bool organization = false;
  bool log_file_validation = false;
  bool has_custom_event_selectors = false;
};

struct TrailStatus {
  bool is_logging = false;
  std::string latest_delivery_error;  // empty when the last delivery worked
};

// One basic event selector (ReadWriteType "All" | "ReadOnly" | "WriteOnly").
struct EventSelector {
  std::string read_write_type = "All";
  bool include_management_events = true;
  std::vector<std::string> exclude_management_event_sources;
};

// One advanced event selector: field name -> the Equals values (other
// operators are kept as "<Operator>:<value>" under the field name).
struct AdvancedEventSelector {
  std::string name;
  std::vector<std::pair<std::string, std::vector<std::string>>> fields;
};

struct EventSelectors {
  std::vector<EventSelector> basic;
  std::vector<AdvancedEventSelector> advanced;
};

class CloudTrailClient {
 public:
  explicit CloudTrailClient(ServiceClient client) : client_(std::move(client)) {}

  // Trails visible in the client's region, shadow trails (multi-region trails
  // homed elsewhere) included, as DescribeTrails returns them by default.
  ApiResult<std::vector<Trail>> describe_trails();
  // `trail` is a name or an ARN (ARNs are needed for shadow trails).
  ApiResult<TrailStatus> get_trail_status(const std::string& trail);
  ApiResult<EventSelectors> get_event_selectors(const std::string& trail);

  ServiceClient& service_client() { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace eem::aws
