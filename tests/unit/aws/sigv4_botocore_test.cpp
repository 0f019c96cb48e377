// Differential test: our signer against botocore's on a generated corpus.
// One python3 process (sigv4_botocore_corpus.py) generates and signs every
// request; this test signs the same requests and compares byte for byte.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "aws/sigv4.h"
#include "aws/uri.h"
#include "net/loopback_server.h"
#include "util/strings.h"

namespace eem::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kCorpusSize = 2400;

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

json generate_corpus() {
  const fs::path out = fs::temp_directory_path() / ("sigv4-corpus-" + std::to_string(getpid()) + ".json");
  const std::string script = testing::source_dir() + "/tests/unit/aws/sigv4_botocore_corpus.py";
  const std::string command =
      "python3 '" + script + "' '" + out.string() + "' " + std::to_string(kCorpusSize);
  if (std::system(command.c_str()) != 0) throw std::runtime_error("corpus generator failed: " + command);
  std::ifstream in(out);
  json corpus = json::parse(in);
  fs::remove(out);
  return corpus;
}

SigningParams params_for(const json& item) {
  SigningParams params;
  params.credentials.access_key_id = item.at("access_key");
  params.credentials.secret_access_key = item.at("secret_key");
  if (!item.at("token").is_null()) params.credentials.session_token = item.at("token");
  params.region = item.at("region");
  params.service = item.at("service");
  params.time = std::chrono::sys_seconds(std::chrono::seconds(item.at("time").get<std::int64_t>()));
  params.expires = std::chrono::seconds(item.at("expires").get<int>());
  const std::string mode = item.at("mode");
  if (mode == "s3") {
    params.normalization = PathNormalization::kKeep;
    params.path_encoding = PathEncoding::kAsIs;
    params.content_hash_header = ContentHashHeader::kAdd;
  }
  return params;
}

net::Request request_for(const json& item) {
  net::Request request;
  request.method = item.at("method");
  request.url = item.at("url");
  request.body = from_hex(item.at("body_hex"));
  for (const auto& pair : item.at("headers")) request.headers.push_back({pair[0], pair[1]});
  return request;
}

std::optional<std::string> header_of(const json& headers, std::string_view name) {
  for (const auto& pair : headers) {
    if (util::iequals(pair[0].get<std::string>(), name)) return pair[1].get<std::string>();
  }
  return std::nullopt;
}

std::vector<std::string> sorted_query(const std::string& url) {
  const auto question = url.find('?');
  if (question == std::string::npos) return {};
  std::vector<std::string> pairs;
  for (const auto piece : util::split(std::string_view(url).substr(question + 1), '&')) {
    pairs.emplace_back(piece);
  }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

// Returns "" when our signature of `item` equals botocore's, else the first difference.
std::string compare(const json& item) {
  const json& expected = item.at("expected");
  net::Request request = request_for(item);
  const SigningParams params = params_for(item);
  const bool presign = item.at("mode") == "presign";
  auto result = presign ? presign_request(request, params) : sign_request(request, params);
  if (!result) return "signing failed: " + result.error().message;
  if (result->canonical_request != expected.at("canonical_request")) {
    return "canonical request:\n" + result->canonical_request + "\n--- botocore:\n" +
           expected.at("canonical_request").get<std::string>();
  }
  if (result->string_to_sign != expected.at("string_to_sign")) return "string to sign";
  if (result->signature != expected.at("signature")) return "signature";
  if (presign) {
    return sorted_query(request.url) == sorted_query(expected.at("url")) ? "" : "presigned URL query";
  }
  for (const auto name : {"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256"}) {
    const auto ours = net::find_header(request.headers, name);
    const auto theirs = header_of(expected.at("headers"), name);
    if (ours.has_value() != theirs.has_value() || (ours && *ours != *theirs)) {
      return std::string("header ") + name;
    }
  }
  return "";
}

TEST(SigV4Differential, MatchesBotocoreOnAGeneratedCorpus) {
  const json corpus = generate_corpus();
  ASSERT_EQ(corpus.size(), static_cast<std::size_t>(kCorpusSize));
  int mismatches = 0;
  std::map<std::string, int> per_mode;
  for (const auto& item : corpus) {
    const std::string difference = compare(item);
    ++per_mode[item.at("mode")];
    if (difference.empty()) continue;
    if (++mismatches <= 3) {
      ADD_FAILURE() << "mode " << item.at("mode") << ", " << item.at("method") << " "
                    << item.at("url") << ": " << difference;
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << corpus.size() << " requests";
  // Every mode is exercised, not silently skipped.
  EXPECT_EQ(per_mode.size(), 3u);
  EXPECT_GE(per_mode["header"], 1000);
  EXPECT_GE(per_mode["s3"], 500);
  EXPECT_GE(per_mode["presign"], 500);
}

}  // namespace
}  // namespace eem::aws
