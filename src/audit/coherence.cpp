// Judging predicted runs against the trust policy. The request is the one
// STS evaluates for AssumeRoleWithWebIdentity (DESIGN.md section 2): the
// provider as principal, the token's claims as condition keys
// (oidc::condition_keys), aud sts.amazonaws.com.
#include "audit/coherence.h"

#include <algorithm>

#include "audit/collector.h"
#include "audit/filter_pattern.h"
#include "iam/evaluator.h"
#include "iam/policy_parser.h"
#include "util/strings.h"

namespace eem::audit {

namespace {

constexpr std::string_view kIssuer = "https://token.actions.githubusercontent.com";
constexpr std::string_view kAudience = "sts.amazonaws.com";

// OWNER/REPO/.github/workflows/FILE@REF, the job_workflow_ref claim.
std::string workflow_ref(const Prediction& run, std::string_view repository) {
  const auto slash = run.job_file.rfind('/');
  const std::string file = slash == std::string::npos ? run.job_file : run.job_file.substr(slash + 1);
  return std::string(repository) + "/.github/workflows/" + file + "@" + run.ref;
}

iam::RequestContext context_for(const Prediction& run, std::string_view provider_arn) {
  iam::RequestContext context;
  context.principal = std::string(provider_arn);
  context.action = "sts:AssumeRoleWithWebIdentity";
  std::vector<std::pair<std::string, std::string>> claims;
  if (auto sub = oidc::parse_subject(run.subject)) claims.emplace_back("repository", sub->repository());
  if (!run.ref.empty()) {
    claims.emplace_back("ref", run.ref);
    if (!claims.empty()) claims.emplace_back("job_workflow_ref", workflow_ref(run, claims.front().second));
  }
  if (!run.environment.empty()) claims.emplace_back("environment", run.environment);
  for (auto& [key, value] : oidc::condition_keys(kIssuer, run.subject, {std::string(kAudience)}, claims)) {
    context.add(key, std::move(value));
  }
  return context;
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "\"" : ", \"") + v + "\"";
  return out.empty() ? "(none)" : out;
}

bool decides(const iam::StatementExplanation& st) {
  return st.effect == iam::Effect::kAllow && st.principal != iam::ElementMatch::kNotMatched &&
         st.action == iam::ElementMatch::kMatched;
}

std::vector<std::string> refusal_of(const iam::Evaluation& evaluation, std::string_view provider_arn) {
  std::vector<std::string> out;
  for (const auto& st : evaluation.statements) {
    if (st.effect == iam::Effect::kDeny && st.applies) out.push_back("Deny statement " + st.path + " matches this run");
  }
  if (!out.empty()) return out;
  for (const auto& st : evaluation.statements) {
    if (!decides(st)) continue;
    for (const auto& c : st.conditions) {
      if (c.matched) continue;
      out.push_back(c.op + " " + c.key + " at " + c.path + " expects " + quoted_list(c.expected) + ", the run presents " +
                    quoted_list(c.actual) + (c.likely_cause.empty() ? "" : " (" + c.likely_cause + ")"));
    }
  }
  if (out.empty()) out.push_back("no Allow statement trusts " + std::string(provider_arn) + " for sts:AssumeRoleWithWebIdentity");
  return out;
}

bool is_sub_key(const std::string& key) { return util::to_lower(key).ends_with(":sub"); }

std::vector<AdmittedSubject> admitted_of(const iam::Policy& policy) {
  std::vector<AdmittedSubject> out;
  for (const auto& st : policy.statements) {
    if (st.effect != iam::Effect::kAllow) continue;
    for (const auto& c : st.conditions) {
      const bool equals = c.op.base == iam::BaseOperator::kStringEquals;
      const bool like = c.op.base == iam::BaseOperator::kStringLike;
      if (!(equals || like) || c.op.qualifier == iam::SetQualifier::kForAllValues || !is_sub_key(c.key)) continue;
      for (const auto& v : c.values) out.push_back({v, like, c.path});
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

bool admits(const AdmittedSubject& a, const std::string& subject) {
  return a.like ? iam::wildcard_match(a.value, subject) : a.value == subject;
}

// "branches main, release/*; tags v*": the refs that the admitted sub
// values name for the repository of `subject`, a run's ref subject (a
// workflow_dispatch presents the ref it is started from).
std::string admitted_refs(const std::vector<AdmittedSubject>& admitted, const std::string& subject) {
  const std::string prefix = subject.substr(0, subject.rfind(":ref:") + 5);
  // A ref no trust policy names: what admits it admits any branch.
  const std::string any_branch = prefix + "refs/heads/shipctl-any-branch/x";
  std::vector<std::string> branches, tags;
  for (const auto& a : admitted) {
    if (admits(a, any_branch)) return "any branch";
    if (!(a.like ? iam::wildcard_match(a.value.substr(0, prefix.size()), prefix) : a.value.starts_with(prefix))) continue;
    const std::string ref = a.value.substr(std::min(prefix.size(), a.value.size()));
    if (ref.starts_with("refs/heads/")) branches.push_back(ref.substr(11));
    if (ref.starts_with("refs/tags/")) tags.push_back(ref.substr(10));
  }
  std::string out;
  if (!branches.empty()) out = "branches " + joined(branches);
  if (!tags.empty()) out += (out.empty() ? "tags " : "; tags ") + joined(tags);
  return out.empty() ? "no branch or tag" : out;
}

std::string dispatch_line(const RunVerdict& v, const std::vector<AdmittedSubject>& admitted) {
  const std::string head = v.run.job_file + ":" + std::to_string(v.run.line) + ": job " + v.run.job + ", on workflow_dispatch: ";
  if (!v.run.environment.empty()) {
    return head + "from any branch or tag it presents environment " + v.run.environment + "'s subject (" +
           (v.admitted ? "admitted" : "refused") + "); the environment's deployment branch rules decide where it may start";
  }
  if (v.run.subject.find(":ref:") == std::string::npos) return head + "its subject " + v.run.subject + " names no ref";
  const std::string refs = admitted_refs(admitted, v.run.subject);
  if (refs == "any branch") return head + "the trust policy admits it from any branch";
  return head + "the trust policy admits it only from " + refs + "; started from any other branch or tag, it is refused";
}

}  // namespace

std::string github_provider_arn(std::string_view role_arn) {
  const auto parts = util::split(role_arn, ':');
  const std::string partition = parts.size() > 1 ? std::string(parts[1]) : "aws";
  const std::string account = parts.size() > 4 ? std::string(parts[4]) : "";
  return "arn:" + partition + ":iam::" + account + ":oidc-provider/token.actions.githubusercontent.com";
}

util::Result<Judgement> judge_runs(const std::vector<Prediction>& runs, std::string_view trust_policy,
                                   std::string_view provider_arn) {
  auto policy = iam::parse_policy(trust_policy);
  if (!policy) return std::unexpected(policy.error().with_context("trust policy"));
  Judgement out;
  out.admitted = admitted_of(*policy);
  for (const auto& run : runs) {
    const iam::Evaluation evaluation = iam::evaluate(*policy, context_for(run, provider_arn));
    RunVerdict verdict{run, evaluation.decision == iam::Decision::kAllow, {}};
    if (!verdict.admitted) verdict.refusal = refusal_of(evaluation, provider_arn);
    if (run.event == "workflow_dispatch") out.dispatch.push_back(dispatch_line(verdict, out.admitted));
    out.verdicts.push_back(std::move(verdict));
  }
  return out;
}

namespace {

// The sub value a trust policy needs for `run`: its subject, or for a glob
// or "any" ref the StringLike pattern covering every name it stands for.
std::string needed_value(const Prediction& run) {
  if (!run.example || (run.kind != RunKind::kBranch && run.kind != RunKind::kTag)) return run.subject;
  const auto at = run.subject.rfind(":ref:");
  if (at == std::string::npos) return run.subject;
  bool exact = false;
  const std::string prefix = run.kind == RunKind::kTag ? "refs/tags/" : "refs/heads/";
  return run.subject.substr(0, at + 5) + prefix + filter_to_iam(run.pattern, exact);
}

// Whether admitting `a` serves `run`: it admits the run's subject, or, for a
// run standing for many refs, a ref the run's filter pattern also matches.
bool serves(const AdmittedSubject& a, const Prediction& run) {
  if (admits(a, run.subject)) return true;
  if (!run.example) return false;
  auto sub = oidc::parse_subject(a.value);
  if (!sub) return false;
  const bool same_kind = (run.kind == RunKind::kBranch && sub->context == oidc::SubjectContext::kBranch) ||
                         (run.kind == RunKind::kTag && sub->context == oidc::SubjectContext::kTag);
  return same_kind && filter_match(run.pattern, sub->value) && a.value.starts_with(run.subject.substr(0, run.subject.rfind(":ref:")));
}

std::string run_line(const RunVerdict& v, const std::string& triggers) {
  return v.run.job_file + ":" + std::to_string(v.run.line) + ": job " + v.run.job + ", on " + triggers + ": sub \"" +
         v.run.subject + "\" is refused";
}

void add_refused(const std::vector<RunVerdict>& verdicts, Collector& out) {
  std::vector<std::string> needed;
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    const RunVerdict& v = verdicts[i];
    const auto same = [&](const RunVerdict& o) { return o.run.job == v.run.job && o.run.subject == v.run.subject; };
    if (std::any_of(verdicts.begin(), verdicts.begin() + static_cast<std::ptrdiff_t>(i), same)) continue;
    std::string triggers;
    for (const auto& o : verdicts) {
      if (same(o)) triggers += (triggers.empty() ? "" : "; ") + o.run.trigger;
    }
    const std::string value = needed_value(v.run);
    if (std::find(needed.begin(), needed.end(), value) == needed.end()) needed.push_back(value);
    const std::string fix = "shipctl bootstrap --from-workflow " + v.run.file +
                            " --apply (admits exactly the branches, tags and environments the workflow runs on), "
                            "or add to the trust policy's sub condition: ";
    out.add("AUD050", run_line(v, triggers), fix);
    for (const auto& line : v.refusal) out.add("AUD050", "  refused by: " + line, fix);
    if (!v.run.note.empty()) out.add("AUD050", "  note: " + v.run.note, fix);
  }
}

std::vector<Finding> refused_findings(const Judgement& j) {
  std::vector<std::string> files;
  for (const auto& v : j.verdicts) {
    if (!v.admitted && std::find(files.begin(), files.end(), v.run.file) == files.end()) files.push_back(v.run.file);
  }
  std::vector<Finding> out;
  for (const auto& file : files) {
    std::vector<RunVerdict> refused;
    std::vector<std::string> values;
    for (const auto& v : j.verdicts) {
      if (v.admitted || v.run.file != file) continue;
      refused.push_back(v);
      const std::string value = "\"" + needed_value(v.run) + "\"";
      if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
    }
    Collector collector(CheckName::kCoherence, file);
    add_refused(refused, collector);
    for (auto& f : collector.take()) {
      f.fix += joined(values);
      out.push_back(std::move(f));
    }
  }
  return out;
}

// "--from-workflow a.yml --from-workflow b.yml" for the files with runs.
std::string from_flags(const Judgement& j) {
  std::vector<std::string> files;
  for (const auto& v : j.verdicts) {
    if (std::find(files.begin(), files.end(), v.run.file) == files.end()) files.push_back(v.run.file);
  }
  std::string out;
  for (const auto& f : files) out += " --from-workflow " + f;
  return out;
}

void add_unneeded(const Judgement& j, Collector& out) {
  const std::string bootstrap = "shipctl bootstrap" + from_flags(j) + " --apply";
  std::vector<std::string> needed;
  for (const auto& v : j.verdicts) {
    const std::string value = "\"" + needed_value(v.run) + "\"";
    if (std::find(needed.begin(), needed.end(), value) == needed.end()) needed.push_back(value);
  }
  for (const auto& a : j.admitted) {
    std::vector<const Prediction*> served;
    for (const auto& v : j.verdicts) {
      if (serves(a, v.run)) served.push_back(&v.run);
    }
    const std::string where = a.path + ": sub \"" + a.value + "\" (" + (a.like ? "StringLike" : "StringEquals") + ")";
    if (served.empty()) {
      out.add("AUD051", where + ": no workflow job presents a subject it admits",
              "remove it, or let bootstrap write the policy the workflows need: " + bootstrap);
      continue;
    }
    const bool wildcard = a.like && a.value.find_first_of("*?") != std::string::npos;
    const bool all_exact = std::none_of(served.begin(), served.end(), [](const Prediction* p) { return p->example; });
    if (wildcard && all_exact) {
      out.add("AUD052", where + " admits every subject it matches; the workflow jobs need only " + joined(needed),
              "admit exactly those subjects (" + bootstrap + " writes them)");
    }
  }
}

}  // namespace

std::vector<Finding> coherence_findings(const Judgement& judgement, std::string_view role_name) {
  std::vector<Finding> out = refused_findings(judgement);
  if (judgement.verdicts.empty()) return out;  // no job assumes the role here: nothing to compare with
  Collector collector(CheckName::kCoherence, std::string(role_name));
  add_unneeded(judgement, collector);
  for (auto& f : collector.take()) out.push_back(std::move(f));
  return out;
}

}  // namespace eem::audit
