#pragma once
// The result of `shipctl doctor`: ordered checks, each passed, failed (a root
// cause) or unable to run (missing access or input), and how it is printed:
// a numbered checklist then the root cause with its evidence and fix, or
// JSON {"checks": [{id, status, title, summary, evidence, fix}],
// "root_cause": id|null, "not_run": [id...]} and, inside a job,
// "job": {"claims": {name: value}, "local_command": string}.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eem::doctor {

// kSkipped: the check does not apply here (e.g. no workflow files); it
// makes the run neither failed nor incomplete.
enum class Status { kPass, kFail, kCannotRun, kSkipped };
std::string_view status_name(Status status) noexcept;  // "pass", "fail", "cannot-run", "skipped"

struct Check {
  std::string id;     // stable: "oidc-provider", "trust-policy", ...
  std::string title;  // "OIDC provider for token.actions.githubusercontent.com"
  Status status = Status::kPass;
  std::string summary;                // one line: what was found, or why it could not run
  std::vector<std::string> evidence;  // further facts, one a line
  std::string fix;                    // a command, a workflow snippet or a policy diff; may span lines
};

// Inside a GitHub Actions job doctor runs with the job's role, which may push
// but not read IAM: what it can see there is the job's token. `claims` are
// the token's sub, ref, event_name, environment and job_workflow_ref (never
// the token itself); `local_command` is the `shipctl doctor` invocation that
// checks the same run from a machine with administrator credentials. Set
// only when some check could not run.
struct JobView {
  std::vector<std::pair<std::string, std::string>> claims;
  std::string local_command;
};

struct Report {
  std::vector<Check> checks;            // in the order they ran
  std::optional<std::string> root_cause;  // id of the failed check
  std::vector<std::string> not_run;       // ids skipped after the root cause
  std::optional<JobView> job;             // only inside a GitHub Actions job, with its token
};

// Process exit codes of `shipctl doctor` (documented in its --help): healthy,
// a root cause found, or no root cause but some checks could not run.
inline constexpr int kExitHealthy = 0;
inline constexpr int kExitRootCause = 6;
inline constexpr int kExitIncomplete = 7;
int exit_code(const Report& report) noexcept;

void print_text(const Report& report, std::ostream& out);
void print_json(const Report& report, std::ostream& out);

}  // namespace eem::doctor
