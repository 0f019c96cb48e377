// Which runs a workflow's events start, and the sub each presents. Sources:
// GitHub docs "Events that trigger workflows" (GITHUB_REF per event: push
// its branch or tag, schedule and most other events the default branch,
// workflow_dispatch the branch or tag picked, release its tag), "Workflow
// syntax" (branches/tags filters: with only branches filters a tag push does
// not start the workflow, and the reverse) and "OpenID Connect reference"
// (an environment's subject replaces the ref; pull requests present
// repo:OWNER/REPO:pull_request). pull_request_target: GitHub's docs do not
// give its sub; we predict the pull_request form, as for the other pull
// request events (its ref claim is the base branch).
#include <algorithm>
#include <regex>
#include <set>
#include <tuple>

#include "audit/coherence.h"
#include "audit/filter_pattern.h"
#include "util/strings.h"

namespace eem::audit {

namespace {

// GitHub allows reusable workflows nested 10 deep ("Reusing workflows", limitations).
constexpr int kMaxCallDepth = 10;
// Bounds on hostile files: patterns read per filter, runs predicted in all.
// A real workflow names a handful of branches.
constexpr std::size_t kMaxPatterns = 256;
constexpr std::size_t kMaxRuns = 2000;
constexpr std::string_view kOtherBranch = "feature/x";  // an example of "any other branch"
constexpr std::string_view kAnyTag = "v1.0.0";          // an example of "any tag"

// A run before its job is known: which ref and how it is described.
struct RefRun {
  RunKind kind = RunKind::kBranch;
  std::string pattern;
  std::string name;  // branch or tag name; empty for pull requests
  bool example = false;
  std::string label;
  std::string note;
  std::string event;  // the trigger's event name
};

bool is_pull_request_event(std::string_view e) {
  return e == "pull_request" || e == "pull_request_target" || e == "pull_request_review" ||
         e == "pull_request_review_comment";
}

void add_unique(std::vector<RefRun>& out, RefRun run) {
  const bool seen = std::any_of(out.begin(), out.end(), [&](const RefRun& r) { return r.kind == run.kind && r.name == run.name; });
  if (!seen) out.push_back(std::move(run));
}

// Runs for the refs of one kind (branches or tags) that a push filter admits.
void filtered_runs(RunKind kind, const RefFilter& only, const RefFilter& ignore, const std::string& fallback,
                   std::string_view other, std::vector<RefRun>& out) {
  const std::string what = kind == RunKind::kBranch ? "branch" : "tag";
  if (only.present) {
    const std::vector<std::string> first(only.patterns.begin(),
                                         only.patterns.begin() + static_cast<std::ptrdiff_t>(std::min(only.patterns.size(), kMaxPatterns)));
    for (const auto& p : first) {
      if (p.starts_with('!')) continue;
      const bool glob = filter_is_glob(p);
      const std::string name = glob ? filter_example(p) : p;
      if (!filter_list_match(first, name)) continue;
      add_unique(out, {kind, p, name, glob, "push to " + what + " " + (glob ? p + " (e.g. " + name + ")" : p), {}, {}});
    }
    return;
  }
  const auto ignored = [&](std::string_view name) { return ignore.present && filter_list_match(ignore.patterns, name); };
  const std::string suffix = ignore.present ? " not in " + what + "es-ignore" : "";
  if (!fallback.empty() && !ignored(fallback)) {
    add_unique(out, {kind, fallback, fallback, false, "push to " + what + " " + fallback, {}, {}});
  }
  if (!ignored(other)) {
    add_unique(out, {kind, "**", std::string(other), true, "push to any " + what + suffix + " (e.g. " + std::string(other) + ")", {}, {}});
  }
}

std::vector<RefRun> push_runs(const Trigger& t, const SubjectSettings& s) {
  std::vector<RefRun> out;
  const bool branch_filter = t.branches.present || t.branches_ignore.present;
  const bool tag_filter = t.tags.present || t.tags_ignore.present;
  if (branch_filter || !tag_filter) filtered_runs(RunKind::kBranch, t.branches, t.branches_ignore, s.default_branch, kOtherBranch, out);
  if (tag_filter || !branch_filter) filtered_runs(RunKind::kTag, t.tags, t.tags_ignore, "", kAnyTag, out);
  return out;
}

std::string default_branch_label(const std::string& event, const SubjectSettings& s) {
  return event + " (runs on the default branch " + s.default_branch + ", " + s.default_branch_source + ")";
}

// Events whose GITHUB_REF is the default branch (GitHub docs "Events that
// trigger workflows", the GITHUB_REF column).
bool runs_on_default_branch(std::string_view e) {
  static constexpr std::string_view kEvents[] = {
      "branch_protection_rule", "check_run", "check_suite", "delete", "deployment_status", "discussion",
      "discussion_comment", "fork", "gollum", "image_version", "issue_comment", "issues", "label", "milestone",
      "page_build", "project", "project_card", "project_column", "public", "repository_dispatch", "schedule",
      "status", "watch", "workflow_dispatch", "workflow_run"};
  return std::find(std::begin(kEvents), std::end(kEvents), e) != std::end(kEvents);
}

// Runs on any branch and any tag: `create` (the ref created) and
// `deployment` (the ref deployed).
std::vector<RefRun> any_ref_runs(const std::string& e, std::string_view what) {
  const std::string branch(kOtherBranch), tag(kAnyTag);
  return {{RunKind::kBranch, "**", branch, true, e + " (" + std::string(what) + " any branch, e.g. " + branch + ")", {}, {}},
          {RunKind::kTag, "**", tag, true, e + " (" + std::string(what) + " any tag, e.g. " + tag + ")", {}, {}}};
}

std::vector<RefRun> event_runs(const Trigger& t, const SubjectSettings& s) {
  const std::string& e = t.event;
  if (e == "push") return push_runs(t, s);
  if (is_pull_request_event(e)) return {{RunKind::kPullRequest, "", "", false, e, {}, {}}};
  if (e == "workflow_call") return {};  // runs only through its callers
  const std::string tag(kAnyTag);
  if (e == "release") return {{RunKind::kTag, "**", tag, true, "release (any tag, e.g. " + tag + ")", {}, {}}};
  if (e == "registry_package") return {{RunKind::kTag, "**", tag, true, "registry_package (the package's tag, e.g. " + tag + ")", {}, {}}};
  if (e == "create") return any_ref_runs(e, "the new ref:");
  if (e == "deployment") return any_ref_runs(e, "the ref deployed:");
  if (e == "merge_group") {
    // The queue's temporary branch, gh-readonly-queue/BASE/pr-N-SHA.
    const std::string pattern = "gh-readonly-queue/**";
    const std::string name = "gh-readonly-queue/" + s.default_branch + "/pr-1-x";
    return {{RunKind::kBranch, pattern, name, true, "merge_group (the merge queue's branch " + pattern + ", e.g. " + name + ")", {}, {}}};
  }
  RefRun run{RunKind::kBranch, s.default_branch, s.default_branch, false, default_branch_label(e, s), {}, {}};
  if (e == "workflow_dispatch") {
    run.label = "workflow_dispatch from the default branch " + s.default_branch + " (" + s.default_branch_source + ")";
    run.note = "started from another branch or tag, it presents that ref (repo:...:ref:refs/heads/OTHER), "
               "admitted only if the trust policy admits that branch";
  }
  return {run};
}

bool known_event(std::string_view e) {
  return e == "push" || is_pull_request_event(e) || e == "workflow_call" || e == "release" || e == "registry_package" ||
         e == "create" || e == "deployment" || e == "merge_group" || runs_on_default_branch(e);
}

std::string ref_of(const RefRun& run) {
  if (run.kind == RunKind::kPullRequest) return {};
  return (run.kind == RunKind::kTag ? "refs/tags/" : "refs/heads/") + run.name;
}

std::string file_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// "./.github/workflows/x.yml" -> "x.yml"; empty for remote calls (owner/repo/...@ref).
std::string local_call(const Job& job) {
  const std::string& uses = job.uses.value;
  if (!uses.starts_with("./.github/workflows/")) return {};
  return file_name(uses);
}

// A job's `if:` (GitHub docs "Evaluate expressions in workflows and
// actions": strings compare ignoring case, startsWith ignores case). Read
// only when it is terms joined by &&, each one of: github.event_name,
// github.ref, github.ref_name or github.ref_type compared (== or !=) with a
// quoted string, either side; startsWith(github.ref or github.ref_name,
// 'x'); true, false, always() or success(). Anything else is unknown: the run
// is predicted as if the condition held, and the prediction says so.
enum class Holds { kSkips, kHolds, kUnknown };

std::string_view ref_prefix(RunKind kind) { return kind == RunKind::kTag ? "refs/tags/" : "refs/heads/"; }

// `run` stands for many refs (a glob): `github.ref == value` keeps the one
// ref `value` names when the glob matches it, and skips the run otherwise.
Holds narrowed(RefRun& run, const std::string& key, const std::string& value) {
  std::string name = value;
  if (key == "ref") {
    if (!util::starts_with_ci(value, ref_prefix(run.kind))) return Holds::kSkips;
    name = value.substr(ref_prefix(run.kind).size());
  }
  if (!filter_match(run.pattern, name)) return Holds::kSkips;
  run.label += ", only " + name + " (the job's if:)";
  run.pattern = name;
  run.name = name;
  run.example = false;
  return Holds::kHolds;
}

Holds compared(RefRun& run, const std::string& key, bool equal, const std::string& value) {
  const auto verdict = [&](bool same) { return same == equal ? Holds::kHolds : Holds::kSkips; };
  if (key == "event_name") return verdict(util::iequals(run.event, value));
  // A pull request's ref (refs/pull/N/merge, or the base branch for
  // pull_request_target) is not known here.
  if (run.kind == RunKind::kPullRequest) return Holds::kUnknown;
  if (key == "ref_type") return verdict(util::iequals(run.kind == RunKind::kTag ? "tag" : "branch", value));
  if (run.example) return equal ? narrowed(run, key, value) : Holds::kHolds;  // a glob less one ref is still many refs
  const std::string actual = key == "ref" ? std::string(ref_prefix(run.kind)) + run.name : run.name;
  return verdict(util::iequals(actual, value));
}

Holds prefix_holds(const RefRun& run, const std::string& key, const std::string& prefix) {
  if (run.kind == RunKind::kPullRequest) return Holds::kUnknown;
  if (!run.example) {
    const std::string actual = key == "ref" ? std::string(ref_prefix(run.kind)) + run.name : run.name;
    return util::starts_with_ci(actual, prefix) ? Holds::kHolds : Holds::kSkips;
  }
  if (key != "ref") return Holds::kUnknown;
  if (util::starts_with_ci(ref_prefix(run.kind), prefix)) return Holds::kHolds;
  return util::starts_with_ci(prefix, ref_prefix(run.kind)) ? Holds::kUnknown : Holds::kSkips;
}

// One term of a job's if:, read once per job.
struct Term {
  enum class Kind { kCompare, kPrefix, kConstant, kUnknown } kind = Kind::kUnknown;
  std::string key;    // event_name, ref, ref_name, ref_type
  bool equal = true;  // == (for a constant: true)
  std::string value;
};

// Conditions with more terms than this are not read (none in practice).
constexpr std::size_t kMaxTerms = 32;

Term term_of(const std::string& text) {
  constexpr auto kFlags = std::regex::ECMAScript | std::regex::icase;
  static const std::regex kLeft(R"(^\s*github\.(event_name|ref|ref_name|ref_type)\s*(==|!=)\s*'([^']*)'\s*$)", kFlags);
  static const std::regex kRight(R"(^\s*'([^']*)'\s*(==|!=)\s*github\.(event_name|ref|ref_name|ref_type)\s*$)", kFlags);
  static const std::regex kStarts(R"(^\s*startsWith\(\s*github\.(ref|ref_name)\s*,\s*'([^']*)'\s*\)\s*$)", kFlags);
  static const std::regex kConstant(R"(^\s*(true|false|always\(\)|success\(\))\s*$)", kFlags);
  using K = Term::Kind;
  if (text.size() > 300) return {};
  std::smatch m;
  if (std::regex_match(text, m, kLeft)) return {K::kCompare, util::to_lower(m[1].str()), m[2] == "==", m[3]};
  if (std::regex_match(text, m, kRight)) return {K::kCompare, util::to_lower(m[3].str()), m[2] == "==", m[1]};
  if (std::regex_match(text, m, kStarts)) return {K::kPrefix, util::to_lower(m[1].str()), true, m[2]};
  if (std::regex_match(text, m, kConstant)) return {K::kConstant, {}, !util::iequals(m[1].str(), "false"), {}};
  return {};
}

// The terms of `condition` joined by &&; one unknown term when it has ||
// (whose sides this does not weigh) or too many terms.
std::vector<Term> terms_of(std::string condition) {
  condition = std::string(util::trim(condition));
  if (condition.starts_with("${{") && condition.ends_with("}}")) condition = condition.substr(3, condition.size() - 5);
  if (condition.find("||") != std::string::npos) return {Term{}};
  std::vector<Term> out;
  for (std::size_t start = 0;;) {
    if (out.size() == kMaxTerms) return {Term{}};
    const auto amp = condition.find("&&", start);
    out.push_back(term_of(condition.substr(start, amp == std::string::npos ? amp : amp - start)));
    if (amp == std::string::npos) break;
    start = amp + 2;
  }
  return out;
}

Holds term_holds(const Term& t, RefRun& run) {
  switch (t.kind) {
    case Term::Kind::kCompare: return compared(run, t.key, t.equal, t.value);
    case Term::Kind::kPrefix: return prefix_holds(run, t.key, t.value);
    case Term::Kind::kConstant: return t.equal ? Holds::kHolds : Holds::kSkips;
    case Term::Kind::kUnknown: break;
  }
  return Holds::kUnknown;
}

// The runs a job's `if:` lets start, narrowed to the refs it names; a run
// whose if: is not read is kept, and its note says so.
std::vector<RefRun> runs_if(const Located& condition, const std::vector<RefRun>& runs) {
  const std::vector<Term> terms = terms_of(condition.value);
  std::vector<RefRun> out;
  std::set<std::tuple<std::string, bool, std::string>> seen;  // event, tag, name
  for (RefRun run : runs) {
    bool unknown = false, skips = false;
    for (const auto& t : terms) {
      const Holds holds = term_holds(t, run);
      skips = holds == Holds::kSkips;
      if (skips) break;
      unknown = unknown || holds == Holds::kUnknown;
    }
    if (skips) continue;
    if (unknown) {
      run.note += (run.note.empty() ? "" : "; ") + std::string("the job's if: ") + condition.value +
                  " was not evaluated; the run is predicted as if it held";
    }
    // Not when narrowed to a ref already predicted for the same event.
    if (run.kind == RunKind::kPullRequest || seen.emplace(run.event, run.kind == RunKind::kTag, run.name).second) {
      out.push_back(std::move(run));
    }
  }
  return out;
}

struct Walk {
  const std::vector<Workflow>& workflows;
  const SubjectSettings& settings;
  Predictions& out;
};

// Whether kMaxRuns are predicted (and the skipped list says so).
bool full(Walk& w) {
  if (w.out.runs.size() < kMaxRuns) return false;
  const std::string message = "more than " + std::to_string(kMaxRuns) + " runs: the rest are not predicted";
  if (w.out.skipped.empty() || w.out.skipped.back() != message) w.out.skipped.push_back(message);
  return true;
}

util::Result<void> add_job_runs(Walk& w, const Workflow& origin, const Workflow& defining, const Job& job,
                                const std::string& job_label, const std::vector<RefRun>& runs) {
  if (!job.environment.value.empty() && is_expression(job.environment.value)) {
    w.out.skipped.push_back(defining.path + ":" + std::to_string(job.environment.line) + ": job " + job_label +
                            ": environment " + job.environment.value + " is an expression; its subject cannot be predicted");
    return {};
  }
  for (const auto& run : runs) {
    if (full(w)) return {};
    Prediction p{origin.path, job_label, job.line, defining.path, run.label, run.kind, run.pattern, run.example,
                 {}, ref_of(run), job.environment.value, run.note, run.event};
    if (!p.environment.empty()) {
      p.kind = RunKind::kEnvironment;
      p.pattern = p.environment;
    }
    const std::string event = run.kind == RunKind::kPullRequest ? "pull_request" : "push";
    const oidc::RunFacts facts{w.settings.github_repo, w.settings.owner_id, w.settings.repo_id, event, p.ref,
                               p.environment, w.settings.format};
    auto sub = oidc::build_subject(facts);
    if (!sub) return std::unexpected(sub.error());
    p.subject = std::move(*sub);
    w.out.runs.push_back(std::move(p));
  }
  return {};
}

util::Result<void> add_workflow_runs(Walk& w, const Workflow& origin, const Workflow& defining, const std::string& prefix,
                                     const std::vector<RefRun>& runs, int depth);

util::Result<void> add_call_runs(Walk& w, const Workflow& origin, const Workflow& caller, const Job& job,
                                 const std::string& label, const std::vector<RefRun>& runs, int depth) {
  const std::string called = local_call(job);
  const auto it = std::find_if(w.workflows.begin(), w.workflows.end(),
                               [&](const Workflow& f) { return file_name(f.path) == called; });
  if (called.empty() || it == w.workflows.end() || depth >= kMaxCallDepth) {
    w.out.skipped.push_back(caller.path + ":" + std::to_string(job.uses.line) + ": job " + label + " calls " +
                            job.uses.value + (depth >= kMaxCallDepth ? " nested too deep" : ", which is not in this directory") +
                            "; its jobs cannot be predicted");
    return {};
  }
  return add_workflow_runs(w, origin, *it, label + " -> ", runs, depth + 1);
}

util::Result<void> add_workflow_runs(Walk& w, const Workflow& origin, const Workflow& defining, const std::string& prefix,
                                     const std::vector<RefRun>& runs, int depth) {
  for (const auto& job : defining.jobs) {
    const std::string label = prefix + job.id;
    util::Result<void> ok;
    if (job.uses.value.empty() && !assumes_role(job)) continue;
    if (full(w)) break;
    const bool conditional = !job.condition.value.empty();
    const std::vector<RefRun> started = conditional ? runs_if(job.condition, runs) : std::vector<RefRun>{};
    const std::vector<RefRun>& these = conditional ? started : runs;
    if (!job.uses.value.empty()) ok = add_call_runs(w, origin, defining, job, label, these, depth);
    else ok = add_job_runs(w, origin, defining, job, label, these);
    if (!ok) return ok;
  }
  return {};
}

}  // namespace

bool assumes_role(const Job& job) {
  return std::any_of(job.steps.begin(), job.steps.end(), [](const Step& s) {
    const bool action = s.uses.value.starts_with("aws-actions/configure-aws-credentials") &&
                        std::any_of(s.with.begin(), s.with.end(), [](const auto& w) { return w.first == "role-to-assume"; });
    return action || s.run.find("shipctl credentials") != std::string::npos;
  });
}

util::Result<Predictions> predict_runs(const std::vector<Workflow>& workflows, const SubjectSettings& settings) {
  Predictions out;
  Walk walk{workflows, settings, out};
  for (const auto& workflow : workflows) {
    std::vector<RefRun> runs;
    for (const auto& trigger : workflow.events) {
      if (trigger.branches.patterns.size() > kMaxPatterns || trigger.tags.patterns.size() > kMaxPatterns) {
        out.skipped.push_back(workflow.path + ":" + std::to_string(trigger.line) + ": " + trigger.event + " lists more than " +
                              std::to_string(kMaxPatterns) + " patterns; only the first are predicted");
      }
      if (!known_event(trigger.event)) {
        out.skipped.push_back(workflow.path + ":" + std::to_string(trigger.line) + ": \"" + trigger.event +
                              "\" is not an event GitHub knows (GitHub rejects the workflow); no run predicted for it");
        continue;
      }
      for (auto& run : event_runs(trigger, settings)) {
        run.event = trigger.event;
        runs.push_back(std::move(run));
      }
    }
    if (auto ok = add_workflow_runs(walk, workflow, workflow, "", runs, 0); !ok) return std::unexpected(ok.error());
  }
  return out;
}

}  // namespace eem::audit
