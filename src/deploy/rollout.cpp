#include "deploy/rollout.h"

#include <algorithm>

namespace eem::deploy {

namespace {

using util::ErrorKind;
using util::fail;
using std::chrono::system_clock;

std::int64_t epoch(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The newest deployment for `revision` (any, when empty).
const aws::ServiceDeployment* newest(const std::vector<aws::ServiceDeployment>& list, const std::string& revision) {
  const aws::ServiceDeployment* best = nullptr;
  for (const auto& d : list) {
    if (!revision.empty() && d.target_revision_arn != revision) continue;
    if (!best || d.created_at > best->created_at) best = &d;
  }
  return best;
}

// "; failed: load balancer arn:...: reason" for the FAILED managed resources
// of `revision_arn`; empty when none (or the revision cannot be read).
std::string failed_resources(aws::EcsClient& ecs, const std::string& revision_arn) {
  if (revision_arn.empty()) return "";
  auto revisions = ecs.describe_service_revisions({revision_arn});
  if (!revisions) return "";
  std::string text;
  for (const auto& revision : *revisions) {
    for (const auto& r : revision.managed_resources) {
      if (r.status != "FAILED") continue;
      text += (text.empty() ? "; failed resources: " : ", ") + r.kind + " " + r.arn +
              (r.status_reason.empty() ? "" : ": " + r.status_reason);
    }
  }
  return text;
}

std::string reasons(aws::EcsClient& ecs, const aws::ServiceDeployment& d) {
  std::string text;
  if (!d.status_reason.empty()) text += ": " + d.status_reason;
  if (!d.rollback_reason.empty()) text += "; rollback reason: " + d.rollback_reason;
  return text + failed_resources(ecs, d.target_revision_arn);
}

util::Error end_error(aws::EcsClient& ecs, const aws::ServiceDeployment& d) {
  const std::string why = reasons(ecs, d);
  if (d.status == "ROLLBACK_SUCCESSFUL") {
    return {ErrorKind::kRolledBack, "deployment " + d.arn + " failed and was rolled back (ROLLBACK_SUCCESSFUL)" + why +
                                        "; the previous revision keeps serving"};
  }
  if (d.status == "ROLLBACK_FAILED") {
    return {ErrorKind::kRollbackFailed, "deployment " + d.arn + " failed and its rollback failed too (ROLLBACK_FAILED)" +
                                            why + "; check the service in the ECS console"};
  }
  return {ErrorKind::kDeployStopped, "deployment " + d.arn + " was stopped (STOPPED)" + why};
}

std::string describe_state(const aws::ServiceDeployment& d) {
  return d.status + (d.lifecycle_stage.empty() ? "" : " (" + d.lifecycle_stage + ")");
}

util::Result<aws::ServiceDeployment> poll_once(aws::EcsClient& ecs, const std::string& arn) {
  auto answer = ecs.describe_service_deployments({arn});
  if (!answer) return std::unexpected(answer.error().to_error().with_context("following deployment " + arn));
  if (answer->empty()) return fail(ErrorKind::kNotFound, "deployment " + arn + " not found (DescribeServiceDeployments)");
  return answer->front();
}

}  // namespace

Phase phase_of(std::string_view status) {
  if (status == "SUCCESSFUL") return Phase::kSucceeded;
  if (status == "STOPPED" || status == "ROLLBACK_SUCCESSFUL" || status == "ROLLBACK_FAILED") return Phase::kFailed;
  if (status == "ROLLBACK_REQUESTED" || status == "ROLLBACK_IN_PROGRESS") return Phase::kRollingBack;
  return Phase::kGoing;  // PENDING, IN_PROGRESS, STOP_REQUESTED, and any status newer than our model
}

util::Result<std::string> find_deployment(aws::EcsClient& ecs, const std::string& service_arn,
                                          const std::string& target_revision, system_clock::time_point since,
                                          system_clock::time_point deadline, const Waiting& waiting) {
  // A minute of slack for clock skew between us and ECS: the revision (or,
  // on create, the only deployment there is) picks the right one.
  const std::int64_t after = epoch(since) - 60;
  while (true) {
    auto list = ecs.list_service_deployments_since(service_arn, "", after);
    if (!list) return std::unexpected(list.error().to_error().with_context("finding the deployment of " + service_arn));
    if (const auto* found = newest(*list, target_revision)) return found->arn;
    if (waiting.now() >= deadline) {
      return fail(ErrorKind::kDeployTimedOut, "no deployment of " + service_arn + " appeared before the timeout");
    }
    waiting.sleep(waiting.interval);
  }
}

util::Result<aws::ServiceDeployment> follow(aws::EcsClient& ecs, const std::string& deployment_arn,
                                            system_clock::time_point deadline, const Waiting& waiting,
                                            const std::string& resume, std::vector<StageChange>& changes) {
  const auto start = waiting.now();
  std::string last;
  bool warned = false;
  while (true) {
    auto d = poll_once(ecs, deployment_arn);
    if (!d) return std::unexpected(d.error());
    if (describe_state(*d) != last) {
      last = describe_state(*d);
      const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(waiting.now() - start);
      changes.push_back({elapsed, d->status, d->lifecycle_stage});
      waiting.progress("deploy: " + std::to_string(elapsed.count()) + "s " + last);
    }
    const Phase phase = phase_of(d->status);
    if (phase == Phase::kSucceeded) return *d;
    if (phase == Phase::kFailed) return std::unexpected(end_error(ecs, *d));
    if (phase == Phase::kRollingBack && !warned) {
      warned = true;
      waiting.progress("deploy: the deployment failed: ECS is rolling back" +
                       (d->rollback_reason.empty() ? std::string() : " (" + d->rollback_reason + ")"));
    }
    if (waiting.now() >= deadline) {
      return fail(ErrorKind::kDeployTimedOut, "timed out waiting for deployment " + deployment_arn + " (last: " + last +
                                                  "); the deployment goes on; resume the wait with: " + resume);
    }
    waiting.sleep(std::min<std::chrono::seconds>(
        waiting.interval, std::max<std::chrono::seconds>(std::chrono::seconds(1),
                                                         std::chrono::duration_cast<std::chrono::seconds>(deadline - waiting.now()))));
  }
}

}  // namespace eem::deploy
