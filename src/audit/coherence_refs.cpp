// From predicted runs back to the refs a trust policy admits: the inverse
// of coherence_predict.cpp, for `shipctl bootstrap --from-workflow`.
#include <algorithm>

#include "audit/coherence.h"
#include "audit/filter_pattern.h"

namespace eem::audit {

namespace {

void add_unique(std::vector<std::string>& out, std::string value) {
  if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(std::move(value));
}

std::string where(const Prediction& run) { return run.job_file + ":" + std::to_string(run.line) + ": job " + run.job; }

void add_ref(const Prediction& run, TrustRefs& out) {
  auto& list = run.kind == RunKind::kTag ? out.tags : out.branches;
  if (!run.example) {
    add_unique(list, run.pattern);
    return;
  }
  bool exact = false;
  const std::string iam = filter_to_iam(run.pattern, exact);
  add_unique(list, iam);
  if (run.event == "merge_group") {
    // Admitting the queue is admitting code that has not reached the base
    // branch yet: say so, whatever the pattern reads like.
    add_unique(out.notes, where(run) + ", on " + run.trigger + ": \"" + iam +
                              "\" is admitted, and with it every pull request in the merge queue before it is "
                              "merged; drop merge_group from this job's triggers to keep the role to merged code");
  } else if (iam == "*") {
    const std::string what = run.kind == RunKind::kTag ? "tag" : "branch";
    add_unique(out.notes, where(run) + ", on " + run.trigger + ": every " + what +
                              " is admitted; a " + what + "es: filter in the workflow narrows it");
  } else if (!exact) {
    add_unique(out.notes, where(run) + ", on " + run.trigger + ": \"" + run.pattern + "\" is admitted as \"" + iam +
                              "\", which IAM's StringLike reads more broadly ('*' also matches '/')");
  }
}

}  // namespace

TrustRefs trust_refs(const Predictions& predictions) {
  TrustRefs out;
  for (const auto& run : predictions.runs) {
    switch (run.kind) {
      case RunKind::kEnvironment: add_unique(out.environments, run.pattern); break;
      case RunKind::kBranch:
      case RunKind::kTag: add_ref(run, out); break;
      case RunKind::kPullRequest:
        add_unique(out.notes, where(run) + ", on " + run.trigger +
                                  ": not admitted (a pull request's token would get the role); its runs will be refused");
        break;
    }
  }
  for (const auto& s : predictions.skipped) add_unique(out.notes, s);
  return out;
}

}  // namespace eem::audit
