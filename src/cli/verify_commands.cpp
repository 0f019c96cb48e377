// `shipctl verify --repository NAME --tag T [--digest sha256:...]` (seed
// section 5.2, `aws ecr describe-images`, as a check): the tag exists, points
// at the expected digest; shows push time, size and scan status. Exit codes:
// 3 when the repository or tag does not exist, 4 when the digest differs.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/ecr_target.h"
#include "oci/digest.h"
#include "oci/login_record.h"
#include "oci/reference.h"

namespace eem::cli {

namespace {

using util::ErrorKind;
using util::fail;

struct VerifyFlags {
  AwsFlags aws;
  std::string repository;
  std::string tag;
  std::string digest;
  std::string registry_id;
  bool json = false;
};

struct Found {
  aws::Repository repository;
  aws::ImageDetail image;
};

std::string scan_text(const aws::ImageDetail& image) {
  if (image.scan_status.empty()) return "no scan recorded for this image";
  std::string text = image.scan_status;
  if (!image.finding_counts.empty()) {
    text += " (";
    for (std::size_t i = 0; i < image.finding_counts.size(); ++i) {
      text += (i ? ", " : "") + image.finding_counts[i].first + " " + std::to_string(image.finding_counts[i].second);
    }
    text += ")";
  } else if (!image.scan_description.empty()) {
    text += ": " + image.scan_description;
  }
  return text;
}

// "a, b, c" of the tags the repository has (first page), for a missing tag.
std::string tags_there(aws::EcrClient& ecr, const std::string& repository) {
  auto images = ecr.describe_images(repository, {});
  if (!images) return "";
  std::string list;
  for (const auto& image : *images) {
    for (const auto& t : image.tags) list += (list.empty() ? "" : ", ") + t;
  }
  return list.empty() ? "; the repository has no tagged image" : "; tags there: " + list;
}

util::Result<aws::Repository> find_repository(const AwsSession& session, aws::EcrClient& ecr, const VerifyFlags& f) {
  auto repositories = ecr.describe_repositories({f.repository}, f.registry_id);
  if (repositories && !repositories->empty()) return repositories->front();
  if (!repositories && repositories.error().code != "RepositoryNotFoundException") {
    return std::unexpected(repositories.error().to_error());
  }
  std::string registry = f.registry_id;
  if (registry.empty()) registry = caller_account(session).value_or("of this account");
  return fail(ErrorKind::kNotFound, missing_repository_message(f.repository, registry, session.region()));
}

util::Result<Found> find(const AwsSession& session, const VerifyFlags& f) {
  auto ecr = ecr_client(session);
  if (!ecr) return std::unexpected(ecr.error());
  auto repository = find_repository(session, *ecr, f);
  if (!repository) return std::unexpected(repository.error());
  auto images = ecr->describe_images(f.repository, {aws::ImageId{"", f.tag}});
  if (!images && images.error().code != "ImageNotFoundException") return std::unexpected(images.error().to_error());
  if (!images || images->empty()) {
    return fail(ErrorKind::kNotFound, "tag " + f.tag + " not found in " + repository->uri + tags_there(*ecr, f.repository));
  }
  return Found{std::move(*repository), std::move(images->front())};
}

void print(Context& ctx, const VerifyFlags& f, const Found& found, std::string_view result) {
  const auto& image = found.image;
  const std::string pushed = image.pushed_at ? oci::format_utc(*image.pushed_at) : "";
  if (f.json) {
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& [severity, n] : image.finding_counts) counts[severity] = n;
    ctx.out << nlohmann::json{{"image", found.repository.uri + ":" + f.tag}, {"repository", f.repository},
                              {"tag", f.tag}, {"digest", image.digest}, {"expected_digest", f.digest},
                              {"tags", image.tags}, {"pushed_at", pushed}, {"size_bytes", image.size_bytes},
                              {"media_type", image.manifest_media_type},
                              {"scan", {{"status", image.scan_status}, {"description", image.scan_description},
                                        {"finding_counts", counts}}},
                              {"result", result}}.dump()
            << '\n';
    return;
  }
  std::string tags;
  for (const auto& t : image.tags) tags += (tags.empty() ? "" : ", ") + t;
  ctx.out << "image:     " << found.repository.uri << ':' << f.tag << "\ndigest:    " << image.digest
          << "\ntags:      " << tags << "\npushed at: " << (pushed.empty() ? "unknown" : pushed)
          << "\nsize:      " << image.size_bytes << " bytes\nscan:      " << scan_text(image) << '\n';
  if (result == "ok") {
    ctx.out << "ok: " << f.tag << " points at " << image.digest << (f.digest.empty() ? "" : " as expected") << '\n';
  }
}

util::Result<void> verify(Context& ctx, const VerifyFlags& f) {
  if (auto ok = validate_repository_name(f.repository); !ok) return ok;
  if (auto ok = oci::parse_tag(f.tag); !ok) return std::unexpected(ok.error().with_context("--tag"));
  if (!f.digest.empty()) {
    if (auto ok = oci::Digest::parse(f.digest); !ok) return std::unexpected(ok.error().with_context("--digest"));
  }
  auto session = AwsSession::open(ctx, f.aws, kDefaultEcrRegion);
  if (!session) return std::unexpected(session.error());
  auto found = find(*session, f);
  if (!found) return std::unexpected(found.error());
  const bool matches = f.digest.empty() || found->image.digest == f.digest;
  print(ctx, f, *found, matches ? "ok" : "mismatch");
  if (!matches) {
    return fail(ErrorKind::kConflict, "tag " + f.tag + " of " + found->repository.uri + " points at " +
                                          found->image.digest + ", expected " + f.digest);
  }
  return {};
}

}  // namespace

CommandSpec verify_command() {
  return {"verify", "Check that an image tag is in ECR (and at the expected digest): push time, size, scan status",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<VerifyFlags>();
            sub.footer(
                "Examples:\n"
                "  shipctl verify --repository ecs-express-mode-api --tag \"$GITHUB_SHA\"\n"
                "  shipctl verify --repository ecs-express-mode-api --tag latest --digest sha256:ab12...\n"
                "Exit codes: 0 ok, 2 bad input, 3 repository or tag not found, 4 digest differs,\n"
                "75 network, 77 denied or expired credentials.");
            add_aws_flags(sub, f->aws, "default: ap-northeast-1");
            sub.add_option("--repository", f->repository, "ECR repository name (not the URI)")->required();
            sub.add_option("--tag", f->tag, "Image tag to check")->required();
            sub.add_option("--digest", f->digest, "Expected manifest digest (sha256:...), e.g. push's digest output");
            sub.add_option("--registry-id", f->registry_id, "Account id of the registry (default: the caller's account)");
            sub.add_flag("--json", f->json, "Print the result as JSON");
            sub.callback([&ctx, f] {
              auto done = verify(ctx, *f);
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
