#pragma once
// How `shipctl credentials` hands temporary credentials over, one writer per
// --format: GitHub Actions ($GITHUB_ENV after ::add-mask::, as
// aws-actions/configure-aws-credentials does), `export` lines for eval, the
// AWS CLI's credential_process JSON, or a JSON report.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "aws/sts.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::cli {

enum class CredentialsFormat { kAuto, kGithub, kEnv, kCredentialProcess, kJson };

// "auto", "github", "env", "credential-process", "json"; nullopt otherwise.
std::optional<CredentialsFormat> parse_credentials_format(std::string_view name);

// kAuto becomes kGithub inside Actions (GITHUB_ACTIONS=true with
// $GITHUB_ENV set), kEnv elsewhere. kGithub without $GITHUB_ENV fails
// (kInvalidInput), before any credentials exist.
util::Result<CredentialsFormat> resolve_credentials_format(CredentialsFormat format, const util::EnvLookup& env);

// What was obtained, for every writer.
struct IssuedCredentials {
  aws::Credentials credentials;
  aws::CallerIdentity identity;
  std::string role_arn;
  std::string region;
  std::string token_source;  // "GitHub Actions OIDC" or "token file PATH"
};

// Writes `issued` in `format` (never kAuto): results to `out`, notes for
// people to `err`. For kGithub: one ::add-mask:: line per secret on `out`
// first, then the variables appended to $GITHUB_ENV in one write (the file
// is created 0600 when missing) and aws-account-id to $GITHUB_OUTPUT.
util::Result<void> write_credentials(CredentialsFormat format, const IssuedCredentials& issued, std::ostream& out,
                                     std::ostream& err, const util::EnvLookup& env);

// Writes `issued` as profile `name`: the keys and session token to the
// shared credentials file ([NAME]), the region to the config file ([profile
// NAME], or [default]), each replaced atomically with mode 0600, every other
// profile and comment kept. One line for people on `err`; no secret on any
// stream.
util::Result<void> write_profile(std::string_view name, const IssuedCredentials& issued, std::ostream& err,
                                 const util::EnvLookup& env);

}  // namespace eem::cli
