#include "cli/subject_flags.h"

#include "cli/registry_flags.h"

namespace eem::cli {

namespace {

using util::ErrorKind;

bool digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

void deprecated(Context& ctx, const std::string& old, const std::string& now) {
  ctx.err << "shipctl: warning: " << old << " is deprecated; use " << now << '\n';
}

iam::SubjectStyle style_of(const std::string& format) {
  if (format == "immutable") return iam::SubjectStyle::kImmutable;
  if (format == "both") return iam::SubjectStyle::kBoth;
  return iam::SubjectStyle::kName;
}

std::unique_ptr<github::Client> client_for(net::HttpClient& http, const util::EnvLookup& env) {
  const std::string token = env("GITHUB_TOKEN").value_or("");
  if (token.empty()) return nullptr;
  return std::make_unique<github::Client>(http, github::api_url(env), token);
}

// --subject-format name|immutable|both: as told; ids from the flags, else GitHub.
util::Result<bootstrap::SubjectDetection> as_given(const SubjectFlags& flags, const std::string& owner_repo,
                                                   github::Client* gh) {
  bootstrap::SubjectDetection chosen;
  chosen.style = style_of(flags.format);
  chosen.reason = "--subject-format " + flags.format;
  chosen.owner_id = flags.owner_id;
  chosen.repo_id = flags.repo_id;
  if (chosen.style == iam::SubjectStyle::kName || !chosen.owner_id.empty()) return chosen;
  if (gh == nullptr) {
    return util::fail(ErrorKind::kInvalidInput, "--subject-format " + flags.format +
                                                    " needs --owner-id and --repo-id (or GITHUB_TOKEN to look them up)");
  }
  auto ids = bootstrap::repository_ids(*gh, owner_repo);
  if (!ids) return std::unexpected(ids.error());
  chosen.owner_id = ids->owner_id;
  chosen.repo_id = ids->repo_id;
  return chosen;
}

}  // namespace

void add_subject_flags(CLI::App& sub, SubjectFlags& flags, FormatSet set) {
  const bool all = set == FormatSet::kAll;
  sub.add_option("--subject-format", flags.format,
                 all ? "OIDC subject format: name (repo:OWNER/REPO:...), immutable (repo:OWNER@ID/REPO@ID:...), both "
                       "(admit both while migrating) or auto (ask GitHub with GITHUB_TOKEN; without one, name, with a warning)"
                     : "OIDC subject format: name (repo:OWNER/REPO:...), immutable (repo:OWNER@ID/REPO@ID:...) or auto "
                       "(ask GitHub with GITHUB_TOKEN; without one, name, with a warning)")
      ->check(all ? CLI::IsMember({"name", "immutable", "both", "auto"}) : CLI::IsMember({"name", "immutable", "auto"}))
      ->capture_default_str();
  sub.add_option("--owner-id", flags.owner_id, "GitHub owner id (immutable subjects; default: asked of GitHub)");
  sub.add_option("--repo-id", flags.repo_id, "GitHub repository id (immutable subjects; default: asked of GitHub)");
  sub.add_option("--repository-id", flags.repository_id)->group("");   // deprecated: --repo-id
  sub.add_flag("--immutable-subjects", flags.immutable_flag)->group("");  // deprecated: --subject-format immutable
}

util::Result<void> finish_subject_flags(Context& ctx, SubjectFlags& flags) {
  if (flags.immutable_flag) {
    deprecated(ctx, "--immutable-subjects", "--subject-format immutable");
    flags.format = "immutable";
  }
  if (!flags.immutable_answer.empty()) {
    const std::string now = flags.immutable_answer == "yes" ? "immutable" : flags.immutable_answer == "no" ? "name" : "auto";
    deprecated(ctx, "--immutable-subjects " + flags.immutable_answer, "--subject-format " + now);
    flags.format = now;
  }
  if (!flags.repository_id.empty()) {
    deprecated(ctx, "--repository-id", "--repo-id");
    if (flags.repo_id.empty()) flags.repo_id = flags.repository_id;
  }
  if ((!flags.owner_id.empty() && !digits(flags.owner_id)) || (!flags.repo_id.empty() && !digits(flags.repo_id))) {
    return util::fail(ErrorKind::kInvalidInput, "--owner-id and --repo-id are GitHub's numeric ids (e.g. --owner-id 9919)");
  }
  if (flags.owner_id.empty() != flags.repo_id.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "--owner-id and --repo-id go together");
  }
  return {};
}

util::Result<bootstrap::SubjectDetection> resolve_subject(const SubjectFlags& flags, const std::string& owner_repo,
                                                          net::HttpClient& http, const util::EnvLookup& env) {
  auto gh = client_for(http, env);
  if (flags.format != "auto") return as_given(flags, owner_repo, gh.get());
  if (gh) {
    auto detected = bootstrap::detect_subject(*gh, owner_repo);
    if (detected && !flags.owner_id.empty()) {
      detected->owner_id = flags.owner_id;
      detected->repo_id = flags.repo_id;
    }
    return detected;
  }
  bootstrap::SubjectDetection guess;
  guess.reason = "no GITHUB_TOKEN to ask GitHub";
  guess.guessed = true;
  guess.owner_id = flags.owner_id;
  guess.repo_id = flags.repo_id;
  return guess;
}

void add_github_repo_flag(CLI::App& sub, GithubRepoFlag& flag, const std::string& help) {
  sub.add_option("--github-repo", flag.value, help);
  sub.add_option("--repository", flag.deprecated)->group("");  // deprecated: --github-repo
}

util::Result<std::string> finish_github_repo_flag(Context& ctx, const GithubRepoFlag& flag) {
  if (flag.deprecated.empty()) return flag.value;
  if (!flag.value.empty()) {
    return util::fail(ErrorKind::kInvalidInput,
                      "give GitHub's OWNER/REPO once, as --github-repo (--repository is its old spelling)");
  }
  deprecated(ctx, "--repository OWNER/REPO", "--github-repo OWNER/REPO");
  return flag.deprecated;
}

std::unique_ptr<net::HttpClient> github_http(Context& ctx) {
  net::ClientOptions options;
  options.trace = trace_sink(ctx);
  return net::make_curl_client(std::move(options));
}

void warn_if_guessed(Context& ctx, const bootstrap::SubjectDetection& detection, const std::string& owner_repo) {
  if (!detection.guessed) return;
  ctx.err << "shipctl: warning: the OIDC subject format of " << owner_repo << " is a guess: " << style_name(detection.style)
          << " form (" << detection.reason << "); check it with `" << bootstrap::subject_check_command(owner_repo)
          << "` (its sub_claim_prefix) and pass --subject-format name, immutable or both\n";
}

std::string style_name(iam::SubjectStyle style) {
  switch (style) {
    case iam::SubjectStyle::kName: return "name";
    case iam::SubjectStyle::kImmutable: return "immutable";
    case iam::SubjectStyle::kBoth: return "both";
  }
  return "name";
}

}  // namespace eem::cli
