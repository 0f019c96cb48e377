#pragma once
// The example resource users copy when they add their own endpoints: a path
// parameter, a query parameter, a JSON body with validation, and errors as
// problem details.

#include "server/router.h"

namespace eem::service {

// GET /v1/greetings/{name}?lang=en|ja
void get_greeting(const server::Request& request, const server::PathParams& params,
                  server::Response& response);

// POST /v1/greetings  {"name": "Ann", "language": "ja"}
void post_greeting(const server::Request& request, const server::PathParams& params,
                   server::Response& response);

}  // namespace eem::service
