#pragma once
// Routing by method and path pattern. Patterns are literal segments and
// `{name}` parameters ("/v1/greetings/{name}"); a parameter matches one
// non-empty segment, percent-decoded. An unknown path answers 404; a known
// path with another method answers 405 with an Allow header (RFC 9110
// section 15.5.6). HEAD is served by the GET route.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http.h"

namespace eem::server {

class PathParams {
 public:
  // The decoded value of parameter `name`; "" when the route has none.
  [[nodiscard]] std::string_view get(std::string_view name) const noexcept;
  void clear() { values_.clear(); }
  void add(std::string_view name, std::string value) { values_.emplace_back(name, std::move(value)); }

 private:
  std::vector<std::pair<std::string_view, std::string>> values_;
};

using RouteHandler =
    std::function<void(const server::Request&, const PathParams&, server::Response&)>;

class Router {
 public:
  // Adds a route. `pattern` must start with '/'.
  void add(std::string_view method, std::string_view pattern, RouteHandler handler);

  // Dispatches `request`, filling `response` (404/405 problems included).
  void dispatch(const server::Request& request, server::Response& response) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    RouteHandler handler;
  };
  static bool match(const Route& route, std::string_view path, PathParams& params);

  std::vector<Route> routes_;
};

// Decodes %XX escapes. Sets `ok` to false (and returns "") on a malformed
// escape or an encoded NUL.
std::string percent_decode(std::string_view text, bool& ok);

}  // namespace eem::server
