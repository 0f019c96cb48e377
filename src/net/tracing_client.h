#pragma once
// --debug traces as a decorator of HttpClient: every request and response
// that passes through it is described to a sink with net/redact.h's
// redaction, whichever protocol sent it (AWS APIs, the registry and its token
// endpoint, GitHub, the Actions OIDC endpoint). make_curl_client wraps its
// client in one when ClientOptions::trace is set; with no sink nothing is
// wrapped, so tracing costs nothing when it is off.

#include <memory>

#include "net/http_client.h"

namespace eem::net {

class TracingClient final : public HttpClient {
 public:
  // `sink` must be callable from every thread that sends (push workers share
  // one); `inner` does the sending.
  TracingClient(std::unique_ptr<HttpClient> inner, TraceSink sink)
      : inner_(std::move(inner)), sink_(std::move(sink)) {}
  util::Result<Response> send(const Request& request) override;

 private:
  std::unique_ptr<HttpClient> inner_;
  TraceSink sink_;
};

}  // namespace eem::net
