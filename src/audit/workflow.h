#pragma once
// A GitHub Actions workflow file as plain data, with line numbers for
// evidence. workflow.cpp is the only yaml-cpp user (the YAML adapter); the
// checks read this model. Syntax: GitHub docs "Workflow syntax for GitHub Actions".

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace eem::audit {

// A scalar value and the 1-based line it is on. Non-scalar values (a list
// under `with:`) are kept as their YAML text.
struct Located {
  std::string value;
  int line = 0;
};
using Mapping = std::vector<std::pair<std::string, Located>>;

enum class PermissionsKind {
  kAbsent,    // no `permissions:` key: the repository's default token permissions
  kScopes,    // a mapping ({} included): only the listed scopes
  kReadAll,   // permissions: read-all
  kWriteAll,  // permissions: write-all
};

struct Permissions {
  PermissionsKind kind = PermissionsKind::kAbsent;
  Mapping scopes;  // "id-token" -> "write"
  int line = 0;
};

struct Step {
  int line = 0;
  std::string name;
  Located uses;  // empty value for a `run:` step
  std::string run;
  Mapping with;
  Mapping env;
};

struct Job {
  std::string id;
  int line = 0;
  Permissions permissions;
  Located uses;  // a reusable workflow call (owner/repo/.github/workflows/x.yml@ref)
  Located environment;  // `environment: NAME` or `environment: {name: NAME}`; empty when none
  Located condition;    // the job's `if:`, as written; empty when none
  Mapping env;
  std::vector<Step> steps;
};

// A ref filter under an event (`branches:`, `tags:`, ...): absent, or its
// patterns (a single string is a one-pattern list).
struct RefFilter {
  bool present = false;
  std::vector<std::string> patterns;
};

// One event under `on:` with its ref filters (GitHub docs "Workflow syntax
// for GitHub Actions": on.<push|pull_request|pull_request_target>.<branches|tags>).
struct Trigger {
  std::string event;
  int line = 0;
  RefFilter branches, branches_ignore, tags, tags_ignore;
};

struct Workflow {
  std::string path;  // as given, for evidence
  std::vector<std::string> triggers;  // event names under `on:`
  std::vector<Trigger> events;        // the same events, with their filters
  Permissions permissions;
  Mapping env;
  std::vector<Job> jobs;
};

// The largest workflow file read: real workflows are a few kilobytes, and
// yaml-cpp holds the whole document in memory.
inline constexpr std::size_t kMaxWorkflowBytes = 1024 * 1024;

// Parses the workflow `text` read from `path`. Fails (kInvalidInput) with
// "PATH:LINE: ..." when it is not YAML or not a mapping with `jobs`, or is
// larger than kMaxWorkflowBytes.
util::Result<Workflow> parse_workflow(std::string_view path, std::string_view text);

// Whether `value` is (or contains) a GitHub expression "${{ ... }}".
bool is_expression(std::string_view value) noexcept;

}  // namespace eem::audit
