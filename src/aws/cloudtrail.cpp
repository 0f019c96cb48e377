#include "aws/cloudtrail.h"

#include <array>
#include <nlohmann/json.hpp>

#include "aws/json_answer.h"

namespace eem::aws {

namespace {

using nlohmann::json;

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

Trail trail_from(const json& item) {
  Trail trail;
  trail.name = text(item, "Name");
  trail.arn = text(item, "TrailARN");
  trail.home_region = text(item, "HomeRegion");
  trail.multi_region = flag(item, "IsMultiRegionTrail");
  trail.organization = flag(item, "IsOrganizationTrail");
  trail.log_file_validation = flag(item, "LogFileValidationEnabled");
  trail.has_custom_event_selectors = flag(item, "HasCustomEventSelectors");
  return trail;
}

EventSelector basic_from(const json& item) {
  EventSelector selector;
  if (item.contains("ReadWriteType")) selector.read_write_type = text(item, "ReadWriteType");
  // IncludeManagementEvents defaults to true (CloudTrail API reference, EventSelector).
  if (item.contains("IncludeManagementEvents")) selector.include_management_events = flag(item, "IncludeManagementEvents");
  for (const auto& source : item.value("ExcludeManagementEventSources", json::array())) {
    if (source.is_string()) selector.exclude_management_event_sources.push_back(source.get<std::string>());
  }
  return selector;
}

// AdvancedFieldSelector operators (CloudTrail API reference).
constexpr std::array<const char*, 6> kOperators{"Equals", "StartsWith", "EndsWith",
                                                "NotEquals", "NotStartsWith", "NotEndsWith"};

AdvancedEventSelector advanced_from(const json& item) {
  AdvancedEventSelector selector;
  selector.name = text(item, "Name");
  for (const auto& field : item.value("FieldSelectors", json::array())) {
    std::vector<std::string> values;
    for (const char* op : kOperators) {
      for (const auto& value : field.value(op, json::array())) {
        if (!value.is_string()) continue;
        const std::string prefix = std::string_view(op) == "Equals" ? "" : std::string(op) + ":";
        values.push_back(prefix + value.get<std::string>());
      }
    }
    selector.fields.emplace_back(text(field, "Field"), std::move(values));
  }
  return selector;
}

}  // namespace

ApiResult<std::vector<Trail>> CloudTrailClient::describe_trails() {
  return json_answer(client_, "DescribeTrails", json::object(), [](const json& output) {
    std::vector<Trail> trails;
    for (const auto& item : output.value("trailList", json::array())) trails.push_back(trail_from(item));
    return trails;
  });
}

ApiResult<TrailStatus> CloudTrailClient::get_trail_status(const std::string& trail) {
  return json_answer(client_, "GetTrailStatus", {{"Name", trail}}, [](const json& output) {
    return TrailStatus{flag(output, "IsLogging"), text(output, "LatestDeliveryError")};
  });
}

ApiResult<EventSelectors> CloudTrailClient::get_event_selectors(const std::string& trail) {
  return json_answer(client_, "GetEventSelectors", {{"TrailName", trail}}, [](const json& output) {
    EventSelectors selectors;
    for (const auto& item : output.value("EventSelectors", json::array())) selectors.basic.push_back(basic_from(item));
    for (const auto& item : output.value("AdvancedEventSelectors", json::array())) {
      selectors.advanced.push_back(advanced_from(item));
    }
    return selectors;
  });
}

}  // namespace eem::aws
