#include "deploy/deploy.h"

#include <algorithm>

#include "aws/permissions.h"
#include "deploy/verify.h"
#include "util/strings.h"

namespace eem::deploy {

namespace {

using util::ErrorKind;
using util::fail;
using std::chrono::system_clock;

// The state of one run.
struct Run {
  const Wanted& wanted;
  Environment& env;
  Report& report;
  system_clock::time_point started;
  system_clock::time_point deadline;
  std::optional<aws::ExpressConfiguration> previous;  // before our update
  std::string target_revision;
};

Waiting waiting_of(const Environment& env) { return Waiting{env.now, env.sleep, env.poll_interval, env.progress}; }

// The newest active configuration (several are active during a rollout).
const aws::ExpressConfiguration* newest(const aws::ExpressService& service) {
  const aws::ExpressConfiguration* best = nullptr;
  for (const auto& c : service.configurations) {
    if (!best || c.created_at >= best->created_at) best = &c;
  }
  return best;
}

using ServiceCall = std::function<aws::ApiResult<aws::ExpressService>()>;

aws::ApiResult<aws::ExpressService> with_propagation_retry(Environment& env, const ServiceCall& call) {
  const auto until = env.now() + env.propagation_window;
  while (true) {
    auto result = call();
    if (result || !is_propagation_error(result.error()) || env.now() >= until) return result;
    env.progress("deploy: IAM has not propagated the roles yet (" + result.error().message + "); retrying in " +
                 std::to_string(env.propagation_interval.count()) + " s");
    env.sleep(env.propagation_interval);
  }
}

bool is_missing(const aws::ApiError& error) {
  return error.code == "ResourceNotFoundException" || error.code == "ServiceNotFoundException";
}

// Express Mode creates the default cluster with the first service ("The ECS
// default cluster (if it does not already exist)", ECS developer guide,
// "Resources created by Amazon ECS Express Mode services"); any other
// cluster must exist before.
bool is_missing_cluster(const aws::ApiError& error) { return error.code == "ClusterNotFoundException"; }

util::Error no_cluster(const Run& run, const aws::ApiError& error) {
  return util::Error{ErrorKind::kNotFound,
                     "cluster " + run.wanted.cluster + " does not exist (" + error.describe() +
                         "): Express Mode creates only the default cluster; create it with aws ecs create-cluster "
                         "--cluster-name " + run.wanted.cluster + ", or deploy without --cluster"};
}

util::Result<std::optional<aws::ExpressService>> describe(Run& run) {
  auto service = run.env.ecs->describe_express_gateway_service(run.report.service_arn);
  if (!service && is_missing(service.error())) return std::nullopt;
  if (!service && is_missing_cluster(service.error())) {
    if (run.wanted.cluster == aws::kDefaultCluster) return std::nullopt;
    return std::unexpected(no_cluster(run, service.error()));
  }
  if (!service) return std::unexpected(service.error().to_error().with_context("describing " + run.report.service_arn));
  return std::optional(std::move(*service));
}

util::Result<void> check_status(const aws::ExpressService& service) {
  const std::string why = service.status_reason.empty() ? "" : " (" + service.status_reason + ")";
  if (service.status == "DRAINING") {
    return fail(ErrorKind::kConflict, "service " + service.arn + " is DRAINING" + why +
                                          ": it is being deleted; wait until it is INACTIVE, or deploy under another --service name");
  }
  // ECS refuses a new service under the name of an ACTIVE or DRAINING one,
  // not an INACTIVE one (DeleteService API reference); bringing a deleted
  // service back stays a deliberate act (issue 14).
  if (service.status == "INACTIVE") {
    return fail(ErrorKind::kConflict, "service " + service.arn + " is INACTIVE" + why +
                                          ": it was deleted, and deploy does not bring a deleted service back on its "
                                          "own; re-create it deliberately (ECS accepts the name of an INACTIVE "
                                          "service), or deploy under another --service name");
  }
  return {};
}

void take_target(Run& run, const aws::ExpressService& service) {
  if (const auto* target = newest(service)) run.target_revision = target->service_revision_arn;
}

util::Result<void> create(Run& run) {
  const auto& spec = run.wanted.spec;
  if (spec.execution_role_arn.empty() || spec.infrastructure_role_arn.empty()) {
    return fail(ErrorKind::kInvalidInput, "service " + run.report.service_arn +
                                              " does not exist; creating it needs --execution-role-arn and "
                                              "--infrastructure-role-arn (shipctl bootstrap --deploy creates both roles)");
  }
  run.env.progress("deploy: creating service " + run.wanted.service_name + " in cluster " + run.wanted.cluster);
  auto created = with_propagation_retry(run.env, [&] { return run.env.ecs->create_express_gateway_service(spec); });
  if (!created && is_missing_cluster(created.error())) return std::unexpected(no_cluster(run, created.error()));
  if (!created) return std::unexpected(created.error().to_error().with_context("creating " + run.report.service_arn));
  run.report.action = Action::kCreated;
  if (!created->arn.empty()) run.report.service_arn = created->arn;
  take_target(run, *created);
  return {};
}

util::Result<void> update(Run& run, const aws::ExpressService& service, const aws::ExpressConfiguration* active) {
  run.previous = active ? std::optional(*active) : std::nullopt;
  std::string list;
  for (const auto& d : run.report.differences) list += (list.empty() ? "" : ", ") + d;
  run.env.progress("deploy: updating service " + service.arn + " (" + list + " differ)");
  auto updated = with_propagation_retry(
      run.env, [&] { return run.env.ecs->update_express_gateway_service(run.report.service_arn, run.wanted.spec); });
  if (!updated) return std::unexpected(updated.error().to_error().with_context("updating " + run.report.service_arn));
  run.report.action = Action::kUpdated;
  take_target(run, *updated);
  return {};
}

// Describe, then create, update or nothing. Returns whether a deployment
// was started.
util::Result<bool> apply(Run& run) {
  auto service = describe(run);
  if (!service) return std::unexpected(service.error());
  if (!*service) {
    if (auto ok = create(run); !ok) return std::unexpected(ok.error());
    return true;
  }
  if (auto ok = check_status(**service); !ok) return std::unexpected(ok.error());
  const auto* active = newest(**service);
  run.report.differences = active ? differences(run.wanted.spec, *active) : std::vector<std::string>{"configuration"};
  if (run.report.differences.empty()) {
    run.env.progress("deploy: service " + (*service)->arn + " already runs this configuration: no update");
    run.report.action = Action::kUnchanged;
    run.report.deployment_arn = (*service)->current_deployment;
    run.target_revision = active->service_revision_arn;
    return false;
  }
  if (auto ok = update(run, **service, active); !ok) return std::unexpected(ok.error());
  return true;
}

std::string resume(const Run& run, std::string_view arn) {
  return run.env.resume_command ? run.env.resume_command(arn) : "shipctl deploy --wait-only " + std::string(arn);
}

util::Result<void> wait_for(Run& run, const std::string& arn) {
  run.report.deployment_arn = arn;
  run.env.progress("deploy: following deployment " + arn);
  auto done = follow(*run.env.ecs, arn, run.deadline, waiting_of(run.env), resume(run, arn), run.report.stages);
  if (!done) {
    if (!run.report.stages.empty()) run.report.status = run.report.stages.back().status;
    return std::unexpected(done.error());
  }
  run.report.status = done->status;
  if (run.target_revision.empty()) run.target_revision = done->target_revision_arn;
  return {};
}

util::Result<void> find_and_wait(Run& run, system_clock::time_point since) {
  auto arn = find_deployment(*run.env.ecs, run.report.service_arn, run.target_revision, since, run.deadline,
                             waiting_of(run.env));
  if (!arn) return std::unexpected(arn.error());
  return wait_for(run, *arn);
}

util::Result<void> read_endpoint(Run& run) {
  auto service = run.env.ecs->describe_express_gateway_service(run.report.service_arn);
  if (!service) return std::unexpected(service.error().to_error().with_context("reading the endpoint"));
  std::string endpoint;
  for (const auto& c : service->configurations) {
    if (c.public_endpoints.empty()) continue;
    if (endpoint.empty() || c.service_revision_arn == run.target_revision) endpoint = c.public_endpoints.front();
  }
  if (endpoint.empty()) return fail(ErrorKind::kVerifyFailed, "service " + run.report.service_arn + " has no public endpoint");
  auto url = endpoint_url(endpoint);
  if (!url) return std::unexpected(url.error());
  run.report.endpoint = *url;
  return {};
}

util::Result<void> verify(Run& run) {
  if (run.target_revision.empty()) {
    return fail(ErrorKind::kVerifyFailed, "cannot tell which revision the service runs (no active configuration)");
  }
  auto digest = check_digest(*run.env.ecs, run.target_revision, run.wanted.digest);
  if (!digest) return std::unexpected(digest.error());
  run.report.image_digest = *digest;
  run.env.progress("verify: revision runs " + *digest);
  if (auto ok = read_endpoint(run); !ok) return ok;
  if (run.wanted.commit.empty()) {
    run.env.progress("verify: no --commit: /version not checked");
    return {};
  }
  const Probe probe{run.env.web, run.env.now, run.env.sleep, run.env.probe_interval, run.env.progress};
  auto served = check_served_commit(probe, run.report.endpoint, run.wanted.commit, run.wanted.verify_count,
                                    run.wanted.verify_timeout);
  if (!served) return served;
  run.report.commit = run.wanted.commit;
  return {};
}

// After a failed verification: update back to the configuration that ran
// before ours and wait for that deployment; the error says how it went.
util::Error roll_back(Run& run, const util::Error& failure) {
  if (!run.env.rollback_on_verify_failure) return failure;
  if (!run.previous) {
    run.report.rollback = "nothing to roll back to (the service was not updated by this run)";
    return {failure.kind, failure.message + "; " + run.report.rollback};
  }
  run.env.progress("deploy: verification failed: rolling back to revision " + run.previous->service_revision_arn);
  // The report keeps describing our deployment; the rollback's goes in `rollback`.
  const Report kept = run.report;
  const auto since = run.env.now();
  auto updated = run.env.ecs->update_to_configuration(run.report.service_arn, *run.previous);
  util::Result<void> done;
  if (!updated) {
    done = std::unexpected(updated.error().to_error());
  } else {
    run.target_revision = updated->configurations.empty() ? "" : updated->configurations.back().service_revision_arn;
    run.deadline = run.env.now() + run.wanted.timeout;
    done = find_and_wait(run, since);
  }
  const std::string rollback_arn = run.report.deployment_arn;
  run.report.deployment_arn = kept.deployment_arn;
  run.report.status = kept.status;
  run.report.rollback = done ? "rolled back to the previous configuration (deployment " + rollback_arn + " SUCCESSFUL)"
                             : "the rollback failed: " + done.error().message;
  return {failure.kind, failure.message + "; " + run.report.rollback};
}

util::Result<void> run_all(Run& run) {
  if (!run.wanted.wait_only.empty()) {
    run.report.action = Action::kWaited;
    if (auto ok = wait_for(run, run.wanted.wait_only); !ok) return ok;
    return verify(run);
  }
  const auto since = run.env.now();
  auto started = apply(run);
  if (!started) return std::unexpected(started.error());
  if (*started) {
    if (auto ok = find_and_wait(run, since); !ok) return ok;
  }
  auto verified = verify(run);
  if (!verified && verified.error().kind == ErrorKind::kVerifyFailed) return std::unexpected(roll_back(run, verified.error()));
  return verified;
}

std::vector<std::pair<std::string, std::string>> sorted(std::vector<std::pair<std::string, std::string>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

}  // namespace

std::string_view action_name(Action action) {
  switch (action) {
    case Action::kCreated: return "created";
    case Action::kUpdated: return "updated";
    case Action::kUnchanged: return "unchanged";
    case Action::kWaited: return "waited";
  }
  return "unknown";
}

std::vector<std::string> differences(const aws::ExpressServiceSpec& wanted, const aws::ExpressConfiguration& active) {
  std::vector<std::string> out;
  auto differ = [&out](const char* name, bool differs) {
    if (differs) out.emplace_back(name);
  };
  // A tag (--allow-tag) may have moved since the last deploy: always send it.
  const bool pinned = wanted.container.image.find('@') != std::string::npos;
  differ("image", !pinned || wanted.container.image != active.container.image);
  differ("containerPort", wanted.container.container_port != active.container.container_port);
  differ("environment", sorted(wanted.container.environment) != sorted(active.container.environment));
  differ("cpu", wanted.cpu != active.cpu);
  differ("memory", wanted.memory != active.memory);
  differ("healthCheckPath", wanted.health_check_path != active.health_check_path);
  differ("executionRoleArn", !wanted.execution_role_arn.empty() && wanted.execution_role_arn != active.execution_role_arn);
  differ("taskRoleArn", !wanted.task_role_arn.empty() && wanted.task_role_arn != active.task_role_arn);
  return out;
}

bool is_propagation_error(const aws::ApiError& error) {
  if (error.kind == ErrorKind::kDenied || error.kind == ErrorKind::kExpired) return false;
  if (error.code.find("AccessDenied") != std::string::npos) return false;
  const std::string message = util::to_lower(error.message);
  // ECS's words for a role IAM has not propagated yet: "ECS was unable to
  // assume the role ...", "Cannot assume role ...", and "... unable to
  // validate the provided access credentials".
  for (const char* text : {"cannot assume role", "unable to assume", "validate the provided access credentials"}) {
    if (message.find(text) != std::string::npos) return true;
  }
  return false;
}

Report run(const Wanted& wanted, Environment& env) {
  Report report;
  report.service_arn = wanted.service_arn;
  Run state{wanted, env, report, env.now(), env.now() + wanted.timeout, std::nullopt, {}};
  if (auto done = run_all(state); !done) report.error = done.error();
  return report;
}

std::string service_of_deployment(std::string_view arn) {
  const auto at = arn.find(":service-deployment/");
  if (at == std::string_view::npos) return "";
  const auto parts = util::split(arn.substr(at + 20), '/');
  if (parts.size() != 3) return "";
  return std::string(arn.substr(0, at)) + ":service/" + std::string(parts[0]) + "/" + std::string(parts[1]);
}

}  // namespace eem::deploy
