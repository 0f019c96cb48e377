#pragma once
// The request and response types handlers see. Plain views and strings: no
// Boost type leaks out of src/server (the Beast/Asio adapter is server.cpp
// and its private headers).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eem::server {

struct Request {
  std::string_view method;  // as received, e.g. "GET"
  std::string_view target;  // raw request-target, e.g. "/v1/greetings/ann?lang=ja"
  std::string_view path;    // target up to '?'
  std::string_view query;   // after '?', without it; "" when absent
  std::string_view body;    // complete body (bounded by ServerOptions::max_body_bytes)
  int version = 11;         // 10 for HTTP/1.0, 11 for HTTP/1.1

  // Header fields in arrival order; names as received (compare case-insensitively).
  std::vector<std::pair<std::string_view, std::string_view>> headers;

  // First header named `name` (case-insensitive), or "" when absent.
  [[nodiscard]] std::string_view header(std::string_view name) const noexcept;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;

  // Adds a header line. Names and values containing CR or LF are dropped, so
  // a handler can never split the response (RFC 9112 section 2.2).
  void add_header(std::string_view name, std::string_view value);
  [[nodiscard]] const std::string& extra_headers() const noexcept { return extra_; }
  void clear();

 private:
  std::string extra_;  // serialized "Name: value\r\n" lines
};

// One finished exchange, for the access log.
struct AccessRecord {
  std::string_view method;
  std::string_view path;
  std::string_view trace_id;  // X-Amzn-Trace-Id, "" when absent
  std::string_view remote;    // peer address
  int status = 0;
  std::uint64_t bytes_in = 0;   // request body bytes
  std::uint64_t bytes_out = 0;  // response body bytes
  std::uint64_t duration_us = 0;
};

// Produces the response for a request. Runs on a worker thread; must not
// block. Exceptions are caught by the server and answered with 500.
using Handler = std::function<void(const Request&, Response&)>;

// Fills a response for an error the server detects itself (malformed request,
// oversize header or body, handler exception): `status`, a short `title` and
// a `detail`. The service answers these as problem+json like its own errors.
using ErrorResponder =
    std::function<void(int status, std::string_view title, std::string_view detail, Response&)>;

using AccessLogger = std::function<void(const AccessRecord&)>;

// Standard reason phrase for `status`, "Unknown" when none.
std::string_view reason_phrase(int status) noexcept;

}  // namespace eem::server
