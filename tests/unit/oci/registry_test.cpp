#include "oci/registry.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>

namespace eem::oci {
namespace {

// Answers from a queue; drains streamed bodies like a transport would.
class ScriptedClient final : public net::HttpClient {
 public:
  struct Seen {
    net::Request request;
    std::string body;
  };
  std::deque<net::Response> answers;
  std::vector<Seen> seen;
  util::Result<net::Response> send(const net::Request& request) override {
    std::string body = request.body;
    if (request.stream) {
      std::byte buffer[3];
      for (std::size_t n; (n = request.stream->read(buffer)) > 0;) {
        body.append(reinterpret_cast<const char*>(buffer), n);
      }
    }
    seen.push_back({request, body});
    auto r = answers.front();
    answers.pop_front();
    return r;
  }
};

class StringReader final : public FileReader {
 public:
  explicit StringReader(std::string s) : s_(std::move(s)) {}
  util::Result<std::size_t> read(std::span<std::byte> buffer) override {
    const std::size_t n = std::min(buffer.size(), s_.size() - pos_);
    std::memcpy(buffer.data(), s_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string s_;
  std::size_t pos_ = 0;
};

struct Fixture {
  std::shared_ptr<Authenticator> auth =
      std::make_shared<Authenticator>("reg.example", "s", Credentials{"AWS", "pw"}, PlainHttp::kRefuse);
  ScriptedClient* client = nullptr;
  std::unique_ptr<RegistryClient> registry;
  Fixture() {
    auto c = std::make_unique<ScriptedClient>();
    client = c.get();
    ScriptedClient setup;
    EXPECT_TRUE(auth->on_unauthorized("Basic realm=r", 0, setup).has_value());
    registry = std::make_unique<RegistryClient>(Endpoint{"https://reg.example", "app", std::nullopt}, auth, std::move(c));
  }
};

const std::string kBlob = "0123456789";

TEST(RegistryClient, ChunkedUploadHonoursMinLengthAcceptsEcr201AndKeepsCredentialsHome) {
  Fixture f;
  f.client->answers = {
      {202, {{"Location", "/v2/app/blobs/uploads/u1?_state=a"}, {"OCI-Chunk-Min-Length", "5"}}, ""},
      {201, {{"Location", "https://other.example/up/u1?s=b"}}, ""},  // ECR's answer to a PATCH
      {202, {{"Location", "https://other.example/up/u1?s=c"}}, ""},
      {201, {}, ""},
  };
  const Descriptor blob{"application/octet-stream", Digest::of(kBlob), kBlob.size(), std::nullopt};
  UploadPolicy policy;
  policy.chunk_threshold = 4;
  policy.chunk_size = 4;
  std::int64_t sent = 0;
  auto done = f.registry->upload_blob(blob, [] { return util::Result<std::unique_ptr<FileReader>>(std::make_unique<StringReader>(kBlob)); },
                                      policy, [&](std::int64_t n) { sent += n; });
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(sent, 10);
  const auto& s = f.client->seen;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].request.method, "POST");
  EXPECT_EQ(s[0].request.url, "https://reg.example/v2/app/blobs/uploads/");
  EXPECT_EQ(s[1].request.method, "PATCH");
  EXPECT_EQ(s[1].request.url, "https://reg.example/v2/app/blobs/uploads/u1?_state=a");
  EXPECT_EQ(*net::find_header(s[1].request.headers, "Content-Range"), "0-4");
  EXPECT_EQ(s[1].body, "01234");
  EXPECT_EQ(*net::find_header(s[2].request.headers, "Content-Range"), "5-9");
  EXPECT_EQ(s[2].body, "56789");
  EXPECT_EQ(s[3].request.method, "PUT");
  EXPECT_EQ(s[3].request.url, "https://other.example/up/u1?s=c&digest=" + blob.digest.str());
  EXPECT_EQ(s[3].body, "");
  EXPECT_TRUE(net::find_header(s[0].request.headers, "Authorization").has_value());
  EXPECT_TRUE(net::find_header(s[1].request.headers, "Authorization").has_value());
  EXPECT_FALSE(net::find_header(s[2].request.headers, "Authorization").has_value());
  EXPECT_FALSE(net::find_header(s[3].request.headers, "Authorization").has_value());
}

TEST(RegistryClient, MonolithicUploadRestartsAfterTransientFailure) {
  Fixture f;
  f.client->answers = {
      {202, {{"Location", "/v2/app/blobs/uploads/u1"}}, ""},
      {503, {}, ""},
      {202, {{"Location", "/v2/app/blobs/uploads/u2"}}, ""},
      {201, {}, ""},
  };
  const Descriptor blob{"application/octet-stream", Digest::of(kBlob), kBlob.size(), std::nullopt};
  UploadPolicy policy;
  policy.backoff = std::chrono::milliseconds(1);
  std::int64_t sent = 0;
  auto done = f.registry->upload_blob(blob, [] { return util::Result<std::unique_ptr<FileReader>>(std::make_unique<StringReader>(kBlob)); },
                                      policy, [&](std::int64_t n) { sent += n; });
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(sent, 10);  // the failed attempt's bytes were taken back
  ASSERT_EQ(f.client->seen.size(), 4u);
  EXPECT_EQ(f.client->seen[3].request.url, "https://reg.example/v2/app/blobs/uploads/u2?digest=" + blob.digest.str());
  EXPECT_EQ(f.client->seen[3].body, kBlob);
}

TEST(RegistryClient, RetryAfterOverridesBackoff) {
  Fixture f;
  f.client->answers = {
      {202, {{"Location", "/v2/app/blobs/uploads/u1"}}, ""},
      {429, {{"Retry-After", "0"}}, ""},
      {202, {{"Location", "/v2/app/blobs/uploads/u2"}}, ""},
      {201, {}, ""},
  };
  const Descriptor blob{"application/octet-stream", Digest::of(kBlob), kBlob.size(), std::nullopt};
  UploadPolicy policy;
  policy.backoff = std::chrono::seconds(5);
  const auto start = std::chrono::steady_clock::now();
  auto done = f.registry->upload_blob(blob, [] { return util::Result<std::unique_ptr<FileReader>>(std::make_unique<StringReader>(kBlob)); },
                                      policy, {});
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(RegistryClient, NonRetryableErrorsStopAtOnce) {
  Fixture f;
  f.client->answers = {{403, {}, R"({"errors":[{"code":"DENIED","message":"not allowed"}]})"}};
  const Descriptor blob{"application/octet-stream", Digest::of(kBlob), kBlob.size(), std::nullopt};
  auto done = f.registry->upload_blob(blob, [] { return util::Result<std::unique_ptr<FileReader>>(std::make_unique<StringReader>(kBlob)); },
                                      UploadPolicy{}, {});
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(done.error().message, "starting a blob upload: HTTP 403 from reg.example: DENIED (not allowed): the "
                                  "credentials lack push permission on this repository");
  EXPECT_EQ(f.client->seen.size(), 1u);
}

TEST(RegistryClient, HasBlobChecksSize) {
  Fixture f;
  f.client->answers = {{200, {{"Content-Length", "10"}}, ""}, {200, {{"Content-Length", "11"}}, ""}, {404, {}, ""}};
  const Descriptor blob{"x", Digest::of(kBlob), kBlob.size(), std::nullopt};
  EXPECT_TRUE(f.registry->has_blob(blob).value());
  EXPECT_FALSE(f.registry->has_blob(blob).value());
  EXPECT_FALSE(f.registry->has_blob(blob).value());
  EXPECT_EQ(f.client->seen[0].request.method, "HEAD");
  EXPECT_EQ(f.client->seen[0].request.url, "https://reg.example/v2/app/blobs/" + blob.digest.str());
}

}  // namespace
}  // namespace eem::oci
