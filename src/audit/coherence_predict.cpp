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

#include "audit/coherence.h"
#include "audit/filter_pattern.h"

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
      add_unique(out, {kind, p, name, glob, "push to " + what + " " + (glob ? p + " (e.g. " + name + ")" : p), {}});
    }
    return;
  }
  const auto ignored = [&](std::string_view name) { return ignore.present && filter_list_match(ignore.patterns, name); };
  const std::string suffix = ignore.present ? " not in " + what + "es-ignore" : "";
  if (!fallback.empty() && !ignored(fallback)) {
    add_unique(out, {kind, fallback, fallback, false, "push to " + what + " " + fallback, {}});
  }
  if (!ignored(other)) {
    add_unique(out, {kind, "**", std::string(other), true, "push to any " + what + suffix + " (e.g. " + std::string(other) + ")", {}});
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

std::vector<RefRun> event_runs(const Trigger& t, const SubjectSettings& s) {
  const std::string& e = t.event;
  if (e == "push") return push_runs(t, s);
  if (is_pull_request_event(e)) return {{RunKind::kPullRequest, "", "", false, e, {}}};
  if (e == "workflow_call") return {};  // runs only through its callers
  if (e == "release") return {{RunKind::kTag, "**", std::string(kAnyTag), true, "release (any tag, e.g. " + std::string(kAnyTag) + ")", {}}};
  RefRun run{RunKind::kBranch, s.default_branch, s.default_branch, false, default_branch_label(e, s), {}};
  if (e == "workflow_dispatch") {
    run.label = "workflow_dispatch from the default branch " + s.default_branch + " (" + s.default_branch_source + ")";
    run.note = "started from another branch or tag, it presents that ref (repo:...:ref:refs/heads/OTHER), "
               "admitted only if the trust policy admits that branch";
  }
  return {run};
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

struct Walk {
  const std::vector<Workflow>& workflows;
  const SubjectSettings& settings;
  Predictions& out;
};

util::Result<void> add_job_runs(Walk& w, const Workflow& origin, const Workflow& defining, const Job& job,
                                const std::string& job_label, const std::vector<RefRun>& runs) {
  if (!job.environment.value.empty() && is_expression(job.environment.value)) {
    w.out.skipped.push_back(defining.path + ":" + std::to_string(job.environment.line) + ": job " + job_label +
                            ": environment " + job.environment.value + " is an expression; its subject cannot be predicted");
    return {};
  }
  for (const auto& run : runs) {
    if (w.out.runs.size() >= kMaxRuns) {
      const std::string full = "more than " + std::to_string(kMaxRuns) + " runs: the rest are not predicted";
      if (w.out.skipped.empty() || w.out.skipped.back() != full) w.out.skipped.push_back(full);
      return {};
    }
    Prediction p{origin.path, job_label, job.line, defining.path, run.label, run.kind, run.pattern, run.example,
                 {}, ref_of(run), job.environment.value, run.note};
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
    if (!job.uses.value.empty()) ok = add_call_runs(w, origin, defining, job, label, runs, depth);
    else if (assumes_role(job)) ok = add_job_runs(w, origin, defining, job, label, runs);
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
      for (auto& run : event_runs(trigger, settings)) runs.push_back(std::move(run));
    }
    if (auto ok = add_workflow_runs(walk, workflow, workflow, "", runs, 0); !ok) return std::unexpected(ok.error());
  }
  return out;
}

}  // namespace eem::audit
