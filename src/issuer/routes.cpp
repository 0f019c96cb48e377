#include "issuer/routes.h"

#include <nlohmann/json.hpp>

#include "crypto/rsa_signer.h"
#include "server/problem.h"
#include "util/strings.h"

namespace eem::issuer {

namespace {

// The shape of an Azure DevOps (VSS) error, which the Actions pipelines
// service answers with; TF400813 is its "not authorized" message.
void vss_error(server::Response& response, int status, const std::string& message, std::string_view type) {
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = nlohmann::ordered_json{{"$id", "1"},
                                         {"innerException", nullptr},
                                         {"message", message},
                                         {"typeName", "Microsoft.TeamFoundation.Framework.Server." +
                                                          std::string(type) +
                                                          ", Microsoft.TeamFoundation.Framework.Server"},
                                         {"typeKey", type},
                                         {"errorCode", 0},
                                         {"eventId", 3000}}
                      .dump();
}

void unauthorized(server::Response& response) {
  vss_error(response, 401, "TF400813: The user '' is not authorized to access this resource.",
            "UnauthorizedRequestException");
  response.add_header("WWW-Authenticate", "Bearer");
}

// The bearer credential of `request`, or "" when there is none.
std::string_view bearer(const server::Request& request) {
  const std::string_view value = util::trim(request.header("Authorization"));
  if (!util::starts_with_ci(value, "Bearer ")) return {};
  return util::trim(value.substr(7));
}

// Every decoded value of query parameter `name`; `ok` false on a bad escape.
std::vector<std::string> query_values(std::string_view query, std::string_view name, bool& ok) {
  std::vector<std::string> values;
  ok = true;
  for (const auto part : util::split(query, '&')) {
    const auto eq = part.find('=');
    if (part.substr(0, eq) != name) continue;
    const std::string_view raw = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::string plus_as_space(raw);
    for (char& c : plus_as_space) c = c == '+' ? ' ' : c;
    values.push_back(server::percent_decode(plus_as_space, ok));
    if (!ok) return {};
  }
  return values;
}

void serve_token(const TokenIssuer& issuer, const std::string& request_token, const server::Request& request,
                 server::Response& response) {
  const std::string_view presented = bearer(request);
  if (presented.empty() || !crypto::constant_time_equals(presented, request_token)) return unauthorized(response);
  bool ok = false;
  const auto audiences = query_values(request.query, "audience", ok);
  if (!ok || audiences.size() > 1) {
    return vss_error(response, 400, "The audience parameter must be given at most once and be URL-encoded.",
                     "InvalidRequestValueException");
  }
  auto token = issuer.mint(audiences.empty() ? std::string() : audiences.front());
  if (!token) return server::problem(response, 500, "Internal Server Error", token.error().message);
  response.body = nlohmann::json{{"value", *token}}.dump();
}

void serve_json(server::Response& response, const std::string& body) {
  response.content_type = "application/json; charset=utf-8";
  response.body = body;
}

}  // namespace

server::Router make_router(const TokenIssuer& issuer, std::string request_token) {
  server::Router router;
  router.add("GET", "/.well-known/openid-configuration",
             [&issuer](const server::Request&, const server::PathParams&, server::Response& response) {
               serve_json(response, issuer.discovery_json());
             });
  router.add("GET", "/.well-known/jwks",
             [&issuer](const server::Request&, const server::PathParams&, server::Response& response) {
               serve_json(response, issuer.jwks_json());
             });
  router.add("GET", "/token",
             [&issuer, token = std::move(request_token)](const server::Request& request, const server::PathParams&,
                                                          server::Response& response) {
               serve_token(issuer, token, request, response);
             });
  return router;
}

}  // namespace eem::issuer
