// `shipctl audit`: the seed's security practices as checks (src/audit).
#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>

#include "audit/audit.h"
#include "audit/report.h"
#include "bootstrap/inputs.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/subject_flags.h"

namespace eem::cli {

namespace {

// Exit codes beyond util::kind_info's (the same as doctor's 6 and 7).
constexpr int kExitFindings = 6;    // findings at or above --fail-on
constexpr int kExitIncomplete = 7;  // none, but some checks could not run

struct AuditFlags {
  AwsFlags aws;
  audit::AuditOptions options;
  std::string fail_on = "high";
  std::vector<std::string> checks;
  std::string subject_format = "auto";
  bool workflows_given = false;
  bool deploy_given = false;
  bool json = false;
};

util::Result<void> validate(AuditFlags& f) {
  if (!audit::parse_severity(f.fail_on)) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "--fail-on: expected low, medium, high or critical, got \"" + f.fail_on + "\"");
  }
  if (!f.checks.empty()) f.options.checks.clear();
  for (const auto& name : f.checks) {
    const auto check = audit::parse_check_name(name);
    if (!check) {
      return util::fail(util::ErrorKind::kInvalidInput,
                        "--check: unknown check \"" + name +
                            "\" (expected role-permissions, trust-policy, workflows, repository, cloudtrail or coherence)");
    }
    f.options.checks.push_back(*check);
  }
  if (f.deploy_given) {
    if (auto ok = bootstrap::validate_ecs_name("--deploy", f.options.deploy_service); !ok) return ok;
  }
  if (auto ok = bootstrap::validate_ecs_name("--cluster", f.options.cluster); !ok) return ok;
  if (auto ok = bootstrap::validate_role_name(f.options.execution_role_name, "--execution-role-name"); !ok) return ok;
  if (auto ok = bootstrap::validate_role_name(f.options.infrastructure_role_name, "--infrastructure-role-name"); !ok) {
    return ok;
  }
  std::error_code ec;
  if (f.workflows_given && !std::filesystem::is_directory(f.options.workflows_dir, ec)) {
    return util::fail(util::ErrorKind::kNotFound, "--workflows: no directory " + f.options.workflows_dir);
  }
  f.options.workflows_origin = f.workflows_given ? audit::DirOrigin::kGiven : audit::DirOrigin::kDefault;
  if (!f.options.subjects.github_repo.empty()) return bootstrap::validate_github_repo(f.options.subjects.github_repo);
  return {};
}

// The coherence check's repository and default branch from the checkout in
// the current directory, when it has them.
void resolve_subjects(audit::SubjectSettings& s) {
  if (s.github_repo.empty()) {
    if (auto repo = bootstrap::github_repo_from_git()) s.github_repo = *repo;
  }
  if (auto branch = bootstrap::default_branch_from_git()) {
    s.default_branch = *branch;
    s.default_branch_source = "from refs/remotes/origin/HEAD";
  }
}

bool needs_aws(const audit::AuditOptions& options) {
  return options.checks.size() > 1 || (options.checks.size() == 1 && options.checks[0] != audit::CheckName::kWorkflows);
}

// The AWS clients, made only when a selected check calls AWS; the session
// owns the HTTP client they use, so it lives as long as they do.
struct Clients {
  std::optional<AwsSession> session;
  std::optional<aws::IamClient> iam;
  std::optional<aws::EcrClient> ecr;
  std::optional<aws::CloudTrailClient> cloudtrail;
};

util::Result<void> open_clients(Context& ctx, AuditFlags& f, Clients& clients) {
  if (!needs_aws(f.options)) return {};
  auto opened = AwsSession::open(ctx, f.aws, "ap-northeast-1");
  if (!opened) return std::unexpected(opened.error());
  const AwsSession& session = clients.session.emplace(std::move(*opened));
  f.options.region = session.region();
  auto iam = session.client(aws::kIam);
  auto ecr = session.client(aws::kEcr);
  auto cloudtrail = session.client(aws::kCloudTrail);
  if (!iam) return std::unexpected(iam.error());
  if (!ecr) return std::unexpected(ecr.error());
  if (!cloudtrail) return std::unexpected(cloudtrail.error());
  clients.iam.emplace(std::move(*iam));
  clients.ecr.emplace(std::move(*ecr));
  clients.cloudtrail.emplace(std::move(*cloudtrail));
  return {};
}

// AUD023/AUD024's question: which subject form the repository named in the
// trust policy uses. As given; for auto, GitHub's answer when GITHUB_TOKEN
// is set; otherwise not judged (and said so once).
void set_subject_form(Context& ctx, AuditFlags& f, net::HttpClient& http) {
  f.options.subject_form = [&ctx, &f, &http](const std::string& repo) {
    if (f.subject_format == "name") return iam::ImmutableSubjects::kNo;
    if (f.subject_format == "immutable") return iam::ImmutableSubjects::kYes;
    if (f.subject_format == "both") return iam::ImmutableSubjects::kUnknown;
    SubjectFlags ask;
    auto detected = resolve_subject(ask, repo, http, ctx.process.env);
    if (!detected || detected->guessed) {
      ctx.err << "shipctl: warning: the subject form of " << repo << " is not known ("
              << (detected ? detected->reason : detected.error().message)
              << "), so AUD023/AUD024 are not judged; set GITHUB_TOKEN or pass --subject-format\n";
      return iam::ImmutableSubjects::kUnknown;
    }
    if (detected->style == iam::SubjectStyle::kBoth) return iam::ImmutableSubjects::kUnknown;
    return detected->style == iam::SubjectStyle::kImmutable ? iam::ImmutableSubjects::kYes : iam::ImmutableSubjects::kNo;
  };
}

util::Result<void> run_audit(Context& ctx, AuditFlags& f) {
  if (auto ok = validate(f); !ok) return ok;
  if (std::ranges::find(f.options.checks, audit::CheckName::kCoherence) != f.options.checks.end()) {
    resolve_subjects(f.options.subjects);
  }
  Clients clients;
  if (auto ok = open_clients(ctx, f, clients); !ok) return ok;
  if (clients.session) set_subject_form(ctx, f, clients.session->http());
  const audit::AuditClients view{clients.iam ? &*clients.iam : nullptr, clients.ecr ? &*clients.ecr : nullptr,
                                 clients.cloudtrail ? &*clients.cloudtrail : nullptr};
  const auto results = audit::run_audit(f.options, view, [&ctx](std::string_view step) { ctx.err << step << "...\n"; });
  const audit::Scope scope{f.options.region, f.options.role_name, f.options.repository, f.options.workflows_dir,
                           *audit::parse_severity(f.fail_on)};
  if (f.json) ctx.out << audit::render_json(scope, results) << '\n';
  else audit::render_text(ctx.out, scope, results);
  const audit::Verdict verdict = audit::judge(results, scope.fail_on);
  ctx.exit_code = verdict.failed() ? kExitFindings : verdict.incomplete > 0 ? kExitIncomplete : 0;
  return {};
}

constexpr const char* kFooter =
    "Checks: role-permissions (least privilege of the role's inline and attached policies), trust-policy\n"
    "(the policy linter's rules: branch restriction, audience, wildcards), workflows (role ARN from a\n"
    "secret, no AWS keys, actions pinned to commit SHAs, minimal permissions, pull_request_target),\n"
    "repository (scan on push, tag immutability, lifecycle policy), cloudtrail (a trail records the\n"
    "region's management events, AssumeRoleWithWebIdentity included), coherence (the OIDC subject of every\n"
    "workflow job that assumes the role, for every event, against the trust policy: AUD050 a run will be\n"
    "refused, AUD051/AUD052 the policy admits more than the jobs need). Finding ids AUD001... are stable.\n"
    "A check that cannot run (AccessDenied, missing role) says so; the others still run.\n"
    "Examples:\n"
    "  shipctl audit\n"
    "  shipctl audit --role-name GitHubActionsECRRole --repository ecs-express-mode-api --fail-on medium\n"
    "  shipctl audit --check workflows --workflows .github/workflows --json\n"
    "  shipctl audit --deploy ecs-express-mode-api     # also the ECS Express roles' trust (AUD060, AUD061)\n"
    "Exit codes: 0 nothing at or above --fail-on and every check ran, 6 findings at or above --fail-on,\n"
    "7 none, but some checks could not run, 2 bad input, 3 --workflows directory missing.";

}  // namespace

CommandSpec audit_command() {
  return {"audit", "Check the setup against the security practices: least privilege, branch restriction, secrets, pinning, scanning, CloudTrail",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<AuditFlags>();
            sub.footer(kFooter);
            add_aws_flags(sub, f->aws, "default: ap-northeast-1");
            sub.add_option("--role-name", f->options.role_name, "Role the workflows assume")->capture_default_str();
            sub.add_option("--repository", f->options.repository, "ECR repository the workflows push to")->capture_default_str();
            sub.add_option("--workflows", f->options.workflows_dir, "Directory of workflow files")->capture_default_str();
            sub.add_option("--github-repo", f->options.subjects.github_repo,
                           "OWNER/REPO of the workflows, for the coherence check (default: the git remote of the current "
                           "directory, else the trust policy's repository)");
            sub.add_option("--fail-on", f->fail_on, "Lowest severity that fails the audit: low, medium, high, critical")
                ->capture_default_str();
            sub.add_option("--check", f->checks, "Run only this check (repeatable): role-permissions, trust-policy, "
                                                  "workflows, repository, cloudtrail, coherence");
            sub.add_option("--deploy", f->options.deploy_service,
                           "ECS Express service shipctl deploy deploys: also audit the execution and infrastructure "
                           "roles' trust (audited anyway when the role grants ECS actions)");
            sub.add_option("--cluster", f->options.cluster, "ECS cluster of the --deploy service")->capture_default_str();
            sub.add_option("--execution-role-name", f->options.execution_role_name, "Task execution role shipctl deploy passes")
                ->capture_default_str();
            sub.add_option("--infrastructure-role-name", f->options.infrastructure_role_name,
                           "Infrastructure role shipctl deploy passes")
                ->capture_default_str();
            sub.add_option("--subject-format", f->subject_format,
                           "Subject form of the repository the trust policy names, for AUD023/AUD024: name, immutable, "
                           "both (migrating: not judged) or auto (ask GitHub with GITHUB_TOKEN; without one, not judged)")
                ->check(CLI::IsMember({"name", "immutable", "both", "auto"}))
                ->capture_default_str();
            sub.add_flag("--json", f->json, "Print {\"checks\": [...], \"findings\": [...], \"failed\": bool} as JSON");
            sub.callback([&ctx, f, &sub] {
              f->workflows_given = sub.count("--workflows") > 0;
              f->deploy_given = sub.count("--deploy") > 0;
              auto done = run_audit(ctx, *f);
              if (!done) ctx.exit_code = report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
