#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <nlohmann/json.hpp>
#include <string>

#include "net/http_client.h"
#include "net/loopback_server.h"
#include "util/build_info.h"

namespace eem::net {
namespace {

using nlohmann::json;

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

Request request(std::string method, std::string url, std::string body = "") {
  Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}
Request get(std::string url) { return request("GET", std::move(url)); }
Request streamed(std::string method, std::string url, BodyStream stream) {
  Request r = request(std::move(method), std::move(url));
  r.stream = std::move(stream);
  return r;
}
Request with_headers(Request r, Headers headers) {
  r.headers = std::move(headers);
  return r;
}
Request with_on_body(Request r, std::function<void(std::string_view)> on_body) {
  r.on_body = std::move(on_body);
  return r;
}
template <class F>
ClientOptions options_with(F&& set) {
  ClientOptions options;
  set(options);
  return options;
}

class CurlClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::LoopbackServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::string url(const std::string& path) { return server_->url(path); }

  static json echo(HttpClient& client, Request request) {
    auto response = client.send(request);
    EXPECT_TRUE(response.has_value()) << (response ? "" : response.error().message);
    if (!response) return json{};
    EXPECT_EQ(response->status, 200);
    return json::parse(response->body);
  }
  static std::optional<std::string> echoed_header(const json& echoed, const std::string& name) {
    for (const auto& pair : echoed["headers"]) {
      if (strcasecmp(pair[0].get<std::string>().c_str(), name.c_str()) == 0) {
        return pair[1].get<std::string>();
      }
    }
    return std::nullopt;
  }

  static testing::LoopbackServer* server_;
};
testing::LoopbackServer* CurlClientTest::server_ = nullptr;

TEST_F(CurlClientTest, GetSendsUserAgentAndCallerHeaders) {
  auto client = make_curl_client();
  const json echoed =
      echo(*client, with_headers(get(url("/echo/a?b=c")), {{"X-Amz-Date", "20150830T123600Z"}}));
  EXPECT_EQ(echoed["method"], "GET");
  EXPECT_EQ(echoed_header(echoed, "User-Agent"),
            "shipctl/" + std::string(util::build_info().version));
  EXPECT_EQ(echoed_header(echoed, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(echoed_header(echoed, "Accept"), std::nullopt);
}

TEST_F(CurlClientTest, PostBodyIsSentWithContentLengthNotChunked) {
  auto client = make_curl_client();
  const json echoed = echo(*client, request("POST", url("/echo"), "a=1&b=2"));
  EXPECT_EQ(echoed["method"], "POST");
  EXPECT_EQ(echoed["body_b64"], "YT0xJmI9Mg==");
  EXPECT_EQ(echoed_header(echoed, "Content-Length"), "7");
  EXPECT_EQ(echoed_header(echoed, "Transfer-Encoding"), std::nullopt);
  EXPECT_EQ(echoed_header(echoed, "Expect"), std::nullopt);
}

TEST_F(CurlClientTest, EmptyPostSendsContentLengthZero) {
  auto client = make_curl_client();
  const json echoed = echo(*client, request("POST", url("/echo")));
  EXPECT_EQ(echoed_header(echoed, "Content-Length"), "0");
}

TEST_F(CurlClientTest, StreamedBodyIsSentWithKnownContentLength) {
  auto client = make_curl_client();
  constexpr std::uint64_t kSize = 300'000;
  std::uint64_t produced = 0;
  BodyStream stream;
  stream.size = kSize;
  stream.read = [&produced](std::span<std::byte> buffer) {
    const auto n = std::min<std::uint64_t>(buffer.size(), kSize - produced);
    std::memset(buffer.data(), 'z', n);
    produced += n;
    return static_cast<std::size_t>(n);
  };
  const json echoed = echo(*client, streamed("PUT", url("/echo"), stream));
  EXPECT_EQ(echoed["method"], "PUT");
  EXPECT_EQ(echoed_header(echoed, "Content-Length"), "300000");
  EXPECT_EQ(echoed_header(echoed, "Transfer-Encoding"), std::nullopt);
  EXPECT_EQ(produced, kSize);
}

// Blobs are read into curl's upload buffer 256 KiB at a time, not its 64 KiB
// default (curl_client.cpp: fewer reads and polls per byte).
TEST_F(CurlClientTest, StreamedBodyIsReadInto256KiBBuffers) {
  auto client = make_curl_client();
  constexpr std::uint64_t kSize = 1'000'000;
  std::uint64_t produced = 0;
  std::size_t largest = 0;
  BodyStream stream;
  stream.size = kSize;
  stream.read = [&](std::span<std::byte> buffer) {
    largest = std::max(largest, buffer.size());
    const auto n = std::min<std::uint64_t>(buffer.size(), kSize - produced);
    std::memset(buffer.data(), 'z', n);
    produced += n;
    return static_cast<std::size_t>(n);
  };
  const json echoed = echo(*client, streamed("PUT", url("/echo"), stream));
  EXPECT_EQ(echoed_header(echoed, "Content-Length"), "1000000");
  EXPECT_EQ(largest, std::size_t{256} << 10);
  EXPECT_EQ(produced, kSize);
}

TEST_F(CurlClientTest, HttpErrorStatusIsAResponseNotAnError) {
  auto client = make_curl_client();
  auto response = client->send(get(url("/status/503")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
}

TEST_F(CurlClientTest, HeadReturnsHeadersWithoutBody) {
  auto client = make_curl_client();
  auto response = client->send(request("HEAD", url("/bytes/10")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("content-length"), "10");
  EXPECT_EQ(response->body, "");
}

TEST_F(CurlClientTest, ResponseOverTheCapFailsNamingTheLimit) {
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.max_response_bytes = 1000; }));
  auto response = client->send(get(url("/bytes/5000")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(response.error().message, "response from 127.0.0.1 exceeds the limit of 1000 bytes");
}

TEST_F(CurlClientTest, OnBodyReceivesTheStreamWithoutCap) {
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.max_response_bytes = 1000; }));
  std::size_t received = 0;
  auto response = client->send(with_on_body(
      get(url("/bytes/70000")), [&](std::string_view chunk) { received += chunk.size(); }));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(received, 70000u);
  EXPECT_EQ(response->body, "");
}

TEST_F(CurlClientTest, ConsecutiveRequestsReuseTheConnection) {
  auto client = make_curl_client();
  const json first = echo(*client, get(url("/echo")));
  const json second = echo(*client, request("POST", url("/echo"), "x"));
  EXPECT_EQ(first["client_port"], second["client_port"]);
}

TEST_F(CurlClientTest, RefusedConnectionIsTransientAndNamesTheHost) {
  auto client = make_curl_client();
  // Port 1 on loopback: nothing listens there.
  auto response = client->send(get("http://127.0.0.1:1/secret?X-Amz-Signature=abc"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kTransient);
  EXPECT_TRUE(response.error().message.starts_with("GET to 127.0.0.1 failed: "))
      << response.error().message;
  EXPECT_EQ(response.error().message.find("Signature"), std::string::npos);
}

TEST_F(CurlClientTest, PortOutOfRangeIsInvalidInputNamingTheAuthority) {
  auto client = make_curl_client();
  auto response = client->send(get("https://127.0.0.1:99999/v2/?X-Amz-Signature=abc"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_TRUE(response.error().message.starts_with("GET https://127.0.0.1:99999: the URL is not usable ("))
      << response.error().message;
  EXPECT_TRUE(response.error().message.ends_with("): check the host and port")) << response.error().message;
  EXPECT_EQ(response.error().message.find("Signature"), std::string::npos);
}

TEST_F(CurlClientTest, TotalTimeoutIsTransient) {
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.total_timeout = std::chrono::milliseconds(200); }));
  auto response = client->send(get(url("/sleep/3000")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kTransient);
  EXPECT_NE(response.error().message.find("imed out"), std::string::npos) << response.error().message;
}

TEST_F(CurlClientTest, DroppedConnectionIsTransient) {
  auto client = make_curl_client();
  auto response = client->send(get(url("/drop")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kTransient);
}

TEST_F(CurlClientTest, RedirectsAreNotFollowedByDefault) {
  auto client = make_curl_client();
  auto response = client->send(get(url("/redirect/302?to=/echo")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(response->header("Location"), "/echo");
}

TEST_F(CurlClientTest, SameHostRedirectIsFollowedWhenAllowed) {
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.redirects = Redirects::kFollowSameOrigin; }));
  const json echoed = echo(*client, get(url("/redirect/307?to=/echo/target")));
  EXPECT_EQ(echoed["path"], "/echo/target");
}

TEST_F(CurlClientTest, RedirectToAnotherHostIsNotFollowed) {
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.redirects = Redirects::kFollowSameOrigin; }));
  const std::string elsewhere = "http://localhost:" + std::to_string(server_->port()) + "/echo";
  auto response = client->send(get(url("/redirect/302?to=" + elsewhere)));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 302);
}

TEST_F(CurlClientTest, RedirectToAnotherPortOrSchemeIsNotFollowed) {
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.redirects = Redirects::kFollowSameOrigin; }));
  const std::string port = std::to_string(server_->port());
  for (const std::string& elsewhere : {"http://127.0.0.1:" + std::to_string(server_->port() + 1) + "/echo",
                                       "https://127.0.0.1:" + port + "/echo"}) {
    auto response = client->send(get(url("/redirect/307?to=" + elsewhere)));
    ASSERT_TRUE(response.has_value()) << elsewhere;
    EXPECT_EQ(response->status, 307) << elsewhere;
  }
}

TEST_F(CurlClientTest, ConnectToSendsAHostsRequestsToAnotherAddress) {
  const std::string port = std::to_string(server_->port());
  auto client = make_curl_client(options_with([&](ClientOptions& o) {
    o.connect_to = {"registry.example.invalid:80:127.0.0.1:" + port};
  }));
  const json echoed = echo(*client, get("http://registry.example.invalid/echo/x"));
  EXPECT_EQ(echoed["path"], "/echo/x");
  bool host_kept = false;
  for (const auto& header : echoed["headers"]) {
    if (header[0] == "Host" && header[1] == "registry.example.invalid") host_kept = true;
  }
  EXPECT_TRUE(host_kept) << echoed.dump();
}

TEST_F(CurlClientTest, ProxyComesFromTheEnvironment) {
  const std::string proxy = "http://127.0.0.1:" + std::to_string(server_->port());
  ScopedEnv http_proxy("http_proxy", proxy.c_str());
  ScopedEnv no_proxy("NO_PROXY", "");
  auto client = make_curl_client();
  const json echoed = echo(*client, get("http://registry.example.invalid/echo/via-proxy"));
  EXPECT_EQ(echoed["path"], "http://registry.example.invalid/echo/via-proxy");
}

TEST_F(CurlClientTest, NoProxyBypassesTheProxy) {
  const std::string proxy = "http://127.0.0.1:" + std::to_string(server_->port());
  ScopedEnv http_proxy("http_proxy", proxy.c_str());
  ScopedEnv no_proxy("NO_PROXY", "example.invalid");
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.connect_timeout = std::chrono::milliseconds(2000); }));
  auto response = client->send(get("http://registry.example.invalid/echo"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kTransient);
  EXPECT_TRUE(response.error().message.starts_with("GET to registry.example.invalid failed: "));
}

// A self-signed certificate for 127.0.0.1, made with openssl(1) per test.
class TlsCurlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tls-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                                "-addext subjectAltName=IP:127.0.0.1 -keyout '" + (dir_ / "key.pem").string() +
                                "' -out '" + (dir_ / "cert.pem").string() + "' 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    server_ = std::make_unique<testing::LoopbackServer>((dir_ / "cert.pem").string(), (dir_ / "key.pem").string());
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<testing::LoopbackServer> server_;
};

// Not transient: sending it again cannot make the certificate trusted, so it
// is neither retried nor "retry later" (exit 75).
TEST_F(TlsCurlClientTest, UntrustedCertificateIsRejectedByDefaultAsDeniedNamingTheFix) {
  auto client = make_curl_client();
  auto response = client->send(get(server_->https_url("/bytes/3")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kDenied);
  EXPECT_TRUE(response.error().message.starts_with("GET to 127.0.0.1 failed: ")) << response.error().message;
  EXPECT_TRUE(response.error().message.ends_with(
      ": the server's TLS certificate is not trusted (not retried): trust its CA (for a registry: --ca-file or "
      "SHIPCTL_CA_FILE), or check that 127.0.0.1 is the server you meant"))
      << response.error().message;
}

TEST_F(TlsCurlClientTest, CaFileWithoutCertificatesIsInvalidInputNamingTheFile) {
  const auto garbage = (dir_ / "garbage.pem").string();
  ASSERT_EQ(std::system(("echo 'not a certificate' > '" + garbage + "'").c_str()), 0);
  auto client = make_curl_client(options_with([&](ClientOptions& o) { o.ca_file = garbage; }));
  auto response = client->send(get(server_->https_url("/bytes/3")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kInvalidInput) << response.error().message;
  EXPECT_NE(response.error().message.find("the CA file " + garbage + " cannot be used"), std::string::npos)
      << response.error().message;
}

TEST_F(TlsCurlClientTest, CaFileMakesTheCertificateTrusted) {
  auto client = make_curl_client(options_with([this](ClientOptions& o) { o.ca_file = (dir_ / "cert.pem").string(); }));
  auto response = client->send(get(server_->https_url("/bytes/3")));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body, "xxx");
}

// The server offers h2 first (as docker-registry and ECR do); the client
// speaks HTTP/1.1 (curl_client.cpp says why).
TEST_F(TlsCurlClientTest, ChoosesHttp11WhenTheServerOffersH2) {
  auto client = make_curl_client(options_with([this](ClientOptions& o) { o.ca_file = (dir_ / "cert.pem").string(); }));
  auto response = client->send(get(server_->https_url("/echo")));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(json::parse(response->body)["alpn"], "http/1.1");
}

TEST_F(TlsCurlClientTest, VerificationCanBeTurnedOffExplicitly) {
  auto client = make_curl_client(options_with([](ClientOptions& o) { o.tls_verify = TlsVerify::kOff; }));
  auto response = client->send(get(server_->https_url("/bytes/3")));
  ASSERT_TRUE(response.has_value()) << response.error().message;
}

// A server certificate issued by a test CA, and a hashed CA directory (the
// layout of /etc/ssl/certs) holding that CA: the system store as shipctl
// reads it, on demand.
class TlsCaDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tls-dir-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_ / "store");
    std::filesystem::create_directories(dir_ / "empty");
    const std::string d = "'" + dir_.string() + "'";
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
    const std::string command =
        "cd " + d + " && printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf"
        " && openssl req -x509 " + ec + "-days 1 -subj /CN=eem-test-ca -keyout ca.key -out store/ca.pem"
        " && openssl req " + ec + "-subj /CN=127.0.0.1 -keyout key.pem -out server.csr"
        " && openssl x509 -req -in server.csr -CA store/ca.pem -CAkey ca.key -CAcreateserial -days 1"
        " -extfile ext.cnf -out cert.pem && openssl rehash store && printf x > empty/README";
    ASSERT_EQ(std::system((command + " 2>/dev/null >/dev/null").c_str()), 0) << command;
    server_ = std::make_unique<testing::LoopbackServer>((dir_ / "cert.pem").string(), (dir_ / "key.pem").string());
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<testing::LoopbackServer> server_;
};

TEST_F(TlsCaDirTest, IssuerInTheHashedCaDirectoryIsTrustedWithoutABundle) {
  auto client = make_curl_client(options_with([this](ClientOptions& o) { o.ca_dir = (dir_ / "store").string(); }));
  auto response = client->send(get(server_->https_url("/bytes/3")));
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body, "xxx");
}

TEST_F(TlsCaDirTest, CaDirectoryWithoutTheIssuerIsNotEnough) {
  auto client = make_curl_client(options_with([this](ClientOptions& o) { o.ca_dir = (dir_ / "empty").string(); }));
  auto response = client->send(get(server_->https_url("/bytes/3")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().kind, util::ErrorKind::kDenied);
}

TEST_F(TlsCaDirTest, CaFileAddsToTheCaDirectory) {
  // The issuer only in the extra file: the directory is searched, then the file.
  auto client = make_curl_client(options_with([this](ClientOptions& o) {
    o.ca_dir = (dir_ / "empty").string();
    o.ca_file = (dir_ / "store" / "ca.pem").string();
  }));
  auto response = client->send(get(server_->https_url("/bytes/3")));
  ASSERT_TRUE(response.has_value()) << response.error().message;
}

TEST(GnutlsOptOut, ExecutableExportsTheSkipSymbolGnutlsLooksUp) {
  // libgnutls, loaded with libcurl, finds the symbol through the global scope.
  auto* skip = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "_gnutls_global_init_skip"));
  ASSERT_NE(skip, nullptr) << "not exported: GnuTLS would initialise itself at every start";
  EXPECT_EQ(skip(), 1);
}

TEST(FindHeader, MatchesNamesCaseInsensitivelyAndReturnsTheFirst) {
  const Headers headers{{"Content-Type", "a"}, {"content-type", "b"}, {"X", ""}};
  EXPECT_EQ(find_header(headers, "CONTENT-TYPE"), "a");
  EXPECT_EQ(find_header(headers, "x"), "");
  EXPECT_EQ(find_header(headers, "missing"), std::nullopt);
}

}  // namespace
}  // namespace eem::net
