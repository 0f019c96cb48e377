// `shipctl push SOURCE DEST`: the daemonless image push (issue 5). Parses
// the plain strings into typed values, resolves credentials, runs
// oci::push_image and reports (text, --json, $GITHUB_OUTPUT).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "net/http_client.h"
#include "oci/push.h"

namespace eem::cli {

namespace {

struct PushFlags {
  std::string source;
  std::string destination;
  std::vector<std::string> tags;
  bool insecure = false;
  std::string ca_file;
  std::string username;
  bool password_stdin = false;
  std::string platform;
  int jobs = oci::kDefaultJobs;
  std::uint64_t chunk_mib = 0;
  std::string mount_from;
  std::string progress = "auto";
  bool json = false;
};

// Credentials, most explicit first: flags, then the auth files. ECR: when
// nothing is found and the destination is an ECR host, this is the seam
// where GetAuthorizationToken with the current AWS credentials plugs in
// (issue "ECR via AWS credentials"; user "AWS", password the token).
util::Result<std::optional<oci::Credentials>> resolve_credentials(const PushFlags& flags,
                                                                  const oci::ImageRef& dest) {
  if (!flags.username.empty()) {
    if (!flags.password_stdin) {
      return util::fail(util::ErrorKind::kInvalidInput, "--username needs --password-stdin");
    }
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) return util::fail(util::ErrorKind::kInvalidInput, "--password-stdin read an empty password");
    return oci::Credentials{flags.username, std::move(password)};
  }
  if (flags.password_stdin) return util::fail(util::ErrorKind::kInvalidInput, "--password-stdin needs --username");
  return oci::credentials_from_auth_files(dest.registry);
}

std::vector<std::string> all_tags(const PushFlags& flags, const oci::ImageRef& dest) {
  std::vector<std::string> tags;
  auto add = [&tags](const std::string& t) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  };
  if (dest.tag) add(*dest.tag);
  for (const auto& t : flags.tags) add(t);
  if (tags.empty() && !dest.digest) add("latest");
  return tags;
}

oci::ProgressStyle progress_style(const PushFlags& flags) {
  if (flags.progress == "bars") return oci::ProgressStyle::kBars;
  if (flags.progress == "lines") return oci::ProgressStyle::kLines;
  if (flags.progress == "none" || flags.json) return oci::ProgressStyle::kQuiet;
  return isatty(STDERR_FILENO) ? oci::ProgressStyle::kBars : oci::ProgressStyle::kLines;
}

std::string human_bytes(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
  return buf;
}

void write_github_output(const oci::PushSummary& s) {
  const char* path = std::getenv("GITHUB_OUTPUT");
  if (path == nullptr || *path == '\0') return;
  std::ofstream out(path, std::ios::app);
  out << "image=" << s.name << (s.tags.empty() ? "" : ":" + s.tags.front()) << '\n'
      << "digest=" << s.digest.str() << '\n'
      << "image-uri=" << s.name << '@' << s.digest.str() << '\n';
}

void print_summary(Context& ctx, const oci::PushSummary& s, bool json) {
  const double rate = s.seconds > 0 ? static_cast<double>(s.bytes_uploaded) / s.seconds : 0;
  if (json) {
    ctx.out << nlohmann::json{{"image", s.name}, {"digest", s.digest.str()},
                              {"image_uri", s.name + "@" + s.digest.str()}, {"media_type", s.media_type},
                              {"tags", s.tags}, {"blobs_uploaded", s.blobs_uploaded},
                              {"blobs_skipped", s.blobs_skipped}, {"blobs_mounted", s.blobs_mounted},
                              {"bytes_uploaded", s.bytes_uploaded},
                              {"bytes_skipped", s.bytes_skipped}, {"seconds", s.seconds},
                              {"bytes_per_second", rate}}.dump() << '\n';
    return;
  }
  char line[160];
  std::snprintf(line, sizeof line, "%zu blob(s) uploaded (%s), %zu skipped (%s) in %.2f s (%.1f MB/s)",
                s.blobs_uploaded, human_bytes(s.bytes_uploaded).c_str(), s.blobs_skipped,
                human_bytes(s.bytes_skipped).c_str(), s.seconds, rate / 1e6);
  ctx.out << "pushed " << s.name << '@' << s.digest.str() << '\n';
  for (const auto& t : s.tags) ctx.out << "tagged " << s.name << ':' << t << '\n';
  ctx.out << line << '\n' << "digest: " << s.digest.str() << '\n';
}

util::Result<oci::PushSummary> run_push(Context& ctx, const PushFlags& flags) {
  auto spec = oci::SourceSpec::parse(flags.source);
  if (!spec) return std::unexpected(spec.error());
  auto dest = oci::ImageRef::parse(flags.destination);
  if (!dest) return std::unexpected(dest.error());
  std::optional<oci::Platform> platform;
  if (!flags.platform.empty()) {
    auto p = oci::Platform::parse(flags.platform);
    if (!p) return std::unexpected(p.error());
    platform = *p;
  }
  for (const auto& t : flags.tags) {
    if (auto ok = oci::parse_tag(t); !ok) return std::unexpected(ok.error());
  }
  if (!flags.mount_from.empty()) {
    auto from = oci::ImageRef::parse(dest->registry + "/" + flags.mount_from);
    if (!from || from->tag || from->digest) {
      return util::fail(util::ErrorKind::kInvalidInput, "--mount-from takes a repository name on the same registry, e.g. team/base");
    }
  }
  if (flags.jobs < 1 || flags.jobs > 32) return util::fail(util::ErrorKind::kInvalidInput, "--jobs must be between 1 and 32");
  auto image = oci::load_image(*spec, platform);
  if (!image) return std::unexpected(image.error().with_context("reading " + flags.source));
  auto credentials = resolve_credentials(flags, *dest);
  if (!credentials) return std::unexpected(credentials.error());

  net::ClientOptions http;
  http.tls_verify = flags.insecure ? net::TlsVerify::kOff : net::TlsVerify::kOn;
  http.ca_file = flags.ca_file;
  http.total_timeout = std::chrono::milliseconds(0);  // big blobs: bounded by low_speed_* instead
  oci::Progress progress(ctx.err, progress_style(flags));
  oci::PushOptions options;
  options.tags = all_tags(flags, *dest);
  options.credentials = std::move(*credentials);
  options.plain_http = flags.insecure ? oci::PlainHttp::kAllow : oci::PlainHttp::kRefuse;
  options.jobs = flags.jobs;
  options.mount_from = flags.mount_from;
  if (flags.chunk_mib > 0) {
    options.policy.chunk_threshold = flags.chunk_mib << 20;
    options.policy.chunk_size = flags.chunk_mib << 20;
  }
  options.make_client = [http] { return net::make_curl_client(http); };
  options.progress = &progress;
  auto summary = oci::push_image(*image, *dest, options);
  if (!summary) return std::unexpected(summary.error().with_context("pushing to " + dest->name()));
  return summary;
}

}  // namespace

CommandSpec push_command() {
  return {"push", "Push an OCI or Docker image archive to a registry (ECR or any), no daemon needed",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<PushFlags>();
            sub.add_option("SOURCE", f->source, "oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REF]")->required();
            sub.add_option("DEST", f->destination, "REGISTRY/REPOSITORY[:TAG]")->required();
            sub.add_option("--tag", f->tags, "Another tag for the image (repeatable)");
            sub.add_flag("--insecure", f->insecure, "Skip TLS verification and allow plain http (test registries only)");
            sub.add_option("--ca-file", f->ca_file, "Extra CA bundle (PEM) to trust for the registry");
            sub.add_option("--username", f->username, "Registry user name (ECR: AWS)");
            sub.add_flag("--password-stdin", f->password_stdin, "Read the password from the first line of stdin");
            sub.add_option("--platform", f->platform, "Push only this platform of a multi-platform index (OS/ARCH[/VARIANT])");
            sub.add_option("--jobs", f->jobs, "Parallel blob uploads")->capture_default_str();
            sub.add_option("--mount-from", f->mount_from, "Mount blobs from this repository of the same registry instead of uploading them");
            sub.add_option("--chunk-size", f->chunk_mib, "Upload blobs larger than this many MiB in chunks of that size (0: one request per blob)");
            sub.add_option("--progress", f->progress, "auto, bars, lines or none")
                ->check(CLI::IsMember({"auto", "bars", "lines", "none"}));
            sub.add_flag("--json", f->json, "Print the summary as JSON");
            sub.callback([&ctx, f] {
              auto summary = run_push(ctx, *f);
              if (!summary) {
                ctx.exit_code = report(ctx, summary.error());
                return;
              }
              print_summary(ctx, *summary, f->json);
              write_github_output(*summary);
              ctx.exit_code = 0;
            });
          }};
}

}  // namespace eem::cli
