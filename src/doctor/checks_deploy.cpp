// The ECS Express Mode checks of `shipctl doctor --deploy SERVICE`: the
// calls (ECS, IAM, ECR) whose answers deploy_checks.cpp decides on. A call
// that is refused makes its check unable to run; the others still run.

#include <algorithm>

#include "doctor/checks.h"
#include "doctor/deploy_checks.h"
#include "iam/arn.h"

namespace eem::doctor {
namespace {

const std::string& deploy_account(const Run& run) {
  return !run.role_account.empty() ? run.role_account : run.caller_account;
}

// Resolves the target once; false (with the reason) when there is no account.
bool resolve(Run& run) {
  auto& d = run.deploy;
  if (d.resolved) return d.unresolved.empty();
  d.resolved = true;
  if (deploy_account(run).empty()) {
    d.unresolved = "no AWS account to look in (the AWS identity check could not run)";
    return false;
  }
  const std::string& role = run.role_name.empty() ? run.options.role_name : run.role_name;
  d.target = resolve_target(run.options.deploy, run.options.region, deploy_account(run), role);
  // A service ARN of another account: its roles are not in the one doctor reads.
  const auto service = iam::Arn::parse(d.target.service_arn);
  if (service && service->account != d.target.account) {
    d.unresolved = "the service is in account " + service->account + ", the credentials are account " +
                   d.target.account + "'s: run doctor with that account's credentials";
    return false;
  }
  return true;
}

std::optional<Check> unresolved(Run& run, std::string id, std::string title) {
  if (resolve(run) && run.services.ecs != nullptr) return std::nullopt;
  return cannot_run(std::move(id), std::move(title),
                    run.deploy.unresolved.empty() ? "no ECS client" : run.deploy.unresolved);
}

bool is_missing_service(const aws::ApiError& error) {
  return error.code == "ResourceNotFoundException" || error.code == "ServiceNotFoundException";
}

// What ECS returned, fit for the report's lines (api_text).
void tidy(aws::ServiceDeployment& d) {
  for (auto* text : {&d.arn, &d.status, &d.status_reason, &d.target_revision_arn, &d.lifecycle_stage, &d.rollback_reason}) {
    *text = api_text(*text);
  }
}

void tidy(aws::ServiceRevision& r) {
  r.arn = api_text(r.arn);
  for (auto& [image, digest] : r.images) image = api_text(image);
  for (auto& m : r.managed_resources) {
    for (auto* text : {&m.arn, &m.status, &m.status_reason}) *text = api_text(*text);
  }
  for (auto& g : r.target_groups) g.health_check_path = api_text(g.health_check_path);
}

void tidy(aws::ExpressService& s) {
  for (auto* text : {&s.arn, &s.status, &s.status_reason}) *text = api_text(*text);
  for (auto& c : s.configurations) {
    for (auto* text : {&c.service_revision_arn, &c.health_check_path, &c.container.image}) *text = api_text(*text);
  }
}

void tidy(aws::ClusterLookup& lookup) {
  for (auto& c : lookup.clusters) {
    for (auto* text : {&c.arn, &c.status}) *text = api_text(*text);
  }
  for (auto& [arn, reason] : lookup.failures) {
    arn = api_text(arn);
    reason = api_text(reason);
  }
}

const aws::ServiceDeployment* newest(const std::vector<aws::ServiceDeployment>& list) {
  const aws::ServiceDeployment* best = nullptr;
  for (const auto& d : list) {
    if (!best || d.created_at > best->created_at) best = &d;
  }
  return best;
}

std::string failure_of(const Run& run) {
  return run.deploy.rollout.deployment ? failure_text(*run.deploy.rollout.deployment) : std::string();
}

// The latest deployment in full (stage, rollback) and its target revision.
void fetch_rollout(Run& run) {
  auto& ecs = *run.services.ecs;
  auto& d = run.deploy;
  auto listed = ecs.list_service_deployments(d.target.service_arn);
  if (!listed) {
    d.rollout_unreadable = cannot_run_reason(listed.error(), "ecs:ListServiceDeployments");
    return;
  }
  const auto* latest = newest(*listed);
  if (latest == nullptr) return;
  auto full = ecs.describe_service_deployments({latest->arn});
  d.rollout.deployment = full && !full->empty() ? full->front() : *latest;
  const std::string revision = d.rollout.deployment->target_revision_arn;  // as ECS named it
  tidy(*d.rollout.deployment);
  if (!full) {
    d.rollout.unread.push_back("its lifecycle stage and rollback reason are unknown: " +
                               cannot_run_reason(full.error(), "ecs:DescribeServiceDeployments"));
  } else if (full->empty()) {
    d.rollout.unread.push_back("its lifecycle stage and rollback reason are unknown: DescribeServiceDeployments "
                               "did not return it");
  }
  if (revision.empty()) return;
  auto revisions = ecs.describe_service_revisions({revision});
  if (revisions && !revisions->empty()) {
    d.rollout.target = revisions->front();
    tidy(*d.rollout.target);
    return;
  }
  d.revision_unreadable = "its target revision " + api_text(revision) + " could not be read: " +
                          (revisions ? "DescribeServiceRevisions did not return it"
                                     : cannot_run_reason(revisions.error(), "ecs:DescribeServiceRevisions"));
  d.rollout.unread.push_back(d.revision_unreadable);
}

// Why the latest deployment's own configuration is unknown when it failed:
// the active one is then the configuration rolled back to, not the cause.
std::optional<std::string> failed_revision_unread(const Run& run) {
  const auto& d = run.deploy;
  if (d.revision_unreadable.empty() || !d.rollout.deployment || !deployment_failed(*d.rollout.deployment)) {
    return std::nullopt;
  }
  return "the latest deployment failed and " + d.revision_unreadable;
}

const aws::ExpressConfiguration* newest_configuration(const std::optional<aws::ExpressService>& service) {
  if (!service) return nullptr;
  const aws::ExpressConfiguration* best = nullptr;
  for (const auto& c : service->configurations) {
    if (!best || c.created_at >= best->created_at) best = &c;
  }
  return best;
}

// The image the latest deployment targeted, else the active one.
std::string deployed_image(const Run& run) {
  const auto& target = run.deploy.rollout.target;
  if (target && !target->images.empty()) return target->images.front().first;
  const auto* config = newest_configuration(run.deploy.service);
  return config ? config->container.image : std::string();
}

// Whether the image's digest is in the deploy account's ECR; nullopt (and a
// note) when that cannot be asked.
std::optional<bool> digest_in_ecr(Run& run, const std::string& image, std::string& note) {
  const auto at = image.find('@');
  const RepositoryRef ref = parse_repository(image);
  if (at == std::string::npos || ref.form != RepositoryForm::kUri || run.services.ecr == nullptr) return std::nullopt;
  if (ref.account != run.deploy.target.account || ref.region != run.options.region) {
    note = "the image is in account " + ref.account + ", region " + ref.region + ": its digest was not looked up";
    return std::nullopt;
  }
  auto found = run.services.ecr->describe_images(ref.name, {aws::ImageId{image.substr(at + 1), {}}});
  if (found) return !found->empty();
  if (is_not_found(found.error())) {
    note = "DescribeImages on repository " + ref.name + ": " + found.error().code;
    return false;
  }
  note = "the digest could not be looked up: " + cannot_run_reason(found.error(), "ecr:DescribeImages");
  return std::nullopt;
}

std::optional<Check> role_check(Run& run, ExpressRole which) {
  const bool execution = which == ExpressRole::kExecution;
  const std::string id = execution ? "execution-role" : "infrastructure-role";
  if (auto no = unresolved(run, id, "ECS role"); no) return no;
  const auto& t = run.deploy.target;
  const std::string& name = execution ? t.execution_role_name : t.infrastructure_role_name;
  const std::string title = (execution ? "Execution role " : "Infrastructure role ") + name;
  if (run.services.iam == nullptr) return cannot_run(id, title, "no IAM client");
  auto role = run.services.iam->get_role(name);
  if (!role && !is_not_found(role.error())) return cannot_run(id, title, cannot_run_reason(role.error(), "iam:GetRole"));
  return decide_role(t, which, role ? std::optional(std::move(*role)) : std::nullopt);
}

}  // namespace

std::optional<Check> check_deploy_cluster(Run& run) {
  if (auto no = unresolved(run, "deploy-cluster", "ECS cluster"); no) return no;
  const auto& t = run.deploy.target;
  auto lookup = run.services.ecs->describe_clusters({t.cluster});
  if (!lookup) {
    return cannot_run("deploy-cluster", "ECS cluster " + t.cluster,
                      cannot_run_reason(lookup.error(), "ecs:DescribeClusters"));
  }
  tidy(*lookup);
  return decide_cluster(t, *lookup);
}

std::optional<Check> check_deploy_service(Run& run) {
  if (auto no = unresolved(run, "deploy-service", "Express service"); no) return no;
  auto& d = run.deploy;
  auto service = run.services.ecs->describe_express_gateway_service(d.target.service_arn);
  if (!service && !is_missing_service(service.error())) {
    d.service_unreadable = cannot_run_reason(service.error(), "ecs:DescribeExpressGatewayService");
    return cannot_run("deploy-service", "Express service " + d.target.service_name, d.service_unreadable);
  }
  if (service) {
    tidy(*service);
    d.service = std::move(*service);
    fetch_rollout(run);
  }
  return decide_service(d.target, d.service);
}

std::optional<Check> check_execution_role(Run& run) { return role_check(run, ExpressRole::kExecution); }

std::optional<Check> check_infrastructure_role(Run& run) { return role_check(run, ExpressRole::kInfrastructure); }

std::optional<Check> check_pass_role(Run& run) {
  const std::string title = "Workflow role may pass the ECS roles";
  if (auto no = unresolved(run, "pass-role", title); no) return no;
  const auto& t = run.deploy.target;
  if (run.services.iam == nullptr || t.workflow_role_name.empty()) return cannot_run("pass-role", title, "no role to look up");
  PolicyFetch fetched = fetch_policies(*run.services.iam, t.workflow_role_name);
  if (fetched.failure) {
    return cannot_run("pass-role", title, cannot_run_reason(fetched.failure->first, fetched.failure->second));
  }
  const std::string arn = !run.role_arn.empty() ? run.role_arn
                                                : iam::Arn{t.partition, "iam", "", t.account, "role/" + t.workflow_role_name}.str();
  return decide_pass_role(t, arn, fetched.policies);
}

std::optional<Check> check_image_pull(Run& run) {
  const std::string title = "Execution role can pull the image";
  if (auto no = unresolved(run, "image-pull", title); no) return no;
  ImageFacts facts;
  facts.image = deployed_image(run);
  facts.failure = failure_of(run);
  if (facts.image.empty() && facts.failure.empty()) return std::nullopt;  // nothing deployed yet
  if (auto unread = failed_revision_unread(run); unread) return cannot_run("image-pull", title, *unread);
  if (run.services.iam == nullptr) return cannot_run("image-pull", title, "no IAM client");
  PolicyFetch fetched = fetch_policies(*run.services.iam, run.deploy.target.execution_role_name);
  if (fetched.failure) {
    return cannot_run("image-pull", title, cannot_run_reason(fetched.failure->first, fetched.failure->second));
  }
  facts.role_policies = std::move(fetched.policies);
  facts.digest_in_ecr = digest_in_ecr(run, facts.image, facts.ecr_note);
  return decide_image_pull(run.deploy.target, facts);
}

std::optional<Check> check_health_check(Run& run) {
  if (auto no = unresolved(run, "health-check", "Container port and health check path"); no) return no;
  if (auto unread = failed_revision_unread(run); unread) {
    return cannot_run("health-check", "Container port and health check path", *unread);
  }
  ServedConfig config;
  config.failure = failure_of(run);
  const auto& target = run.deploy.rollout.target;
  if (target && !target->target_groups.empty()) {
    const auto& group = target->target_groups.front();
    config.port = group.port;
    config.health_check_path = group.health_check_path;
    config.source = "revision " + target->arn;
    return decide_health_check(run.deploy.target, config);
  }
  const auto* active = newest_configuration(run.deploy.service);
  if (active == nullptr) return std::nullopt;  // no service yet: deploy sends --port and --health-check-path
  config.port = active->container.container_port;
  config.health_check_path = active->health_check_path;
  config.source = active->service_revision_arn.empty() ? "the active configuration"
                                                       : "revision " + active->service_revision_arn;
  return decide_health_check(run.deploy.target, config);
}

std::optional<Check> check_rollout(Run& run) {
  if (auto no = unresolved(run, "rollout", "Latest deployment"); no) return no;
  if (!run.deploy.service_unreadable.empty()) return cannot_run("rollout", "Latest deployment", run.deploy.service_unreadable);
  if (!run.deploy.rollout_unreadable.empty()) return cannot_run("rollout", "Latest deployment", run.deploy.rollout_unreadable);
  return decide_rollout(run.deploy.target, run.deploy.rollout);
}

}  // namespace eem::doctor
