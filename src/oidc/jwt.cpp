#include "oidc/jwt.h"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "util/strings.h"

namespace eem::oidc {
namespace {

using nlohmann::json;
using util::ErrorKind;

util::Result<json> decode_object(std::string_view part, std::string_view what) {
  const auto bytes = crypto::base64url_decode(part);
  if (!bytes) return util::fail(ErrorKind::kInvalidInput, "JWT " + std::string(what) + " is not valid base64url");
  json value = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return util::fail(ErrorKind::kInvalidInput, "JWT " + std::string(what) + " is not a JSON object");
  return value;
}

util::Result<JoseHeader> parse_header(const json& h) {
  JoseHeader out;
  if (!h.contains("alg") || !h["alg"].is_string()) return util::fail(ErrorKind::kInvalidInput, "JWT header has no \"alg\" string");
  out.alg = h["alg"].get<std::string>();
  if (h.contains("kid")) {
    if (!h["kid"].is_string()) return util::fail(ErrorKind::kInvalidInput, "JWT header \"kid\" must be a string");
    out.kid = h["kid"].get<std::string>();
  }
  if (h.contains("typ") && h["typ"].is_string()) out.typ = h["typ"].get<std::string>();
  if (h.contains("crit")) {
    // RFC 7515 4.1.11: a non-empty array of strings.
    if (!h["crit"].is_array() || h["crit"].empty()) return util::fail(ErrorKind::kInvalidInput, "JWT header \"crit\" must be a non-empty array");
    for (const auto& c : h["crit"]) {
      if (!c.is_string()) return util::fail(ErrorKind::kInvalidInput, "JWT header \"crit\" must list strings");
      out.crit.push_back(c.get<std::string>());
    }
  }
  return out;
}

// RFC 7519 section 2 lets a NumericDate be any JSON number, but converting
// one outside int64 is undefined behaviour: nbf = 1e19 came out as a date in
// the past and the token "verified" (issue 13, item 7). No token is issued
// before the epoch, and format_time() prints four-digit years, so the range
// is 1970-01-01T00:00:00Z up to 10000-01-01T00:00:00Z, excluded.
constexpr double kEndOfNumericDates = 253402300800.0;

util::Result<std::optional<std::int64_t>> numeric_date(const json& p, const char* name) {
  if (!p.contains(name)) return std::optional<std::int64_t>();
  const json& v = p[name];
  if (!v.is_number()) {
    return util::fail(ErrorKind::kInvalidInput, std::string("JWT claim \"") + name + "\" must be a number (seconds since the epoch)");
  }
  const double seconds = v.get<double>();
  if (!(seconds >= 0 && seconds < kEndOfNumericDates)) {  // written this way, NaN fails too
    return util::fail(ErrorKind::kInvalidInput, std::string("JWT claim \"") + name + "\" is " + v.dump() +
                                                    ", outside the dates this verifier accepts (0 to 253402300799, "
                                                    "1970-01-01 to 9999-12-31)");
  }
  return std::optional<std::int64_t>(static_cast<std::int64_t>(std::floor(seconds)));
}

util::Result<Claims> parse_claims(const json& p) {
  Claims out;
  out.json = p.dump();
  for (const char* name : {"iss", "sub"}) {
    if (p.contains(name) && !p[name].is_string()) return util::fail(ErrorKind::kInvalidInput, std::string("JWT claim \"") + name + "\" must be a string");
  }
  out.iss = p.value("iss", "");
  out.sub = p.value("sub", "");
  if (p.contains("aud")) {
    const json& aud = p["aud"];
    const json list = aud.is_array() ? aud : json::array({aud});
    for (const auto& a : list) {
      if (!a.is_string()) return util::fail(ErrorKind::kInvalidInput, "JWT claim \"aud\" must be a string or an array of strings");
      out.aud.push_back(a.get<std::string>());
    }
  }
  auto exp = numeric_date(p, "exp");
  auto nbf = numeric_date(p, "nbf");
  auto iat = numeric_date(p, "iat");
  for (const auto* r : {&exp, &nbf, &iat}) {
    if (!*r) return std::unexpected(r->error());
  }
  out.exp = *exp;
  out.nbf = *nbf;
  out.iat = *iat;
  for (const auto& [key, value] : p.items()) {
    if (value.is_string()) {
      out.scalars[key] = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      out.scalars[key] = value.dump();
    }
  }
  return out;
}

}  // namespace

util::Result<Jwt> decode_jwt(std::string_view token) {
  // Token files usually end with a newline.
  while (!token.empty() && std::string_view(" \t\r\n").find(token.back()) != std::string_view::npos) token.remove_suffix(1);
  while (!token.empty() && std::string_view(" \t\r\n").find(token.front()) != std::string_view::npos) token.remove_prefix(1);
  if (token.empty()) return util::fail(ErrorKind::kInvalidInput, "token is empty");
  if (token.size() > kMaxTokenBytes) {
    return util::fail(ErrorKind::kInvalidInput, "token is " + std::to_string(token.size()) + " bytes; the limit is " +
                                                    std::to_string(kMaxTokenBytes));
  }
  const auto parts = util::split(token, '.');
  if (parts.size() == 5) return util::fail(ErrorKind::kUnsupported, "token has 5 parts: encrypted tokens (JWE) are not supported");
  if (parts.size() != 3) {
    return util::fail(ErrorKind::kInvalidInput, "token must have 3 dot-separated parts (header.payload.signature), got " +
                                                    std::to_string(parts.size()));
  }
  auto header_json = decode_object(parts[0], "header");
  if (!header_json) return std::unexpected(header_json.error());
  auto header = parse_header(*header_json);
  if (!header) return std::unexpected(header.error());
  auto payload = decode_object(parts[1], "payload");
  if (!payload) return std::unexpected(payload.error());
  auto claims = parse_claims(*payload);
  if (!claims) return std::unexpected(claims.error());
  auto signature = crypto::base64url_decode(parts[2]);
  if (!signature) return util::fail(ErrorKind::kInvalidInput, "JWT signature is not valid base64url");
  Jwt out{std::move(*header), std::move(*claims), std::string(token.substr(0, parts[0].size() + 1 + parts[1].size())),
          std::move(*signature)};
  return out;
}

std::string format_time(std::int64_t seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace eem::oidc
