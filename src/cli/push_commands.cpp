// `shipctl push SOURCE [DEST] [--repository NAME]`: the daemonless image push
// (issues 5 and 6). Parses the plain strings into typed values, derives an ECR
// destination from account, region and repository when DEST is absent,
// resolves credentials (flags, auth files, then ECR GetAuthorizationToken),
// runs oci::push_image (once more with a new ECR token when ECR refuses an
// auth-file login: push_auth.h) and reports (text, --json, $GITHUB_OUTPUT,
// summary).

#include <algorithm>
#include <chrono>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "aws/endpoints.h"
#include "aws/regions.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/ecr_target.h"
#include "cli/push_auth.h"
#include "cli/push_report.h"
#include "cli/registry_flags.h"
#include "net/http_client.h"
#include "oci/auth_store.h"
#include "oci/push.h"

namespace eem::cli {

namespace {

using util::ErrorKind;
using util::fail;

struct PushFlags {
  std::string source;
  std::string destination;
  std::string repository;
  std::vector<std::string> tags;
  RegistryFlags registry;
  AwsFlags aws;
  std::string username;
  bool password_stdin = false;
  std::string platform;
  int jobs = oci::kDefaultJobs;
  std::uint64_t chunk_mib = 0;
  std::string mount_from;
  std::string progress = "auto";
  std::string digestfile;
  bool json = false;
};

enum class RepositoryCheck { kYes, kNo };

// The destination and, when AWS was needed to find it, the session.
struct Target {
  oci::ImageRef dest;
  std::optional<AwsSession> session;
};

util::Result<Target> derive_target(Context& ctx, const PushFlags& flags) {
  if (!flags.destination.empty() && !flags.repository.empty()) {
    return fail(ErrorKind::kInvalidInput, "give DEST or --repository, not both");
  }
  if (flags.repository.empty()) {
    if (flags.destination.empty()) {
      return fail(ErrorKind::kInvalidInput, "push needs DEST (REGISTRY/REPOSITORY[:TAG]) or --repository NAME");
    }
    auto dest = oci::ImageRef::parse(flags.destination);
    if (!dest) return std::unexpected(dest.error());
    return Target{std::move(*dest), std::nullopt};
  }
  if (auto ok = validate_repository_name(flags.repository); !ok) return std::unexpected(ok.error());
  auto session = AwsSession::open(ctx, flags.aws, kDefaultEcrRegion);
  if (!session) return std::unexpected(session.error());
  auto account = caller_account(*session);
  if (!account) return std::unexpected(account.error());
  auto dest = oci::ImageRef::parse(aws::ecr_registry_host(*account, session->region()) + "/" + flags.repository);
  if (!dest) return std::unexpected(dest.error());
  return Target{std::move(*dest), std::move(*session)};
}

// An AWS session in the ECR registry's own region (the host names it).
util::Result<AwsSession> ecr_session(Context& ctx, const PushFlags& flags, Target& target) {
  if (target.session && target.session->region() == target.dest.ecr()->region) return std::move(*target.session);
  AwsFlags aws = flags.aws;
  aws.region = target.dest.ecr()->region;
  return AwsSession::open(ctx, aws, kDefaultEcrRegion);
}

// Registry credentials for the ECR host of `dest` from GetAuthorizationToken
// with the session's AWS credentials: one token serves the caller's registry
// and, for a `dest` in another account, that account's (ecr_login).
util::Result<oci::Credentials> ecr_token(const AwsSession& session, const oci::ImageRef& dest, RepositoryCheck check) {
  const auto ecr_host = *dest.ecr();
  auto ecr = ecr_client(session);
  if (!ecr) return std::unexpected(ecr.error());
  if (check == RepositoryCheck::kYes) {
    auto exists = check_repository_exists(*ecr, dest.repository, ecr_host.account, ecr_host.region);
    if (!exists) return std::unexpected(exists.error());
  }
  auto login = ecr_login(*ecr);
  if (!login) return std::unexpected(login.error());
  return oci::Credentials{login->token.username, login->token.password};
}

struct PushCredentials {
  std::optional<oci::Credentials> credentials;
  CredentialOrigin origin = CredentialOrigin::kNone;
};

// Credentials, most explicit first: flags, then the auth files, then (for
// an ECR host) GetAuthorizationToken with the current AWS credentials, after
// checking that the repository exists.
util::Result<PushCredentials> resolve_credentials(Context& ctx, const PushFlags& flags, Target& target) {
  if (!flags.username.empty()) {
    if (!flags.password_stdin) return fail(ErrorKind::kInvalidInput, "--username needs --password-stdin");
    std::string password;
    std::getline(ctx.process.in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) return fail(ErrorKind::kInvalidInput, "--password-stdin read an empty password");
    return PushCredentials{oci::Credentials{flags.username, std::move(password)}, CredentialOrigin::kFlags};
  }
  if (flags.password_stdin) return fail(ErrorKind::kInvalidInput, "--password-stdin needs --username");
  auto from_files = oci::credentials_from_auth_files(target.dest.registry, ctx.process.env);
  if (!from_files) return std::unexpected(from_files.error());
  if (*from_files) return PushCredentials{std::move(*from_files), CredentialOrigin::kAuthFile};
  if (!target.dest.ecr()) return PushCredentials{};
  auto session = ecr_session(ctx, flags, target);
  if (!session) return std::unexpected(session.error());
  auto token = ecr_token(*session, target.dest, RepositoryCheck::kYes);
  if (!token) return std::unexpected(token.error());
  return PushCredentials{std::move(*token), CredentialOrigin::kEcrToken};
}

// After the registry refused the auth-file login `stale`: a new ECR token,
// announced in one line, or the error naming the login and the fix.
util::Result<oci::Credentials> renew_login(Context& ctx, const PushFlags& flags, Target& target,
                                           const oci::Credentials& stale) {
  const auto& registry = target.dest.registry;
  const auto login = describe_stored_login(registry, stale, ctx.process.env, ctx.process.now());
  // AwsSession::open fails with kDenied exactly when the credential chain
  // finds nothing (aws::default_credentials).
  auto session = ecr_session(ctx, flags, target);
  if (!session && session.error().kind == ErrorKind::kDenied) {
    return std::unexpected(login_expired_without_aws(registry, target.dest.ecr()->region, login));
  }
  if (!session) return std::unexpected(login_renewal_failed(registry, login, session.error()));
  auto token = ecr_token(*session, target.dest, RepositoryCheck::kNo);
  if (!token) return std::unexpected(login_renewal_failed(registry, login, token.error()));
  ctx.err << "shipctl: " << renew_note(registry, login) << '\n';
  return token;
}

// Tags from DEST and --tag; with none, the seed's: the commit and "latest".
std::vector<std::string> all_tags(Context& ctx, const PushFlags& flags, const oci::ImageRef& dest) {
  std::vector<std::string> tags;
  auto add = [&tags](const std::string& t) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  };
  if (dest.tag) add(*dest.tag);
  for (const auto& t : flags.tags) add(t);
  if (!tags.empty() || dest.digest) return tags;
  if (const auto commit = current_commit(ctx.process.env)) {
    add(*commit);
  } else {
    ctx.err << "shipctl: note: no $GITHUB_SHA and no git commit here: tagging latest only\n";
  }
  add("latest");
  return tags;
}

oci::ProgressStyle progress_style(const Context& ctx, const PushFlags& flags) {
  if (flags.progress == "bars") return oci::ProgressStyle::kBars;
  if (flags.progress == "lines") return oci::ProgressStyle::kLines;
  if (flags.progress == "none" || flags.json) return oci::ProgressStyle::kQuiet;
  return ctx.process.stderr_is_terminal ? oci::ProgressStyle::kBars : oci::ProgressStyle::kLines;
}

util::Result<void> check_flags(const PushFlags& flags, const oci::ImageRef& dest) {
  for (const auto& t : flags.tags) {
    if (auto ok = oci::parse_tag(t); !ok) return std::unexpected(ok.error());
  }
  if (!flags.mount_from.empty()) {
    auto from = oci::ImageRef::parse(dest.registry + "/" + flags.mount_from);
    if (!from || from->tag || from->digest) {
      return fail(ErrorKind::kInvalidInput, "--mount-from takes a repository name on the same registry, e.g. team/base");
    }
  }
  return {};
}

// --chunk-size is MiB; 4096 (4 GiB per request) is far past any registry's
// useful chunk, and keeps `MiB << 20` from wrapping to 0 (which sent empty
// PATCHes forever).
constexpr std::uint64_t kMaxChunkMib = 4096;

// Flags checked before anything is read or sent.
util::Result<void> check_numbers(const PushFlags& flags) {
  if (flags.jobs < 1 || flags.jobs > 32) return fail(ErrorKind::kInvalidInput, "--jobs must be between 1 and 32");
  if (flags.chunk_mib > kMaxChunkMib) {
    return fail(ErrorKind::kInvalidInput, "--chunk-size " + std::to_string(flags.chunk_mib) + " is out of range: give 0 "
                                          "(one request per blob) to " + std::to_string(kMaxChunkMib) + " (MiB)");
  }
  return {};
}

// The flags that can be judged without reading a file or calling AWS.
util::Result<void> check_plain_flags(const PushFlags& flags) {
  if (!flags.repository.empty()) {
    if (auto ok = validate_repository_name(flags.repository); !ok) return ok;
  }
  if (!flags.aws.region.empty()) return aws::check_known_region(flags.aws.region);
  return {};
}

// A single-platform image pushed with --platform must be that platform: the
// loader narrows only indexes, so a linux/amd64 image would otherwise be
// pushed for a linux/arm64 request. Its config names the platform.
util::Result<void> check_single_platform(const oci::Image& image, const oci::Platform& wanted) {
  const oci::Manifest& root = image.root();
  if (!root.config) return {};
  const auto path = image.blob_paths.find(root.config->digest);
  if (path == image.blob_paths.end()) return {};
  auto text = oci::read_small_file(*image.tree, path->second, 1u << 20);
  if (!text) return std::unexpected(text.error());
  const auto config = nlohmann::json::parse(*text, nullptr, false);
  if (!config.is_object()) return {};
  oci::Platform have{config.value("os", ""), config.value("architecture", ""), config.value("variant", "")};
  if (wanted.matches(have)) return {};
  return fail(ErrorKind::kInvalidInput, "--platform " + wanted.str() + ": the image is a single-platform " +
                                            have.str() + " image; build it for " + wanted.str() +
                                            " or drop --platform");
}

util::Result<oci::Image> load(const PushFlags& flags) {
  auto spec = oci::SourceSpec::parse(flags.source);
  if (!spec) return std::unexpected(spec.error());
  std::optional<oci::Platform> platform;
  if (!flags.platform.empty()) {
    auto p = oci::Platform::parse(flags.platform);
    if (!p) return std::unexpected(p.error());
    platform = *p;
  }
  auto image = oci::load_image(*spec, platform);
  if (!image) return std::unexpected(image.error().with_context("reading " + flags.source));
  if (platform && image->manifests.size() == 1) {
    if (auto ok = check_single_platform(*image, *platform); !ok) {
      return std::unexpected(ok.error().with_context("reading " + flags.source));
    }
  }
  return image;
}

oci::PushOptions push_options(const PushFlags& flags, net::ClientOptions http) {
  http.total_timeout = std::chrono::milliseconds(0);  // big blobs: bounded by low_speed_* instead
  oci::PushOptions options;
  options.plain_http = flags.registry.insecure ? oci::PlainHttp::kAllow : oci::PlainHttp::kRefuse;
  options.jobs = flags.jobs;
  options.mount_from = flags.mount_from;
  if (flags.chunk_mib > 0) {
    options.policy.chunk_threshold = flags.chunk_mib << 20;
    options.policy.chunk_size = flags.chunk_mib << 20;
  }
  options.make_client = [http = std::move(http)] { return net::make_curl_client(http); };
  return options;
}

util::Result<oci::PushSummary> run_push(Context& ctx, const PushFlags& flags, std::string& registry) {
  if (auto ok = check_numbers(flags); !ok) return std::unexpected(ok.error());
  auto http = registry_client_options(ctx, flags.registry, ctx.process.env);
  if (!http) return std::unexpected(http.error());
  if (auto ok = check_plain_flags(flags); !ok) return std::unexpected(ok.error());
  // Then the source: a missing or unreadable image is the mistake to name,
  // not the credentials or the network the destination would need.
  auto image = load(flags);
  if (!image) return std::unexpected(image.error());
  auto target = derive_target(ctx, flags);
  if (!target) return std::unexpected(target.error());
  if (auto ok = check_flags(flags, target->dest); !ok) return std::unexpected(ok.error());
  const std::string context = "pushing to " + target->dest.name();
  auto credentials = resolve_credentials(ctx, flags, *target);
  if (!credentials) return std::unexpected(credentials.error().with_context(context));

  auto options = push_options(flags, std::move(*http));
  options.tags = all_tags(ctx, flags, target->dest);
  options.credentials = credentials->credentials;
  registry = target->dest.registry;
  auto push = [&] {
    oci::Progress progress(ctx.err, progress_style(ctx, flags));
    options.progress = &progress;
    auto summary = oci::push_image(*image, target->dest, options);
    options.progress = nullptr;
    return summary;
  };
  auto summary = push();
  if (!summary && should_renew_login(credentials->origin, target->dest, summary.error())) {
    auto renewed = renew_login(ctx, flags, *target, *credentials->credentials);
    if (!renewed) return std::unexpected(renewed.error().with_context(context));
    options.credentials = std::move(*renewed);
    summary = push();
  }
  if (!summary) return std::unexpected(summary.error().with_context(context));
  return summary;
}

}  // namespace

CommandSpec push_command() {
  return {"push", "Push an OCI or Docker image archive to a registry (ECR or any), no daemon needed",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<PushFlags>();
            sub.footer(
                "DEST or --repository: with --repository NAME the destination is\n"
                "<account>.dkr.ecr.<region>.amazonaws.com/NAME (account from STS, region default ap-northeast-1).\n"
                "Tags: DEST's and --tag's; with none, $GITHUB_SHA (else git HEAD) and latest.\n"
                "Credentials: --username/--password-stdin, the docker/podman auth files, else (ECR) the AWS\n"
                "credentials through GetAuthorizationToken. When ECR refuses an auth-file login (its token\n"
                "lasts 12 hours), push gets a new token that way and retries once; without AWS credentials\n"
                "it exits 77 naming the login (run shipctl login again). Writes image-uri, digest and\n"
                "registry to $GITHUB_OUTPUT and a table to $GITHUB_STEP_SUMMARY.\n\n"
                "Examples:\n"
                "  shipctl push docker-archive:image.tar --repository ecs-express-mode-api\n"
                "  shipctl push image.tar --repository ecs-express-mode-api --digestfile image.digest\n"
                "  shipctl push oci-archive:image.tar --repository ecs-express-mode-api --tag v1.2.0 --region us-east-1\n"
                "  shipctl push oci:build/layout:app registry.example.com:5000/team/app:v1 --ca-file ca.pem\n"
                "Retries: every registry request, 5 attempts, on connection failures, stalls, 408, 429, 5xx,\n"
                "DIGEST_INVALID and BLOB_UPLOAD_*; Retry-After is honoured up to 30 s (README: Retries).\n"
                "Exit codes: 0 ok, 2 bad input (also an untrusted CA file or URL), 3 repository or a\n"
                "referenced blob not found, 4 conflict (immutable tag exists, or the registry stored\n"
                "another digest), 75 network (retry later), 77 denied, expired credentials or an\n"
                "untrusted TLS certificate.");
            sub.add_option("SOURCE", f->source,
                           "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], or a tar file's (or "
                           "OCI layout directory's) path")
                ->required();
            sub.add_option("DEST", f->destination, "REGISTRY/REPOSITORY[:TAG] (or use --repository)");
            sub.add_option("--repository", f->repository, "ECR repository name (not the URI); derives DEST");
            sub.add_option("--tag", f->tags, "Another tag for the image (repeatable)");
            add_registry_flags(sub, f->registry);
            add_aws_flags(sub, f->aws, "default: ap-northeast-1");
            sub.add_option("--username", f->username, "Registry user name (ECR: AWS)");
            sub.add_flag("--password-stdin", f->password_stdin, "Read the password from the first line of stdin");
            sub.add_option("--platform", f->platform, "Push only this platform of a multi-platform index (OS/ARCH[/VARIANT])");
            sub.add_option("--jobs", f->jobs, "Parallel blob uploads")->capture_default_str();
            sub.add_option("--mount-from", f->mount_from, "Mount blobs from this repository of the same registry instead of uploading them");
            sub.add_option("--chunk-size", f->chunk_mib, "Upload blobs larger than this many MiB in chunks of that size (0: one request per blob)");
            sub.add_option("--progress", f->progress, "auto, bars, lines or none")
                ->check(CLI::IsMember({"auto", "bars", "lines", "none"}));
            sub.add_option("--digestfile", f->digestfile, "After the push, write the manifest digest to this file (as skopeo does)");
            sub.add_flag("--json", f->json, "Print the summary as JSON");
            sub.callback([&ctx, f] {
              std::string registry;
              auto summary = run_push(ctx, *f, registry);
              if (!summary) {
                ctx.exit_code = report(ctx, summary.error());
                return;
              }
              for (const auto& warning : summary->warnings) ctx.err << "shipctl: warning: " << warning << "\n";
              print_push_summary(ctx.out, *summary, f->json ? Format::kJson : Format::kText);
              auto written = write_push_outputs(*summary, registry, ctx.process.env);
              if (written && !f->digestfile.empty()) {
                written = oci::replace_file(f->digestfile, summary->digest.str(), 0644);
              }
              ctx.exit_code = written ? 0 : report(ctx, written.error());
            });
          }};
}

}  // namespace eem::cli
