// `shipctl login` (what aws-actions/amazon-ecr-login does): ECR
// GetAuthorizationToken, for the caller's registry, several accounts'
// registries (--registries) or ECR Public (--public), written to the docker
// and podman auth files (0600, atomically, other entries kept) and recorded
// in $XDG_STATE_HOME/shipctl/logins.json so logout removes only what login
// wrote.
#include <algorithm>
#include <filesystem>
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
  std::vector<std::string> registries;  // --registries, as given
  bool is_public = false;
  bool print_password = false;
  bool check = false;
  bool json = false;
  bool bypass_creds_store = false;
  bool no_creds_store_warning = false;
};

// What a login wrote, and who docker asks for the registry's credentials
// instead of reading the entry written (empty helper: nobody, it reads it).
struct LoginOutcome {
  oci::LoginRecord record;
  std::string docker_file;
  oci::CredentialRoute docker_route;
};

// Every auth file a login changes, as it was before; put back unless
// commit() is reached, so a failure half-way leaves nothing half-written.
class Rollback {
 public:
  Rollback() = default;
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  ~Rollback() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) oci::restore_file(*it);
  }
  util::Result<void> keep(const std::filesystem::path& file) {
    auto snapshot = oci::snapshot_file(file);
    if (!snapshot) return std::unexpected(snapshot.error());
    saved_.push_back(std::move(*snapshot));
    return {};
  }
  void commit() { saved_.clear(); }

 private:
  std::vector<oci::FileSnapshot> saved_;
};

// GET /v2/ with the credentials: proves the login before anything is written.
util::Result<void> check_login(Context& ctx, const EcrLogin& login, const RegistryFlags& flags,
                               const util::EnvLookup& env) {
  auto options = registry_client_options(ctx, flags, env);  // traced with --debug
  if (!options) return std::unexpected(options.error());
  auto auth = std::make_shared<oci::Authenticator>(
      login.registry, "", oci::Credentials{login.token.username, login.token.password}, oci::PlainHttp::kRefuse);
  oci::RegistryClient client({"https://" + login.registry, "", oci::parse_ecr_host(login.registry)}, auth,
                             net::make_curl_client(*options));
  if (auto pinged = client.ping(); !pinged) return std::unexpected(pinged.error().with_context("checking the login"));
  return {};
}

oci::LoginRecord make_record(const EcrLogin& login, std::vector<oci::WrittenEntry> files, Clock::time_point now) {
  oci::LoginRecord record{login.registry, now, {}, oci::ExpirySource::kService, std::move(files)};
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

// Docker's route for `host` in `file`; --bypass-creds-store overrides a
// credsStore, not a helper the user named for this very registry.
util::Result<oci::CredentialRoute> docker_route(const std::filesystem::path& file, const std::string& host,
                                                bool bypass) {
  auto route = oci::docker_credential_route(file, host);
  if (!route) return std::unexpected(route.error());
  if (bypass && route->key == "credHelpers" && !route->helper.empty()) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "credHelpers in " + file.string() + " sends " + host + " to docker-credential-" +
                          route->helper + ", which --bypass-creds-store does not override; remove that entry "
                          "first, nothing was changed");
  }
  return route;
}

util::Result<LoginOutcome> write_auth_files(const EcrLogin& login, const LoginFlags& flags, const Process& process,
                                            Rollback& rollback) {
  const auto& env = process.env;
  auto paths = oci::default_auth_file_paths(env);
  if (!paths) return std::unexpected(paths.error());
  auto route = docker_route(paths->docker, login.registry, flags.bypass_creds_store);
  if (!route) return std::unexpected(route.error().with_context("writing the login for " + login.registry));
  const bool bypass = flags.bypass_creds_store && route->key == "credsStore";
  if (bypass) *route = {};
  const oci::Credentials credentials{login.token.username, login.token.password};
  const std::string fingerprint = oci::auth_fingerprint(oci::auth_value(credentials));
  std::vector<oci::WrittenEntry> files;
  for (const auto& file : {paths->docker, paths->containers}) {
    if (!files.empty() && files.front().path == file.string()) continue;  // one file serves both
    const bool here = bypass && file == paths->docker;
    auto stored = rollback.keep(file);
    if (stored) stored = oci::store_auth_entry(file, login.registry, credentials,
                                               here ? oci::BypassCredsStore::kYes : oci::BypassCredsStore::kNo);
    if (!stored) return std::unexpected(stored.error().with_context("writing the login for " + login.registry));
    files.push_back({file.string(), fingerprint, here});
  }
  auto record = make_record(login, std::move(files), process.now());
  auto records = oci::login_records_path(env);
  if (!records) return std::unexpected(records.error());
  if (auto saved = rollback.keep(*records); !saved) return std::unexpected(saved.error());
  if (auto kept = remember(record, env); !kept) return std::unexpected(kept.error());
  return LoginOutcome{std::move(record), paths->docker.string(), std::move(*route)};
}

// Why docker will not read the docker file's entry, and how to change that.
std::string helper_note(const LoginOutcome& o, const std::string& host) {
  const auto& r = o.docker_route;
  std::string note = "docker will ask docker-credential-" + r.helper + " for " + host + " (" + r.key + " in " +
                     o.docker_file + "), not read the token written there";
  // amazon-ecr-credential-helper installs docker-credential-ecr-login.
  if (r.helper == "ecr-login") note += "; that helper gets its own token with the AWS credentials docker runs with";
  return note + (r.key == "credsStore" ? "; pass --bypass-creds-store to have docker read it"
                                       : "; remove that credHelpers entry to have docker read it");
}

nlohmann::json login_json(const LoginOutcome& outcome) {
  const auto& record = outcome.record;
  const auto& route = outcome.docker_route;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : record.files) files.push_back(f.path);
  nlohmann::json helper = route.helper.empty() ? nlohmann::json() : nlohmann::json{{"helper", route.helper},
                                                                                    {"from", route.key}};
  const bool assumed = record.expiry_source == oci::ExpirySource::kAssumed;
  return {{"registry", record.registry}, {"files", files}, {"expires_at", oci::format_utc(record.expires_at)},
          {"expiry_source", assumed ? "assumed" : "service"}, {"docker_helper", helper}};
}

// --json: {"registry": HOST or null when several, "registries": [one object
// per registry], "checked"}, and with one registry its object's members at
// the top as well (the shape a single login always had).
void print_json(Context& ctx, const std::vector<LoginOutcome>& outcomes, const LoginFlags& flags) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& outcome : outcomes) all.push_back(login_json(outcome));
  nlohmann::json out = outcomes.size() == 1 ? all[0] : nlohmann::json{{"registry", nullptr}};
  out["registries"] = all;
  out["checked"] = flags.check;
  ctx.out << out.dump() << '\n';
}

void print_login(Context& ctx, const LoginOutcome& outcome, const LoginFlags& flags) {
  const auto& record = outcome.record;
  const std::string expires = oci::format_utc(record.expires_at);
  const bool assumed = record.expiry_source == oci::ExpirySource::kAssumed;
  const auto& route = outcome.docker_route;
  if (!route.helper.empty() && !flags.no_creds_store_warning) {
    ctx.err << "shipctl: warning: " << helper_note(outcome, record.registry) << '\n';
  }
  if (flags.json) return;
  ctx.out << "logged in to " << record.registry << (flags.check ? " (checked against the registry)" : "") << '\n';
  for (const auto& f : record.files) {
    ctx.out << "  wrote " << f.path;
    if (f.path == outcome.docker_file && !route.helper.empty()) {
      ctx.out << " (docker asks docker-credential-" << route.helper << " instead: " << route.key << ")";
    }
    ctx.out << '\n';
  }
  ctx.out << "  expires " << expires << (assumed ? " (assumed: 12 h; the service gave no future expiry)" : "") << '\n';
}

// kInvalidInput for flags that cannot go together; the account ids to log in
// to otherwise (empty: the caller's own registry, or ECR Public).
util::Result<std::vector<std::string>> registry_ids(const LoginFlags& flags) {
  if (flags.is_public && (!flags.registries.empty() || !flags.registry_id.empty())) {
    // amazon-ecr-login ignores `registries` with registry-type public; saying so beats a silent skip.
    return util::fail(util::ErrorKind::kInvalidInput,
                      "--public logs in to public.ecr.aws only and takes no --registries/--registry-id: run "
                      "shipctl login once with --public and once with --registries");
  }
  auto ids = parse_registry_ids(flags.registry_id.empty() ? std::vector<std::string>{}
                                                          : std::vector<std::string>{flags.registry_id},
                                "--registry-id");
  if (!ids) return std::unexpected(ids.error());
  auto more = parse_registry_ids(flags.registries);
  if (!more) return std::unexpected(more.error());
  for (auto& id : *more) {
    if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(std::move(id));
  }
  return ids;
}

// The registries and their credentials, from one GetAuthorizationToken.
util::Result<std::vector<EcrLogin>> fetch_logins(const AwsSession& session, const LoginFlags& flags,
                                                 const std::vector<std::string>& ids) {
  if (flags.is_public) {
    auto login = ecr_public_login(session);
    if (!login) return std::unexpected(login.error());
    return std::vector<EcrLogin>{std::move(*login)};
  }
  auto ecr = ecr_client(session);
  if (!ecr) return std::unexpected(ecr.error());
  if (!ids.empty()) return ecr_logins(*ecr, ids, session.region());
  auto login = ecr_login(*ecr);
  if (!login) return std::unexpected(login.error());
  return std::vector<EcrLogin>{std::move(*login)};
}

// Writes every login, or (on any failure) none: the files go back as they were.
util::Result<std::vector<LoginOutcome>> write_logins(const std::vector<EcrLogin>& logins, const LoginFlags& flags,
                                                     const Process& process) {
  Rollback rollback;
  std::vector<LoginOutcome> outcomes;
  for (const auto& login : logins) {
    auto outcome = write_auth_files(login, flags, process, rollback);
    if (!outcome) return std::unexpected(outcome.error());
    outcomes.push_back(std::move(*outcome));
  }
  rollback.commit();
  return outcomes;
}

// registry=HOST for one registry; registries=HOST,HOST for several (where
// amazon-ecr-login sets no `registry` output at all).
util::Result<void> write_registry_outputs(const std::vector<EcrLogin>& logins, const util::EnvLookup& env) {
  if (logins.size() == 1) return write_outputs({{"registry", logins[0].registry}}, env);
  std::string hosts;
  for (const auto& login : logins) hosts += (hosts.empty() ? "" : ",") + login.registry;
  return write_outputs({{"registries", hosts}}, env);
}

util::Result<void> login(Context& ctx, const LoginFlags& flags) {
  const util::EnvLookup& env = ctx.process.env;
  auto ids = registry_ids(flags);
  if (!ids) return std::unexpected(ids.error());
  auto session = AwsSession::open(ctx, flags.aws, kDefaultEcrRegion);
  if (!session) return std::unexpected(session.error());
  auto logins = fetch_logins(*session, flags, *ids);
  if (!logins) return std::unexpected(logins.error());
  // Masked before anything else is printed; on stderr when stdout carries
  // the password itself (the runner reads workflow commands from both).
  // Several private registries share one token.
  mask_secret(flags.print_password ? ctx.err : ctx.out, logins->front().token.password, env);
  if (flags.check) {
    for (const auto& login : *logins) {
      if (auto ok = check_login(ctx, login, flags.registry, env); !ok) return ok;
    }
  }
  if (flags.print_password) {
    ctx.out << logins->front().token.password << '\n';
  } else {
    auto outcomes = write_logins(*logins, flags, ctx.process);
    if (!outcomes) return std::unexpected(outcomes.error());
    for (const auto& outcome : *outcomes) print_login(ctx, outcome, flags);
    if (flags.json) print_json(ctx, *outcomes, flags);
  }
  return write_registry_outputs(*logins, env);
}

}  // namespace

CommandSpec login_command() {
  return {"login", "Log docker and podman in to Amazon ECR (private or Public) with the current AWS credentials",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<LoginFlags>();
            sub.footer(
                "Writes the ECR token to $DOCKER_CONFIG/config.json (else ~/.docker/config.json) and to\n"
                "$REGISTRY_AUTH_FILE (else $XDG_RUNTIME_DIR/containers/auth.json, else\n"
                "${XDG_CONFIG_HOME:-~/.config}/containers/auth.json), mode 0600, other entries kept. Prints the\n"
                "registry host and writes registry=HOST to $GITHUB_OUTPUT (several: registries=HOST,HOST). The\n"
                "token lasts 12 hours. A symlinked file is written through its link. When docker's credsStore (or\n"
                "credHelpers) sends the registry to a credential helper, docker asks that helper and not the\n"
                "file: login says so on stderr.\n\n"
                "--registries takes account ids, as amazon-ecr-login's `registries` input: one token (ECR's\n"
                "GetAuthorizationToken) is written for each ACCOUNT.dkr.ecr.REGION host; each registry's policy\n"
                "decides what the role may pull or push there.\n"
                "--public logs in to public.ecr.aws (amazon-ecr-login's registry-type: public). ECR Public gives\n"
                "its token only in us-east-1: login asks there whatever --region says. The role needs\n"
                "ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken (`shipctl bootstrap --public`).\n\n"
                "Examples:\n"
                "  shipctl login\n"
                "  shipctl login --region us-east-1 --check\n"
                "  shipctl login --registries 111111111111,222222222222 --json\n"
                "  shipctl login --public\n"
                "  shipctl login --print-password | podman login --username AWS --password-stdin HOST\n"
                "Exit codes: 0 ok, 2 bad input, 75 network, 77 denied or expired credentials.");
            add_aws_flags(sub, f->aws, "default: ap-northeast-1");
            add_registry_flags(sub, f->registry, InsecureFlag::kOmit);
            sub.add_option("--registry-id", f->registry_id,
                           "Account id of the registry (default: the caller's account); one of --registries");
            sub.add_option("--registries", f->registries,
                           "Log in to these accounts' registries in the region: ACCOUNT,ACCOUNT (or the flag again)")
                ->type_name("IDS");
            sub.add_flag("--public", f->is_public,
                         "Log in to Amazon ECR Public (public.ecr.aws); its token comes from us-east-1 whatever "
                         "--region says");
            sub.add_flag("--print-password", f->print_password,
                         "Print only the password (for --password-stdin); write no file");
            sub.add_flag("--check", f->check, "Check the credentials against the registry (GET /v2/) before writing");
            sub.add_flag("--bypass-creds-store", f->bypass_creds_store,
                         "Also set credHelpers[HOST] to \"\" in docker's config.json, so docker reads the token "
                         "written there instead of asking its credsStore helper (this registry only)");
            sub.add_flag("--no-creds-store-warning", f->no_creds_store_warning,
                         "Do not warn that docker asks a credential helper instead of the file");
            sub.add_flag("--json", f->json, "Print the result as JSON");
            sub.callback([&ctx, f] {
              auto done = login(ctx, *f);
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
