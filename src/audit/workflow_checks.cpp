// Sources: GitHub docs "Security hardening for GitHub Actions" (pin actions
// to a full-length commit SHA; pull_request_target runs with the base
// repository's token and secrets, so checking out the head runs untrusted
// code with them) and "Automatic token authentication" (permissions; without
// a permissions key the token gets the repository's default, which may be
// read-write). id-token: write is needed only to request the OIDC token
// ("Configuring OpenID Connect in Amazon Web Services").
#include "audit/workflow_checks.h"

#include <algorithm>
#include <regex>

#include "audit/collector.h"

namespace eem::audit {

namespace {

std::string where(const Workflow& w, int line) { return w.path + ":" + std::to_string(line); }

const std::regex& commit_sha() {
  static const std::regex re("[0-9a-f]{40}");
  return re;
}

void check_pin(const Workflow& w, const Located& uses, Collector& out) {
  const std::string& ref = uses.value;
  if (ref.empty() || ref.starts_with("./")) return;
  const std::string evidence = where(w, uses.line) + ": uses: " + ref;
  if (ref.starts_with("docker://")) {
    if (ref.find("@sha256:") == std::string::npos) {
      out.add("AUD013", evidence, "pin the image by digest: docker://IMAGE@sha256:DIGEST");
    }
    return;
  }
  const auto at = ref.rfind('@');
  if (at != std::string::npos && std::regex_match(ref.substr(at + 1), commit_sha())) return;
  const std::string action = ref.substr(0, at);
  const std::string version = at == std::string::npos ? std::string("HEAD") : ref.substr(at + 1);
  const std::string owner = action.substr(0, action.find('/'));
  const std::string repo_path = action.substr(0, action.find('/', owner.size() + 1));
  const std::string fix = "pin to the commit the tag points at, keeping the tag in a comment: uses: " + action +
                          "@<40-hex sha> # " + version + " (git ls-remote https://github.com/" + repo_path + " " + version + ")";
  out.add(owner == "actions" || owner == "github" ? "AUD014" : "AUD013", evidence, fix);
}

bool grants_id_token(const Permissions& p) {
  if (p.kind == PermissionsKind::kWriteAll) return true;
  return std::any_of(p.scopes.begin(), p.scopes.end(),
                     [](const auto& s) { return s.first == "id-token" && s.second.value == "write"; });
}

// Whether `job` requests an OIDC token: configure-aws-credentials with
// role-to-assume and no keys, shipctl credentials, the token request
// variables, or a reusable workflow (whose needs we cannot see).
bool needs_id_token(const Job& job) {
  if (!job.uses.value.empty()) return true;
  return std::any_of(job.steps.begin(), job.steps.end(), [](const Step& s) {
    const bool assume = s.uses.value.starts_with("aws-actions/configure-aws-credentials") &&
                        std::any_of(s.with.begin(), s.with.end(), [](const auto& w) { return w.first == "role-to-assume"; });
    return assume || s.run.find("shipctl credentials") != std::string::npos ||
           s.run.find("ACTIONS_ID_TOKEN_REQUEST") != std::string::npos;
  });
}

void check_scopes(const Workflow& w, const Permissions& p, const std::string& scope_of, Collector& out) {
  if (p.kind == PermissionsKind::kWriteAll) {
    out.add("AUD016", where(w, p.line) + ": " + scope_of + " permissions: write-all",
            "list only the scopes needed, e.g. permissions: {id-token: write, contents: read}");
  }
  for (const auto& [scope, level] : p.scopes) {
    if (scope == "id-token" || level.value != "write") continue;
    out.add("AUD018", where(w, level.line) + ": " + scope_of + " " + scope + ": write",
            "grant write scopes only to the job that needs them; the seed's pipeline needs contents: read");
  }
}

void check_permissions(const Workflow& w, Collector& out) {
  check_scopes(w, w.permissions, "workflow", out);
  for (const auto& job : w.jobs) {
    check_scopes(w, job.permissions, "job " + job.id, out);
    const bool own = job.permissions.kind != PermissionsKind::kAbsent;
    if (!own && w.permissions.kind == PermissionsKind::kAbsent) {
      out.add("AUD015", where(w, job.line) + ": job " + job.id + " has no permissions block, nor has the workflow",
              "add a top-level block: permissions: {id-token: write, contents: read}");
    }
    const Permissions& effective = own ? job.permissions : w.permissions;
    if (grants_id_token(effective) && !needs_id_token(job)) {
      out.add("AUD017", where(w, job.line) + ": job " + job.id + " gets id-token: write" +
                            (own ? "" : " (from the workflow's permissions)") + " but assumes no role",
              "grant id-token: write at job level, only to the job that assumes the role");
    }
  }
}

// A checkout of the pull request's head (or a ref under refs/pull/).
bool checks_out_head(const Step& s) {
  const auto head = [](const std::string& v) {
    return v.find("github.event.pull_request.head") != std::string::npos ||
           v.find("github.head_ref") != std::string::npos || v.find("refs/pull/") != std::string::npos;
  };
  if (s.uses.value.starts_with("actions/checkout")) {
    return std::any_of(s.with.begin(), s.with.end(),
                       [&](const auto& w) { return (w.first == "ref" || w.first == "repository") && head(w.second.value); });
  }
  return (s.run.find("checkout") != std::string::npos || s.run.find("fetch") != std::string::npos) && head(s.run);
}

void check_pull_request_target(const Workflow& w, Collector& out) {
  if (std::find(w.triggers.begin(), w.triggers.end(), "pull_request_target") == w.triggers.end()) return;
  for (const auto& job : w.jobs) {
    for (const auto& step : job.steps) {
      if (!checks_out_head(step)) continue;
      out.add("AUD019", where(w, step.line) + ": job " + job.id + " checks out the pull request's head under pull_request_target",
              "use the pull_request trigger for untrusted code, or never check out the head in a pull_request_target job");
    }
  }
}

}  // namespace

void check_workflow_model(const Workflow& workflow, Collector& out) {
  check_key_inputs(workflow, out);
  for (const auto& job : workflow.jobs) {
    check_pin(workflow, job.uses, out);
    for (const auto& step : job.steps) check_pin(workflow, step.uses, out);
  }
  check_permissions(workflow, out);
  check_pull_request_target(workflow, out);
}

std::vector<Finding> check_workflow(std::string_view path, std::string_view text) {
  Collector out(CheckName::kWorkflows, std::string(path));
  auto workflow = parse_workflow(path, text);
  if (!workflow) {
    out.add("AUD040", workflow.error().message, "fix the YAML (actionlint shows the same error)");
    return out.take();
  }
  scan_workflow_text(path, text, out);
  check_workflow_model(*workflow, out);
  return out.take();
}

}  // namespace eem::audit
