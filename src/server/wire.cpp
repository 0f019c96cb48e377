#include "server/wire.h"

#include <charconv>
#include <ctime>

namespace eem::server {

std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[40] = {};
  thread_local std::size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return {text, length};
}

namespace {
void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}
}  // namespace

void serialize(const Response& response, int http_version, Connection connection,
               BodyMode body_mode, std::string& out) {
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::uint64_t>(response.status));
  out.push_back(' ');
  out.append(reason_phrase(response.status));
  out.append("\r\nDate: ");
  out.append(http_date());
  if (!response.content_type.empty() && response.status != 204) {
    out.append("\r\nContent-Type: ").append(response.content_type);
  }
  if (response.status != 204) {
    out.append("\r\nContent-Length: ");
    append_number(out, response.body.size());
  }
  if (connection == Connection::kClose) {
    out.append("\r\nConnection: close");
  } else if (http_version == 10) {
    out.append("\r\nConnection: keep-alive");
  }
  out.append("\r\n");
  out.append(response.extra_headers());
  out.append("\r\n");
  if (body_mode == BodyMode::kSend && response.status != 204) out.append(response.body);
}

}  // namespace eem::server
