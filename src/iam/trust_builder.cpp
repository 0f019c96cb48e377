#include "iam/trust_builder.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "iam/arn.h"

namespace eem::iam {
namespace {

using util::ErrorKind;

constexpr const char* kProviderHost = "token.actions.githubusercontent.com";
constexpr const char* kWorkflowDir = ".github/workflows/";

// GitHub encodes ':' inside sub values as %3A (DESIGN.md section 3).
std::string encode(const std::string& value) {
  std::string out;
  for (char c : value) out += c == ':' ? std::string("%3A") : std::string(1, c);
  return out;
}

bool has_wildcard(const std::string& s) { return s.find_first_of("*?") != std::string::npos; }

// The run contexts the policy admits; an environment's ref is "*" (its
// jobs run on any ref).
std::vector<RunContext> run_contexts(const TrustRequest& r) {
  std::vector<RunContext> out;
  for (const auto& e : r.environments) out.push_back({"environment:" + encode(e), "*"});
  // A pull request's ref is refs/pull/NUMBER/merge (GitHub docs, "Events that trigger workflows").
  if (r.pull_requests == PullRequests::kAllow) out.push_back({"pull_request", "refs/pull/*/merge"});
  for (const auto& b : r.branches) out.push_back({"ref:refs/heads/" + encode(b), "refs/heads/" + b});
  for (const auto& t : r.tags) out.push_back({"ref:refs/tags/" + encode(t), "refs/tags/" + t});
  return out;
}

util::Result<std::string> immutable_repo(const TrustRequest& r) {
  if (r.sub_claim_prefix.find('@') != std::string::npos) return r.sub_claim_prefix.substr(5);
  if (r.owner_id.empty() || r.repo_id.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "immutable subjects need the owner id and the repository id");
  }
  const auto slash = r.repository.find('/');
  return r.repository.substr(0, slash) + "@" + r.owner_id + "/" + r.repository.substr(slash + 1) + "@" + r.repo_id;
}

// The repository as the subjects spell it: one form, or both for kBoth.
util::Result<std::vector<std::string>> subject_repos(const TrustRequest& r) {
  const auto slash = r.repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == r.repository.size() ||
      r.repository.find_first_of("*?:", 0) != std::string::npos) {
    return util::fail(ErrorKind::kInvalidInput, "repository \"" + r.repository + "\" is not OWNER/REPO (no wildcards)");
  }
  if (!r.sub_claim_prefix.empty() && !r.sub_claim_prefix.starts_with("repo:")) {
    return util::fail(ErrorKind::kInvalidInput, "sub_claim_prefix \"" + r.sub_claim_prefix + "\" does not start with repo:");
  }
  if (r.style == SubjectStyle::kName) return std::vector<std::string>{r.repository};
  auto immutable = immutable_repo(r);
  if (!immutable) return std::unexpected(immutable.error());
  if (r.style == SubjectStyle::kImmutable) return std::vector<std::string>{*immutable};
  return std::vector<std::string>{r.repository, *immutable};
}

bool default_template(const std::vector<std::string>& keys) {
  return keys.empty() || keys == std::vector<std::string>{"repo", "context"};
}

util::Result<std::string> numeric_claim(const std::string& key, const std::string& id) {
  if (id.empty()) return util::fail(ErrorKind::kInvalidInput, "the subject template's key " + key + " needs the ids (--owner-id, --repo-id)");
  return key + ":" + id;
}

// One key of a customised template as GitHub writes it into the sub:
// "key:value" ("context" stands for the default subject's context part).
// GitHub docs, "Customizing the subject claims": with {"repo", "context",
// "job_workflow_ref"} the sub is repo:ORG/REPO:environment:NAME:job_workflow_ref:PATH@REF.
util::Result<std::string> template_part(const std::string& key, const TrustRequest& r, const RunContext& c,
                                        const std::string& repo) {
  const std::string owner = r.repository.substr(0, r.repository.find('/'));
  if (key == "repo") return "repo:" + repo;
  if (key == "context") return c.text;
  if (key == "repository") return "repository:" + r.repository;
  if (key == "repository_owner") return "repository_owner:" + owner;
  if (key == "repository_id") return numeric_claim(key, r.repo_id);
  if (key == "repository_owner_id") return numeric_claim(key, r.owner_id);
  if (key == "job_workflow_ref" && r.workflow.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "the repository's subject template includes job_workflow_ref: pass --workflow PATH");
  }
  if ((key == "ref" || key == "job_workflow_ref") && c.ref.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "the repository's subject template includes " + key + ": pass --ref REF (the run's ref)");
  }
  if (key == "ref") return "ref:" + encode(c.ref);
  if (key == "job_workflow_ref") {
    return "job_workflow_ref:" + r.repository + "/" + r.workflow + "@" + encode(c.ref);
  }
  return util::fail(ErrorKind::kUnsupported, "the repository's subject template includes \"" + key +
                                                 "\", whose value shipctl cannot know in advance; reset the template "
                                                 "(use_default: true), or write the trust policy's sub condition by hand");
}

util::Result<std::string> subject_for(const TrustRequest& r, const RunContext& c, const std::string& repo) {
  if (default_template(r.claim_keys)) return "repo:" + repo + ":" + c.text;
  std::string sub;
  for (const auto& key : r.claim_keys) {
    auto part = template_part(key, r, c, repo);
    if (!part) return std::unexpected(part.error());
    sub += (sub.empty() ? "" : ":") + *part;
  }
  return sub;
}

// Every admitted run's subjects, the name forms first (kBoth), without repeats.
util::Result<std::vector<std::string>> subjects(const TrustRequest& r) {
  if (auto repos = subject_repos(r); !repos) return std::unexpected(repos.error());
  const auto contexts = run_contexts(r);
  if (contexts.empty()) return util::fail(ErrorKind::kInvalidInput, "nothing to admit: give at least one branch, tag, environment or pull requests");
  std::vector<std::vector<std::string>> per_run;
  for (const auto& c : contexts) {
    auto subs = subjects_of_run(r, c);
    if (!subs) return std::unexpected(subs.error());
    per_run.push_back(std::move(*subs));
  }
  std::vector<std::string> subs;
  for (std::size_t form = 0; form < 2; ++form) {
    for (const auto& run : per_run) {
      if (form < run.size() && std::find(subs.begin(), subs.end(), run[form]) == subs.end()) subs.push_back(run[form]);
    }
  }
  return subs;
}

// StringEquals unless a value needs a wildcard: exact matching is the narrowest.
void add_condition(nlohmann::ordered_json& condition, const std::string& key, const std::vector<std::string>& values) {
  const bool wildcard = std::any_of(values.begin(), values.end(), has_wildcard);
  nlohmann::ordered_json list = values.size() == 1 ? nlohmann::ordered_json(values.front()) : nlohmann::ordered_json(values);
  condition[wildcard ? "StringLike" : "StringEquals"][key] = list;
}

}  // namespace

util::Result<std::vector<std::string>> subjects_of_run(const TrustRequest& r, const RunContext& c) {
  auto repos = subject_repos(r);
  if (!repos) return std::unexpected(repos.error());
  std::vector<std::string> subs;
  for (const auto& repo : *repos) {
    auto sub = subject_for(r, c, repo);
    if (!sub) return std::unexpected(sub.error());
    if (std::find(subs.begin(), subs.end(), *sub) == subs.end()) subs.push_back(*sub);
  }
  return subs;
}

void admit_main_by_default(TrustRequest& request) {
  if (request.branches.empty() && request.tags.empty() && request.environments.empty()) request.branches = {"main"};
}

util::Result<std::string> workflow_path(const std::string& path) {
  const std::string full = path.find('/') == std::string::npos ? kWorkflowDir + path : path;
  const std::string name = full.substr(std::min(full.size(), std::string(kWorkflowDir).size()));
  const bool yaml = name.ends_with(".yml") || name.ends_with(".yaml");
  if (!full.starts_with(kWorkflowDir) || name.find('/') != std::string::npos || !yaml || name.size() < 5 ||
      full.find_first_of("*?:@ ") != std::string::npos) {
    return util::fail(ErrorKind::kInvalidInput,
                      "--workflow \"" + path + "\" is not a workflow file: give .github/workflows/NAME.yml (GitHub runs only those)");
  }
  return full;
}

std::vector<std::string> job_workflow_refs(const TrustRequest& r) {
  std::vector<std::string> out;
  if (r.workflow.empty()) return out;
  for (const auto& c : run_contexts(r)) {
    const std::string value = r.repository + "/" + r.workflow + "@" + c.ref;
    if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

util::Result<std::string> build_trust_policy(const TrustRequest& r) {
  if (!is_account_id(r.account_id)) {
    return util::fail(ErrorKind::kInvalidInput, "account id \"" + r.account_id + "\" is not 12 digits");
  }
  auto subs = subjects(r);
  if (!subs) return std::unexpected(subs.error());
  const std::string audience = !r.audience.empty() ? r.audience : r.partition == "aws-cn" ? "sts.amazonaws.com.cn" : "sts.amazonaws.com";
  const std::string key_prefix = std::string(kProviderHost) + ":";
  nlohmann::ordered_json condition;
  condition["StringEquals"][key_prefix + "aud"] = audience;
  add_condition(condition, key_prefix + "sub", *subs);
  // STS checks job_workflow_ref itself since January 2026 (aws.amazon.com/about-aws/whats-new/2026/01/
  // aws-sts-supports-validation-identity-provider-claims), so no sub template change is needed to pin a workflow.
  if (!r.workflow.empty()) add_condition(condition, key_prefix + "job_workflow_ref", job_workflow_refs(r));
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
