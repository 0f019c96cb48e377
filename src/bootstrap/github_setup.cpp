#include "bootstrap/github_setup.h"

namespace eem::bootstrap {

namespace {

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
  if (!custom) return std::unexpected(custom.error().with_context(context));
  // {"repo", "context"} is the default subject spelled out (GitHub docs
  // "Customizing the subject claims for an organization or repository").
  const bool default_keys = custom->include_claim_keys == std::vector<std::string>{"repo", "context"};
  if (!custom->use_default && !default_keys) {
    return util::fail(util::ErrorKind::kUnsupported,
                      context + ": the repository customises its subject (include_claim_keys: " +
                          joined(custom->include_claim_keys) +
                          "); bootstrap writes trust policies for the default subject only: pass --subject-format name "
                          "or immutable after resetting it (use_default: true)");
  }
  return repository_ids(client, owner_repo);
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
