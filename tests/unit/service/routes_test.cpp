#include "service/routes.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace eem::service {
namespace {

// A GET of `path` (no query) through the service's router.
server::Response get(const server::Router& router, std::string_view path) {
  server::Request request;
  request.method = "GET";
  request.target = request.path = path;
  server::Response response;
  router.dispatch(request, response);
  return response;
}

TEST(Routes, PingAndVersion) {
  const server::Router router = make_router({"ecs-express-mode-api"});
  const auto ping = get(router, "/ping");
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body, R"({"status":"ok"})");
  const auto version = get(router, "/version");
  const auto v = nlohmann::json::parse(version.body);
  EXPECT_EQ(v["service"], "ecs-express-mode-api");
  EXPECT_TRUE(v["commit"].is_string());
  EXPECT_FALSE(v["commit"].get<std::string>().empty());
  EXPECT_TRUE(v["build_time"].is_string());
}

}  // namespace
}  // namespace eem::service
