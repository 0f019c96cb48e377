// `shipctl policy eval|lint|trust|role|permissions`: the IAM policy engine
// (src/iam) and the permission table (src/aws/permissions.h) on the command
// line. Interfaces: DESIGN.md section 5.
#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/endpoints.h"
#include "aws/permissions.h"
#include "bootstrap/inputs.h"
#include "cli/commands.h"
#include "cli/ecr_target.h"
#include "cli/subject_flags.h"
#include "iam/arn.h"
#include "iam/evaluator.h"
#include "iam/lint.h"
#include "iam/policy_parser.h"
#include "iam/trust_builder.h"
#include "oidc/github_subject.h"
#include "oidc/jwt.h"

namespace eem::cli {
namespace {

using nlohmann::ordered_json;

// Reads `path` ("-" is stdin) and parses it as a policy; errors name the file.
util::Result<iam::Policy> load_policy(Context& ctx, const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << ctx.process.in.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return util::fail(util::ErrorKind::kIo, "cannot read policy file " + path);
    text << in.rdbuf();
  }
  auto policy = iam::parse_policy(text.str());
  if (!policy) return std::unexpected(policy.error().with_context("policy " + path));
  return policy;
}

ordered_json condition_json(const iam::ConditionExplanation& c) {
  ordered_json out{{"operator", c.op},       {"key", c.key},           {"expected", c.expected},
                   {"actual", c.actual},     {"key_present", c.key_present}, {"matched", c.matched},
                   {"path", c.path}};
  if (!c.likely_cause.empty()) out["likely_cause"] = c.likely_cause;
  return out;
}

ordered_json statement_json(const iam::StatementExplanation& st) {
  ordered_json conditions = ordered_json::array();
  for (const auto& c : st.conditions) conditions.push_back(condition_json(c));
  return {{"statement", st.index},
          {"sid", st.sid},
          {"effect", st.effect == iam::Effect::kAllow ? "Allow" : "Deny"},
          {"path", st.path},
          {"applies", st.applies},
          {"principal", iam::element_match_name(st.principal)},
          {"action", iam::element_match_name(st.action)},
          {"resource", iam::element_match_name(st.resource)},
          {"conditions", conditions},
          {"summary", st.summary}};
}

std::string quoted_list(const std::vector<std::string>& values) {
  if (values.empty()) return "(absent)";
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "\"" : ", \"") + v + "\"";
  return out;
}

void print_evaluation(std::ostream& out, const iam::Evaluation& result) {
  out << "Decision: " << iam::decision_name(result.decision) << '\n';
  for (const auto& w : result.warnings) out << "warning: " << w << '\n';
  for (const auto& st : result.statements) {
    out << "Statement " << st.index << (st.sid.empty() ? "" : " (" + st.sid + ")") << " at " << st.path << ": "
        << st.summary << '\n';
    for (const auto& c : st.conditions) {
      out << "  " << (c.matched ? "ok  " : "FAIL") << ' ' << c.op << ' ' << c.key << ": expected " << quoted_list(c.expected)
          << ", actual " << quoted_list(c.actual) << '\n';
      if (!c.likely_cause.empty()) out << "       likely cause: " << c.likely_cause << '\n';
    }
  }
}

// --token: the condition keys STS would derive from this token (decoded,
// not verified: `oidc verify` is the place for that).
util::Result<void> add_token_keys(const std::string& path, iam::RequestContext& request) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(util::ErrorKind::kIo, "cannot read token file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto jwt = oidc::decode_jwt(text.str());
  if (!jwt) return std::unexpected(jwt.error().with_context("token " + path));
  const std::vector<std::pair<std::string, std::string>> claims(jwt->claims.scalars.begin(), jwt->claims.scalars.end());
  for (auto& [key, value] : oidc::condition_keys(jwt->claims.iss, jwt->claims.sub, jwt->claims.aud, claims)) {
    request.add(key, std::move(value));
  }
  return {};
}

struct EvalFlags {
  std::string policy, action, principal, resource, token;
  std::vector<std::string> context;
  bool json = false;
};

int run_eval(Context& ctx, const EvalFlags& flags) {
  auto policy = load_policy(ctx, flags.policy);
  if (!policy) return report(ctx, policy.error());
  iam::RequestContext request;
  request.action = flags.action;
  request.principal = flags.principal;
  request.resource = flags.resource;
  for (const auto& kv : flags.context) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return report(ctx, util::Error{util::ErrorKind::kInvalidInput, "--context \"" + kv + "\" is not KEY=VALUE"});
    }
    request.add(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!flags.token.empty()) {
    if (auto ok = add_token_keys(flags.token, request); !ok) return report(ctx, ok.error());
  }
  const bool has_principal = std::any_of(policy->statements.begin(), policy->statements.end(),
                                         [](const iam::Statement& st) { return st.principal.has_value(); });
  if (has_principal && request.principal.empty()) {
    ctx.err << "shipctl: warning: the policy names principals but no --principal was given; those statements cannot match\n";
  }
  const iam::Evaluation result = iam::evaluate(*policy, request);
  if (flags.json) {
    ordered_json explanation = ordered_json::array();
    for (const auto& st : result.statements) explanation.push_back(statement_json(st));
    ctx.out << ordered_json{{"decision", iam::decision_name(result.decision)},
                            {"explanation", explanation},
                            {"warnings", result.warnings}}
                   .dump(2)
            << '\n';
  } else {
    print_evaluation(ctx.out, result);
  }
  return 0;
}

struct LintFlags {
  std::string file;
  SubjectFlags subject;
  bool json = false;
};

int run_lint(Context& ctx, LintFlags& flags) {
  if (auto ok = finish_subject_flags(ctx, flags.subject); !ok) return report(ctx, ok.error());
  auto policy = load_policy(ctx, flags.file);
  if (!policy) {
    // A document IAM would reject is itself a finding-level failure; --json
    // callers get it on stdout too.
    if (flags.json) {
      ctx.out << ordered_json{{"file", flags.file},
                              {"error", {{"kind", util::kind_info(policy.error().kind).name}, {"message", policy.error().message}}}}
                     .dump(2)
              << '\n';
    }
    return report(ctx, policy.error());
  }
  iam::LintOptions options;
  // lint reads a file, not a repository: auto (and both) leave the form open.
  if (flags.subject.format == "immutable") options.immutable_subjects = iam::ImmutableSubjects::kYes;
  if (flags.subject.format == "name") options.immutable_subjects = iam::ImmutableSubjects::kNo;
  options.flag_any_workflow = true;
  const auto findings = iam::lint_policy(*policy, options);
  int errors = 0;
  for (const auto& f : findings) errors += f.severity == iam::Severity::kError ? 1 : 0;
  if (flags.json) {
    ordered_json list = ordered_json::array();
    for (const auto& f : findings) {
      list.push_back({{"id", f.rule}, {"severity", iam::severity_name(f.severity)}, {"path", f.path},
                      {"message", f.message}, {"fix", f.fix}});
    }
    ctx.out << ordered_json{{"file", flags.file}, {"findings", list},
                            {"errors", errors}, {"warnings", static_cast<int>(findings.size()) - errors}}
                   .dump(2)
            << '\n';
  } else {
    for (const auto& f : findings) {
      ctx.out << flags.file << ": " << f.path << ": " << iam::severity_name(f.severity) << " " << f.rule << ": " << f.message
              << "\n  fix: " << f.fix << '\n';
    }
    ctx.out << findings.size() << " finding(s): " << errors << " error(s), " << findings.size() - static_cast<std::size_t>(errors)
            << " warning(s)\n";
  }
  // Findings of severity error fail the command, so CI can gate on it.
  return errors > 0 ? 1 : 0;
}

struct TrustFlags {
  iam::TrustRequest request;
  GithubRepoFlag github_repo;
  SubjectFlags subject;
  std::string workflow;
  bool pull_requests = false;
};

// The subject format (asked of GitHub for auto) and the workflow, into the request.
util::Result<void> complete_trust_request(Context& ctx, TrustFlags& flags) {
  auto repo = finish_github_repo_flag(ctx, flags.github_repo);
  if (!repo) return std::unexpected(repo.error());
  if (repo->empty()) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "--github-repo OWNER/REPO is required (the repository whose jobs assume the role)");
  }
  flags.request.repository = *repo;
  if (auto ok = finish_subject_flags(ctx, flags.subject); !ok) return ok;
  if (!flags.workflow.empty()) {
    auto path = iam::workflow_path(flags.workflow);
    if (!path) return std::unexpected(path.error());
    flags.request.workflow = *path;
  }
  auto http = github_http(ctx);
  auto subject = resolve_subject(flags.subject, flags.request.repository, *http, ctx.process.env);
  if (!subject) return std::unexpected(subject.error());
  warn_if_guessed(ctx, *subject, flags.request.repository);
  flags.request.style = subject->style;
  flags.request.owner_id = subject->owner_id;
  flags.request.repo_id = subject->repo_id;
  flags.request.claim_keys = subject->claim_keys;
  flags.request.sub_claim_prefix = subject->sub_claim_prefix;
  return {};
}

int run_trust(Context& ctx, TrustFlags flags) {
  if (flags.pull_requests) flags.request.pull_requests = iam::PullRequests::kAllow;
  iam::admit_main_by_default(flags.request);
  if (auto ok = complete_trust_request(ctx, flags); !ok) return report(ctx, ok.error());
  auto policy = iam::build_trust_policy(flags.request);
  if (!policy) return report(ctx, policy.error());
  ctx.out << *policy;
  return 0;
}

void define_eval(CLI::App& policy, Context& ctx) {
  auto flags = std::make_shared<EvalFlags>();
  auto* sub = policy.add_subcommand("eval", "Evaluate a policy for one request and explain every statement");
  sub->add_option("--policy", flags->policy, "Policy JSON file (- for stdin)")->required();
  sub->add_option("--action", flags->action, "Action, e.g. sts:AssumeRoleWithWebIdentity")->required();
  sub->add_option("--principal", flags->principal, "Caller ARN (for trust policies: the OIDC provider ARN)");
  sub->add_option("--resource", flags->resource, "Resource ARN");
  sub->add_option("--context", flags->context, "Condition key KEY=VALUE; repeat for several values of one key");
  sub->add_option("--token", flags->token, "Take the OIDC condition keys (sub, aud, ...) from this JWT file (not verified)");
  sub->add_flag("--json", flags->json, "Print {\"decision\", \"explanation\"} as JSON");
  sub->callback([&ctx, flags] { ctx.exit_code = run_eval(ctx, *flags); });
}

void define_lint(CLI::App& policy, Context& ctx) {
  auto flags = std::make_shared<LintFlags>();
  auto* sub = policy.add_subcommand("lint", "Check a trust or identity policy for known mistakes (exit 1 on errors)");
  sub->add_option("file", flags->file, "Policy JSON file (- for stdin)")->required();
  sub->add_option("--subject-format", flags->subject.format,
                  "The repository's subject format: name or immutable (GHA010/GHA012 flag the other form), both or "
                  "auto (default: not known)")
      ->check(CLI::IsMember({"name", "immutable", "both", "auto"}))
      ->capture_default_str();
  sub->add_option("--immutable-subjects", flags->subject.immutable_answer)->group("")->check(CLI::IsMember({"yes", "no", "unknown"}));
  sub->add_flag("--json", flags->json, "Print findings as JSON");
  sub->callback([&ctx, flags] { ctx.exit_code = run_lint(ctx, *flags); });
}

constexpr const char* kTrustExamples = R"(
Examples:
  shipctl policy trust --account 123456789012 --github-repo octo-org/app > trust-policy.json   # main
  shipctl policy trust --account 123456789012 --github-repo octo-org/app --branch main --tag 'v*' \
      --workflow .github/workflows/deploy.yml
  GITHUB_TOKEN=... shipctl policy trust --account 123456789012 --github-repo octo-org/app --environment production

Exit codes: 0 printed; 2 bad input; with GITHUB_TOKEN (--subject-format auto, or ids to look up):
3 repository not found, 77 GitHub refused the token, 75 GitHub unreachable or throttled.)";

void define_trust(CLI::App& policy, Context& ctx) {
  auto flags = std::make_shared<TrustFlags>();
  auto* sub = policy.add_subcommand("trust", "Print the minimal GitHub Actions OIDC trust policy");
  sub->add_option("--account", flags->request.account_id, "AWS account id")->required();
  add_github_repo_flag(*sub, flags->github_repo, "GitHub OWNER/REPO whose jobs assume the role (required)");
  sub->add_option("--branch", flags->request.branches,
                  "Branch to admit (wildcards allowed); repeatable (default: main, unless --tag or --environment is given)");
  sub->add_option("--tag", flags->request.tags, "Tag to admit; repeatable");
  sub->add_option("--environment", flags->request.environments, "Environment to admit; repeatable");
  sub->add_flag("--allow-pull-requests", flags->pull_requests, "Also admit pull_request runs");
  add_subject_flags(*sub, flags->subject, FormatSet::kAll);
  sub->add_option("--workflow", flags->workflow,
                  "Admit only jobs of this workflow file, e.g. .github/workflows/deploy.yml (a job_workflow_ref condition)");
  sub->add_option("--partition", flags->request.partition, "aws, aws-cn or aws-us-gov")->check(CLI::IsMember({"aws", "aws-cn", "aws-us-gov"}));
  sub->add_option("--audience", flags->request.audience, "Audience (default sts.amazonaws.com)");
  sub->footer(kTrustExamples);
  sub->callback([&ctx, flags] { ctx.exit_code = run_trust(ctx, *flags); });
}

struct RoleFlags {
  std::string repository = "ecs-express-mode-api";  // the seed's repository and region
  std::string region = "ap-northeast-1";
  std::string account = "<AWS_ACCOUNT_ID>";  // the guides' placeholder
  std::string deploy_service;  // --deploy: ShipctlExpressDeploy instead (bootstrap --deploy's default role names)
  std::string cluster = std::string(aws::kDefaultCluster);
  bool deploy_given = false;
  bool ecr_public = false;  // --public: add login --public's opt-in statement
  bool json = false;
};

// An account id is 12 digits; the guides print a <PLACEHOLDER> instead.
util::Result<void> validate_account(const std::string& account) {
  const bool digits = iam::is_account_id(account);
  const bool placeholder = account.size() > 2 && account.front() == '<' && account.back() == '>' &&
                           std::all_of(account.begin() + 1, account.end() - 1, [](char c) {
                             return (c >= 'A' && c <= 'Z') || c == '_';
                           });
  if (digits || placeholder) return {};
  return util::fail(util::ErrorKind::kInvalidInput,
                    "--account \"" + account + "\" is not a 12-digit AWS account id (or a <PLACEHOLDER>)");
}

// ShipctlExpressDeploy for `flags.deploy_service`, with the roles bootstrap
// --deploy creates by default.
int run_deploy_role(Context& ctx, const RoleFlags& flags) {
  const std::string partition(aws::partition_of(flags.region).id);
  const auto role = [&](std::string_view name) {
    return iam::Arn{partition, "iam", "", flags.account, "role/" + std::string(name)}.str();
  };
  const std::string policy =
      aws::deploy_policy_document(partition, flags.region, flags.account, flags.cluster, flags.deploy_service,
                                  role(aws::kDefaultExecutionRoleName), role(aws::kDefaultInfrastructureRoleName));
  if (!flags.json) {
    ctx.out << policy << '\n';
    return 0;
  }
  const ordered_json doc = ordered_json::parse(policy);
  ctx.out << ordered_json{{"policy_name", aws::kDeployPolicyName},
                          {"service_arn", doc["Statement"][0]["Resource"]},
                          {"policy", doc}}
                 .dump(2)
          << '\n';
  return 0;
}

int run_role(Context& ctx, const RoleFlags& flags) {
  if (flags.deploy_given && flags.ecr_public) {
    return report(ctx, {util::ErrorKind::kInvalidInput, "--public adds to ShipctlEcrPush, not to --deploy's "
                                                        "ShipctlExpressDeploy: run policy role twice"});
  }
  if (flags.deploy_given) {
    if (auto ok = aws::validate_region(flags.region); !ok) return report(ctx, ok.error());
    if (auto ok = validate_account(flags.account); !ok) return report(ctx, ok.error());
    if (auto ok = bootstrap::validate_ecs_name("--deploy", flags.deploy_service); !ok) return report(ctx, ok.error());
    if (auto ok = bootstrap::validate_ecs_name("--cluster", flags.cluster); !ok) return report(ctx, ok.error());
    return run_deploy_role(ctx, flags);
  }
  if (auto ok = validate_repository_name(flags.repository); !ok) return report(ctx, ok.error());
  if (auto ok = aws::validate_region(flags.region); !ok) return report(ctx, ok.error());
  if (auto ok = validate_account(flags.account); !ok) return report(ctx, ok.error());
  const aws::ResourceArns arns{aws::repository_arn(flags.region, flags.account, flags.repository), {}, {}};
  const std::string policy = aws::workflow_policy(
      arns, flags.ecr_public ? aws::EcrPublicLogin::kInclude : aws::EcrPublicLogin::kOmit);
  if (!flags.json) {
    ctx.out << policy << '\n';
    return 0;
  }
  ctx.out << ordered_json{{"policy_name", aws::kWorkflowPolicyName},
                          {"repository_arn", arns.repository},
                          {"policy", ordered_json::parse(policy)}}
                 .dump(2)
          << '\n';
  return 0;
}

std::string column_title(std::string text) {
  for (char& c : text) c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string_view grant_name(aws::Grant grant) {
  switch (grant) {
    case aws::Grant::kIdentityPolicy: return "identity-policy";
    case aws::Grant::kTrustPolicy: return "trust-policy";
    case aws::Grant::kNone: break;
  }
  return "none";
}

std::string_view need_name(aws::Need need) {
  constexpr std::array<std::string_view, 3> kNames{"required", "best-effort", "opt-in"};  // in enum order
  return kNames[static_cast<std::size_t>(need)];
}

ordered_json permission_json(const aws::Permission& p) {
  return {{"command", p.command},
          {"action", p.action},
          {"resource", aws::resource_kind_name(p.resource)},
          {"granted_by", grant_name(p.grant)},
          {"caller", p.caller == aws::Caller::kWorkflow ? "workflow" : "admin"},
          {"need", need_name(p.need)},
          {"call", p.call}};
}

int run_permissions(Context& ctx, bool json) {
  ordered_json rows = ordered_json::array();
  for (const auto& p : aws::permission_table()) rows.push_back(permission_json(p));
  if (json) {
    ctx.out << rows.dump(2) << '\n';
    return 0;
  }
  // Columns padded to their widest cell; "call" last, unpadded.
  const std::vector<std::string> keys{"command", "action", "resource", "granted_by", "caller", "need", "call"};
  std::vector<std::size_t> width(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    width[k] = keys[k].size();
    for (const auto& row : rows) width[k] = std::max(width[k], row[keys[k]].get<std::string>().size());
  }
  const auto print = [&](auto cell) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const std::string text = cell(k);
      ctx.out << text << (k + 1 == keys.size() ? "\n" : std::string(width[k] - text.size() + 2, ' '));
    }
  };
  print([&](std::size_t k) { return column_title(keys[k]); });
  for (const auto& row : rows) print([&](std::size_t k) { return row[keys[k]].get<std::string>(); });
  return 0;
}

void define_role(CLI::App& policy, Context& ctx) {
  auto flags = std::make_shared<RoleFlags>();
  auto* sub = policy.add_subcommand("role", "Print the workflow role's least-privilege policy (what bootstrap writes)");
  sub->add_option("--repository", flags->repository, "ECR repository name")->capture_default_str();
  sub->add_option("--region", flags->region, "Region of the repository")->capture_default_str();
  sub->add_option("--account", flags->account, "AWS account id")->capture_default_str();
  sub->add_option("--deploy", flags->deploy_service,
                  "Print ShipctlExpressDeploy for this ECS Express service instead (bootstrap --deploy's roles)");
  sub->add_option("--cluster", flags->cluster, "ECS cluster of the --deploy service")->capture_default_str();
  sub->add_flag("--public", flags->ecr_public,
                "Also allow `shipctl login --public` (ecr-public:GetAuthorizationToken and "
                "sts:GetServiceBearerToken on \"*\"; bootstrap --public adds them)");
  sub->add_flag("--json", flags->json,
                "Print {\"policy_name\", \"repository_arn\", \"policy\"} (with --deploy: \"service_arn\")");
  sub->callback([&ctx, flags, sub] {
    flags->deploy_given = sub->count("--deploy") > 0;
    ctx.exit_code = run_role(ctx, *flags);
  });
}

void define_permissions(CLI::App& policy, Context& ctx) {
  auto json = std::make_shared<bool>(false);
  auto* sub = policy.add_subcommand("permissions", "List the IAM actions each shipctl command needs, and on what");
  sub->add_flag("--json", *json, "Print [{\"command\", \"action\", \"resource\", ...}]");
  sub->callback([&ctx, json] { ctx.exit_code = run_permissions(ctx, *json); });
}

constexpr const char* kPolicyExamples = R"(
Examples:
  shipctl policy trust --account 123456789012 --github-repo octo-org/app > trust-policy.json
  shipctl policy lint trust-policy.json --subject-format immutable
  shipctl policy eval --policy trust-policy.json --action sts:AssumeRoleWithWebIdentity \
      --principal arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com --token token.jwt
  shipctl policy role --account 123456789012 --json
  shipctl policy role --account 123456789012 --public
  shipctl policy permissions

Exit codes: 0 ok (eval: whichever the decision; lint: no error finding); 1 lint found an error;
2 bad input (a flag, a policy document IAM would reject); 74 a file cannot be read; policy trust
asking GitHub: 3 repository not found, 77 token refused, 75 GitHub unreachable or throttled.)";

}  // namespace

CommandSpec policy_command() {
  return {"policy", "Evaluate, explain and lint IAM trust and identity policies", [](CLI::App& sub, Context& ctx) {
            sub.require_subcommand(1);
            sub.footer(kPolicyExamples);
            define_eval(sub, ctx);
            define_lint(sub, ctx);
            define_trust(sub, ctx);
            define_role(sub, ctx);
            define_permissions(sub, ctx);
          }};
}

}  // namespace eem::cli
