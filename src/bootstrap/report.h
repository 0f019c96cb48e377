#pragma once
// How bootstrap shows what it found and did: the plan as text (documents in
// full, drift as line diffs) and the whole run as one JSON object (--json).

#include <optional>
#include <string>
#include <vector>

#include "bootstrap/desired.h"
#include "bootstrap/plan.h"

namespace eem::bootstrap {

enum class Outcome { kPlanned, kApplied, kNoChanges };
enum class SecretOutcome { kNotRequested, kStored, kSkipped };

struct Report {
  std::string account_id;
  std::string region;
  std::string github_repo;
  std::string subject_format;  // "name", "immutable" or "both"
  std::string subject_reason;  // why that format
  DesiredState desired;
  std::vector<Action> actions;
  Outcome outcome = Outcome::kPlanned;
  SecretOutcome secret = SecretOutcome::kNotRequested;
  // The registry's scanning configuration as read (nullopt: not read).
  std::optional<aws::RegistryScanningConfiguration> registry_scanning{};
};

// "Plan: N changes" and one block per action ("  + create role ..." then
// its note, and the document or diff, indented by six spaces).
std::string render_plan_text(const std::vector<Action>& actions);

// The lines after the plan: the role ARN (with --deploy also the execution
// and infrastructure role ARNs and the `shipctl deploy` command using them)
// and the `gh secret set` command (or that the secret was stored), or the
// hint to pass --apply. First, unless the plan changes it, one line on the
// registry's scanning: already scanning the repository on push (the rule
// and filter that do), or not read (--skip-registry-scanning).
std::string render_outcome_text(const Report& report);

// {"account", "region", "github_repository", "subject_format", "role_arn",
//  "repository_uri", "outcome": "planned"|"applied"|"no_changes",
//  "changes": [{"action", "change", "resource", "summary", "document"?, "diff"?,
//               registry scanning only: "account_wide": true, "note", "before", "after"}],
//  "registry_scanning": {"status": "skipped"|"already_done"|"change", "scan_type"?,
//                        "covered_by"?: {"scan_frequency", "filter"}},
//  "gh_secret_command", "secret_stored",
//  "deploy"?: {"service", "cluster", "execution_role_arn", "infrastructure_role_arn", "policy_name"}}
std::string render_json(const Report& report);

}  // namespace eem::bootstrap
