#pragma once
// What `shipctl push` does when an ECR registry refuses the login stored in
// the docker/podman auth files (issue 6). An ECR password is a token that
// lasts 12 hours, so a refused stored login is most likely an expired one:
// with AWS credentials at hand, push gets a new token (GetAuthorizationToken)
// and retries once, saying so in one line; without them it fails, naming the
// login and the fix. Credentials given with --username, or obtained from ECR
// in this run, are never retried: a refusal of those is final.

#include <chrono>
#include <string>
#include <string_view>

#include "oci/auth.h"
#include "oci/reference.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::cli {

// Where push's registry credentials came from, most explicit first.
enum class CredentialOrigin {
  kNone,      // anonymous: nothing found and not ECR
  kFlags,     // --username and --password-stdin
  kAuthFile,  // the docker/podman auth files (shipctl login, docker login)
  kEcrToken,  // GetAuthorizationToken in this run
};

// True when a push to `destination` with credentials from `origin` that
// failed with `error` should get a new ECR token and retry once: the
// credentials came from an auth file, the registry is ECR, and it refused
// them (kDenied or kExpired: HTTP 401 or 403).
bool should_renew_login(CredentialOrigin origin, const oci::ImageRef& destination, const util::Error& error);

// Names the stored login for `registry` whose password is in `credentials`:
// "the login shipctl login wrote to FILE at T (expired at E)" when the login
// record (oci/login_record.h) has an entry with its fingerprint, else "the
// login for REGISTRY in the docker/podman auth files". `now` decides between
// "expired at" and "due to expire at".
std::string describe_stored_login(std::string_view registry, const oci::Credentials& credentials,
                                  const util::EnvLookup& env, std::chrono::system_clock::time_point now);

// The one line printed before the retry (no "shipctl:" prefix, no newline).
std::string renew_note(std::string_view registry, std::string_view login);

// kExpired: `login` was refused and there are no AWS credentials to get a
// new token with; says to log in again for `region`.
util::Error login_expired_without_aws(std::string_view registry, std::string_view region, std::string_view login);

// `why`'s kind: `login` was refused and getting a new token failed with `why`.
util::Error login_renewal_failed(std::string_view registry, std::string_view login, const util::Error& why);

}  // namespace eem::cli
