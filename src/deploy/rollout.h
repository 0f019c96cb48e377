#pragma once
// Following an ECS service deployment to its end state. Express Mode has no
// waiter (issue 14): the deployment is found with ListServiceDeployments
// (createdAt filter, the target revision) and polled with
// DescribeServiceDeployments; each change of status or lifecycle stage is
// reported as one line. A failed end state carries the API's reasons:
// statusReason, rollback.reason and the FAILED managed resources of the
// target revision (DescribeServiceRevisions).

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/ecs.h"
#include "aws/service_client.h"
#include "util/error.h"

namespace eem::deploy {

// Seconds between polls: the ECS waiters' delay (botocore
// data/ecs/2014-11-13/waiters-2.json, ServicesStable: 15 s).
inline constexpr std::chrono::seconds kPollInterval{15};

struct Waiting {
  aws::Clock now;
  aws::Sleeper sleep;
  std::chrono::seconds interval = kPollInterval;
  std::function<void(std::string_view line)> progress;  // one line per change
};

// One observed status/stage of the deployment, for the job summary.
struct StageChange {
  std::chrono::seconds elapsed{0};
  std::string status;
  std::string stage;
};

// How a deployment status reads: done, failed (with the error kind of its
// exit code), or still going. Rollbacks in progress are going but failed.
enum class Phase { kGoing, kRollingBack, kSucceeded, kFailed };
Phase phase_of(std::string_view status);

// The deployment created for `target_revision` (any new one when empty) at
// or after `since`, waiting for it to be listed until `deadline`.
util::Result<std::string> find_deployment(aws::EcsClient& ecs, const std::string& service_arn,
                                          const std::string& target_revision, std::chrono::system_clock::time_point since,
                                          std::chrono::system_clock::time_point deadline, const Waiting& waiting);

// Polls `deployment_arn` until an end state or `deadline`, appending each
// change to `changes`. SUCCESSFUL: the last answer. Otherwise an error: kDeployStopped, kRolledBack, kRollbackFailed
// with the reasons; kDeployTimedOut at the deadline naming the last status
// and `resume` (the command that picks the wait up again).
util::Result<aws::ServiceDeployment> follow(aws::EcsClient& ecs, const std::string& deployment_arn,
                                            std::chrono::system_clock::time_point deadline, const Waiting& waiting,
                                            const std::string& resume, std::vector<StageChange>& changes);

}  // namespace eem::deploy
