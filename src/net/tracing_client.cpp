#include "net/tracing_client.h"

#include "net/redact.h"

namespace eem::net {

util::Result<Response> TracingClient::send(const Request& request) {
  std::string text = describe_request(request);
  if (request.stream) text += "  (streamed body, " + std::to_string(request.stream->size) + " bytes)\n";
  sink_(text);
  auto response = inner_->send(request);
  // Transport errors name the host only, never the path or query (curl_client.cpp).
  sink_(response ? describe_response(*response) : "< failed: " + response.error().message + "\n");
  return response;
}

}  // namespace eem::net
