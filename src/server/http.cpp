#include "server/http.h"

#include "util/strings.h"

namespace eem::server {

std::string_view Request::header(std::string_view name) const noexcept {
  for (const auto& [n, v] : headers) {
    if (util::iequals(n, name)) return v;
  }
  return {};
}

void Response::add_header(std::string_view name, std::string_view value) {
  const auto unsafe = [](std::string_view s) { return s.find_first_of("\r\n") != s.npos; };
  if (name.empty() || unsafe(name) || unsafe(value)) return;
  extra_.append(name).append(": ").append(value).append("\r\n");
}

void Response::clear() {
  status = 200;
  content_type = "application/json";
  body.clear();
  extra_.clear();
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace eem::server
