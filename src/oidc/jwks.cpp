#include "oidc/jwks.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/jwk.h"
#include "util/strings.h"

namespace eem::oidc {
namespace {

using nlohmann::json;
using util::ErrorKind;

constexpr std::string_view kDiscoverySuffix = "/.well-known/openid-configuration";

std::string member(const json& key, const char* name) {
  return key.contains(name) && key[name].is_string() ? key[name].get<std::string>() : std::string();
}

class FileSource final : public JwksSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  util::Result<std::string> fetch() override {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return util::fail(ErrorKind::kIo, "cannot read JWKS file " + path_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string describe() const override { return "file " + path_; }

 private:
  std::string path_;
};

// The host of an absolute URL ("https://h:1/p" -> "h").
std::string_view url_host(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (rest.starts_with("[")) return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

util::Result<void> require_https(std::string_view url) {
  if (url.starts_with("https://")) return {};
  const std::string_view host = url_host(url);
  if (url.starts_with("http://") && (host == "127.0.0.1" || host == "localhost" || host == "[::1]")) return {};
  return util::fail(ErrorKind::kInvalidInput, "refusing to fetch keys over " + std::string(url.substr(0, url.find(':'))) +
                                                  ": " + std::string(url) + " (https:// is required)");
}

util::Result<std::string> get(net::HttpClient& client, const std::string& url) {
  net::Request request;
  request.url = url;
  request.headers.push_back({"Accept", "application/json"});
  auto response = client.send(request);
  if (!response) return std::unexpected(response.error().with_context("fetching " + url));
  if (response->status != 200) {
    const ErrorKind kind = response->status >= 500 ? ErrorKind::kTransient : ErrorKind::kNotFound;
    return util::fail(kind, "fetching " + url + ": HTTP " + std::to_string(response->status));
  }
  return std::move(response->body);
}

class UrlSource final : public JwksSource {
 public:
  UrlSource(net::HttpClient& client, std::string url) : client_(client), url_(std::move(url)) {}
  util::Result<std::string> fetch() override {
    if (!std::string_view(url_).ends_with(kDiscoverySuffix)) return get(client_, url_);
    auto doc = get(client_, url_);
    if (!doc) return std::unexpected(doc.error());
    const json config = json::parse(*doc, nullptr, false);
    const std::string jwks_uri = config.is_object() ? member(config, "jwks_uri") : std::string();
    if (jwks_uri.empty()) return util::fail(ErrorKind::kInvalidInput, "discovery document " + url_ + " has no \"jwks_uri\"");
    if (auto ok = require_https(jwks_uri); !ok) return std::unexpected(ok.error());
    return get(client_, jwks_uri);
  }
  std::string describe() const override { return url_; }

 private:
  net::HttpClient& client_;
  std::string url_;
};

}  // namespace

util::Result<std::vector<JwksKey>> parse_jwks(std::string_view json_text) {
  const json doc = json::parse(json_text, nullptr, false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return util::fail(ErrorKind::kInvalidInput, "JWKS is not a JSON object with a \"keys\" array");
  }
  std::vector<JwksKey> out;
  for (const auto& k : doc["keys"]) {
    if (!k.is_object()) return util::fail(ErrorKind::kInvalidInput, "JWKS \"keys\" must hold objects");
    const std::string kty = member(k, "kty");
    if (member(k, "use") == "enc" || (kty != "RSA" && kty != "EC")) continue;
    crypto::Jwk jwk{kty, member(k, "n"), member(k, "e"), member(k, "crv"), member(k, "x"), member(k, "y")};
    const std::string kid = member(k, "kid");
    if (kty == "RSA") {
      if (auto ok = crypto::check_rsa_exponent(jwk.e); !ok) return std::unexpected(ok.error().with_context("JWKS key \"" + kid + "\""));
    }
    auto key = crypto::public_key_from_jwk(jwk);
    if (!key) return std::unexpected(key.error().with_context("JWKS key \"" + kid + "\""));
    out.push_back({kid, member(k, "alg"), std::move(*key)});
  }
  return out;
}

std::unique_ptr<JwksSource> file_jwks_source(std::string path) { return std::make_unique<FileSource>(std::move(path)); }

util::Result<std::unique_ptr<JwksSource>> url_jwks_source(net::HttpClient& client, std::string url) {
  if (auto ok = require_https(url); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<JwksSource>(std::make_unique<UrlSource>(client, std::move(url)));
}

JwksCache::JwksCache(std::unique_ptr<JwksSource> source) : source_(std::move(source)) {}

util::Result<void> JwksCache::load() {
  ++fetches_;
  auto text = source_->fetch();
  if (!text) return std::unexpected(text.error());
  auto keys = parse_jwks(*text);
  if (!keys) return std::unexpected(keys.error().with_context("reading JWKS from " + source_->describe()));
  keys_ = std::move(*keys);
  loaded_ = true;
  return {};
}

const JwksKey* JwksCache::lookup(std::string_view kid) const {
  if (kid.empty()) return keys_.size() == 1 ? &keys_.front() : nullptr;
  for (const auto& k : keys_) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

util::Result<const JwksKey*> JwksCache::find(std::string_view kid) {
  if (!loaded_) {
    if (auto ok = load(); !ok) return std::unexpected(ok.error());
  }
  if (const auto* key = lookup(kid)) return key;
  // Unknown kid: the issuer may have rotated keys since we loaded them.
  if (auto ok = load(); !ok) return std::unexpected(ok.error());
  if (const auto* key = lookup(kid)) return key;
  if (kid.empty()) {
    return util::fail(ErrorKind::kNotFound, "token has no \"kid\" and JWKS from " + source_->describe() + " holds " +
                                                std::to_string(keys_.size()) + " keys");
  }
  return util::fail(ErrorKind::kNotFound,
                    "no key with kid \"" + std::string(kid) + "\" in JWKS from " + source_->describe() + " (refreshed once)");
}

}  // namespace eem::oidc
