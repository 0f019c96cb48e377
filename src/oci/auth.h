#pragma once
// Registry authentication (distribution's token auth spec, RFC 7235
// challenges): Basic credentials (ECR's "AWS:<token>"), Bearer tokens from a
// token service with repository scopes, and credentials read from docker and
// podman auth files. Credentials are only ever attached to the registry's own
// host, and never over plain http unless the user said --insecure.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::oci {

struct Credentials {
  std::string username;
  std::string password;  // a secret: never printed
};

// A parsed WWW-Authenticate challenge: `scheme` in lower case, parameter
// names in lower case, values unquoted.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};

// Parses the first challenge of a WWW-Authenticate value; nullopt when it
// is malformed.
std::optional<Challenge> parse_challenge(std::string_view header);

// The auth files read for credentials, in the order podman documents
// (containers-auth.json(5)), docker's file last: $REGISTRY_AUTH_FILE (else
// $XDG_RUNTIME_DIR/containers/auth.json), then
// ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, then
// ${DOCKER_CONFIG:-~/.docker}/config.json. Every file `login` writes is in it.
std::vector<std::filesystem::path> auth_file_search_order(const util::EnvLookup& env);

// Looks `registry` up in those files; the first that names it wins. Entries
// keyed by "host", "https://host" or "http://host[/v1/|/v2/]" match.
// Credential helpers (credsStore, credHelpers) are not run: kUnsupported
// names them.
util::Result<std::optional<Credentials>> credentials_from_auth_files(std::string_view registry,
                                                                     const util::EnvLookup& env);

// Same lookup over the JSON text of one auth file.
util::Result<std::optional<Credentials>> credentials_from_auth_json(std::string_view json_text,
                                                                    std::string_view registry,
                                                                    std::string_view file_name);

enum class PlainHttp { kRefuse, kAllow };

// Shared by every upload worker; thread-safe.
class Authenticator {
 public:
  // `scope`: space-separated token scopes ("repository:a:pull,push").
  Authenticator(std::string registry_host, std::string scope, std::optional<Credentials> credentials,
                PlainHttp plain_http);

  // The Authorization value for a request to `url`, or nullopt when the URL
  // is another host (or plain http without kAllow) or nothing is known yet.
  std::optional<std::string> header_for(std::string_view url) const;

  // A counter that changes whenever the credentials in use change; pass the
  // value seen before a request to on_unauthorized().
  std::uint64_t generation() const;
  bool has_credentials() const { return credentials_.has_value(); }
  const std::string& host() const { return host_; }

  // Handles a 401 carrying `www_authenticate`: sets up Basic, or fetches a
  // Bearer token with `client`. When another worker already did so since
  // `seen_generation`, returns at once. kDenied when no credentials help.
  util::Result<void> on_unauthorized(std::string_view www_authenticate,
                                     std::uint64_t seen_generation, net::HttpClient& client);

 private:
  util::Result<std::string> fetch_token(const Challenge& challenge, net::HttpClient& client) const;

  std::string host_;
  std::string scope_;
  std::optional<Credentials> credentials_;
  PlainHttp plain_http_;
  mutable std::mutex mutex_;
  std::string header_;  // current Authorization value (secret)
  std::uint64_t generation_ = 0;
};

// "https" or "http" and host[:port] of `url`.
struct UrlParts {
  std::string scheme;
  std::string host;
};
UrlParts split_url(std::string_view url);

}  // namespace eem::oci
