#include "doctor/doctor.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "doctor/checks.h"
#include "iam/arn.h"
#include "oidc/jwt.h"
#include "util/strings.h"

namespace eem::doctor {
namespace {

using CheckFn = std::optional<Check> (*)(Run&);

struct Step {
  std::string_view id;
  CheckFn run;
};

// Pipeline order: what a failing deploy run meets first comes first.
constexpr Step kSteps[] = {
    {"actions-token", check_actions_token}, {"aws-identity", check_caller},
    {"role-arn", check_role_arn},           {"oidc-provider", check_oidc_provider},
    {"role", check_role},                   {"trust-policy", check_trust_policy},
    {"push-permissions", check_push_permissions}, {"repository", check_repository},
    {"login", check_login},
    // Last: it predicts other runs than this one, so it hides no pipeline check.
    {"workflow-subjects", check_workflow_subjects},
};

// After the push: what a failing `shipctl deploy` meets, in its order.
constexpr Step kDeploySteps[] = {
    {"deploy-cluster", check_deploy_cluster}, {"deploy-service", check_deploy_service},
    {"execution-role", check_execution_role}, {"infrastructure-role", check_infrastructure_role},
    {"pass-role", check_pass_role},           {"image-pull", check_image_pull},
    {"health-check", check_health_check},     {"rollout", check_rollout},
};

void run_step(const Step& step, Run& run, Report& report) {
  if (report.root_cause) {
    report.not_run.emplace_back(step.id);
    return;
  }
  auto check = step.run(run);
  if (!check) return;
  if (check->status == Status::kFail) report.root_cause = check->id;
  report.checks.push_back(std::move(*check));
}

util::Result<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(util::ErrorKind::kInvalidInput, "--token " + path + ": cannot open the file");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return std::string(util::trim(text.substr(0, text.find_last_not_of("\r\n") + 1)));
}

util::Result<void> initial_claims(Run& run) {
  if (!run.options.token_file.empty()) {
    auto text = read_token_file(run.options.token_file);
    if (!text) return std::unexpected(text.error());
    auto claims = claims_from_jwt(*text, "the token in " + run.options.token_file);
    if (!claims) return std::unexpected(claims.error().with_context("--token " + run.options.token_file));
    run.claims = std::move(*claims);
  } else if (!run.options.github_repo.empty()) {
    auto claims = predicted_claims(run.options);
    if (!claims) return std::unexpected(claims.error().with_context("--github-repo"));
    run.claims = std::move(*claims);
  }
  return {};
}

}  // namespace

std::string cannot_run_reason(const aws::ApiError& error, std::string_view permission) {
  if (error.kind == util::ErrorKind::kDenied && !error.code.empty()) {
    return "no " + std::string(permission) + ": " + error.code;
  }
  return error.describe();
}

Check cannot_run(std::string id, std::string title, std::string reason) {
  return Check{std::move(id), std::move(title), Status::kCannotRun, std::move(reason), {}, {}};
}

bool is_not_found(const aws::ApiError& error) {
  return error.code == "NoSuchEntity" || error.code == "RepositoryNotFoundException" ||
         error.kind == util::ErrorKind::kNotFound;
}

util::Result<TokenClaims> claims_from_jwt(std::string_view token, std::string origin) {
  auto jwt = oidc::decode_jwt(token);
  if (!jwt) return std::unexpected(jwt.error());
  TokenClaims claims{jwt->claims.iss, jwt->claims.sub, jwt->claims.aud, {}, std::move(origin)};
  for (const auto& [name, value] : jwt->claims.scalars) claims.extra.emplace_back(name, value);
  return claims;
}

util::Result<TokenClaims> predicted_claims(const Options& o) {
  const oidc::RunFacts facts{o.github_repo, o.owner_id, o.repo_id, o.event, o.ref, o.environment, o.subject_format};
  auto sub = oidc::build_subject(facts);
  if (!sub) return std::unexpected(sub.error());
  TokenClaims claims{std::string(kGithubIssuer), *sub, {o.audience}, {}, {}};
  claims.extra = {{"repository", o.github_repo}, {"ref", o.ref}};
  if (!o.environment.empty()) claims.extra.emplace_back("environment", o.environment);
  claims.origin = "predicted for " + o.github_repo + ", event " + o.event + ", ref " + o.ref +
                  (o.environment.empty() ? std::string() : ", environment " + o.environment);
  return claims;
}

RepositoryRef parse_repository(std::string_view text) {
  const RepositoryRef plain{{}, {}, std::string(text), RepositoryForm::kName};
  if (text.starts_with("arn:")) {
    // arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME (AWS docs "Amazon ECR resource types").
    const auto arn = iam::Arn::parse(text);
    if (!arn || arn->service != "ecr" || !arn->resource.starts_with("repository/")) return plain;
    return {arn->account, arn->region, arn->resource.substr(11), RepositoryForm::kArn};
  }
  const auto slash = text.find('/');
  const std::string_view host = slash == std::string_view::npos ? std::string_view() : text.substr(0, slash);
  const auto parts = util::split(host, '.');
  // ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn] (AWS docs "Amazon ECR private registry").
  if (parts.size() < 5 || parts[1] != "dkr" || parts[2] != "ecr") return plain;
  std::string_view name = text.substr(slash + 1);
  if (const auto at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
  if (const auto colon = name.rfind(':'); colon != std::string_view::npos) name = name.substr(0, colon);
  return {std::string(parts[0]), std::string(parts[3]), std::string(name), RepositoryForm::kUri};
}

util::Result<Report> run_doctor(const Options& options, Services& services) {
  if (!options.deploy.service.empty()) {
    if (auto ok = validate_deploy_options(options.deploy, options.region); !ok) return std::unexpected(ok.error());
  }
  Run run{options, services, {}, {}, {}, {}, {}, {}, {}, {}};
  if (auto ok = initial_claims(run); !ok) return std::unexpected(ok.error());
  Report report;
  for (const auto& step : kSteps) run_step(step, run, report);
  if (!options.deploy.service.empty()) {
    for (const auto& step : kDeploySteps) run_step(step, run, report);
  }
  report.job = job_view(run, report);
  return report;
}

}  // namespace eem::doctor
