#include "net/tracing_client.h"

#include <gtest/gtest.h>

namespace eem::net {
namespace {

class FixedClient final : public HttpClient {
 public:
  util::Result<Response> send(const Request&) override {
    if (fail) return util::fail(util::ErrorKind::kTransient, "GET to reg.example failed: Connection refused");
    return Response{200, {{"Content-Type", "application/json"}}, R"({"token":"registry-bearer"})"};
  }
  bool fail = false;
};

TEST(TracingClient, TracesRequestAndResponseWithSecretsRedacted) {
  std::string trace;
  auto inner = std::make_unique<FixedClient>();
  TracingClient client(std::move(inner), [&](std::string_view text) { trace += text; });
  Request request;
  request.url = "https://auth.example/token?scope=repository:app:push&service=reg";
  request.headers = {{"Authorization", "Basic QVdTOmVjci1wYXNzd29yZA=="}};
  auto response = client.send(request);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, R"({"token":"registry-bearer"})");  // the caller gets the real answer
  EXPECT_EQ(trace,
            "> GET https://auth.example/token?scope=repository:app:push&service=reg\n"
            "  Authorization: <redacted>\n"
            "< HTTP 200\n  Content-Type: application/json\n  {\"token\":\"<redacted>\"}\n");
}

TEST(TracingClient, StreamedBodiesAreSizedAndFailuresTraced) {
  std::string trace;
  auto inner = std::make_unique<FixedClient>();
  inner->fail = true;
  TracingClient client(std::move(inner), [&](std::string_view text) { trace += text; });
  Request request;
  request.method = "PUT";
  request.url = "https://reg.example/v2/app/blobs/uploads/u1?digest=sha256:ab";
  request.stream = BodyStream{1234, [](std::span<std::byte>) { return std::size_t{0}; }};
  EXPECT_FALSE(client.send(request).has_value());
  EXPECT_EQ(trace,
            "> PUT https://reg.example/v2/app/blobs/uploads/u1?digest=sha256:ab\n  (streamed body, 1234 bytes)\n"
            "< failed: GET to reg.example failed: Connection refused\n");
}

TEST(TracingClient, MakeCurlClientTracesOnlyWhenASinkIsGiven) {
  auto plain = make_curl_client();
  EXPECT_EQ(dynamic_cast<TracingClient*>(plain.get()), nullptr);
  ClientOptions options;
  options.trace = [](std::string_view) {};
  auto traced = make_curl_client(options);
  EXPECT_NE(dynamic_cast<TracingClient*>(traced.get()), nullptr);
}

}  // namespace
}  // namespace eem::net
