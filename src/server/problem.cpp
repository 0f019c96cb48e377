#include "server/problem.h"

#include <nlohmann/json.hpp>

namespace eem::server {

void problem(server::Response& response, int status, std::string_view title,
             std::string_view detail, const nlohmann::json* extensions) {
  // "about:blank" means the title is the HTTP status phrase and the detail
  // carries the specifics (RFC 9457 section 4.2.1).
  nlohmann::ordered_json body{
      {"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  if (extensions != nullptr) {
    for (const auto& [key, value] : extensions->items()) body[key] = value;
  }
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace eem::server
