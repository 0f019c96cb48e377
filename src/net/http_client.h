#pragma once
// The HTTP client seam. Every outbound HTTP call (AWS APIs, OIDC discovery and
// JWKS, registry API) goes through `HttpClient`; the libcurl adapter
// (curl_client.cpp) is the only file that includes curl. Tests substitute
// fakes or point the real client at loopback servers.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace eem::net {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// Case-insensitive lookup of the first header named `name`.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

// Receives --debug traces (tracing_client.h), one request or response each.
using TraceSink = std::function<void(std::string_view text)>;

enum class TlsVerify { kOn, kOff };
// kFollowSameOrigin follows 3xx only to the same scheme, host and port.
enum class Redirects { kNone, kFollowSameOrigin };

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // Whole-request limit; zero means none (large blob uploads bound progress
  // with `low_speed_*` instead).
  std::chrono::milliseconds total_timeout{60'000};
  // Abort when fewer than `low_speed_bytes` per second flow for this long.
  std::chrono::seconds low_speed_time{30};
  std::size_t low_speed_bytes = 1;
  TlsVerify tls_verify = TlsVerify::kOn;
  std::string ca_file;  // extra CA bundle (PEM); empty: system store only
  // The system store as a hashed CA directory (OpenSSL's c_rehash layout,
  // kept by update-ca-certificates), read on demand: only the issuers a
  // verification needs. Empty: libcurl's built-in CA path (Debian:
  // /etc/ssl/certs) when it is such a directory, else libcurl's CA bundle.
  std::string ca_dir;
  // curl's --connect-to: "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT" sends
  // requests for HOST:PORT to another address while the URL, Host header and
  // TLS name stay HOST (the rehearsal maps ECR registry hosts to loopback).
  std::vector<std::string> connect_to;
  // Responses collected in memory are capped; over the cap the request fails
  // with kInvalidInput naming the limit.
  std::size_t max_response_bytes = 16u << 20;
  Redirects redirects = Redirects::kNone;
  std::string user_agent;  // default: "shipctl/<version>"
  // When set, the client is a TracingClient around the curl client: requests
  // and responses go to `trace`, secrets redacted (--debug).
  TraceSink trace;
};

// A request body read incrementally (blob uploads): `read` fills `buffer`
// and returns the number of bytes written, 0 at the end.
struct BodyStream {
  std::uint64_t size = 0;
  std::function<std::size_t(std::span<std::byte> buffer)> read;
};

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;                   // used when `stream` is empty
  std::optional<BodyStream> stream;   // streamed body with a known size
  // When set, response body bytes go here instead of Response::body (no cap).
  std::function<void(std::string_view chunk)> on_body;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends one request. Transport failures (DNS, refused, reset, timeout) are
  // errors of kind kTransient, with the URL's host in the message; a TLS
  // certificate that does not verify is kDenied, and a CA file curl cannot
  // use or a URL it cannot parse (port 99999) kInvalidInput: retrying cannot
  // help, so the message names the fix. Any HTTP status, 4xx and 5xx
  // included, is a successful Response. Thread safety: one client per
  // thread; a client reuses its connections.
  virtual util::Result<Response> send(const Request& request) = 0;
};

std::unique_ptr<HttpClient> make_curl_client(ClientOptions options = {});

}  // namespace eem::net
