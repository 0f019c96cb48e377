// aws::CloudTrailClient (src/aws/cloudtrail.cpp): request equality with
// botocore, as tests/unit/aws/botocore_requests_test.cpp does for the other
// services (same capture script, our own cases file), and response parsing.
#include "aws/cloudtrail.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "net/loopback_server.h"
#include "util/strings.h"

namespace eem::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kTrail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events";

class CapturingHttp final : public net::HttpClient {
 public:
  util::Result<net::Response> send(const net::Request& request) override {
    requests.push_back(request);
    net::Response response;
    response.status = 200;
    response.body = body;
    return response;
  }
  std::vector<net::Request> requests;
  std::string body = "{}";
};

CloudTrailClient client(CapturingHttp& http) {
  ClientConfig config;
  config.http = &http;
  config.credentials = std::make_shared<StaticCredentials>(Credentials{"AKIDEXAMPLE", "secret", "TOKEN", {}});
  config.region = "ap-northeast-1";
  config.endpoint_url = "http://capture.invalid";
  config.env = util::map_env({});
  return CloudTrailClient(*ServiceClient::create(kCloudTrail, std::move(config)));
}

json botocore_requests() {
  const std::string source = testing::source_dir();
  const fs::path out = fs::temp_directory_path() / ("cloudtrail-requests-" + std::to_string(getpid()) + ".json");
  const std::string command = "python3 '" + source + "/tests/unit/aws/botocore_requests.py' '" + source +
                              "/tests/unit/aws/cloudtrail_request_cases.json' '" + out.string() + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("botocore capture failed: " + command);
  std::ifstream in(out);
  json captured = json::parse(in);
  fs::remove(out);
  return captured;
}

std::string header(const json& headers, std::string_view name) {
  for (const auto& pair : headers) {
    if (util::iequals(pair[0].get<std::string>(), name)) return pair[1];
  }
  return "(absent)";
}

std::string signed_headers(std::string_view authorization) {
  const auto start = authorization.find("SignedHeaders=");
  if (start == std::string_view::npos) return "(unsigned)";
  const auto end = authorization.find(',', start);
  return std::string(authorization.substr(start + 14, end - start - 14));
}

TEST(CloudTrailClient, EveryOperationSendsWhatBotocoreSends) {
  const json expected = botocore_requests();
  const std::map<std::string, std::function<void(CloudTrailClient&)>> calls{
      {"cloudtrail_describe_trails", [](CloudTrailClient& c) { (void)c.describe_trails(); }},
      {"cloudtrail_get_trail_status", [](CloudTrailClient& c) { (void)c.get_trail_status(kTrail); }},
      {"cloudtrail_get_event_selectors", [](CloudTrailClient& c) { (void)c.get_event_selectors(kTrail); }},
  };
  ASSERT_EQ(expected.size(), calls.size());
  for (const auto& [name, call] : calls) {
    SCOPED_TRACE(name);
    CapturingHttp http;
    auto ct = client(http);
    call(ct);
    ASSERT_EQ(http.requests.size(), 1u);
    const net::Request& ours = http.requests[0];
    const json& theirs = expected[name];
    EXPECT_EQ(ours.method, theirs["method"]);
    EXPECT_EQ(ours.url, theirs["url"]);
    EXPECT_EQ(net::find_header(ours.headers, "Content-Type").value_or("(absent)"), header(theirs["headers"], "Content-Type"));
    EXPECT_EQ(net::find_header(ours.headers, "X-Amz-Target").value_or("(absent)"), header(theirs["headers"], "X-Amz-Target"));
    EXPECT_EQ(signed_headers(net::find_header(ours.headers, "Authorization").value_or("")),
              signed_headers(header(theirs["headers"], "Authorization")));
    EXPECT_EQ(json::parse(ours.body), json::parse(theirs["body"].get<std::string>()));
  }
}

TEST(CloudTrailClient, ParsesTrailsStatusAndSelectors) {
  CapturingHttp http;
  auto ct = client(http);
  http.body = R"({"trailList": [{"Name": "management-events", "TrailARN": ")" + kTrail +
              R"(", "HomeRegion": "us-east-1", "IsMultiRegionTrail": true, "LogFileValidationEnabled": true,
              "HasCustomEventSelectors": true, "IsOrganizationTrail": false}]})";
  auto trails = ct.describe_trails();
  ASSERT_TRUE(trails.has_value());
  ASSERT_EQ(trails->size(), 1u);
  EXPECT_EQ((*trails)[0].arn, kTrail);
  EXPECT_EQ((*trails)[0].home_region, "us-east-1");
  EXPECT_TRUE((*trails)[0].multi_region);
  EXPECT_TRUE((*trails)[0].log_file_validation);

  http.body = R"({"IsLogging": true, "LatestDeliveryError": "AccessDenied"})";
  auto status = ct.get_trail_status(kTrail);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->is_logging);
  EXPECT_EQ(status->latest_delivery_error, "AccessDenied");

  http.body = R"({"TrailARN": "x", "EventSelectors": [{"ReadWriteType": "WriteOnly"}],
    "AdvancedEventSelectors": [{"Name": "m", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
      {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]}]})";
  auto selectors = ct.get_event_selectors(kTrail);
  ASSERT_TRUE(selectors.has_value());
  ASSERT_EQ(selectors->basic.size(), 1u);
  EXPECT_EQ(selectors->basic[0].read_write_type, "WriteOnly");
  EXPECT_TRUE(selectors->basic[0].include_management_events);  // the API's default when absent
  ASSERT_EQ(selectors->advanced.size(), 1u);
  EXPECT_EQ(selectors->advanced[0].fields[1].first, "eventSource");
  EXPECT_EQ(selectors->advanced[0].fields[1].second, std::vector<std::string>{"NotEquals:kms.amazonaws.com"});
}

TEST(CloudTrailClient, AnAnswerOfAnotherShapeThanTheModelsIsMalformedNotAnException) {
  CapturingHttp http;
  auto ct = client(http);
  http.body = R"({"EventSelectors": [5]})";
  auto selectors = ct.get_event_selectors(kTrail);
  ASSERT_FALSE(selectors.has_value());
  EXPECT_EQ(selectors.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(selectors.error().operation, "GetEventSelectors");
  EXPECT_NE(selectors.error().message.find("response does not match the service model"), std::string::npos)
      << selectors.error().message;
}

}  // namespace
}  // namespace eem::aws
