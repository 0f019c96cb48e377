#include "net/redact.h"

#include <array>

#include "util/strings.h"

namespace eem::net {

namespace {

constexpr std::array<std::string_view, 5> kSecretHeaders{"authorization", "x-amz-security-token",
                                                        "proxy-authorization", "cookie", "set-cookie"};
constexpr std::array<std::string_view, 8> kSecretQuery{
    "x-amz-signature", "x-amz-security-token", "webidentitytoken", "password", "access_token", "refresh_token",
    "token", "client_secret"};
constexpr std::array<std::string_view, 4> kSecretXml{"SecretAccessKey", "SessionToken", "Token",
                                                    "WebIdentityToken"};
// "value": the Actions token endpoint answers {"value": "<JWT>"}.
constexpr std::array<std::string_view, 11> kSecretJson{
    "authorizationToken", "secretAccessKey", "SecretAccessKey", "sessionToken", "SessionToken",
    "token", "Token", "password", "access_token", "refresh_token", "value"};

// Replaces the value of each `name=value` pair in an &-separated list whose
// name (case-insensitively) is secret.
std::string redact_pairs(std::string_view text) {
  std::string out;
  for (const auto piece : util::split(text, '&')) {
    if (!out.empty()) out.push_back('&');
    const auto equals = piece.find('=');
    const auto name = piece.substr(0, equals);
    bool secret = false;
    for (const auto candidate : kSecretQuery) secret = secret || util::iequals(name, candidate);
    out.append(secret && equals != std::string_view::npos ? std::string(name) + "=" + std::string(kRedacted)
                                                          : std::string(piece));
  }
  return out;
}

void redact_between(std::string& text, std::string_view open, std::string_view close) {
  std::size_t pos = 0;
  while ((pos = text.find(open, pos)) != std::string::npos) {
    const auto start = pos + open.size();
    const auto end = text.find(close, start);
    if (end == std::string::npos) return;
    text.replace(start, end - start, kRedacted);
    pos = start + kRedacted.size();
  }
}

// "name": "value" with any spacing around the colon.
void redact_json_field(std::string& text, std::string_view field) {
  const std::string key = "\"" + std::string(field) + "\"";
  std::size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string::npos) {
    auto cursor = text.find_first_not_of(" \t\r\n", pos + key.size());
    if (cursor == std::string::npos || text[cursor] != ':') { pos += key.size(); continue; }
    cursor = text.find_first_not_of(" \t\r\n", cursor + 1);
    if (cursor == std::string::npos || text[cursor] != '"') { pos += key.size(); continue; }
    auto end = cursor + 1;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? std::size_t{2} : std::size_t{1};
    if (end >= text.size()) return;
    text.replace(cursor + 1, end - cursor - 1, kRedacted);
    pos = cursor + 1 + kRedacted.size();
  }
}

// Location may be a presigned storage URL (a registry redirecting an upload
// or a blob to S3): its signature and token go like a request URL's.
std::string describe_headers(const Headers& headers) {
  std::string out;
  for (const auto& header : headers) {
    out.append("  ").append(header.name).append(": ");
    if (is_secret_header(header.name)) {
      out.append(kRedacted);
    } else if (util::iequals(header.name, "Location")) {
      out.append(redact_url(header.value));
    } else {
      out.append(header.value);
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace

bool is_secret_header(std::string_view name) {
  for (const auto candidate : kSecretHeaders) {
    if (util::iequals(name, candidate)) return true;
  }
  return false;
}

std::string redact_url(std::string_view url) {
  const auto question = url.find('?');
  if (question == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, question + 1)) + redact_pairs(url.substr(question + 1));
}

std::string redact_body(std::string_view body) {
  std::string text(body);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] != '<' && text[first] != '{' && text[first] != '[') {
    return redact_pairs(text);  // a form-encoded Query request
  }
  for (const auto element : kSecretXml) {
    redact_between(text, "<" + std::string(element) + ">", "</" + std::string(element) + ">");
  }
  for (const auto field : kSecretJson) redact_json_field(text, field);
  return text;
}

std::string describe_request(const Request& request) {
  std::string out = "> " + request.method + " " + redact_url(request.url) + "\n";
  out += describe_headers(request.headers);
  if (!request.body.empty()) out += "  " + redact_body(request.body) + "\n";
  return out;
}

std::string describe_response(const Response& response) {
  std::string out = "< HTTP " + std::to_string(response.status) + "\n";
  out += describe_headers(response.headers);
  if (!response.body.empty()) out += "  " + redact_body(response.body) + "\n";
  return out;
}

}  // namespace eem::net
