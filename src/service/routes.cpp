#include "service/routes.h"

#include <nlohmann/json.hpp>

#include "service/greetings.h"
#include "util/build_info.h"

namespace eem::service {

namespace {

constexpr std::string_view kPingBody = R"({"status":"ok"})";

}  // namespace

server::Router make_router(const ServiceIdentity& identity) {
  // Computed once: the answer never changes while the process lives.
  const auto& build = util::build_info();
  const std::string version_body = nlohmann::ordered_json{
      {"service", identity.name},
      {"version", build.version},
      {"commit", build.commit},
      {"build_time", build.build_time},
  }.dump();

  server::Router router;
  // ECS Express Mode's default health check path; no dependencies, so a slow
  // downstream never makes the ALB kill healthy tasks.
  router.add("GET", "/ping", [](const server::Request&, const server::PathParams&, server::Response& r) {
    r.body.assign(kPingBody);
  });
  router.add("GET", "/version",
             [version_body](const server::Request&, const server::PathParams&, server::Response& r) {
               r.body.assign(version_body);
             });
  router.add("GET", "/v1/greetings/{name}", get_greeting);
  router.add("POST", "/v1/greetings", post_greeting);
  return router;
}

}  // namespace eem::service
