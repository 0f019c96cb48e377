// `shipctl login` and `shipctl logout` (what aws-actions/amazon-ecr-login
// does): ECR GetAuthorizationToken, written to the docker and podman auth
// files (0600, atomically, other entries kept) and recorded in
// $XDG_STATE_HOME/shipctl/logins.json so logout removes only what login wrote.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/actions_output.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/ecr_target.h"
#include "cli/registry_flags.h"
#include "oci/auth_store.h"
#include "oci/login_record.h"
#include "oci/registry.h"

namespace eem::cli {

namespace {

using Clock = std::chrono::system_clock;

// "The authorization token is valid for 12 hours" (ECR API reference,
// GetAuthorizationToken).
constexpr std::chrono::hours kEcrTokenLifetime{12};

struct LoginFlags {
  AwsFlags aws;
  RegistryFlags registry;
  std::string registry_id;
  bool print_password = false;
  bool check = false;
  bool json = false;
};

// GET /v2/ with the credentials: proves the login before anything is written.
util::Result<void> check_login(const EcrLogin& login, const RegistryFlags& flags, const util::EnvLookup& env) {
  auto options = registry_client_options(flags, env);
  if (!options) return std::unexpected(options.error());
  auto auth = std::make_shared<oci::Authenticator>(
      login.registry, "", oci::Credentials{login.token.username, login.token.password}, oci::PlainHttp::kRefuse);
  oci::RegistryClient client({"https://" + login.registry, "", oci::parse_ecr_host(login.registry)}, auth,
                             net::make_curl_client(*options));
  if (auto pinged = client.ping(); !pinged) return std::unexpected(pinged.error().with_context("checking the login"));
  return {};
}

oci::LoginRecord make_record(const EcrLogin& login, std::vector<oci::WrittenEntry> files) {
  oci::LoginRecord record{login.registry, Clock::now(), {}, oci::ExpirySource::kService, std::move(files)};
  const auto& expires = login.token.expires_at;
  if (expires && *expires > record.obtained_at) {
    record.expires_at = *expires;
  } else {
    record.expires_at = record.obtained_at + kEcrTokenLifetime;
    record.expiry_source = oci::ExpirySource::kAssumed;
  }
  return record;
}

// Adds `record`, keeping files an older login for the same registry wrote
// elsewhere (so logout still finds them).
util::Result<void> remember(oci::LoginRecord record, const util::EnvLookup& env) {
  auto path = oci::login_records_path(env);
  if (!path) return std::unexpected(path.error());
  auto records = oci::read_login_records(*path);
  if (!records) return std::unexpected(records.error());
  for (const auto& old : *records) {
    if (old.registry != record.registry) continue;
    for (const auto& f : old.files) {
      const bool rewritten = std::any_of(record.files.begin(), record.files.end(),
                                         [&f](const oci::WrittenEntry& n) { return n.path == f.path; });
      if (!rewritten) record.files.push_back(f);
    }
  }
  std::erase_if(*records, [&record](const oci::LoginRecord& r) { return r.registry == record.registry; });
  records->push_back(std::move(record));
  return oci::write_login_records(*path, *records);
}

util::Result<oci::LoginRecord> write_auth_files(const EcrLogin& login, const util::EnvLookup& env) {
  auto paths = oci::default_auth_file_paths(env);
  if (!paths) return std::unexpected(paths.error());
  const oci::Credentials credentials{login.token.username, login.token.password};
  const std::string fingerprint = oci::auth_fingerprint(oci::auth_value(credentials));
  std::vector<oci::WrittenEntry> files;
  for (const auto& file : {paths->docker, paths->containers}) {
    if (!files.empty() && files.front().path == file.string()) continue;  // one file serves both
    if (auto stored = oci::store_auth_entry(file, login.registry, credentials); !stored) {
      return std::unexpected(stored.error().with_context("writing the login for " + login.registry));
    }
    files.push_back({file.string(), fingerprint});
  }
  auto record = make_record(login, std::move(files));
  if (auto kept = remember(record, env); !kept) return std::unexpected(kept.error());
  return record;
}

void print_login(Context& ctx, const oci::LoginRecord& record, bool checked, bool json) {
  const std::string expires = oci::format_utc(record.expires_at);
  const bool assumed = record.expiry_source == oci::ExpirySource::kAssumed;
  if (json) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : record.files) files.push_back(f.path);
    ctx.out << nlohmann::json{{"registry", record.registry}, {"files", files}, {"expires_at", expires},
                              {"expiry_source", assumed ? "assumed" : "service"}, {"checked", checked}}.dump()
            << '\n';
    return;
  }
  ctx.out << "logged in to " << record.registry << (checked ? " (checked against the registry)" : "") << '\n';
  for (const auto& f : record.files) ctx.out << "  wrote " << f.path << '\n';
  ctx.out << "  expires " << expires << (assumed ? " (assumed: 12 h; the service gave no future expiry)" : "") << '\n';
}

util::Result<void> login(Context& ctx, const LoginFlags& flags) {
  const util::EnvLookup env = aws::process_env();
  auto session = AwsSession::open(ctx, flags.aws, kDefaultEcrRegion);
  if (!session) return std::unexpected(session.error());
  auto ecr = ecr_client(*session);
  if (!ecr) return std::unexpected(ecr.error());
  auto ecr_auth = ecr_login(*ecr, flags.registry_id);
  if (!ecr_auth) return std::unexpected(ecr_auth.error());
  // Masked before anything else is printed; on stderr when stdout carries
  // the password itself (the runner reads workflow commands from both).
  mask_secret(flags.print_password ? ctx.err : ctx.out, ecr_auth->token.password, env);
  if (flags.check) {
    if (auto ok = check_login(*ecr_auth, flags.registry, env); !ok) return ok;
  }
  if (flags.print_password) {
    ctx.out << ecr_auth->token.password << '\n';
  } else {
    auto record = write_auth_files(*ecr_auth, env);
    if (!record) return std::unexpected(record.error());
    print_login(ctx, *record, flags.check, flags.json);
  }
  return write_outputs({{"registry", ecr_auth->registry}}, env);
}

}  // namespace

CommandSpec login_command() {
  return {"login", "Log docker and podman in to Amazon ECR with the current AWS credentials",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<LoginFlags>();
            sub.footer(
                "Writes the ECR token to $DOCKER_CONFIG/config.json (else ~/.docker/config.json) and to\n"
                "$REGISTRY_AUTH_FILE (else $XDG_RUNTIME_DIR/containers/auth.json, else\n"
                "${XDG_CONFIG_HOME:-~/.config}/containers/auth.json), mode 0600, other entries kept. Prints the\n"
                "registry host and writes registry=HOST to $GITHUB_OUTPUT. The token lasts 12 hours.\n\n"
                "Examples:\n"
                "  shipctl login\n"
                "  shipctl login --region us-east-1 --check\n"
                "  shipctl login --print-password | podman login --username AWS --password-stdin HOST\n"
                "Exit codes: 0 ok, 2 bad input, 75 network, 77 denied or expired credentials.");
            add_aws_flags(sub, f->aws, "default: ap-northeast-1");
            add_registry_flags(sub, f->registry, InsecureFlag::kOmit);
            sub.add_option("--registry-id", f->registry_id, "Account id of the registry (default: the caller's account)");
            sub.add_flag("--print-password", f->print_password,
                         "Print only the password (for --password-stdin); write no file");
            sub.add_flag("--check", f->check, "Check the credentials against the registry (GET /v2/) before writing");
            sub.add_flag("--json", f->json, "Print the result as JSON");
            sub.callback([&ctx, f] {
              auto done = login(ctx, *f);
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
