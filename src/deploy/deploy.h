#pragma once
// `shipctl deploy`'s engine: create or update an ECS Express Mode service
// with the wanted image, follow the deployment to its end state, then check
// what runs (digest, served commit), rolling back on request.
//
//   Describe ─ missing ──────> Create ─┐
//            ├ ACTIVE, differs > Update ┼─> find deployment ─> follow ─> verify
//            ├ ACTIVE, same ───────────────────────────────────────────> verify
//            └ DRAINING/INACTIVE: kConflict
//
// Create and Update are retried while IAM has not yet propagated fresh
// roles ("Cannot assume role"), for a bounded time; AccessDenied never is.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/ecs.h"
#include "deploy/inputs.h"
#include "deploy/rollout.h"
#include "net/http_client.h"
#include "util/error.h"

namespace eem::deploy {

// How long Create/Update keep retrying IAM-propagation errors, and how
// often. IAM is eventually consistent (IAM User Guide, "Changes that I make
// are not always immediately visible"); fresh roles are usually usable in
// seconds, and two minutes lets a wrong trust policy still fail promptly.
inline constexpr std::chrono::seconds kPropagationWindow{120};
inline constexpr std::chrono::seconds kPropagationInterval{10};

struct Environment {
  aws::EcsClient* ecs = nullptr;   // not owned
  net::HttpClient* web = nullptr;  // for GET /version; not owned
  aws::Clock now;
  aws::Sleeper sleep;
  std::chrono::seconds poll_interval = kPollInterval;
  std::chrono::seconds probe_interval{5};
  std::chrono::seconds propagation_window = kPropagationWindow;
  std::chrono::seconds propagation_interval = kPropagationInterval;
  std::function<void(std::string_view line)> progress;
  // The command that resumes waiting for `deployment_arn` (for the timeout message).
  std::function<std::string(std::string_view deployment_arn)> resume_command;
  bool rollback_on_verify_failure = false;
};

enum class Action { kCreated, kUpdated, kUnchanged, kWaited };
std::string_view action_name(Action action);  // "created", "updated", "unchanged", "waited"

struct Report {
  Action action = Action::kUnchanged;
  std::string service_arn;
  std::string endpoint;        // https://host, once known
  std::string deployment_arn;
  std::string status;          // the deployment's last status
  std::string image_digest;    // what the revision runs, once checked
  std::string commit;          // the commit /version reported N times
  std::vector<std::string> differences;  // members an update changed
  std::vector<StageChange> stages;
  std::string rollback;        // after --rollback-on-verify-failure: what happened
  std::optional<util::Error> error;
};

// Members of the active configuration that differ from `wanted`
// ("image", "containerPort", "environment", "cpu", "memory",
// "healthCheckPath", "executionRoleArn", "taskRoleArn"); role members only
// when `wanted` sets them. An image given by tag always differs (the tag
// may have moved).
std::vector<std::string> differences(const aws::ExpressServiceSpec& wanted, const aws::ExpressConfiguration& active);

// True for the transient errors of roles IAM has not propagated yet.
bool is_propagation_error(const aws::ApiError& error);

// Runs the whole deploy for `wanted` (service_arn set). Never throws; the
// Report carries the error, if any, and whatever was learnt before it.
Report run(const Wanted& wanted, Environment& env);

// "arn:...:service/CLUSTER/NAME" of a service-deployment ARN
// ("arn:...:service-deployment/CLUSTER/NAME/ID"); empty when it is not one.
std::string service_of_deployment(std::string_view deployment_arn);

}  // namespace eem::deploy
