#pragma once
// `shipctl policy lint`: findings with stable rule ids (never renumbered),
// a severity, the JSON path of the offending element and a suggested fix.
// Rules and their sources are listed in lint.cpp.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iam/policy.h"

namespace eem::iam {

enum class Severity { kError, kWarning };
std::string_view severity_name(Severity severity) noexcept;  // "error", "warning"

struct Finding {
  std::string rule;  // "GHA001"
  Severity severity = Severity::kWarning;
  std::string path;  // $.Statement[0].Condition...
  std::string message;
  std::string fix;
};

enum class ImmutableSubjects { kUnknown, kYes, kNo };

struct LintOptions {
  // Whether the repository uses immutable subjects (repo:OWNER@ID/REPO@ID):
  // GHA010 fires only when this is known to be kYes, GHA012 when kNo.
  ImmutableSubjects immutable_subjects = ImmutableSubjects::kUnknown;
  // GHA011: a GitHub trust statement that admits every workflow of the
  // repository (no job_workflow_ref condition, no job_workflow_ref in sub).
  // `shipctl policy lint` turns it on; audit leaves it off.
  bool flag_any_workflow = false;
};

// Every finding for `policy`, in statement order then rule order.
std::vector<Finding> lint_policy(const Policy& policy, const LintOptions& options = {});

}  // namespace eem::iam
