#include "iam/trust_builder.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "iam/arn.h"

namespace eem::iam {
namespace {

using util::ErrorKind;

constexpr const char* kProviderHost = "token.actions.githubusercontent.com";

// GitHub encodes ':' inside sub values as %3A (DESIGN.md section 3).
std::string encode(const std::string& value) {
  std::string out;
  for (char c : value) out += c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

util::Result<std::string> subject_repo(const TrustRequest& r) {
  const auto slash = r.repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == r.repository.size() ||
      r.repository.find_first_of("*?:", 0) != std::string::npos) {
    return util::fail(ErrorKind::kInvalidInput, "repository \"" + r.repository + "\" is not OWNER/REPO (no wildcards)");
  }
  if (r.style == SubjectStyle::kName) return r.repository;
  if (r.owner_id.empty() || r.repo_id.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "immutable subjects need the owner id and the repository id");
  }
  return r.repository.substr(0, slash) + "@" + r.owner_id + "/" + r.repository.substr(slash + 1) + "@" + r.repo_id;
}

}  // namespace

util::Result<std::string> build_trust_policy(const TrustRequest& r) {
  if (!is_account_id(r.account_id)) {
    return util::fail(ErrorKind::kInvalidInput, "account id \"" + r.account_id + "\" is not 12 digits");
  }
  auto repo = subject_repo(r);
  if (!repo) return std::unexpected(repo.error());
  const std::string prefix = "repo:" + *repo + ":";
  std::vector<std::string> subs;
  for (const auto& e : r.environments) subs.push_back(prefix + "environment:" + encode(e));
  if (r.pull_requests == PullRequests::kAllow) subs.push_back(prefix + "pull_request");
  for (const auto& b : r.branches) subs.push_back(prefix + "ref:refs/heads/" + encode(b));
  for (const auto& t : r.tags) subs.push_back(prefix + "ref:refs/tags/" + encode(t));
  if (subs.empty()) return util::fail(ErrorKind::kInvalidInput, "nothing to admit: give at least one branch, tag, environment or pull requests");
  // StringEquals unless a value needs a wildcard: exact matching is the narrowest.
  const bool wildcard = std::any_of(subs.begin(), subs.end(), [](const std::string& s) { return s.find_first_of("*?") != std::string::npos; });
  const std::string audience = !r.audience.empty() ? r.audience : r.partition == "aws-cn" ? "sts.amazonaws.com.cn" : "sts.amazonaws.com";
  const std::string key_prefix = std::string(kProviderHost) + ":";
  nlohmann::ordered_json condition;
  condition["StringEquals"][key_prefix + "aud"] = audience;
  nlohmann::ordered_json sub_values = subs.size() == 1 ? nlohmann::ordered_json(subs.front()) : nlohmann::ordered_json(subs);
  if (wildcard) {
    condition["StringLike"][key_prefix + "sub"] = sub_values;
  } else {
    condition["StringEquals"][key_prefix + "sub"] = sub_values;
  }
  nlohmann::ordered_json statement;
  statement["Effect"] = "Allow";
  statement["Principal"]["Federated"] = "arn:" + r.partition + ":iam::" + r.account_id + ":oidc-provider/" + kProviderHost;
  statement["Action"] = "sts:AssumeRoleWithWebIdentity";
  statement["Condition"] = condition;
  nlohmann::ordered_json policy;
  policy["Version"] = "2012-10-17";
  policy["Statement"] = nlohmann::ordered_json::array({statement});
  return policy.dump(2) + "\n";
}

}  // namespace eem::iam
