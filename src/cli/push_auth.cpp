#include "cli/push_auth.h"

#include "oci/auth_store.h"
#include "oci/login_record.h"

namespace eem::cli {

namespace {

using util::ErrorKind;

// The entry `shipctl login` recorded for `registry` with this fingerprint.
struct RecordedLogin {
  oci::LoginRecord record;
  std::string file;
};

std::optional<RecordedLogin> recorded_login(std::string_view registry, const std::string& fingerprint,
                                            const util::EnvLookup& env) {
  auto path = oci::login_records_path(env);
  if (!path) return std::nullopt;
  auto records = oci::read_login_records(*path);
  if (!records) return std::nullopt;  // an unreadable record only costs the detail
  for (const auto& record : *records) {
    if (record.registry != registry) continue;
    for (const auto& file : record.files) {
      if (file.fingerprint == fingerprint) return RecordedLogin{record, file.path};
    }
  }
  return std::nullopt;
}

}  // namespace

bool should_renew_login(CredentialOrigin origin, const oci::ImageRef& destination, const util::Error& error) {
  const bool refused = error.kind == ErrorKind::kDenied || error.kind == ErrorKind::kExpired;
  return origin == CredentialOrigin::kAuthFile && refused && destination.ecr().has_value();
}

std::string describe_stored_login(std::string_view registry, const oci::Credentials& credentials,
                                  const util::EnvLookup& env, std::chrono::system_clock::time_point now) {
  const auto fingerprint = oci::auth_fingerprint(oci::auth_value(credentials));
  const auto found = recorded_login(registry, fingerprint, env);
  if (!found) return "the login for " + std::string(registry) + " in the docker/podman auth files";
  const auto& record = found->record;
  return "the login shipctl login wrote to " + found->file + " at " + oci::format_utc(record.obtained_at) + " (" +
         (record.expired(now) ? "expired at " : "due to expire at ") + oci::format_utc(record.expires_at) + ")";
}

std::string renew_note(std::string_view registry, std::string_view login) {
  return "registry " + std::string(registry) + " refused " + std::string(login) +
         " (ECR tokens last 12 hours): retrying once with a new token from ECR GetAuthorizationToken";
}

util::Error login_expired_without_aws(std::string_view registry, std::string_view region, std::string_view login) {
  return util::Error{ErrorKind::kExpired,
                     "registry " + std::string(registry) + " refused " + std::string(login) +
                         ": ECR tokens last 12 hours, and there are no AWS credentials here to get a new one; "
                         "log in again with `shipctl login --region " + std::string(region) + "`"};
}

util::Error login_renewal_failed(std::string_view registry, std::string_view login, const util::Error& why) {
  return why.with_context("registry " + std::string(registry) + " refused " + std::string(login) +
                          ", and getting a new ECR token failed");
}

}  // namespace eem::cli
