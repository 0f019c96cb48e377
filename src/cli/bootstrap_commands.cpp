// `shipctl bootstrap` (seed sections 1 and 2): the one-time AWS setup for
// keyless pushes from GitHub Actions, as plan then apply. Reads the plain
// flags, resolves account, repository and subject format, and hands the
// rest to src/bootstrap (desired, observed, plan, apply, report).

#include <algorithm>
#include <istream>
#include <memory>
#include <ostream>

#include "audit/audit.h"
#include "aws/ecr.h"
#include "aws/iam.h"
#include "aws/profiles.h"
#include "aws/regions.h"
#include "aws/sts.h"
#include "bootstrap/apply.h"
#include "bootstrap/github_setup.h"
#include "bootstrap/inputs.h"
#include "bootstrap/observed.h"
#include "bootstrap/report.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/subject_flags.h"
#include "util/env.h"

namespace eem::cli {

namespace {

namespace bs = bootstrap;
using util::ErrorKind;

struct BootstrapOptions {
  AwsFlags aws;
  std::string github_repo;
  std::string role_name = std::string(bs::kDefaultRoleName);
  std::string repository = std::string(bs::kDefaultRepository);
  std::vector<std::string> branches;
  std::vector<std::string> tags;
  std::vector<std::string> environments;
  SubjectFlags subject;
  std::string workflow;  // --workflow: pin the role to this workflow file
  std::vector<std::string> from_workflows;
  std::string deploy_service;  // --deploy SERVICE (issue 14)
  std::string cluster;
  std::string execution_role_name = std::string(aws::kDefaultExecutionRoleName);
  std::string infrastructure_role_name = std::string(aws::kDefaultInfrastructureRoleName);
  bool managed_policy = false;
  bool ecr_public = false;  // --public: the inline policy also allows login --public
  bool skip_registry_scanning = false;
  bool apply = false;
  bool set_secret = false;
  bool json = false;
};

// Which of the --deploy flags the command line names.
struct DeployFlagsGiven {
  bool deploy = false;
  bool roles = false;
};

// --deploy's names; --cluster and the role names only mean something with it.
util::Result<void> check_deploy_flags(const BootstrapOptions& o, DeployFlagsGiven given) {
  const bool roles_named = given.roles;
  if (given.deploy && o.deploy_service.empty()) return bs::validate_ecs_name("--deploy", o.deploy_service);
  if (o.deploy_service.empty()) {
    if (!o.cluster.empty() || roles_named) {
      return util::fail(ErrorKind::kInvalidInput,
                        "--cluster, --execution-role-name and --infrastructure-role-name go with --deploy SERVICE");
    }
    return {};
  }
  if (auto ok = bs::validate_ecs_name("--deploy", o.deploy_service); !ok) return ok;
  if (!o.cluster.empty()) {
    if (auto ok = bs::validate_ecs_name("--cluster", o.cluster); !ok) return ok;
  }
  if (auto ok = bs::validate_role_name(o.execution_role_name, "--execution-role-name"); !ok) return ok;
  if (auto ok = bs::validate_role_name(o.infrastructure_role_name, "--infrastructure-role-name"); !ok) return ok;
  if (o.execution_role_name == o.infrastructure_role_name || o.execution_role_name == o.role_name ||
      o.infrastructure_role_name == o.role_name) {
    return util::fail(ErrorKind::kInvalidInput,
                      "--role-name, --execution-role-name and --infrastructure-role-name must name three different roles");
  }
  return {};
}

util::Result<void> check_flags(const BootstrapOptions& o, const util::EnvLookup& env) {
  if (auto ok = bs::validate_role_name(o.role_name); !ok) return ok;
  if (auto ok = bs::validate_repository_name(o.repository); !ok) return ok;
  if (!o.github_repo.empty()) {
    if (auto ok = bs::validate_github_repo(o.github_repo); !ok) return ok;
  }
  if (!o.workflow.empty()) {
    if (auto ok = iam::workflow_path(o.workflow); !ok) return std::unexpected(ok.error());
  }
  if (o.ecr_public && o.managed_policy) {
    return util::fail(ErrorKind::kInvalidInput, "--public adds a statement to the inline policy ShipctlEcrPush, which "
                                                "--managed-policy replaces: drop one of the two");
  }
  if (o.set_secret && env("GITHUB_TOKEN").value_or("").empty()) {
    return util::fail(ErrorKind::kInvalidInput,
                      "--set-secret needs GITHUB_TOKEN (a token allowed to write the repository's Actions secrets)");
  }
  return {};
}

util::Result<void> check_region(const AwsFlags& flags, const util::EnvLookup& env) {
  auto region = aws::resolve_region(env, flags.region);
  return aws::check_known_region(region ? *region : std::string(bs::kDefaultRegion));
}

std::unique_ptr<github::Client> github_client(net::HttpClient& http, const util::EnvLookup& env) {
  const std::string token = env("GITHUB_TOKEN").value_or("");
  if (token.empty()) return nullptr;
  return std::make_unique<github::Client>(http, github::api_url(env), token);
}

bs::Settings settings_of(const BootstrapOptions& o, const std::string& account, const std::string& region,
                         const std::string& repo, const bs::SubjectDetection& subject) {
  bs::Settings s;
  s.account_id = account;
  s.region = region;
  s.github_repo = repo;
  s.subject_style = subject.style;
  s.owner_id = subject.owner_id;
  s.repo_id = subject.repo_id;
  s.claim_keys = subject.claim_keys;
  s.sub_claim_prefix = subject.sub_claim_prefix;
  s.workflow = o.workflow.empty() ? std::string() : *iam::workflow_path(o.workflow);
  s.branches = o.branches;
  s.tags = o.tags;
  s.environments = o.environments;
  s.role_name = o.role_name;
  s.repository = o.repository;
  s.policy_mode = o.managed_policy ? bs::PolicyMode::kManaged : bs::PolicyMode::kInline;
  s.ecr_public = o.ecr_public ? aws::EcrPublicLogin::kInclude : aws::EcrPublicLogin::kOmit;
  s.deploy_service = o.deploy_service;
  if (!o.cluster.empty()) s.cluster = o.cluster;
  s.execution_role_name = o.execution_role_name;
  s.infrastructure_role_name = o.infrastructure_role_name;
  s.registry_scanning = !o.skip_registry_scanning;
  return s;
}

// On a terminal without --apply, asks; elsewhere the plan is all.
bool confirmed(Context& ctx, const BootstrapOptions& o, std::size_t changes) {
  if (o.apply) return true;
  if (o.json || !ctx.process.stdin_is_terminal || !ctx.process.stderr_is_terminal) return false;
  ctx.err << "Apply these " << changes << " changes? [y/N] " << std::flush;
  std::string answer;
  std::getline(ctx.process.in, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

struct Clients {
  aws::IamClient iam;
  aws::EcrClient ecr;
};

util::Result<Clients> make_clients(const AwsSession& session) {
  auto iam = session.client(aws::kIam);
  if (!iam) return std::unexpected(iam.error());
  auto ecr = session.client(aws::kEcr);
  if (!ecr) return std::unexpected(ecr.error());
  return Clients{aws::IamClient(std::move(*iam)), aws::EcrClient(std::move(*ecr))};
}

util::Result<std::string> account_of(const AwsSession& session) {
  auto service = session.client(aws::kSts);
  if (!service) return std::unexpected(service.error());
  auto identity = aws::StsClient(std::move(*service)).get_caller_identity();
  if (!identity) return std::unexpected(identity.error().to_error().with_context("finding the AWS account"));
  return identity->account;
}

void print(Context& ctx, const BootstrapOptions& o, const bs::Report& report, bool plan_shown) {
  if (o.json) {
    ctx.out << bs::render_json(report) << '\n';
    return;
  }
  if (!plan_shown) ctx.out << bs::render_plan_text(report.actions);
  ctx.out << bs::render_outcome_text(report);
}

util::Result<void> run_plan(Context& ctx, const BootstrapOptions& o, Clients& clients, bs::Report& report) {
  auto observed = bs::observe(clients.iam, clients.ecr, report.desired);
  if (!observed) return std::unexpected(observed.error());
  report.registry_scanning = observed->registry_scanning;
  bs::keep_opt_ins(report.desired, *observed);
  auto actions = bs::make_plan(report.desired, *observed);
  if (!actions) return std::unexpected(actions.error());
  report.actions = std::move(*actions);
  if (report.actions.empty()) {
    report.outcome = bs::Outcome::kNoChanges;
    return {};
  }
  if (!o.json) ctx.out << bs::render_plan_text(report.actions) << std::flush;
  if (!confirmed(ctx, o, report.actions.size())) return {};
  auto applied = bs::apply_plan(clients.iam, clients.ecr, report.desired, report.actions,
                                [&ctx](const bs::Action& action, std::size_t index, std::size_t total) {
                                  ctx.err << "[" << index << "/" << total << "] " << action.summary << '\n';
                                });
  if (!applied) return applied;
  report.outcome = bs::Outcome::kApplied;
  return {};
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& values) {
  for (const auto& v : values) {
    if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
  }
}

// --from-workflow: the branches, tags and environments the files' jobs that
// assume the role run on (src/audit/coherence.h), added to those of
// --branch, --tag and --environment (a union: flags admit what no file names).
util::Result<BootstrapOptions> with_workflow_refs(Context& ctx, BootstrapOptions o) {
  if (o.from_workflows.empty()) return o;
  auto loaded = audit::load_workflow_files(o.from_workflows);
  if (!loaded) return std::unexpected(loaded.error().with_context("--from-workflow"));
  audit::SubjectSettings subjects;
  subjects.github_repo = "owner/repo";  // only the refs are used, not the subjects
  if (auto branch = bs::default_branch_from_git()) subjects.default_branch = *branch;
  auto predictions = audit::predict_runs(*loaded, subjects);
  if (!predictions) return std::unexpected(predictions.error().with_context("--from-workflow"));
  std::erase_if(predictions->runs, [&](const audit::Prediction& p) {
    return std::find(o.from_workflows.begin(), o.from_workflows.end(), p.file) == o.from_workflows.end();
  });
  const audit::TrustRefs refs = audit::trust_refs(*predictions);
  for (const auto& note : refs.notes) ctx.err << "--from-workflow: " << note << '\n';
  if (refs.branches.empty() && refs.tags.empty() && refs.environments.empty()) {
    return util::fail(ErrorKind::kInvalidInput,
                      "--from-workflow: no job in the given files assumes a role on a branch, tag or environment "
                      "(shipctl credentials, or configure-aws-credentials with role-to-assume)");
  }
  add_unique(o.branches, refs.branches);
  add_unique(o.tags, refs.tags);
  add_unique(o.environments, refs.environments);
  return o;
}

util::Result<void> bootstrap(Context& ctx, const BootstrapOptions& options, DeployFlagsGiven given) {
  auto derived = with_workflow_refs(ctx, options);
  if (!derived) return std::unexpected(derived.error());
  BootstrapOptions& o = *derived;
  const util::EnvLookup& env = ctx.process.env;
  if (auto ok = finish_subject_flags(ctx, o.subject); !ok) return ok;
  if (auto ok = check_flags(o, env); !ok) return ok;
  if (auto ok = check_deploy_flags(o, given); !ok) return ok;
  if (auto ok = check_region(o.aws, env); !ok) return ok;
  auto repo = o.github_repo.empty() ? bs::github_repo_from_git() : util::Result<std::string>(o.github_repo);
  if (!repo) return std::unexpected(repo.error());
  auto session = AwsSession::open(ctx, o.aws, bs::kDefaultRegion);
  if (!session) return std::unexpected(session.error());
  auto account = account_of(*session);
  if (!account) return std::unexpected(account.error());
  auto gh = github_client(session->http(), env);
  auto subject = resolve_subject(o.subject, *repo, session->http(), env);
  if (!subject) return std::unexpected(subject.error());
  warn_if_guessed(ctx, *subject, *repo);
  auto desired = bs::desired_state(settings_of(o, *account, session->region(), *repo, *subject));
  if (!desired) return std::unexpected(desired.error());
  bs::Report report{*account, session->region(), *repo, style_name(subject->style), subject->reason,
                    std::move(*desired), {}, bs::Outcome::kPlanned, bs::SecretOutcome::kNotRequested};
  if (!o.json) {
    ctx.out << "Account " << report.account_id << ", region " << report.region << ", GitHub repository " << *repo
            << "\nSubject format: " << report.subject_format << " (" << report.subject_reason << ")\n";
    if (!o.workflow.empty()) {
      ctx.out << "Workflow: only jobs of " << *iam::workflow_path(o.workflow)
              << " (condition on token.actions.githubusercontent.com:job_workflow_ref)\n";
    }
  }
  auto clients = make_clients(*session);
  if (!clients) return std::unexpected(clients.error());
  if (auto ok = run_plan(ctx, o, *clients, report); !ok) return ok;
  if (o.set_secret && report.outcome == bs::Outcome::kPlanned) report.secret = bs::SecretOutcome::kSkipped;
  if (o.set_secret && report.outcome != bs::Outcome::kPlanned) {
    if (auto ok = bs::store_role_secret(*gh, *repo, report.desired.role_arn); !ok) return ok;
    report.secret = bs::SecretOutcome::kStored;
  }
  print(ctx, o, report, !report.actions.empty());
  return {};
}

constexpr const char* kExamples = R"(
Examples:
  shipctl bootstrap                                   # plan for the git remote's repository
  shipctl bootstrap --apply                           # create or repair everything
  shipctl bootstrap --github-repo octo-org/app --branch main --tag 'v*' --apply
  shipctl bootstrap --environment production --subject-format immutable --owner-id 9919 --repo-id 1296269
  shipctl bootstrap --from-workflow .github/workflows/deploy.yml --apply   # admit what deploy.yml runs on
  shipctl bootstrap --workflow .github/workflows/deploy.yml --apply   # only deploy.yml's jobs may assume the role
  shipctl bootstrap --subject-format both --apply    # admit name and immutable subjects while migrating
  GITHUB_TOKEN=... shipctl bootstrap --apply --set-secret   # also stores AWS_ROLE_ARN
  shipctl bootstrap --deploy ecs-express-mode-api --apply  # also the ECS Express roles and ShipctlExpressDeploy
  shipctl bootstrap --public --apply                   # the role may also run `shipctl login --public`
  shipctl bootstrap --skip-registry-scanning --apply   # leave the account-wide registry scanning rules alone

Exit codes: 0 planned, applied or no changes; 2 bad input; 3 not found;
77 access denied; 75 network or throttling (retry); 4 conflict.)";

}  // namespace

CommandSpec bootstrap_command() {
  return {"bootstrap", "Create or repair the AWS setup for keyless pushes from GitHub Actions (plan, then --apply)",
          [](CLI::App& sub, Context& ctx) {
            auto o = std::make_shared<BootstrapOptions>();
            add_aws_flags(sub, o->aws, "default: ap-northeast-1");
            sub.add_option("--github-repo", o->github_repo, "OWNER/REPO (default: from `git remote get-url origin`)");
            sub.add_option("--role-name", o->role_name, "IAM role to create (default: GitHubActionsECRRole)");
            sub.add_option("--repository", o->repository, "ECR repository name (default: ecs-express-mode-api)");
            sub.add_option("--branch", o->branches, "Branch allowed to assume the role; repeat (default: main, unless --tag or --environment is given)");
            sub.add_option("--tag", o->tags, "Git tag pattern allowed to assume the role, e.g. 'v*'; repeat");
            sub.add_option("--environment", o->environments, "GitHub environment allowed to assume the role; repeat");
            sub.add_option("--from-workflow", o->from_workflows,
                           "Workflow file whose role-assuming jobs' branches, tags and environments are admitted "
                           "(added to --branch/--tag/--environment); repeat");
            add_subject_flags(sub, o->subject, FormatSet::kAll);
            sub.add_option("--workflow", o->workflow,
                           "Admit only jobs of this workflow file, e.g. .github/workflows/deploy.yml (a job_workflow_ref condition)");
            sub.add_flag("--managed-policy", o->managed_policy,
                         "Attach AmazonEC2ContainerRegistryPowerUser (the seed's way) instead of the least-privilege inline policy");
            sub.add_flag("--public", o->ecr_public,
                         "Also allow `shipctl login --public` in the inline policy (ecr-public:GetAuthorizationToken "
                         "and sts:GetServiceBearerToken on \"*\", as `shipctl policy role --public` prints; a run "
                         "without it keeps them)");
            auto* deploy = sub.add_option("--deploy", o->deploy_service,
                           "ECS Express service `shipctl deploy` will deploy: also create the execution and infrastructure "
                           "roles and grant the workflow role the deploy permissions (inline policy ShipctlExpressDeploy)");
            sub.add_option("--cluster", o->cluster, "ECS cluster of the --deploy service (default: default)");
            auto* execution = sub.add_option("--execution-role-name", o->execution_role_name,
                                             "Task execution role to create with --deploy (default: ShipctlExpressExecutionRole)");
            auto* infrastructure = sub.add_option(
                "--infrastructure-role-name", o->infrastructure_role_name,
                "Infrastructure role to create with --deploy (default: ShipctlExpressInfrastructureRole)");
            sub.add_flag("--skip-registry-scanning", o->skip_registry_scanning,
                         "Neither read nor change the registry's scanning configuration (account-wide; by default "
                         "bootstrap adds the repository to its scan-on-push rule, keeping every other rule)");
            sub.add_flag("--apply", o->apply, "Make the changes (default: show the plan; on a terminal, ask)");
            sub.add_flag("--set-secret", o->set_secret, "Store the role ARN as the AWS_ROLE_ARN secret (needs GITHUB_TOKEN)");
            sub.add_flag("--json", o->json, "Print the plan and outcome as JSON");
            sub.footer(kExamples);
            sub.callback([&ctx, o, deploy, execution, infrastructure] {
              auto done = bootstrap(ctx, *o, {deploy->count() > 0, execution->count() + infrastructure->count() > 0});
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
