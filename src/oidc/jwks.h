#pragma once
// JSON Web Key Sets (RFC 7517 section 5): parsed from a file or fetched
// from the issuer (OpenID Connect Discovery 1.0 section 4: issuer +
// "/.well-known/openid-configuration" -> "jwks_uri"), cached by `kid`.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signature.h"
#include "net/http_client.h"
#include "util/error.h"

namespace eem::oidc {

struct JwksKey {
  std::string kid;
  std::string alg;  // may be empty
  crypto::PublicKey key;
};

// Parses a JWKS document. Keys for encryption ("use": "enc") and key types
// we do not verify with (e.g. "oct") are skipped; a malformed RSA/EC key is
// an error naming its kid.
util::Result<std::vector<JwksKey>> parse_jwks(std::string_view json_text);

// Where a key set comes from. fetch() returns the JWKS JSON text.
class JwksSource {
 public:
  virtual ~JwksSource() = default;
  virtual util::Result<std::string> fetch() = 0;
  virtual std::string describe() const = 0;  // "file keys.json", "https://.../jwks"
};

std::unique_ptr<JwksSource> file_jwks_source(std::string path);

// `url` is either the JWKS URL itself or an issuer's discovery document
// (ending in "/.well-known/openid-configuration"), which is read first to
// find "jwks_uri". Only https:// URLs are fetched, except on loopback hosts
// (127.0.0.1, ::1, localhost) for local rehearsals and tests. `client` must
// outlive the source.
util::Result<std::unique_ptr<JwksSource>> url_jwks_source(net::HttpClient& client, std::string url);

// Keys by kid, loaded on first use; an unknown kid triggers one refresh
// (the issuer may have rotated its keys), never more per lookup.
class JwksCache {
 public:
  explicit JwksCache(std::unique_ptr<JwksSource> source);

  // The key with `kid` (or the only key when `kid` is empty and the set has
  // exactly one). kNotFound when absent after the refresh.
  util::Result<const JwksKey*> find(std::string_view kid);
  int fetch_count() const noexcept { return fetches_; }

 private:
  util::Result<void> load();
  const JwksKey* lookup(std::string_view kid) const;

  std::unique_ptr<JwksSource> source_;
  std::vector<JwksKey> keys_;
  bool loaded_ = false;
  int fetches_ = 0;
};

}  // namespace eem::oidc
