#include "server/router.h"

#include "server/problem.h"
#include "util/strings.h"

namespace eem::server {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::string_view PathParams::get(std::string_view name) const noexcept {
  for (const auto& [n, v] : values_) {
    if (n == name) return v;
  }
  return {};
}

std::string percent_decode(std::string_view text, bool& ok) {
  ok = true;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const bool complete = i + 2 < text.size();
    const int hi = complete ? hex_value(text[i + 1]) : -1;
    const int lo = complete ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
      ok = false;
      return {};
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

void Router::add(std::string_view method, std::string_view pattern, RouteHandler handler) {
  Route route{std::string(method), {}, std::move(handler)};
  for (auto segment : util::split(pattern.substr(1), '/')) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, std::string_view path, PathParams& params) {
  params.clear();
  if (path.empty() || path.front() != '/') return false;
  const auto parts = util::split(path.substr(1), '/');
  if (parts.size() != route.segments.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& want = route.segments[i];
    if (!is_param(want)) {
      if (parts[i] != want) return false;
      continue;
    }
    bool ok = false;
    std::string value = percent_decode(parts[i], ok);
    if (!ok || value.empty()) return false;
    params.add(std::string_view(want).substr(1, want.size() - 2), std::move(value));
  }
  return true;
}

void Router::dispatch(const server::Request& request, server::Response& response) const {
  thread_local PathParams params;
  const std::string_view method = request.method == "HEAD" ? "GET" : request.method;
  std::string allow;
  for (const auto& route : routes_) {
    if (!match(route, request.path, params)) continue;
    if (route.method == method) return route.handler(request, params, response);
    if (!allow.empty()) allow += ", ";
    allow += route.method;
    if (route.method == "GET") allow += ", HEAD";
  }
  if (allow.empty()) {
    return problem(response, 404, "Not Found",
                   "No resource at " + std::string(request.path) + ".");
  }
  problem(response, 405, "Method Not Allowed",
          std::string(request.method) + " is not allowed on " + std::string(request.path) +
              "; allowed: " + allow + ".");
  response.add_header("Allow", allow);
}

}  // namespace eem::server
