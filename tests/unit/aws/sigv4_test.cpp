#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include "aws/uri.h"

namespace eem::aws {
namespace {

SigningParams params() {
  SigningParams p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt};
  p.region = "us-east-1";
  p.service = "service";
  p.time = std::chrono::sys_days(std::chrono::year(2015) / 8 / 30) + std::chrono::hours(12) + std::chrono::minutes(36);
  return p;
}

TEST(SigV4, AddsHostWithoutTheDefaultPort) {
  net::Request request;
  request.url = "https://Example.amazonaws.com:443/";
  ASSERT_TRUE(sign_request(request, params()).has_value());
  EXPECT_EQ(net::find_header(request.headers, "Host"), "example.amazonaws.com");
  net::Request other;
  other.url = "http://127.0.0.1:5000/";
  ASSERT_TRUE(sign_request(other, params()).has_value());
  EXPECT_EQ(net::find_header(other.headers, "Host"), "127.0.0.1:5000");
}

TEST(SigV4, StreamedBodyNeedsAPrecomputedHashOrUnsignedPayload) {
  net::Request request;
  request.method = "PUT";
  request.url = "https://example.amazonaws.com/blob";
  request.stream = net::BodyStream{};
  auto refused = sign_request(request, params());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "a streamed body needs a precomputed payload hash or UNSIGNED-PAYLOAD");
  SigningParams unsigned_payload = params();
  unsigned_payload.payload = Payload::kUnsigned;
  unsigned_payload.content_hash_header = ContentHashHeader::kAdd;
  auto signed_ok = sign_request(request, unsigned_payload);
  ASSERT_TRUE(signed_ok.has_value());
  EXPECT_TRUE(signed_ok->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_EQ(net::find_header(request.headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
}

TEST(SigV4, ResigningReplacesTheOldAuthorization) {
  net::Request request;
  request.url = "https://example.amazonaws.com/";
  ASSERT_TRUE(sign_request(request, params()).has_value());
  ASSERT_TRUE(sign_request(request, params()).has_value());
  int authorizations = 0;
  for (const auto& header : request.headers) authorizations += header.name == "Authorization" ? 1 : 0;
  EXPECT_EQ(authorizations, 1);
}

TEST(SigV4, RelativeUrlIsRejected) {
  net::Request request;
  request.url = "/no-host";
  auto result = sign_request(request, params());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "cannot sign a request without an absolute URL");
}

TEST(Uri, EncodesEverythingButUnreserved) {
  EXPECT_EQ(uri_encode("a b/c~_-.é"), "a%20b%2Fc~_-.%C3%A9");
  EXPECT_EQ(uri_encode("a b/c", Slash::kKeep), "a%20b/c");
  EXPECT_EQ(form_encode("y z/+"), "y+z%2F%2B");
  EXPECT_EQ(percent_decode("%7e%2Fx%zz%"), "~/x%zz%");
}

}  // namespace
}  // namespace eem::aws
