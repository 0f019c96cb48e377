// `shipctl doctor`: runs src/doctor's checks with the caller's AWS session
// and prints the checklist (or --json). Exit codes: doctor::exit_code.

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>

#include "audit/audit.h"
#include "aws/github_oidc.h"
#include "bootstrap/inputs.h"
#include "cli/actions_output.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/subject_flags.h"
#include "doctor/doctor.h"
#include "util/strings.h"

namespace eem::cli {

namespace {

struct DoctorFlags {
  AwsFlags aws;
  doctor::Options options;
  SubjectFlags subject;
  bool json = false;
};

// The AWS clients a doctor run uses; they live as long as the run.
struct Clients {
  std::optional<aws::StsClient> sts;
  std::optional<aws::IamClient> iam;
  std::optional<aws::EcrClient> ecr;
  std::optional<aws::EcsClient> ecs;
};

// The ECS client only with --deploy: without it doctor is what it was.
util::Result<Clients> make_clients(const AwsSession& session, bool deploy) {
  auto sts = session.client(aws::kSts);
  if (!sts) return std::unexpected(sts.error());
  auto iam = session.client(aws::kIam);
  if (!iam) return std::unexpected(iam.error());
  auto ecr = session.client(aws::kEcr);
  if (!ecr) return std::unexpected(ecr.error());
  Clients clients{aws::StsClient(std::move(*sts)), aws::IamClient(std::move(*iam)), aws::EcrClient(std::move(*ecr)), {}};
  if (!deploy) return clients;
  auto ecs = session.client(aws::kEcs);
  if (!ecs) return std::unexpected(ecs.error());
  clients.ecs.emplace(std::move(*ecs));
  return clients;
}

constexpr std::string_view kWorkflowsDir = ".github/workflows";

audit::SubjectSettings subject_settings(const doctor::Options& o) {
  audit::SubjectSettings s;
  s.github_repo = o.github_repo;
  if (s.github_repo.empty()) {
    if (auto repo = bootstrap::github_repo_from_git()) s.github_repo = *repo;
  }
  s.format = o.subject_format;
  s.owner_id = o.owner_id;
  s.repo_id = o.repo_id;
  if (auto branch = bootstrap::default_branch_from_git()) {
    s.default_branch = *branch;
    s.default_branch_source = "from refs/remotes/origin/HEAD";
  }
  return s;
}

// One evidence line per predicted run, then why each refused one is refused.
std::vector<std::string> run_lines(const audit::Judgement& j, const std::vector<std::string>& skipped) {
  std::vector<std::string> out;
  for (const auto& v : j.verdicts) {
    out.push_back(v.run.job_file + " job " + v.run.job + ", on " + v.run.trigger + ": " +
                  (v.admitted ? "admitted" : "REFUSED \"" + v.run.subject + "\""));
    for (const auto& line : v.refusal) out.push_back("  " + line);
  }
  for (const auto& s : skipped) out.push_back("not predicted: " + s);
  for (const auto& d : j.dispatch) out.push_back(d);
  return out;
}

// The workflow-subjects check (src/audit/coherence.h) for the checkout in
// the current directory.
doctor::Check workflow_subjects(const doctor::Options& o, const aws::Role* role, std::string_view unreadable) {
  doctor::Check check{"workflow-subjects", "Workflow subjects against the trust policy", doctor::Status::kPass, {}, {}, {}};
  std::error_code ec;
  if (!std::filesystem::is_directory(kWorkflowsDir, ec)) {
    check.status = doctor::Status::kSkipped;
    check.summary = "skipped: no .github/workflows here";
    return check;
  }
  if (role == nullptr) {
    check.status = doctor::Status::kCannotRun;
    check.summary = "needs the role's trust policy" + (unreadable.empty() ? std::string() : ": " + std::string(unreadable));
    return check;
  }
  const std::string_view policy = role->trust_policy;
  const std::string_view role_arn = role->arn;
  const audit::SubjectSettings settings = subject_settings(o);
  auto workflows = audit::load_workflows(std::string(kWorkflowsDir));
  auto predictions = workflows ? audit::predict_runs(*workflows, settings) : std::unexpected(workflows.error());
  auto judgement = predictions ? audit::judge_runs(predictions->runs, policy, audit::github_provider_arn(role_arn))
                               : std::unexpected(predictions.error());
  if (settings.github_repo.empty() || !judgement) {
    check.status = doctor::Status::kCannotRun;
    check.summary = settings.github_repo.empty() ? "no GitHub repository: pass --github-repo OWNER/REPO" : judgement.error().message;
    return check;
  }
  const auto refused = std::count_if(judgement->verdicts.begin(), judgement->verdicts.end(),
                                     [](const audit::RunVerdict& v) { return !v.admitted; });
  check.evidence = run_lines(*judgement, predictions->skipped);
  check.summary = std::to_string(judgement->verdicts.size()) + " predicted runs of jobs that assume the role, " +
                  std::to_string(refused) + " refused by the trust policy";
  if (refused > 0) {
    check.status = doctor::Status::kFail;
    for (const auto& f : audit::coherence_findings(*judgement, o.role_name)) {
      if (f.id == "AUD050") check.fix += (check.fix.empty() ? "" : "\n") + f.fix;
    }
  }
  return check;
}

// The subject format of the run doctor predicts (--github-repo without a
// token); inside Actions, or with --token, the token says it.
util::Result<void> resolve_format(Context& ctx, DoctorFlags& f, const AwsSession& session) {
  if (auto ok = finish_subject_flags(ctx, f.subject); !ok) return ok;
  // A --github-repo that is not OWNER/REPO is doctor's to report, before any warning.
  const bool repo_shaped = f.options.github_repo.find('/') != std::string::npos;
  const bool predicted = repo_shaped && f.options.token_file.empty() &&
                         !in_github_actions(ctx.process.env);
  if (!predicted) {
    f.options.owner_id = f.subject.owner_id;
    f.options.repo_id = f.subject.repo_id;
    return {};
  }
  auto detected = resolve_subject(f.subject, f.options.github_repo, session.http(), ctx.process.env);
  if (!detected) return std::unexpected(detected.error());
  warn_if_guessed(ctx, *detected, f.options.github_repo);
  const bool immutable = detected->style == iam::SubjectStyle::kImmutable;
  f.options.subject_format = immutable ? oidc::SubjectFormat::kImmutable : oidc::SubjectFormat::kName;
  f.options.owner_id = detected->owner_id;
  f.options.repo_id = detected->repo_id;
  return {};
}

util::Result<void> run_doctor(Context& ctx, DoctorFlags& f) {
  auto session = AwsSession::open(ctx, f.aws, "ap-northeast-1");
  if (!session) return std::unexpected(session.error());
  if (auto ok = resolve_format(ctx, f, *session); !ok) return ok;
  f.options.region = session->region();
  auto clients = make_clients(*session, !f.options.deploy.service.empty());
  if (!clients) return std::unexpected(clients.error());
  doctor::Services services;
  services.sts = &*clients->sts;
  services.iam = &*clients->iam;
  services.ecr = &*clients->ecr;
  if (clients->ecs) services.ecs = &*clients->ecs;
  services.env = ctx.process.env;
  services.now = ctx.process.now;
  services.fetch_token = [&session](std::string_view audience) {
    return aws::fetch_github_id_token(session->http(), session->env(), audience);
  };
  services.workflow_subjects = [&f](const aws::Role* role, std::string_view unreadable) {
    return workflow_subjects(f.options, role, unreadable);
  };
  auto result = doctor::run_doctor(f.options, services);
  if (!result) return std::unexpected(result.error());
  if (f.json) {
    doctor::print_json(*result, ctx.out);
  } else {
    doctor::print_text(*result, ctx.out);
  }
  ctx.exit_code = doctor::exit_code(*result);
  return {};
}

void add_run_flags(CLI::App& sub, doctor::Options& o, SubjectFlags& subject) {
  sub.add_option("--github-repo", o.github_repo, "OWNER/REPO whose run's claims the trust policy is checked against");
  sub.add_option("--ref", o.ref, "Git ref of that run")->capture_default_str();
  sub.add_option("--event", o.event, "Event that triggered the run (push, pull_request, ...)")->capture_default_str();
  sub.add_option("--environment", o.environment, "GitHub environment of the job, if it uses one");
  add_subject_flags(sub, subject, FormatSet::kOneForm);
  sub.add_option("--token", o.token_file, "A GitHub OIDC token (JWT) file whose claims are checked instead");
  sub.add_option("--audience", o.audience, "Audience the token is requested for")->capture_default_str();
}

void add_deploy_flags(CLI::App& sub, doctor::DeployOptions& d) {
  sub.add_option("--deploy", d.service, "Also check the deploy of this ECS Express service (name or ARN)");
  sub.add_option("--cluster", d.cluster, "ECS cluster of --deploy (default: a service ARN's cluster, else default)");
  sub.add_option("--execution-role-name", d.execution_role_name, "Task execution role of --deploy")->capture_default_str();
  sub.add_option("--infrastructure-role-name", d.infrastructure_role_name, "Infrastructure role of --deploy")
      ->capture_default_str();
  sub.add_option("--port", d.port, "Port the app listens on (deploy --port)")->capture_default_str()->check(CLI::Range(1, 65535));
  sub.add_option("--health-check-path", d.health_check_path, "Path the app answers 200 on (deploy --health-check-path)")
      ->capture_default_str();
}

}  // namespace

namespace {

// shipctl|docker (any case) to the enum's number, with an error naming the
// choices (CLI11's CheckedTransformer prints its internal mapping).
CLI::Validator push_tool_names() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        const std::string lower = util::to_lower(value);
        if (lower != "shipctl" && lower != "docker") return "expected shipctl or docker, not '" + value + "'";
        const auto tool = lower == "docker" ? doctor::PushTool::kDocker : doctor::PushTool::kShipctl;
        value = std::to_string(static_cast<int>(tool));
        return {};
      },
      "shipctl|docker");
}

}  // namespace

CommandSpec doctor_command() {
  return {"doctor",
          "Find why a keyless push or an ECS Express deploy fails: OIDC provider, role, trust policy, permissions, "
          "repository, login; with --deploy the cluster, service, ECS roles, PassRole, image, health check, rollout",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<DoctorFlags>();
            sub.footer(
                "Checks, in order, stopping at the first root cause: Actions OIDC token (id-token: write),\n"
                "AWS identity, role ARN (AWS_ROLE_ARN), OIDC provider and its client id, role, trust policy\n"
                "against the run's claims, the role's permissions for every workflow command (push-permissions),\n"
                "ECR repository, shipctl login. With --deploy SERVICE, then: ECS cluster (deploy-cluster), the\n"
                "service not DRAINING/INACTIVE (deploy-service), execution-role and infrastructure-role (exist,\n"
                "trust ecs-tasks.amazonaws.com / ecs.amazonaws.com), pass-role (iam:PassRole on both),\n"
                "image-pull (the execution role's ECR access, the digest in ECR), health-check (port and path\n"
                "against --port and --health-check-path), rollout (the latest deployment's rollback reasons). Beside a checkout, last: every workflow job\n"
                "that assumes the role, for every event, against the trust policy (workflow-subjects).\n"
                "Inside a GitHub Actions job it checks the job's own token; when the job's role may not read IAM or\n"
                "ECR, it shows the token's claims (never the token) and the command to run with administrator\n"
                "credentials for the same run.\n"
                "Examples:\n"
                "  shipctl doctor --github-repo octo-org/app\n"
                "  shipctl doctor --github-repo octo-org/app --event pull_request --ref refs/pull/7/merge\n"
                "  shipctl doctor --role-arn arn:aws:iam::123456789012:role/GitHubActionsECRRole --token id-token.jwt --json\n"
                "  shipctl doctor --github-repo octo-org/app --deploy ecs-express-mode-api --cluster default\n"
                "Exit codes: 0 healthy, 6 a root cause was found, 7 no root cause but some checks could not run,\n"
                "2 bad input, 77 denied or expired credentials, 75 network.");
            add_aws_flags(sub, f->aws, "default: ap-northeast-1");
            sub.add_option("--role-arn", f->options.role_arn, "Role the workflow assumes (default: AWS_ROLE_ARN, else --role-name)");
            sub.add_option("--role-name", f->options.role_name, "Role name in the caller's account")->capture_default_str();
            sub.add_option("--account", f->options.account, "Account the role must be in (default: the caller's)");
            add_run_flags(sub, f->options, f->subject);
            sub.add_option("--repository", f->options.repository, "ECR repository name the workflow pushes to")->capture_default_str();
            sub.add_option("--push-tool", f->options.push_tool,
                           "What pushes the image: shipctl (gets its own ECR token; no login needed) or docker "
                           "(docker/podman push: needs shipctl login first)")
                ->transform(push_tool_names())
                ->default_str("shipctl");
            add_deploy_flags(sub, f->options.deploy);
            sub.add_flag("--json", f->json, "Print {\"checks\": [...], \"root_cause\": id|null} as JSON");
            sub.callback([&ctx, f] {
              auto done = run_doctor(ctx, *f);
              if (!done) ctx.exit_code = report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
