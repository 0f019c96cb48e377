// Inside a GitHub Actions job: what doctor can see with the job's own role
// (the token's claims), and the `shipctl doctor` command that checks the same
// run from a machine with administrator credentials.

#include <algorithm>
#include <cctype>
#include <cstring>

#include "doctor/checks.h"
#include "oidc/github_subject.h"

namespace eem::doctor {
namespace {

// The claims that decide the subject and what the trust policy can check
// (GitHub docs, "OpenID Connect reference"), in the order shown.
constexpr std::string_view kShown[] = {"ref", "event_name", "environment", "job_workflow_ref"};

std::string claim(const TokenClaims& claims, std::string_view name) {
  for (const auto& [key, value] : claims.extra) {
    if (key == name) return value;
  }
  return {};
}

// One shell word: bare when every character is safe, else single-quoted.
std::string shell_word(const std::string& value) {
  const bool safe = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%+=:,./_-", c) != nullptr;
  });
  if (safe) return value;
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string local_command(const Run& run) {
  const TokenClaims& claims = *run.claims;
  const auto parsed = oidc::parse_subject(claims.sub);
  std::string repo = claim(claims, "repository");
  if (repo.empty() && parsed) repo = parsed->repository();
  std::string command = "shipctl doctor";
  const auto add = [&command](std::string_view flag, const std::string& value) {
    if (!value.empty()) command += " " + std::string(flag) + " " + shell_word(value);
  };
  add("--github-repo", repo);
  add("--ref", claim(claims, "ref"));
  add("--event", claim(claims, "event_name"));
  add("--environment", claim(claims, "environment"));
  if (parsed && parsed->format() == oidc::SubjectFormat::kImmutable) {
    command += " --subject-format immutable";
    add("--owner-id", parsed->owner_id);
    add("--repo-id", parsed->repo_id);
  }
  add("--role-arn", run.role_arn);
  add("--repository", run.options.repository);
  add("--region", run.options.region);
  if (run.options.push_tool == PushTool::kDocker) command += " --push-tool docker";
  // The deploy checks as the job asked for them; defaults stay implicit.
  const DeployOptions& d = run.options.deploy;
  const DeployOptions defaults;
  add("--deploy", d.service);
  if (!d.service.empty()) {
    add("--cluster", d.cluster);
    if (d.execution_role_name != defaults.execution_role_name) add("--execution-role-name", d.execution_role_name);
    if (d.infrastructure_role_name != defaults.infrastructure_role_name) {
      add("--infrastructure-role-name", d.infrastructure_role_name);
    }
    if (d.port != defaults.port) add("--port", std::to_string(d.port));
    if (d.health_check_path != defaults.health_check_path) add("--health-check-path", d.health_check_path);
  }
  return command;
}

}  // namespace

std::optional<JobView> job_view(const Run& run, const Report& report) {
  if (!run.claims || run.claims->origin != kJobTokenOrigin) return std::nullopt;
  // Only when the job's role left something unchecked: a healthy run or a
  // root cause needs no second look from outside.
  const bool incomplete = std::any_of(report.checks.begin(), report.checks.end(),
                                      [](const Check& c) { return c.status == Status::kCannotRun; });
  if (!incomplete) return std::nullopt;
  JobView view;
  view.claims.emplace_back("sub", run.claims->sub);
  for (const auto name : kShown) {
    const std::string value = claim(*run.claims, name);
    if (!value.empty()) view.claims.emplace_back(std::string(name), value);
  }
  view.local_command = local_command(run);
  return view;
}

}  // namespace eem::doctor
