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
    if (answers.empty()) {  // a request the test did not script: fail it, do not read past the queue
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return std::unexpected(util::Error{util::ErrorKind::kInternal, "no scripted answer for " + request.url});
    }
    auto r = std::move(answers.front());
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
  std::vector<std::chrono::milliseconds> sleeps;
  std::shared_ptr<Authenticator> auth =
      std::make_shared<Authenticator>("reg.example", "s", Credentials{"AWS", "pw"}, PlainHttp::kRefuse);
  ScriptedClient* client = nullptr;
  std::unique_ptr<RegistryClient> registry;
  Fixture() {
    auto c = std::make_unique<ScriptedClient>();
    client = c.get();
    ScriptedClient setup;
    EXPECT_TRUE(auth->on_unauthorized("Basic realm=r", 0, setup).has_value());
    net::RetryPolicy retry;
    retry.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    retry.random = [] { return 0.5; };
    registry = std::make_unique<RegistryClient>(Endpoint{"https://reg.example", "app", std::nullopt}, auth, std::move(c),
                                                retry);
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
  auto done = f.registry->upload_blob(blob, [] { return util::Result<std::unique_ptr<FileReader>>(std::make_unique<StringReader>(kBlob)); },
                                      UploadPolicy{}, {});
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(f.sleeps, std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(0)});
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

// Existence checks get the same retries as uploads (issue 13, item 9): one
// ECR throttle on a HEAD must not fail a deploy.
TEST(RegistryClient, HasBlobAndPingRetryThrottlingAnd5xxHonouringRetryAfter) {
  Fixture f;
  f.client->answers = {{503, {{"Retry-After", "1"}}, ""}, {429, {}, ""}, {200, {}, ""},
                       {503, {}, ""}, {404, {}, ""}};
  EXPECT_TRUE(f.registry->ping().has_value());
  const Descriptor blob{"x", Digest::of(kBlob), kBlob.size(), std::nullopt};
  auto has = f.registry->has_blob(blob);
  ASSERT_TRUE(has.has_value()) << has.error().message;
  EXPECT_FALSE(*has);
  EXPECT_EQ(f.client->seen.size(), 5u);
  // Retry-After: 1, then throttled backoff 0.5 * 2 s, then 0.5 * 200 ms.
  EXPECT_EQ(f.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000),
                                                               std::chrono::milliseconds(1000),
                                                               std::chrono::milliseconds(100)}));
}

TEST(RegistryClient, HasBlobGivesUpAfterFiveAttempts) {
  Fixture f;
  f.client->answers = std::deque<net::Response>(5, net::Response{503, {}, ""});
  const Descriptor blob{"x", Digest::of(kBlob), kBlob.size(), std::nullopt};
  auto has = f.registry->has_blob(blob);
  ASSERT_FALSE(has.has_value());
  EXPECT_EQ(has.error().kind, util::ErrorKind::kTransient);
  EXPECT_EQ(has.error().message, "checking blob " + blob.digest.str() +
                                     ": HTTP 503 from reg.example (gave up after 5 attempts)");
}

Manifest test_manifest() {
  const std::string raw = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                          R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                          Digest::of("{}").str() + R"(","size":2},"layers":[]})";
  auto m = parse_manifest(raw, "");
  EXPECT_TRUE(m.has_value()) << m.error().message;
  return *m;
}

TEST(RegistryClient, ManifestPutAnsweredWithAnotherDigestFailsNamingBoth) {
  Fixture f;
  const Manifest manifest = test_manifest();
  const std::string other = Digest::of("other").str();
  f.client->answers = {{201, {{"Docker-Content-Digest", other}}, ""}};
  auto put = f.registry->put_manifest(manifest, "v1");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, util::ErrorKind::kConflict);
  EXPECT_EQ(put.error().message, "putting manifest v1: the registry stored digest " + other +
                                     " but the manifest sent is " + manifest.digest.str() +
                                     " (a proxy or the registry altered it); the tag does not name this image");
  EXPECT_EQ(f.client->seen.size(), 1u);
}

TEST(RegistryClient, ManifestPutAnsweredWithAHeaderThatIsNotADigestDoesNotEchoIt) {
  Fixture f;
  const Manifest manifest = test_manifest();
  f.client->answers = {{201, {{"Docker-Content-Digest", "sha256:\x1b[2J" + std::string(60, 'a')}}, ""}};
  auto put = f.registry->put_manifest(manifest, "v1");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().kind, util::ErrorKind::kConflict);
  EXPECT_EQ(put.error().message, "putting manifest v1: the registry stored a digest that is not sha256:<64 hex "
                                 "digits> but the manifest sent is " + manifest.digest.str() +
                                     " (a proxy or the registry altered it); the tag does not name this image");
}

TEST(RegistryClient, ManifestPutWithOurDigestOrNoneSucceeds) {
  Fixture f;
  const Manifest manifest = test_manifest();
  f.client->answers = {{201, {{"Docker-Content-Digest", manifest.digest.str()}}, ""}, {201, {}, ""}};
  EXPECT_TRUE(f.registry->put_manifest(manifest, "v1").has_value());
  EXPECT_TRUE(f.registry->put_manifest(manifest, "v2").has_value());
}

// DIGEST_INVALID after a local hash check means corruption on the way: the
// upload is sent again rather than failing the push as bad input.
TEST(RegistryClient, DigestInvalidIsRetriedThenReportedClearly) {
  Fixture f;
  const std::string digest_invalid = R"({"errors":[{"code":"DIGEST_INVALID","message":"digest did not match"}]})";
  for (int i = 0; i < 5; ++i) {
    f.client->answers.push_back({202, {{"Location", "/v2/app/blobs/uploads/u" + std::to_string(i)}}, ""});
    f.client->answers.push_back({400, {}, digest_invalid});
  }
  const Descriptor blob{"application/octet-stream", Digest::of(kBlob), kBlob.size(), std::nullopt};
  auto done = f.registry->upload_blob(blob, [] { return util::Result<std::unique_ptr<FileReader>>(std::make_unique<StringReader>(kBlob)); },
                                      UploadPolicy{}, {});
  ASSERT_FALSE(done.has_value());
  EXPECT_EQ(done.error().kind, util::ErrorKind::kTransient);
  EXPECT_EQ(done.error().message,
            "uploading blob " + blob.digest.str() + ": HTTP 400 from reg.example: DIGEST_INVALID (digest did not "
            "match): the blob arrived corrupted (it matched its digest before upload); if this persists, check the "
            "proxies between here and the registry (gave up after 5 attempts)");
  EXPECT_EQ(f.client->seen.size(), 10u);
}

}  // namespace
}  // namespace eem::oci
