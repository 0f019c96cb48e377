#include "oidc/github_subject.h"

#include <tuple>

#include "util/strings.h"

namespace eem::oidc {
namespace {

using util::ErrorKind;

util::Result<std::string> repo_part(const RunFacts& facts) {
  const auto slash = facts.repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == facts.repository.size() ||
      facts.repository.find('/', slash + 1) != std::string::npos) {
    return util::fail(ErrorKind::kInvalidInput, "repository \"" + facts.repository + "\" is not OWNER/REPO");
  }
  if (facts.format == SubjectFormat::kName) return facts.repository;
  if (facts.owner_id.empty() || facts.repo_id.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "the immutable subject format needs the owner id and the repository id");
  }
  return facts.repository.substr(0, slash) + "@" + facts.owner_id + "/" + facts.repository.substr(slash + 1) + "@" + facts.repo_id;
}

// "octo@1001" -> ("octo", "1001"); "octo" -> ("octo", "").
std::pair<std::string, std::string> split_id(std::string_view part) {
  const auto at = part.find('@');
  if (at == std::string_view::npos) return {std::string(part), ""};
  return {std::string(part.substr(0, at)), std::string(part.substr(at + 1))};
}

void classify(GithubSubject& out) {
  const auto& pairs = out.pairs;
  if (pairs.size() == 1 && pairs[0].first == "pull_request" && pairs[0].second.empty()) {
    out.context = SubjectContext::kPullRequest;
  } else if (pairs.size() == 1 && pairs[0].first == "environment") {
    out.context = SubjectContext::kEnvironment;
    out.value = pairs[0].second;
  } else if (pairs.size() == 1 && pairs[0].first == "ref") {
    const std::string& ref = pairs[0].second;
    if (ref.starts_with("refs/heads/")) {
      out.context = SubjectContext::kBranch;
      out.value = ref.substr(11);
    } else if (ref.starts_with("refs/tags/")) {
      out.context = SubjectContext::kTag;
      out.value = ref.substr(10);
    } else {
      out.context = SubjectContext::kOtherRef;
      out.value = ref;
    }
  } else {
    out.context = SubjectContext::kCustom;
  }
}

}  // namespace

std::string encode_subject_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == ':') {
      out += "%3A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string decode_subject_value(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value.substr(i, 3) == "%3A" || value.substr(i, 3) == "%3a") {
      out += ':';
      i += 2;
    } else {
      out += value[i];
    }
  }
  return out;
}

util::Result<std::string> subject_context(const RunFacts& facts) {
  if (!facts.environment.empty()) return "environment:" + encode_subject_value(facts.environment);
  if (facts.event_name == "pull_request") return std::string("pull_request");
  if (facts.ref.empty()) return util::fail(ErrorKind::kInvalidInput, "a run that is not a pull request needs a ref (refs/heads/... or refs/tags/...)");
  return "ref:" + encode_subject_value(facts.ref);
}

util::Result<std::string> build_subject(const RunFacts& facts) {
  auto repo = repo_part(facts);
  if (!repo) return std::unexpected(repo.error());
  auto context = subject_context(facts);
  if (!context) return std::unexpected(context.error());
  return "repo:" + *repo + ":" + *context;
}

util::Result<GithubSubject> parse_subject(std::string_view sub) {
  const auto fields = util::split(sub, ':');
  if (fields.size() < 3 || fields[0] != "repo") {
    return util::fail(ErrorKind::kInvalidInput, "sub \"" + std::string(sub) + "\" does not start with repo:OWNER/REPO:");
  }
  const auto slash = fields[1].find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == fields[1].size()) {
    return util::fail(ErrorKind::kInvalidInput, "sub \"" + std::string(sub) + "\" names no OWNER/REPO");
  }
  GithubSubject out;
  std::tie(out.owner, out.owner_id) = split_id(fields[1].substr(0, slash));
  std::tie(out.repo, out.repo_id) = split_id(fields[1].substr(slash + 1));
  if (out.owner_id.empty() != out.repo_id.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "sub \"" + std::string(sub) + "\" has an id for only one of owner and repository");
  }
  for (std::size_t i = 2; i < fields.size(); ++i) {
    const std::string key(fields[i]);
    if (key == "pull_request") {
      out.pairs.emplace_back(key, "");
      continue;
    }
    if (i + 1 >= fields.size()) {
      return util::fail(ErrorKind::kInvalidInput, "sub \"" + std::string(sub) + "\" ends with key \"" + key + "\" without a value");
    }
    out.pairs.emplace_back(key, decode_subject_value(fields[++i]));
  }
  classify(out);
  return out;
}

std::vector<std::pair<std::string, std::string>> condition_keys(std::string_view issuer, const std::string& sub,
                                                                 const std::vector<std::string>& aud,
                                                                 const std::vector<std::pair<std::string, std::string>>& claims) {
  // IAM names OIDC keys after the provider URL without its scheme
  // ("Available keys for AWS OIDC federation").
  std::string_view host = issuer;
  if (const auto scheme = host.find("://"); scheme != std::string_view::npos) host.remove_prefix(scheme + 3);
  while (host.ends_with("/")) host.remove_suffix(1);
  const std::string prefix = std::string(host) + ":";
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back(prefix + "sub", sub);
  for (const auto& a : aud) out.emplace_back(prefix + "aud", a);
  static constexpr std::string_view kExtra[] = {"repository", "repository_id", "job_workflow_ref", "workflow", "ref",
                                                "environment", "actor", "actor_id", "enterprise_id"};
  for (const auto& [name, value] : claims) {
    for (const auto extra : kExtra) {
      if (name == extra) out.emplace_back(prefix + name, value);
    }
  }
  return out;
}

}  // namespace eem::oidc
