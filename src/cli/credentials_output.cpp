#include "cli/credentials_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>
#include <utility>
#include <vector>

#include "aws/profiles.h"
#include "aws/timestamp.h"
#include "cli/actions_output.h"
#include "oci/auth_store.h"

namespace eem::cli {

namespace {

using util::ErrorKind;
using Variables = std::vector<std::pair<std::string, std::string>>;

constexpr std::array<std::pair<std::string_view, CredentialsFormat>, 5> kFormats{{
    {"auto", CredentialsFormat::kAuto},
    {"github", CredentialsFormat::kGithub},
    {"env", CredentialsFormat::kEnv},
    {"credential-process", CredentialsFormat::kCredentialProcess},
    {"json", CredentialsFormat::kJson},
}};

std::string expiration(const aws::Credentials& c) {
  return c.expiration ? aws::format_iso8601(*c.expiration) : std::string();
}

// The variables the AWS SDKs and CLI read, as configure-aws-credentials
// exports them.
Variables variables(const IssuedCredentials& issued) {
  return {{"AWS_ACCESS_KEY_ID", issued.credentials.access_key_id},
          {"AWS_SECRET_ACCESS_KEY", issued.credentials.secret_access_key},
          {"AWS_SESSION_TOKEN", issued.credentials.session_token},
          {"AWS_REGION", issued.region},
          {"AWS_DEFAULT_REGION", issued.region}};
}

// Appends `text` to `path` with one write(2) on an O_APPEND descriptor, so
// a reader never sees half of it; a missing file is created 0600 (it holds
// secrets), with the mode given at creation.
util::Result<void> append_private(const std::string& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return util::fail(ErrorKind::kIo, "cannot open $GITHUB_ENV (" + path + "): " + std::strerror(errno));
  const ssize_t written = ::write(fd, text.data(), text.size());
  const int saved = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size())) {
    return util::fail(ErrorKind::kIo, "cannot append to $GITHUB_ENV (" + path + "): " + std::strerror(saved));
  }
  return {};
}

util::Result<void> write_github(const IssuedCredentials& issued, std::ostream& out, const util::EnvLookup& env) {
  const auto& c = issued.credentials;
  // Mask first: after these lines the runner hides the values in every log.
  for (const auto* secret : {&c.access_key_id, &c.secret_access_key, &c.session_token}) {
    out << "::add-mask::" << *secret << '\n';
  }
  out << std::flush;
  std::string text;
  for (const auto& [name, value] : variables(issued)) {
    if (value.find_first_of("\r\n") != std::string::npos) {
      return util::fail(ErrorKind::kInternal, name + " from STS has a line break");
    }
    text += name + "=" + value + "\n";
  }
  if (auto ok = append_private(*env("GITHUB_ENV"), text); !ok) return ok;
  if (auto ok = write_outputs({{"aws-account-id", issued.identity.account}}, env); !ok) return ok;
  out << "Assumed " << issued.identity.arn << " (account " << issued.identity.account << ") with a token from "
      << issued.token_source << ".\nExported AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION="
      << issued.region << " and AWS_DEFAULT_REGION to $GITHUB_ENV; they expire at " << expiration(c) << ".\n";
  return {};
}

void write_env(const IssuedCredentials& issued, std::ostream& out, std::ostream& err) {
  // Values are base64 and region names: single quotes need no escaping.
  for (const auto& [name, value] : variables(issued)) out << "export " << name << "='" << value << "'\n";
  err << "shipctl: assumed " << issued.identity.arn << " (account " << issued.identity.account
      << "); credentials expire at " << expiration(issued.credentials) << '\n';
}

// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
void write_credential_process(const IssuedCredentials& issued, std::ostream& out) {
  const auto& c = issued.credentials;
  out << nlohmann::ordered_json{{"Version", 1},
                                {"AccessKeyId", c.access_key_id},
                                {"SecretAccessKey", c.secret_access_key},
                                {"SessionToken", c.session_token},
                                {"Expiration", expiration(c)}}
             .dump()
      << '\n';
}

void write_json(const IssuedCredentials& issued, std::ostream& out) {
  const auto& c = issued.credentials;
  out << nlohmann::ordered_json{{"account", issued.identity.account},
                                {"arn", issued.identity.arn},
                                {"role_arn", issued.role_arn},
                                {"region", issued.region},
                                {"token_source", issued.token_source},
                                {"expiration", expiration(c)},
                                {"credentials",
                                 {{"AccessKeyId", c.access_key_id},
                                  {"SecretAccessKey", c.secret_access_key},
                                  {"SessionToken", c.session_token}}}}
             .dump(2)
      << '\n';
}

// Rewrites `snapshot`'s file with section `header` holding `values`.
util::Result<void> update_ini(const oci::FileSnapshot& snapshot, std::string_view header, const Variables& values) {
  return oci::replace_file(snapshot.file, aws::with_profile_values(snapshot.content.value_or(""), header, values),
                           0600);
}

}  // namespace

util::Result<void> write_profile(std::string_view name, const IssuedCredentials& issued, std::ostream& err,
                                 const util::EnvLookup& env) {
  const auto& c = issued.credentials;
  const std::string credentials_path = aws::credentials_file_path(env);
  const std::string config_path = aws::config_file_path(env);
  // Both files are read before either is written, and the first is put back
  // when the second cannot be written: never a profile with keys but no region.
  auto credentials_file = oci::snapshot_file(credentials_path);
  if (!credentials_file) return std::unexpected(credentials_file.error());
  auto config_file = oci::snapshot_file(config_path);
  if (!config_file) return std::unexpected(config_file.error());
  auto keys = update_ini(*credentials_file, name, {{"aws_access_key_id", c.access_key_id},
                                                   {"aws_secret_access_key", c.secret_access_key},
                                                   {"aws_session_token", c.session_token}});
  if (!keys) return keys;
  const std::string header = name == "default" ? std::string("default") : "profile " + std::string(name);
  if (auto region = update_ini(*config_file, header, {{"region", issued.region}}); !region) {
    oci::restore_file(*credentials_file);
    return region;
  }
  err << "shipctl: assumed " << issued.identity.arn << " (account " << issued.identity.account
      << "); wrote profile " << name << " to " << credentials_path << " and " << config_path
      << " (use --profile " << name << " or AWS_PROFILE=" << name << "); credentials expire at "
      << expiration(c) << '\n';
  return {};
}

std::optional<CredentialsFormat> parse_credentials_format(std::string_view name) {
  for (const auto& [text, format] : kFormats) {
    if (text == name) return format;
  }
  return std::nullopt;
}

util::Result<CredentialsFormat> resolve_credentials_format(CredentialsFormat format, const util::EnvLookup& env) {
  const bool has_env_file = !env("GITHUB_ENV").value_or("").empty();
  if (format == CredentialsFormat::kAuto) {
    return in_github_actions(env) && has_env_file ? CredentialsFormat::kGithub : CredentialsFormat::kEnv;
  }
  if (format == CredentialsFormat::kGithub && !has_env_file) {
    return util::fail(ErrorKind::kInvalidInput,
                      "--format github needs $GITHUB_ENV (GitHub Actions sets it in every job step); "
                      "elsewhere use --format env or credential-process");
  }
  return format;
}

util::Result<void> write_credentials(CredentialsFormat format, const IssuedCredentials& issued, std::ostream& out,
                                     std::ostream& err, const util::EnvLookup& env) {
  switch (format) {
    case CredentialsFormat::kGithub: return write_github(issued, out, env);
    case CredentialsFormat::kEnv: write_env(issued, out, err); return {};
    case CredentialsFormat::kCredentialProcess: write_credential_process(issued, out); return {};
    case CredentialsFormat::kJson: write_json(issued, out); return {};
    case CredentialsFormat::kAuto: break;
  }
  return util::fail(ErrorKind::kInternal, "credentials format not resolved");
}

}  // namespace eem::cli
