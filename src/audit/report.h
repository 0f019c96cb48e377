#pragma once
// Renders audit results for people (text) and programs (--json), and decides
// the verdict against --fail-on.

#include <iosfwd>
#include <string>
#include <vector>

#include "audit/finding.h"

namespace eem::audit {

struct Verdict {
  int counts[4] = {0, 0, 0, 0};  // findings per Severity
  int at_or_above = 0;           // findings at or above the threshold
  int incomplete = 0;            // checks that could not run
  bool failed() const { return at_or_above > 0; }
};

// Counts `results`' findings against `fail_on`.
Verdict judge(const std::vector<CheckResult>& results, Severity fail_on);

// What was audited, echoed in both renderings.
struct Scope {
  std::string region, role_name, repository, workflows_dir;
  Severity fail_on = Severity::kHigh;
};

// Human text: one block per check (its findings with evidence and fix, or
// why it could not run), then a summary line and the verdict.
void render_text(std::ostream& out, const Scope& scope, const std::vector<CheckResult>& results);

// One JSON document: {"scope", "fail_on", "failed", "complete", "summary",
// "checks": [...], "findings": [...]} (shape in docs/ARCHITECTURE.md).
std::string render_json(const Scope& scope, const std::vector<CheckResult>& results);

}  // namespace eem::audit
