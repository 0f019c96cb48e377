// The official SigV4 test suite (aws-c-auth tests/aws-signing-test-suite/v4,
// copied to tests/testdata/aws-sigv4-test-suite with its licence; SOURCE.md there). Every case is checked in
// both forms (header and presigned query): canonical request, string to sign,
// signature, and the Authorization header.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "aws/sigv4.h"
#include "net/loopback_server.h"
#include "util/strings.h"

namespace eem::aws {
namespace {

namespace fs = std::filesystem;

// The suite's case folders, listed so that a missing folder fails loudly
// instead of silently shrinking the suite (SuiteFolderHoldsExactlyTheseCases).
const std::vector<std::string> kCases = {
    "get-header-key-duplicate", "get-header-value-multiline", "get-header-value-order",
    "get-header-value-trim", "get-relative-normalized", "get-relative-relative-normalized",
    "get-relative-relative-unnormalized", "get-relative-unnormalized", "get-slash-dot-slash-normalized",
    "get-slash-dot-slash-unnormalized", "get-slash-normalized", "get-slash-pointless-dot-normalized",
    "get-slash-pointless-dot-unnormalized", "get-slash-unnormalized", "get-slashes-normalized",
    "get-slashes-unnormalized", "get-space-normalized", "get-space-unnormalized", "get-unreserved",
    "get-utf8", "get-vanilla", "get-vanilla-empty-query-key", "get-vanilla-query",
    "get-vanilla-query-order-encoded", "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-vanilla-with-session-token",
    "post-header-key-case", "post-header-key-sort", "post-header-value-case", "post-sts-header-after",
    "post-sts-header-before", "post-vanilla", "post-vanilla-empty-query-value", "post-vanilla-query",
    "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"};

// Inside the source tree: a plain clone tests itself.
fs::path suite_dir() {
  const fs::path dir = fs::path(testing::source_dir()) / "tests/testdata/aws-sigv4-test-suite/v4";
  if (!fs::is_directory(dir)) {
    throw std::runtime_error("the official SigV4 suite is missing: " + dir.string());
  }
  return dir;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// request.txt: "METHOD PATH HTTP/1.1", header lines (a line starting with
// whitespace continues the previous value), a blank line, the body.
net::Request parse_request(const std::string& text) {
  net::Request request;
  std::size_t pos = text.find('\n');
  const std::string first = text.substr(0, pos);
  const auto space = first.find(' ');
  request.method = first.substr(0, space);
  const std::string target = first.substr(space + 1, first.rfind(" HTTP/") - space - 1);
  std::string host;
  while (pos != std::string::npos && pos + 1 < text.size()) {
    const auto start = pos + 1;
    pos = text.find('\n', start);
    const std::string line = text.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    if (line.empty()) {
      if (pos != std::string::npos) request.body = text.substr(pos + 1);
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      request.headers.back().value += "\n" + line;
      continue;
    }
    const auto colon = line.find(':');
    request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
    if (util::iequals(line.substr(0, colon), "host")) host = line.substr(colon + 1);
  }
  request.url = "https://" + host + target;
  return request;
}

std::chrono::sys_seconds parse_timestamp(const std::string& text) {
  // "2015-08-30T12:36:00Z"
  const int year = std::stoi(text.substr(0, 4));
  const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  const auto days = std::chrono::sys_days(std::chrono::year(year) / std::chrono::month(month) /
                                          std::chrono::day(day));
  return days + std::chrono::hours(std::stoi(text.substr(11, 2))) +
         std::chrono::minutes(std::stoi(text.substr(14, 2))) +
         std::chrono::seconds(std::stoi(text.substr(17, 2)));
}

SigningParams params_from(const nlohmann::json& context) {
  SigningParams params;
  const auto& creds = context.at("credentials");
  params.credentials.access_key_id = creds.at("access_key_id");
  params.credentials.secret_access_key = creds.at("secret_access_key");
  params.credentials.session_token = creds.value("token", "");
  params.region = context.at("region");
  params.service = context.at("service");
  params.time = parse_timestamp(context.at("timestamp"));
  params.expires = std::chrono::seconds(context.value("expiration_in_seconds", 3600));
  params.normalization = context.value("normalize", true) ? PathNormalization::kRemoveDotSegments
                                                          : PathNormalization::kKeep;
  params.session_token_signing = context.value("omit_session_token", false)
                                     ? SessionTokenSigning::kAppendAfterSigning
                                     : SessionTokenSigning::kSigned;
  return params;
}

// The "Authorization:" line of header-signed-request.txt.
std::string expected_authorization(const std::string& signed_request) {
  const auto start = signed_request.find("\nAuthorization:");
  if (start == std::string::npos) return "(none)";
  const auto end = signed_request.find('\n', start + 1);
  return signed_request.substr(start + 15, end == std::string::npos ? std::string::npos : end - start - 15);
}

class OfficialSuite : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path dir() const { return suite_dir() / GetParam(); }
  std::string file(const std::string& name) const { return read_file(dir() / name); }
};

TEST_P(OfficialSuite, HeaderSigningMatchesEveryIntermediate) {
  const auto context = nlohmann::json::parse(file("context.json"));
  SigningParams params = params_from(context);
  // The suite adds x-amz-content-sha256 exactly when it signs the body.
  if (context.value("sign_body", false)) params.content_hash_header = ContentHashHeader::kAdd;
  net::Request request = parse_request(file("request.txt"));
  auto result = sign_request(request, params);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->canonical_request, file("header-canonical-request.txt"));
  EXPECT_EQ(result->string_to_sign, file("header-string-to-sign.txt"));
  EXPECT_EQ(result->signature, file("header-signature.txt"));
  EXPECT_EQ(net::find_header(request.headers, "Authorization"),
            expected_authorization(file("header-signed-request.txt")));
}

TEST_P(OfficialSuite, QuerySigningMatchesEveryIntermediate) {
  const auto context = nlohmann::json::parse(file("context.json"));
  SigningParams params = params_from(context);
  net::Request request = parse_request(file("request.txt"));
  auto result = presign_request(request, params);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->canonical_request, file("query-canonical-request.txt"));
  EXPECT_EQ(result->string_to_sign, file("query-string-to-sign.txt"));
  EXPECT_EQ(result->signature, file("query-signature.txt"));
  EXPECT_NE(request.url.find("&X-Amz-Signature=" + result->signature), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(V4, OfficialSuite, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(OfficialSuiteFolder, HoldsExactlyTheListedCases) {
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(suite_dir())) {
    if (entry.is_directory()) found.insert(entry.path().filename().string());
  }
  EXPECT_EQ(found, std::set<std::string>(kCases.begin(), kCases.end()));
  EXPECT_EQ(found.size(), 38u);
}

}  // namespace
}  // namespace eem::aws
