#include "bootstrap/github_setup.h"

#include <algorithm>
#include <cctype>

#include "util/strings.h"

namespace eem::bootstrap {

namespace {

using util::ErrorKind;

// "repo:octo@1/app@2" -> ids "1", "2"; "repo:octo/app" -> no ids.
bool ids_from_prefix(const std::string& prefix, SubjectDetection& d) {
  const std::string part = prefix.starts_with("repo:") ? prefix.substr(5) : std::string();
  const auto slash = part.find('/');
  const auto owner_at = part.find('@');
  const auto repo_at = part.find('@', slash == std::string::npos ? part.size() : slash);
  if (slash == std::string::npos || owner_at > slash || repo_at == std::string::npos) return false;
  d.owner_id = part.substr(owner_at + 1, slash - owner_at - 1);
  d.repo_id = part.substr(repo_at + 1);
  return !d.owner_id.empty() && !d.repo_id.empty();
}

// The organization's template applies to a repository that opts out of the
// default without keys of its own; a user's repository has none (404).
util::Result<std::vector<std::string>> org_keys(github::Client& client, std::string_view owner_repo) {
  auto org = client.org_oidc_subject_customization(owner_repo.substr(0, owner_repo.find('/')));
  if (!org && org.error().kind == ErrorKind::kNotFound) return std::vector<std::string>{};
  if (!org) return std::unexpected(org.error());
  return org->include_claim_keys;
}

util::Result<std::vector<std::string>> claim_keys(github::Client& client, std::string_view owner_repo,
                                                   const github::SubjectCustomization& custom) {
  if (custom.use_default) return std::vector<std::string>{};
  auto keys = custom.include_claim_keys.empty() ? org_keys(client, owner_repo) : custom.include_claim_keys;
  if (!keys) return keys;
  // {"repo", "context"} is the default subject spelled out (GitHub docs
  // "Customizing the subject claims for an organization or repository").
  if (*keys == std::vector<std::string>{"repo", "context"}) keys->clear();
  return keys;
}

bool name_chars(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// "repo:OWNER[@ID]/REPO[@ID]" naming `owner_repo` (GitHub compares names
// case-insensitively); anything else (a wildcard, another repository) would
// go into a trust policy as is, so it is refused.
bool prefix_names(std::string_view prefix, std::string_view owner_repo) {
  const auto ids = std::count(prefix.begin(), prefix.end(), '@');
  if (!prefix.starts_with("repo:") || (ids != 0 && ids != 2)) return false;  // ids for both, or neither
  std::string names;
  for (const auto part : util::split(prefix.substr(5), '/')) {
    const auto at = part.find('@');
    const std::string_view name = part.substr(0, at);
    const std::string_view id = at == std::string_view::npos ? std::string_view("0") : part.substr(at + 1);
    if (!name_chars(name) || id.empty() || id.find_first_not_of("0123456789") != std::string_view::npos) return false;
    names += (names.empty() ? "" : "/") + std::string(name);
  }
  return util::iequals(names, owner_repo);
}

// The form of the repository in the subjects, from what GitHub said.
util::Result<SubjectDetection> form_of(github::Client& client, std::string_view owner_repo,
                                       const github::SubjectCustomization& custom) {
  if (!custom.sub_claim_prefix.empty()) {
    if (!prefix_names(custom.sub_claim_prefix, owner_repo)) {
      return util::fail(ErrorKind::kTransient, "GitHub's sub_claim_prefix \"" + custom.sub_claim_prefix +
                                                   "\" is not repo:OWNER[@ID]/REPO[@ID] for " + std::string(owner_repo));
    }
    SubjectDetection d;
    d.sub_claim_prefix = custom.sub_claim_prefix;
    d.style = ids_from_prefix(custom.sub_claim_prefix, d) ? iam::SubjectStyle::kImmutable : iam::SubjectStyle::kName;
    d.reason = "GitHub's sub_claim_prefix \"" + custom.sub_claim_prefix + "\"";
    return d;
  }
  auto d = repository_ids(client, owner_repo);
  if (!d) return d;
  if (custom.use_immutable_subject.value_or(false)) {
    d->style = iam::SubjectStyle::kImmutable;
    d->reason = "GitHub's use_immutable_subject: true";
    return d;
  }
  d->reason = "GitHub sent no sub_claim_prefix; " + d->reason;
  d->guessed = true;
  return d;
}

std::string joined(const std::vector<std::string>& values) {
  std::string text;
  for (const auto& value : values) text += (text.empty() ? "" : ", ") + value;
  return text;
}

}  // namespace

util::Result<SubjectDetection> repository_ids(github::Client& client, std::string_view owner_repo) {
  auto info = client.repository(owner_repo);
  if (!info) return std::unexpected(info.error().with_context("looking up the ids of " + std::string(owner_repo)));
  SubjectDetection detection;
  detection.owner_id = info->owner_id;
  detection.repo_id = info->repo_id;
  const bool immutable = info->created_at >= kImmutableSubjectsSince;
  detection.style = immutable ? iam::SubjectStyle::kImmutable : iam::SubjectStyle::kName;
  detection.reason = "repository created " + (info->created_at.empty() ? "(date unknown)" : info->created_at.substr(0, 10)) +
                     (immutable ? ", on or after " : ", before ") + std::string(kImmutableSubjectsSince);
  return detection;
}

util::Result<SubjectDetection> detect_subject(github::Client& client, std::string_view owner_repo) {
  const std::string context = "detecting the OIDC subject format of " + std::string(owner_repo);
  auto custom = client.oidc_subject_customization(owner_repo);
  if (!custom) {
    const ErrorKind kind = custom.error().kind;
    if (kind != ErrorKind::kNotFound && kind != ErrorKind::kDenied) return std::unexpected(custom.error().with_context(context));
    // Reading the template needs more than reading the repository (GitHub
    // docs: repo scope, or organization administration read); the creation
    // date is all that is left. When even that fails, the first refusal says why.
    auto guess = repository_ids(client, owner_repo);
    if (!guess) return std::unexpected(custom.error().with_context(context));
    guess->reason = custom.error().message + "; " + guess->reason;
    guess->guessed = true;
    return guess;
  }
  auto keys = claim_keys(client, owner_repo, *custom);
  if (!keys) return std::unexpected(keys.error().with_context(context));
  auto form = form_of(client, owner_repo, *custom);
  if (!form) return std::unexpected(form.error().with_context(context));
  form->claim_keys = std::move(*keys);
  if (!form->claim_keys.empty()) form->reason += "; subject template: " + joined(form->claim_keys);
  return form;
}

std::string subject_check_command(std::string_view owner_repo) {
  return "gh api repos/" + std::string(owner_repo) + "/actions/oidc/customization/sub";
}

util::Result<void> store_role_secret(github::Client& client, std::string_view owner_repo, std::string_view role_arn) {
  const std::string context = "storing the " + std::string(kRoleSecretName) + " secret of " + std::string(owner_repo);
  auto key = client.actions_public_key(owner_repo);
  if (!key) return std::unexpected(key.error().with_context(context));
  auto stored = client.put_actions_secret(owner_repo, kRoleSecretName, *key, role_arn);
  if (!stored) return std::unexpected(stored.error().with_context(context));
  return {};
}

std::string gh_secret_command(std::string_view owner_repo, std::string_view role_arn) {
  return "gh secret set " + std::string(kRoleSecretName) + " --repo " + std::string(owner_repo) + " --body " +
         std::string(role_arn);
}

}  // namespace eem::bootstrap
