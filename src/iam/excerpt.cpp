#include "iam/excerpt.h"

#include <algorithm>
#include <cstdio>

namespace eem::iam::detail {
namespace {

// The escapes of RFC 8259 section 7, with the short forms nlohmann uses.
void append_escaped(std::string& out, char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  if (static_cast<unsigned char>(c) < 0x20) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
    out += buf;
    return;
  }
  out += c;
}

// The longest prefix of at most `limit` bytes that does not split a UTF-8
// sequence (continuation bytes are 10xxxxxx).
std::string_view utf8_prefix(std::string_view value, std::size_t limit) {
  if (value.size() <= limit) return value;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
  return value.substr(0, end);
}

}  // namespace

std::string quoted_prefix(std::string_view value) {
  const std::string_view shown = utf8_prefix(value, kMaxEchoBytes);
  std::string out = "\"";
  for (const char c : shown) append_escaped(out, c);
  if (shown.size() < value.size()) out += "…";
  out += '"';
  return out;
}

std::string plain_or_excerpt(std::string_view value) {
  const bool plain = value.size() <= kMaxEchoBytes && std::none_of(value.begin(), value.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  return plain ? std::string(value) : quoted_excerpt(value);
}

std::string cut_to(std::string_view text, std::size_t limit) {
  const std::string_view shown = utf8_prefix(text, limit);
  return shown.size() < text.size() ? std::string(shown) + "…" : std::string(text);
}

std::string quoted_excerpt(std::string_view value) {
  std::string out = quoted_prefix(value);
  if (value.size() > kMaxEchoBytes) out += " (" + std::to_string(value.size()) + " bytes)";
  return out;
}

}  // namespace eem::iam::detail
