#pragma once
// The service's HTTP API: every route in one table (routes.cpp).
//
//   GET  /ping                  health check (ECS Express Mode's default path)
//   GET  /version               build identity: service, version, commit, build time
//   GET  /v1/greetings/{name}   example resource: a path parameter (?lang=en|ja)
//   POST /v1/greetings          example resource: a validated JSON body
//
// Handlers are stateless, so tasks scale horizontally behind the ALB.

#include <string>

#include "server/router.h"

namespace eem::service {

struct ServiceIdentity {
  std::string name;  // e.g. "ecs-express-mode-api"
};

server::Router make_router(const ServiceIdentity& identity);

}  // namespace eem::service
