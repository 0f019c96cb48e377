// The causes of a refused GitHub Actions token that src/iam/hints.cpp does
// not name, and the corrected trust policy (DESIGN.md section 3).

#include <algorithm>

#include "doctor/trust_detail.h"
#include "iam/trust_builder.h"
#include "oidc/github_subject.h"
#include "util/strings.h"

namespace eem::doctor {
namespace {

std::string quoted_list(const std::vector<std::string>& values, std::string_view separator) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out.append(separator);
    out.append("\"").append(v).append("\"");
  }
  return out;
}

bool repo_has_ids(std::string_view sub) {
  const auto end = sub.find(':', 5);
  return sub.starts_with("repo:") && sub.substr(0, end).find('@') != std::string_view::npos;
}

// Checked before src/iam/hints.cpp, which would call it another repository.
std::string immutable_expected_cause(const iam::ConditionExplanation& c) {
  const auto& expected = c.expected;
  const bool expects_ids = std::any_of(expected.begin(), expected.end(), [](const std::string& e) { return repo_has_ids(e); });
  if (!expects_ids || c.actual.size() != 1 || repo_has_ids(c.actual.front())) return {};
  return "the condition expects the immutable subject form repo:OWNER@OWNER_ID/REPO@REPO_ID, but the token's sub \"" +
         c.actual.front() + "\" is name-only; match the subject format the repository really uses (--subject-format)";
}

std::string sub_cause(const std::string& actual) {
  const auto parsed = oidc::parse_subject(actual);
  if (parsed && parsed->context == oidc::SubjectContext::kCustom) {
    return "the organisation or repository customises the subject (include_claim_keys), so the token's sub is \"" +
           actual + "\"; write the condition in that format";
  }
  std::string what = "this run's ref, event or environment";
  if (parsed && parsed->context == oidc::SubjectContext::kBranch) what = "the run's branch \"" + parsed->value + "\"";
  if (parsed && parsed->context == oidc::SubjectContext::kTag) what = "the run's tag \"" + parsed->value + "\"";
  return "the token's sub \"" + actual + "\" is none of the admitted values: " + what + " is not admitted";
}

// Adds what `subject` admits to `request`; false for a context the builder
// cannot express (another kind of ref, a customised subject).
bool add_context(const oidc::GithubSubject& subject, iam::TrustRequest& request) {
  const auto add = [](std::vector<std::string>& to, const std::string& value) {
    if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
  };
  switch (subject.context) {
    case oidc::SubjectContext::kEnvironment: add(request.environments, subject.value); return true;
    case oidc::SubjectContext::kPullRequest: request.pull_requests = iam::PullRequests::kAllow; return true;
    case oidc::SubjectContext::kBranch: add(request.branches, subject.value); return true;
    case oidc::SubjectContext::kTag: add(request.tags, subject.value); return true;
    default: return false;
  }
}

}  // namespace

void append_condition_evidence(const iam::ConditionExplanation& c, std::vector<std::string>& evidence) {
  evidence.push_back(c.op + " " + c.key + " failed at " + c.path);
  evidence.push_back("expected: " + quoted_list(c.expected, " or "));
  evidence.push_back(c.key_present ? "actual:   " + quoted_list(c.actual, ", ")
                                   : std::string("actual:   (absent: the token has no such claim)"));
}

std::string cause_of(const iam::ConditionExplanation& c, const TokenClaims&) {
  const std::string key = util::to_lower(c.key);
  if (key.ends_with(":sub")) {
    if (auto cause = immutable_expected_cause(c); !cause.empty()) return cause;
  }
  if (!c.likely_cause.empty()) return c.likely_cause;
  if (key.ends_with(":sub") && c.actual.size() == 1) return sub_cause(c.actual.front());
  if (key.ends_with(":aud") && std::find(c.actual.begin(), c.actual.end(), kStsAudience) != c.actual.end()) {
    return "the condition expects audience " + quoted_list(c.expected, " or ") +
           ", but tokens for AWS carry aud \"sts.amazonaws.com\"; put sts.amazonaws.com in the condition";
  }
  return "the token's " + c.key + " " + quoted_list(c.actual, ", ") + " matches none of the condition's values";
}

CorrectedPolicy corrected_policy(const TokenClaims& claims, std::string_view account_id,
                                 const std::vector<std::string>& admitted) {
  const auto subject = oidc::parse_subject(claims.sub);
  if (!subject) return {};
  iam::TrustRequest request;
  request.account_id = std::string(account_id);
  request.repository = subject->repository();
  request.owner_id = subject->owner_id;
  request.repo_id = subject->repo_id;
  request.style = subject->format() == oidc::SubjectFormat::kImmutable ? iam::SubjectStyle::kImmutable
                                                                         : iam::SubjectStyle::kName;
  request.audience = std::string(kStsAudience);
  CorrectedPolicy out;
  // What already deploys keeps deploying: a correction that admitted only
  // this run would lock out the branch the policy was written for.
  for (const auto& value : admitted) {
    const auto other = oidc::parse_subject(value);
    if (!other || other->repository() != subject->repository() || other->owner_id != subject->owner_id ||
        other->repo_id != subject->repo_id) {
      continue;
    }
    if (add_context(*other, request)) ++out.kept;
  }
  if (!add_context(*subject, request)) return {};
  auto policy = iam::build_trust_policy(request);
  if (!policy) return {};
  out.json = std::move(*policy);
  return out;
}

}  // namespace eem::doctor
