#pragma once
// Error responses as RFC 9457 problem details (application/problem+json).

#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "server/http.h"

namespace eem::server {

// Fills `response` with a problem: {"type":"about:blank","title","status",
// "detail"} plus the members of `extensions` (an object) when given.
void problem(server::Response& response, int status, std::string_view title,
             std::string_view detail, const nlohmann::json* extensions = nullptr);

}  // namespace eem::server
