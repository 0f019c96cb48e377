#include "doctor/deploy_checks.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "aws/endpoints.h"
#include "doctor/deploy_names.h"
#include "iam/arn.h"
#include "iam/evaluator.h"
#include "iam/policy_parser.h"
#include "util/strings.h"

namespace eem::doctor {
namespace {

std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

bool mentions(std::string_view text, std::initializer_list<std::string_view> needles) {
  const std::string lower = util::to_lower(text);
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view n) { return lower.find(n) != std::string::npos; });
}

std::string role_arn(const std::string& partition, const std::string& account, const std::string& name) {
  return iam::Arn{partition, "iam", "", account, "role/" + name}.str();
}

// The command that deploys again with the settings doctor checked.
std::string deploy_command(const DeployTarget& t, std::string_view image = "IMAGE@sha256:DIGEST") {
  return "shipctl deploy --service " + t.service_name + (t.cluster == "default" ? "" : " --cluster " + t.cluster) +
         " --image " + std::string(image) + " --port " + std::to_string(t.port) + " --health-check-path " +
         t.health_check_path;
}

std::string bootstrap_command(const DeployTarget& t) { return "shipctl bootstrap --deploy " + t.service_name + " --apply"; }

struct RoleSpec {
  std::string id;
  std::string title;
  std::string name;
  std::string arn;
  std::string_view principal;
  std::string_view managed_policy;
  std::string_view other_principal;  // the other role's
  std::string_view other_kind;
};

RoleSpec spec_of(const DeployTarget& t, ExpressRole which) {
  if (which == ExpressRole::kExecution) {
    return {"execution-role", "Execution role " + t.execution_role_name, t.execution_role_name, t.execution_role_arn,
            aws::kExecutionRolePrincipal, aws::kExecutionRolePolicy, aws::kInfrastructureRolePrincipal, "infrastructure"};
  }
  return {"infrastructure-role", "Infrastructure role " + t.infrastructure_role_name, t.infrastructure_role_name,
          t.infrastructure_role_arn, aws::kInfrastructureRolePrincipal, aws::kInfrastructureRolePolicy, aws::kExecutionRolePrincipal,
          "execution"};
}

std::string managed_policy_arn(const DeployTarget& t, std::string_view path) {
  return "arn:" + t.partition + ":iam::aws:policy/" + std::string(path);
}

std::string trust_document(std::string_view principal) {
  const nlohmann::ordered_json doc = {
      {"Version", "2012-10-17"},
      {"Statement", {{{"Effect", "Allow"}, {"Principal", {{"Service", principal}}}, {"Action", "sts:AssumeRole"}}}}};
  return doc.dump();
}

Check missing_role(const DeployTarget& t, const RoleSpec& r) {
  return Check{r.id, r.title, Status::kFail, "role " + r.name + " does not exist in account " + t.account,
               {"looked up " + r.arn, "ECS assumes it as " + std::string(r.principal) + ", with the managed policy " +
                                          managed_policy_arn(t, r.managed_policy)},
               bootstrap_command(t) + "\nor: aws iam create-role --role-name " + r.name +
                   " --assume-role-policy-document " + util::shell_quote(trust_document(r.principal)) +
                   "\n    aws iam attach-role-policy --role-name " + r.name + " --policy-arn " +
                   managed_policy_arn(t, r.managed_policy)};
}

// "Service ecs.amazonaws.com" for each principal an Allow statement names.
std::vector<std::string> trusted_principals(const iam::Policy& policy) {
  std::vector<std::string> out;
  for (const auto& st : policy.statements) {
    if (st.effect != iam::Effect::kAllow || !st.principal) continue;
    for (const auto& p : st.principal->entries) out.push_back(p.type + " " + p.value);
  }
  return out;
}

// Why the trust policy refuses the role's service principal: a Deny, a
// condition on a statement that names it, or no statement naming it.
std::string trust_cause(const DeployTarget& t, const RoleSpec& r, const std::vector<std::string>& trusted,
                        iam::Decision decision) {
  const std::string principal(r.principal);
  if (decision == iam::Decision::kExplicitDeny) return "the trust policy of role " + r.name + " denies " + principal;
  const bool named = std::any_of(trusted.begin(), trusted.end(), [&](const std::string& p) { return p.ends_with(" " + principal); });
  if (named) {
    return "the trust policy of role " + r.name + " names " + principal +
           ", but its conditions refuse it (ECS sends aws:SourceAccount " + t.account + ")";
  }
  return "role " + r.name + " does not trust " + principal + ": its trust policy admits " +
         (trusted.empty() ? "no principal" : joined(trusted));
}

Check wrong_trust(const DeployTarget& t, const RoleSpec& r, const iam::Policy& policy, const iam::Evaluation& e) {
  const auto trusted = trusted_principals(policy);
  std::vector<std::string> evidence{"trust policy of " + r.arn + " evaluated for " + std::string(r.principal) +
                                    " calling sts:AssumeRole: " + std::string(iam::decision_name(e.decision))};
  for (const auto& st : e.statements) evidence.push_back(st.summary);
  if (std::any_of(trusted.begin(), trusted.end(), [&](const std::string& p) { return p.ends_with(r.other_principal); })) {
    evidence.push_back(std::string(r.other_principal) + " is what the " + std::string(r.other_kind) +
                       " role trusts: are the two roles swapped (--execution-role-arn, --infrastructure-role-arn)?");
  }
  return Check{r.id, r.title, Status::kFail, trust_cause(t, r, trusted, e.decision), evidence,
               "aws iam update-assume-role-policy --role-name " + r.name + " --policy-document " +
                   util::shell_quote(trust_document(r.principal)) + "\nor: " + bootstrap_command(t)};
}

std::string digest_of(std::string_view image) {
  const auto at = image.find('@');
  return at == std::string_view::npos ? std::string() : std::string(image.substr(at + 1));
}

// ECR's pull actions on the image's repository (AWS docs "Amazon ECR
// repository policies: private registry authentication"; the actions
// AmazonECSTaskExecutionRolePolicy grants).
std::vector<ActionRequest> pull_requests(const std::string& repository_arn) {
  return {{"ecr:GetAuthorizationToken", "*", {}},
          {"ecr:BatchGetImage", repository_arn, {}},
          {"ecr:GetDownloadUrlForLayer", repository_arn, {}}};
}

// arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME of an ECR image URI;
// empty for another registry.
std::string ecr_repository_arn(const DeployTarget& t, std::string_view image) {
  const auto slash = image.find('/');
  if (slash == std::string_view::npos) return "";
  const auto host = util::split(image.substr(0, slash), '.');
  if (host.size() < 5 || host[1] != "dkr" || host[2] != "ecr") return "";
  std::string_view name = image.substr(slash + 1);
  name = name.substr(0, std::min(name.find('@'), name.find(':')));
  return "arn:" + t.partition + ":ecr:" + std::string(host[3]) + ":" + std::string(host[0]) + ":repository/" +
         std::string(name);
}

bool is_pull_failure(std::string_view text) {
  // The stopped reasons of a task whose image could not be fetched (ECS
  // developer guide, "Amazon ECS stopped task error messages").
  return mentions(text, {"cannotpullcontainererror", "unable to pull", "pull image manifest",
                         "unable to retrieve ecr registry auth"});
}

Check pull_denied(const DeployTarget& t, const ImageFacts& f, const std::vector<std::string>& denied,
                  std::vector<std::string> evidence) {
  return Check{"image-pull", "Execution role can pull the image", Status::kFail,
               "execution role " + t.execution_role_name + " may not pull " + f.image + ": its policies do not allow " +
                   joined(denied),
               std::move(evidence),
               "aws iam attach-role-policy --role-name " + t.execution_role_name + " --policy-arn " +
                   managed_policy_arn(t, aws::kExecutionRolePolicy) + "\nor: " + bootstrap_command(t)};
}

Check digest_missing(const DeployTarget& t, const ImageFacts& f, std::vector<std::string> evidence) {
  return Check{"image-pull", "Execution role can pull the image", Status::kFail,
               "image " + f.image + " is not in ECR: DescribeImages knows no " + digest_of(f.image), std::move(evidence),
               "Push the image, then deploy the digest push printed:\n  shipctl push SOURCE REGISTRY/REPOSITORY:TAG\n  " +
                   deploy_command(t)};
}

std::string status_line(const aws::ServiceDeployment& d) {
  return d.status + (d.lifecycle_stage.empty() ? "" : " (" + d.lifecycle_stage + ")");
}

std::vector<std::string> failed_resources(const std::optional<aws::ServiceRevision>& revision) {
  std::vector<std::string> out;
  if (!revision) return out;
  for (const auto& r : revision->managed_resources) {
    if (r.status == "FAILED") out.push_back(r.kind + " " + r.arn + (r.status_reason.empty() ? "" : ": " + r.status_reason));
  }
  return out;
}

std::string image_of(const std::optional<aws::ServiceRevision>& revision) {
  return revision && !revision->images.empty() ? revision->images.front().first : std::string();
}

// The cause and its fix for a failed deployment, by what its reasons say.
std::pair<std::string, std::string> rollout_cause(const DeployTarget& t, const RolloutFacts& f) {
  const std::string reasons = failure_text(*f.deployment);
  const auto failed = failed_resources(f.target);
  const std::string image = image_of(f.target).empty() ? "IMAGE" : image_of(f.target);
  if (!failed.empty()) {
    return {"ECS could not provision the service's " + joined(failed, "; "),
            "Fix what the managed resource's reason names (the infrastructure role " + t.infrastructure_role_name +
                " needs " + managed_policy_arn(t, aws::kInfrastructureRolePolicy) + "), then deploy again:\n  " +
                deploy_command(t)};
  }
  if (mentions(reasons, {"health check", "healthcheck", "health-check"})) {
    const std::string port = std::to_string(t.port);
    return {"its tasks failed the load balancer's health check (GET " + t.health_check_path + " on port " + port + ")",
            "The image must answer 200 on GET " + t.health_check_path + " on the port in $PORT (" + port +
                "). Try it locally:\n  podman run --rm -e PORT=" + port + " -p " + port + ":" + port + " " + image +
                "\n  curl -i http://127.0.0.1:" + port + t.health_check_path + "\nthen deploy a fixed image:\n  " +
                deploy_command(t)};
  }
  if (is_pull_failure(reasons)) {
    return {"its tasks could not pull the image " + image,
            "Give the execution role ECR's pull actions: aws iam attach-role-policy --role-name " +
                t.execution_role_name + " --policy-arn " + managed_policy_arn(t, aws::kExecutionRolePolicy)};
  }
  return {reasons.empty() ? "ECS gave no reason" : "ECS says: " + reasons,
          "Fix what the reason names, then deploy again:\n  " + deploy_command(t)};
}

std::vector<std::string> rollout_evidence(const RolloutFacts& f) {
  const auto& d = *f.deployment;
  std::vector<std::string> evidence{"deployment " + d.arn + ": " + status_line(d)};
  if (!d.status_reason.empty()) evidence.push_back("statusReason: " + d.status_reason);
  if (!d.rollback_reason.empty()) evidence.push_back("rollback reason: " + d.rollback_reason);
  for (const auto& r : failed_resources(f.target)) evidence.push_back("failed " + r);
  if (!d.target_revision_arn.empty()) {
    const std::string image = image_of(f.target);
    evidence.push_back("target revision " + d.target_revision_arn + (image.empty() ? "" : " (image " + image + ")"));
  }
  return evidence;
}

// ServiceDeploymentStatus's values that are not failures (ECS API
// reference); an unknown one is no all-clear.
bool is_deployment_status(std::string_view status) {
  return status == "PENDING" || status == "IN_PROGRESS" || status == "SUCCESSFUL" || status == "STOP_REQUESTED";
}

std::string_view failed_verb(std::string_view status) {
  if (status == "STOPPED") return "was stopped";
  if (status == "ROLLBACK_FAILED") return "failed and its rollback failed too";
  if (status == "ROLLBACK_SUCCESSFUL") return "failed and was rolled back";
  return "failed and is being rolled back";
}

// Up to 255 letters, digits, hyphens and underscores: ECS's rule for service
// and cluster names (CreateExpressGatewayService serviceName, CreateCluster
// clusterName).
bool is_ecs_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// arn:PARTITION:ecs:REGION:ACCOUNT:service/CLUSTER/NAME, parsed; nullopt for
// any other text.
struct ServiceArn {
  iam::Arn arn;
  std::string cluster;
  std::string name;
};

std::optional<ServiceArn> parse_service_arn(std::string_view text) {
  auto arn = iam::Arn::parse(text);
  if (!arn || arn->service != "ecs" || arn->region.empty() || !iam::is_account_id(arn->account)) return std::nullopt;
  const auto path = util::split(arn->resource, '/');
  if (path.size() != 3 || path[0] != "service" || !is_ecs_name(path[1]) || !is_ecs_name(path[2])) return std::nullopt;
  ServiceArn out{*arn, std::string(path[1]), std::string(path[2])};
  return out;
}

}  // namespace

util::Result<void> validate_deploy_options(const DeployOptions& o, std::string_view region) {
  using util::ErrorKind;
  const bool by_arn = o.service.starts_with("arn:");
  const auto arn = by_arn ? parse_service_arn(o.service) : std::nullopt;
  if (by_arn ? !arn : !is_ecs_name(o.service)) {
    return util::fail(ErrorKind::kInvalidInput,
                      "--deploy " + o.service + ": not a service name (up to 255 letters, digits, - and _) or a "
                      "service ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME)");
  }
  // ECS answers for its own region only, and a region's ARNs carry its
  // partition: a service elsewhere would be reported missing.
  if (arn && arn->arn.region != region) {
    return util::fail(ErrorKind::kInvalidInput, "--deploy " + o.service + ": the service is in region " +
                                                    arn->arn.region + ", doctor asks " + std::string(region) +
                                                    ": pass --region " + arn->arn.region);
  }
  const std::string_view partition = aws::partition_of(region).id;
  if (arn && arn->arn.partition != partition) {
    return util::fail(ErrorKind::kInvalidInput, "--deploy " + o.service + ": partition " + arn->arn.partition +
                                                    ", but region " + std::string(region) + " is in " +
                                                    std::string(partition));
  }
  if (!o.cluster.empty() && !is_ecs_name(o.cluster)) {
    return util::fail(ErrorKind::kInvalidInput,
                      "--cluster " + o.cluster + ": not a cluster name (up to 255 letters, digits, - and _)");
  }
  if (arn && !o.cluster.empty() && o.cluster != arn->cluster) {
    return util::fail(ErrorKind::kInvalidInput, "--cluster " + o.cluster + ": the service ARN --deploy names is in "
                                                    "cluster " + arn->cluster + ": drop --cluster or pass the ARN's");
  }
  if (!o.health_check_path.starts_with('/')) {
    return util::fail(ErrorKind::kInvalidInput, "--health-check-path " + o.health_check_path + ": must start with /");
  }
  return {};
}

DeployTarget resolve_target(const DeployOptions& o, const std::string& region, const std::string& account,
                            const std::string& workflow_role_name) {
  DeployTarget t;
  t.region = region;
  t.account = account;
  t.partition = std::string(aws::partition_of(region).id);
  t.cluster = o.cluster.empty() ? std::string(aws::kDefaultCluster) : o.cluster;
  t.service_name = o.service;
  if (const auto arn = parse_service_arn(o.service); arn) {
    t.service_name = arn->name;
    t.cluster = arn->cluster;
    t.service_arn = o.service;
  } else {
    t.service_arn = "arn:" + t.partition + ":ecs:" + region + ":" + account + ":service/" + t.cluster + "/" + o.service;
  }
  t.execution_role_name = o.execution_role_name.empty() ? std::string(aws::kDefaultExecutionRoleName) : o.execution_role_name;
  t.infrastructure_role_name =
      o.infrastructure_role_name.empty() ? std::string(aws::kDefaultInfrastructureRoleName) : o.infrastructure_role_name;
  t.execution_role_arn = role_arn(t.partition, account, t.execution_role_name);
  t.infrastructure_role_arn = role_arn(t.partition, account, t.infrastructure_role_name);
  t.workflow_role_name = workflow_role_name;
  t.port = o.port;
  t.health_check_path = o.health_check_path;
  return t;
}

Check decide_cluster(const DeployTarget& t, const aws::ClusterLookup& lookup) {
  const std::string title = "ECS cluster " + t.cluster;
  for (const auto& c : lookup.clusters) {
    if (c.status.empty()) {
      return Check{"deploy-cluster", title, Status::kCannotRun,
                   "DescribeClusters returned " + (c.arn.empty() ? t.cluster : c.arn) + " without a status", {}, {}};
    }
    if (c.status == "ACTIVE") return Check{"deploy-cluster", title, Status::kPass, c.arn + " is ACTIVE", {}, {}};
    if (t.cluster == "default") break;  // Express Mode makes the default cluster again
    return Check{"deploy-cluster", title, Status::kFail, "cluster " + t.cluster + " is " + c.status + " (" + c.arn + ")",
                 {"Express Mode creates only the default cluster by itself"},
                 "aws ecs create-cluster --cluster-name " + t.cluster + " --region " + t.region +
                     "\nor deploy to the default cluster, which Express Mode creates: drop --cluster"};
  }
  // "The ECS default cluster (if it does not already exist)" is among what an
  // Express service creates (ECS developer guide, "Resources created by
  // Amazon ECS Express Mode services").
  if (t.cluster == "default") {
    return Check{"deploy-cluster", title, Status::kPass,
                 "no default cluster yet in " + t.region + ": Express Mode creates it with the first service", {}, {}};
  }
  if (lookup.failures.empty()) {
    return Check{"deploy-cluster", title, Status::kCannotRun,
                 "DescribeClusters answered neither cluster " + t.cluster + " nor a failure for it", {}, {}};
  }
  std::vector<std::string> evidence;
  for (const auto& [arn, reason] : lookup.failures) evidence.push_back("DescribeClusters: " + arn + ": " + reason);
  evidence.push_back("Express Mode creates only the default cluster by itself");
  return Check{"deploy-cluster", title, Status::kFail,
               "cluster " + t.cluster + " does not exist in account " + t.account + ", region " + t.region +
                   ": ECS answers ClusterNotFoundException",
               evidence,
               "aws ecs create-cluster --cluster-name " + t.cluster + " --region " + t.region +
                   "\nor deploy to the default cluster, which Express Mode creates: drop --cluster"};
}

Check decide_service(const DeployTarget& t, const std::optional<aws::ExpressService>& service) {
  const std::string title = "Express service " + t.service_name;
  if (!service) {
    return Check{"deploy-service", title, Status::kPass,
                 t.service_arn + " does not exist yet: shipctl deploy creates it", {}, {}};
  }
  if (service->status.empty()) {
    return Check{"deploy-service", title, Status::kCannotRun,
                 "DescribeExpressGatewayService returned " + t.service_arn + " without a status", {}, {}};
  }
  const std::string why = service->status_reason.empty() ? "" : " (" + service->status_reason + ")";
  const std::vector<std::string> evidence{"DescribeExpressGatewayService " + service->arn + ": status " +
                                          service->status + why};
  if (service->status == "DRAINING") {
    return Check{"deploy-service", title, Status::kFail,
                 "service " + t.service_name + " was deleted and is still DRAINING: ECS refuses its name until it is "
                 "INACTIVE (\"Unable to Start a service that is still Draining\")",
                 evidence,
                 "Wait until this prints INACTIVE, then deploy again:\n  aws ecs describe-express-gateway-service "
                 "--service-arn " + service->arn + " --query service.status.statusCode\n"
                 "or deploy under another name: shipctl deploy --service " + t.service_name + "-2 ..."};
  }
  if (service->status == "INACTIVE") {
    return Check{"deploy-service", title, Status::kFail,
                 "service " + t.service_name + " was deleted (INACTIVE): shipctl deploy does not bring a deleted "
                 "service back on its own",
                 evidence,
                 "Deploy under another name: shipctl deploy --service " + t.service_name + "-2 ...\n"
                 "or re-create it deliberately (ECS accepts the name of an INACTIVE service):\n"
                 "  aws ecs create-express-gateway-service --service-name " + t.service_name + " --cluster " +
                     t.cluster + " ..."};
  }
  if (service->status != "ACTIVE") {
    return Check{"deploy-service", title, Status::kCannotRun,
                 "service " + t.service_name + " is " + service->status + ", a status doctor does not know", evidence, {}};
  }
  return Check{"deploy-service", title, Status::kPass, service->arn + " is " + service->status, {}, {}};
}

Check decide_role(const DeployTarget& t, ExpressRole which, const std::optional<aws::Role>& role) {
  const RoleSpec r = spec_of(t, which);
  if (!role) return missing_role(t, r);
  auto policy = iam::parse_policy(role->trust_policy);
  if (!policy) {
    return Check{r.id, r.title, Status::kFail, "the trust policy of " + role->arn + " does not parse: " +
                                                   policy.error().message,
                 {}, "aws iam update-assume-role-policy --role-name " + r.name + " --policy-document " +
                         util::shell_quote(trust_document(r.principal))};
  }
  iam::RequestContext context;
  context.principal = std::string(r.principal);
  context.action = "sts:AssumeRole";
  context.resource = role->arn;
  // ECS sends the account it acts for (AWS docs, "The confused deputy problem").
  context.add("aws:SourceAccount", t.account);
  const auto evaluation = iam::evaluate(*policy, context);
  if (evaluation.decision != iam::Decision::kAllow) return wrong_trust(t, r, *policy, evaluation);
  return Check{r.id, r.title, Status::kPass, role->arn + " trusts " + std::string(r.principal), {}, {}};
}

Check decide_pass_role(const DeployTarget& t, const std::string& workflow_role_arn,
                       const std::vector<NamedPolicy>& policies) {
  // iam:PassedToService is the service principal the role is passed to
  // (IAM User Guide, "Granting a user permissions to pass a role").
  const auto result = evaluate_actions(
      policies, workflow_role_arn,
      {{"iam:PassRole", t.execution_role_arn, {{"iam:PassedToService", std::string(aws::kExecutionRolePrincipal)}}},
       {"iam:PassRole", t.infrastructure_role_arn, {{"iam:PassedToService", std::string(aws::kInfrastructureRolePrincipal)}}}});
  const std::string title = "Workflow role may pass the ECS roles";
  std::vector<std::string> evidence = result.unreadable;
  std::vector<std::string> denied;
  for (const auto& v : result.verdicts) {
    const std::string by = v.decided_by.empty() ? "" : " (" + v.decided_by + ")";
    const std::string_view to = v.resource == t.execution_role_arn ? aws::kExecutionRolePrincipal : aws::kInfrastructureRolePrincipal;
    evidence.push_back(v.action + " on " + v.resource + " (iam:PassedToService " + std::string(to) +
                       "): " + std::string(iam::decision_name(v.decision)) + by);
    if (v.decision != iam::Decision::kAllow) denied.push_back(v.resource);
  }
  if (!result.conclusive()) {
    return Check{"pass-role", title, Status::kCannotRun,
                 "not judged: a policy of the workflow role could not be read (" + joined(result.unreadable, "; ") + ")",
                 evidence, {}};
  }
  if (denied.empty()) {
    return Check{"pass-role", title, Status::kPass,
                 "the workflow role may pass " + t.execution_role_name + " and " + t.infrastructure_role_name, evidence, {}};
  }
  const nlohmann::ordered_json statement = {{"Effect", "Allow"},
                                            {"Action", "iam:PassRole"},
                                            {"Resource", {t.execution_role_arn, t.infrastructure_role_arn}}};
  return Check{"pass-role", title, Status::kFail,
               "the workflow role " + workflow_role_arn + " may not perform iam:PassRole on " + joined(denied, " and "),
               evidence,
               bootstrap_command(t) + " (writes the inline policy " + std::string(aws::kDeployPolicyName) + ")\n" +
                   "or add this statement to " + std::string(aws::kDeployPolicyName) + " on role " + t.workflow_role_name +
                   " (aws iam put-role-policy replaces the whole document):\n" + statement.dump()};
}

Check decide_image_pull(const DeployTarget& t, const ImageFacts& f) {
  const std::string title = "Execution role can pull the image";
  const bool pull_failed = is_pull_failure(f.failure);
  std::vector<std::string> evidence;
  if (pull_failed) evidence.push_back("the latest deployment failed: " + f.failure);
  const std::string repository = ecr_repository_arn(t, f.image);
  // An image outside ECR still needs ECR's token when the task's reason says
  // ECR refused it (the execution role fetches it for any ECR image the task
  // definition names, e.g. a sidecar's).
  const bool ecr_refused = pull_failed && mentions(f.failure, {"ecr:getauthorizationtoken"});
  if (!repository.empty() || ecr_refused) {
    const auto requests = repository.empty() ? std::vector<ActionRequest>{pull_requests("*").front()}
                                             : pull_requests(repository);
    const auto result = evaluate_actions(f.role_policies, t.execution_role_arn, requests);
    std::vector<std::string> denied;
    for (const auto& v : result.verdicts) {
      if (v.decision != iam::Decision::kAllow) denied.push_back(v.action + " on " + v.resource);
    }
    evidence.insert(evidence.end(), result.unreadable.begin(), result.unreadable.end());
    // An unreadable policy may allow or deny the pull: only the deployment's
    // own failure is then a verdict.
    if (!result.conclusive() && !pull_failed) {
      return Check{"image-pull", title, Status::kCannotRun,
                   "not judged: a policy of " + t.execution_role_name + " could not be read (" +
                       joined(result.unreadable, "; ") + ")",
                   evidence, {}};
    }
    if (!denied.empty() && result.conclusive()) return pull_denied(t, f, denied, evidence);
    if (!f.ecr_note.empty()) evidence.push_back(f.ecr_note);
    if (f.digest_in_ecr == false) return digest_missing(t, f, evidence);
  }
  if (pull_failed) {
    return Check{"image-pull", title, Status::kFail, "the deployment could not pull " + f.image, evidence,
                 "Check that the image exists and its registry lets the execution role " + t.execution_role_name +
                     " read it, then deploy again:\n  " + deploy_command(t)};
  }
  if (f.image.empty()) return Check{"image-pull", title, Status::kPass, "no image deployed yet", {}, {}};
  const std::string how = repository.empty() ? " (not an ECR image: no ECR permission needed)"
                                             : ": ECR's pull actions are allowed on " + repository;
  return Check{"image-pull", title, Status::kPass, t.execution_role_name + " can pull " + f.image + how, evidence, {}};
}

Check decide_health_check(const DeployTarget& t, const ServedConfig& c) {
  const std::string title = "Container port and health check path";
  std::vector<std::string> wrong;
  std::vector<std::string> evidence{"configured in " + c.source + ": port " +
                                    (c.port ? std::to_string(*c.port) : std::string("80 (ECS's default)")) +
                                    ", health check path " + c.health_check_path};
  const int port = c.port.value_or(80);  // containerPort's default (ExpressGatewayContainer)
  if (port != t.port) wrong.push_back("port " + std::to_string(port) + ", but the app listens on " + std::to_string(t.port));
  if (!c.health_check_path.empty() && c.health_check_path != t.health_check_path) {
    wrong.push_back("health checks GET " + c.health_check_path + ", but the app answers " + t.health_check_path);
  }
  if (wrong.empty()) {
    return Check{"health-check", title, Status::kPass,
                 "port " + std::to_string(port) + " and " + c.health_check_path + " match the app", {}, {}};
  }
  if (!c.failure.empty()) evidence.push_back("the latest deployment failed: " + c.failure);
  return Check{"health-check", title, Status::kFail, "the service sends traffic to " + joined(wrong, "; "), evidence,
               "Deploy with the app's port and path (deploy sends both every time):\n  " + deploy_command(t) +
                   "\n(ecs-express-mode-api listens on $PORT, 8080, and answers GET /ping)"};
}

Check decide_rollout(const DeployTarget& t, const RolloutFacts& f) {
  const std::string title = "Latest deployment";
  if (!f.deployment) return Check{"rollout", title, Status::kPass, "no deployment yet", {}, {}};
  const auto& d = *f.deployment;
  const bool failed = deployment_failed(d);
  if (!failed && !is_deployment_status(d.status)) {
    return Check{"rollout", title, Status::kCannotRun,
                 "deployment " + d.arn + (d.status.empty() ? " has no status" : " is " + d.status + ", a status doctor does not know"),
                 f.unread, {}};
  }
  if (!failed) return Check{"rollout", title, Status::kPass, d.arn + " is " + status_line(d), f.unread, {}};
  auto [cause, fix] = rollout_cause(t, f);
  if (d.status == "ROLLBACK_FAILED") {
    fix += "\nThe rollback failed too: the service may have no healthy revision; deploy a known-good digest first.";
  }
  auto evidence = rollout_evidence(f);
  evidence.insert(evidence.end(), f.unread.begin(), f.unread.end());
  return Check{"rollout", title, Status::kFail,
               "deployment " + std::string(failed_verb(d.status)) + " (" + d.status + "): " + cause, evidence, fix};
}

std::string api_text(std::string_view text) {
  std::string out;
  bool space = false;  // control characters seen since the last printed one
  std::size_t i = 0;
  for (; i < text.size() && out.size() < kApiTextLimit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  // Not in the middle of a UTF-8 sequence: back off to its lead byte.
  while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80 && !out.empty()) {
    out.pop_back();
    --i;
  }
  if (i < text.size()) out += "… (" + std::to_string(text.size() - i) + " more bytes)";
  return out;
}

bool deployment_failed(const aws::ServiceDeployment& d) { return d.status == "STOPPED" || d.status.starts_with("ROLLBACK_"); }

std::string failure_text(const aws::ServiceDeployment& d) {
  if (!deployment_failed(d)) return "";
  std::vector<std::string> parts;
  if (!d.status_reason.empty()) parts.push_back(d.status_reason);
  if (!d.rollback_reason.empty()) parts.push_back("rollback reason: " + d.rollback_reason);
  return joined(parts, "; ");
}

}  // namespace eem::doctor
