#include "oci/auth.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/base64.h"
#include "util/strings.h"

namespace eem::oci {

namespace {

using util::ErrorKind;
using util::fail;

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string basic(const Credentials& c) {
  return "Basic " + crypto::base64_encode(c.username + ":" + c.password);
}

}  // namespace

UrlParts split_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto rest = url.substr(scheme_end + 3);
  const auto host = rest.substr(0, rest.find_first_of("/?#"));
  return {util::to_lower(url.substr(0, scheme_end)), util::to_lower(host)};
}

std::optional<Challenge> parse_challenge(std::string_view header) {
  header = util::trim(header);
  std::size_t i = 0;
  while (i < header.size() && is_token_char(header[i])) ++i;
  if (i == 0) return std::nullopt;
  Challenge c{util::to_lower(header.substr(0, i)), {}};
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    const std::size_t key_start = i;
    while (i < header.size() && is_token_char(header[i])) ++i;
    if (i == key_start) break;
    std::string key = util::to_lower(header.substr(key_start, i - key_start));
    if (i >= header.size() || header[i] != '=') return std::nullopt;
    ++i;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      if (i >= header.size()) return std::nullopt;
      ++i;
    } else {
      while (i < header.size() && header[i] != ',') value += header[i++];
    }
    c.params[std::move(key)] = std::string(util::trim(value));
  }
  return c;
}

util::Result<std::optional<Credentials>> credentials_from_auth_json(std::string_view json_text,
                                                                    std::string_view registry,
                                                                    std::string_view file_name) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail(ErrorKind::kInvalidInput, "auth file " + std::string(file_name) + " is not JSON");
  }
  const std::string host(registry);
  const std::string keys[] = {host, "https://" + host, "http://" + host, "https://" + host + "/v1/",
                              "https://" + host + "/v2/"};
  if (const auto auths = doc.find("auths"); auths != doc.end() && auths->is_object()) {
    for (const auto& key : keys) {
      const auto entry = auths->find(key);
      if (entry == auths->end() || !entry->is_object() || !entry->contains("auth")) continue;
      const auto decoded = crypto::base64_decode(entry->value("auth", ""));
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) {
        return fail(ErrorKind::kInvalidInput, "auth file " + std::string(file_name) +
                                                  ": the entry for " + host + " is not base64 of user:password");
      }
      return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
    }
  }
  if (const auto helpers = doc.find("credHelpers"); helpers != doc.end() && helpers->contains(host)) {
    return fail(ErrorKind::kUnsupported, "auth file " + std::string(file_name) + " names a credential helper for " +
                                             host + "; pass --username and --password-stdin instead");
  }
  return std::optional<Credentials>{};
}

std::vector<std::filesystem::path> auth_file_search_order(const util::EnvLookup& env) {
  const auto get = [&env](std::string_view name) { return env(name).value_or(""); };
  const std::string home = get("HOME");
  std::vector<std::filesystem::path> files;
  const auto add = [&files](std::filesystem::path file) {
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(std::move(file));
  };
  if (const auto f = get("REGISTRY_AUTH_FILE"); !f.empty()) {
    add(f);
  } else if (const auto x = get("XDG_RUNTIME_DIR"); !x.empty()) {
    add(std::filesystem::path(x) / "containers/auth.json");
  }
  if (const auto c = get("XDG_CONFIG_HOME"); !c.empty()) {
    add(std::filesystem::path(c) / "containers/auth.json");
  } else if (!home.empty()) {
    add(std::filesystem::path(home) / ".config/containers/auth.json");
  }
  if (const auto d = get("DOCKER_CONFIG"); !d.empty()) {
    add(std::filesystem::path(d) / "config.json");
  } else if (!home.empty()) {
    add(std::filesystem::path(home) / ".docker/config.json");
  }
  return files;
}

util::Result<std::optional<Credentials>> credentials_from_auth_files(std::string_view registry,
                                                                     const util::EnvLookup& env) {
  const auto files = auth_file_search_order(env);
  for (const auto& file : files) {
    const auto text = read_file(file);
    if (!text) continue;
    auto found = credentials_from_auth_json(*text, registry, file.string());
    if (!found || *found) return found;
  }
  return std::optional<Credentials>{};
}

Authenticator::Authenticator(std::string registry_host, std::string scope,
                             std::optional<Credentials> credentials, PlainHttp plain_http)
    : host_(util::to_lower(registry_host)),
      scope_(std::move(scope)),
      credentials_(std::move(credentials)),
      plain_http_(plain_http) {}

std::optional<std::string> Authenticator::header_for(std::string_view url) const {
  const auto parts = split_url(url);
  if (parts.host != host_) return std::nullopt;
  if (parts.scheme != "https" && plain_http_ == PlainHttp::kRefuse) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (header_.empty()) return std::nullopt;
  return header_;
}

std::uint64_t Authenticator::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

util::Result<void> Authenticator::on_unauthorized(std::string_view www_authenticate,
                                                  std::uint64_t seen_generation,
                                                  net::HttpClient& client) {
  std::lock_guard lock(mutex_);
  if (generation_ != seen_generation) return {};  // another worker refreshed
  const auto challenge = parse_challenge(www_authenticate);
  if (!challenge) {
    return fail(ErrorKind::kDenied, "registry " + host_ + " requires authentication but sent no usable challenge");
  }
  if (challenge->scheme == "basic") {
    if (!credentials_ || !header_.empty()) {
      return fail(ErrorKind::kDenied,
                  std::string("registry ") + host_ + (credentials_ ? " rejected the credentials" : " requires credentials") +
                      ": pass --username and --password-stdin, or log in (shipctl login)");
    }
    header_ = basic(*credentials_);
  } else if (challenge->scheme == "bearer") {
    auto token = fetch_token(*challenge, client);
    if (!token) return std::unexpected(token.error());
    header_ = "Bearer " + *token;
  } else {
    return fail(ErrorKind::kUnsupported, "registry " + host_ + " asks for unsupported authentication scheme \"" +
                                             challenge->scheme + "\"");
  }
  ++generation_;
  return {};
}

util::Result<std::string> Authenticator::fetch_token(const Challenge& challenge,
                                                     net::HttpClient& client) const {
  const auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() || realm->second.empty()) {
    return fail(ErrorKind::kDenied, "registry " + host_ + " sent a Bearer challenge without a realm");
  }
  const auto realm_parts = split_url(realm->second);
  if (realm_parts.scheme != "https" && plain_http_ == PlainHttp::kRefuse) {
    return fail(ErrorKind::kDenied, "registry " + host_ + " sent a token service over plain http (" +
                                        realm_parts.host + "); refusing to send credentials (use --insecure for test registries)");
  }
  std::string query;
  if (const auto service = challenge.params.find("service"); service != challenge.params.end()) {
    query = "service=" + percent_encode(service->second);
  }
  // Several scopes (push here, pull on a mount source) are separate
  // "scope" parameters (distribution token auth spec); none of ours for a
  // ping. A scope the challenge names is asked for too, as docker and crane
  // do: public.ecr.aws challenges a ping with scope="aws".
  std::vector<std::string_view> scopes;
  const auto add_scopes = [&scopes](std::string_view text) {
    for (const auto one : util::split(text, ' ')) {
      if (!one.empty() && std::find(scopes.begin(), scopes.end(), one) == scopes.end()) scopes.push_back(one);
    }
  };
  add_scopes(scope_);
  if (const auto asked = challenge.params.find("scope"); asked != challenge.params.end()) add_scopes(asked->second);
  for (const auto one : scopes) query += (query.empty() ? "" : "&") + ("scope=" + percent_encode(one));
  net::Request request;
  request.url = realm->second;
  if (!query.empty()) request.url += (realm->second.find('?') == std::string::npos ? "?" : "&") + query;
  // The token service is the one other host that receives the
  // credentials: the registry designated it (distribution token auth spec).
  if (credentials_) request.headers.push_back({"Authorization", basic(*credentials_)});
  auto response = client.send(request);
  if (!response) return std::unexpected(response.error().with_context("token service " + realm_parts.host));
  if (response->status == 401 || response->status == 403) {
    return fail(ErrorKind::kDenied, "token service " + realm_parts.host + " refused the credentials (HTTP " +
                                        std::to_string(response->status) + ")");
  }
  if (response->status != 200) {
    return fail(response->status >= 500 ? ErrorKind::kTransient : ErrorKind::kDenied,
                "token service " + realm_parts.host + " answered HTTP " + std::to_string(response->status));
  }
  const auto doc = nlohmann::json::parse(response->body, nullptr, false);
  for (const char* key : {"token", "access_token"}) {
    if (doc.is_object() && doc.contains(key) && doc[key].is_string() && !doc[key].get<std::string>().empty()) {
      return doc[key].get<std::string>();
    }
  }
  return fail(ErrorKind::kDenied, "token service " + realm_parts.host + " answered without a token");
}

}  // namespace eem::oci
