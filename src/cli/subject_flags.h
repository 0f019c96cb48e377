#pragma once
// The one spelling of the OIDC subject format in every command that takes
// it (bootstrap, policy trust, policy lint, oidc subject, doctor, audit):
//   --subject-format name|immutable|both|auto   (auto: ask GitHub; default)
//   --owner-id N --repo-id N                    (immutable subjects' ids)
// The older spellings --immutable-subjects and --repository-id are hidden
// aliases that print one deprecation warning each (decided in issue 18:
// kept so scripts keep working for a release; gone from help and docs).

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "bootstrap/github_setup.h"
#include "cli/command.h"
#include "net/http_client.h"
#include "util/env.h"

namespace eem::cli {

struct SubjectFlags {
  std::string format = "auto";
  std::string owner_id;
  std::string repo_id;
  // Deprecated spellings, folded in by apply_deprecated.
  bool immutable_flag = false;     // --immutable-subjects (flag)
  std::string immutable_answer;    // --immutable-subjects yes|no|unknown (policy lint)
  std::string repository_id;       // --repository-id
};

// What a command accepts: the full set, or one subject per run (doctor,
// which predicts the token of one run: "both" makes no sense there).
enum class FormatSet { kAll, kOneForm };

// Adds --subject-format, --owner-id, --repo-id and the hidden deprecated
// aliases (--immutable-subjects, --repository-id) to `sub`. (policy lint,
// which reads a file and has no ids, adds its own --subject-format.)
void add_subject_flags(CLI::App& sub, SubjectFlags& flags, FormatSet set);

// Folds deprecated spellings into `flags`, one warning line each on ctx.err,
// and checks the ids (decimal, both or neither).
util::Result<void> finish_subject_flags(Context& ctx, SubjectFlags& flags);

// The subject format for `owner_repo`: as given; for auto, GitHub's answer
// with GITHUB_TOKEN (through `http`), else the name form marked guessed.
// Immutable and both need ids: the flags, else GitHub, else kInvalidInput.
util::Result<bootstrap::SubjectDetection> resolve_subject(const SubjectFlags& flags, const std::string& owner_repo,
                                                          net::HttpClient& http, const util::EnvLookup& env);

// GitHub's OWNER/REPO is --github-repo in every command. policy trust and
// oidc subject once spelled it --repository, which elsewhere names the ECR
// repository: that spelling stays as a hidden alias with one deprecation line.
struct GithubRepoFlag {
  std::string value;
  std::string deprecated;  // --repository
};

void add_github_repo_flag(CLI::App& sub, GithubRepoFlag& flag, const std::string& help);

// The repository given (empty when neither spelling was), after the
// deprecation line; kInvalidInput when both spellings are given.
util::Result<std::string> finish_github_repo_flag(Context& ctx, const GithubRepoFlag& flag);

// A curl client for GitHub API calls, traced like every other with --debug.
std::unique_ptr<net::HttpClient> github_http(Context& ctx);

// One warning line when `detection` is a guess: it names the command that
// shows the real format.
void warn_if_guessed(Context& ctx, const bootstrap::SubjectDetection& detection, const std::string& owner_repo);

// "name", "immutable" or "both".
std::string style_name(iam::SubjectStyle style);

}  // namespace eem::cli
