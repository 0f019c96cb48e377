#pragma once
// Checking what a deployment actually runs: the service revision's image
// digest (DescribeServiceRevisions containerImages[].imageDigest) and the
// commit the public endpoint's GET /version reports, on N consecutive
// answers, which rides out DNS and certificate setup on a new service.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "aws/ecs.h"
#include "deploy/rollout.h"
#include "net/http_client.h"
#include "util/error.h"

namespace eem::deploy {

// Seconds between /version probes.
inline constexpr std::chrono::seconds kProbeInterval{5};

// "https://<host>" from an ingress path endpoint, which is reportedly a bare
// host (<name>.ecs.<region>.on.aws) but may come with a scheme or a trailing
// slash. kInvalidInput for an empty endpoint or a plain http:// one.
util::Result<std::string> endpoint_url(std::string_view endpoint);

// The image digest revision `revision_arn` runs. kVerifyFailed when it
// differs from `want` (when `want` is set) or the revision names no digest.
util::Result<std::string> check_digest(aws::EcsClient& ecs, const std::string& revision_arn, const std::string& want);

struct Probe {
  net::HttpClient* http = nullptr;  // not owned
  aws::Clock now;
  aws::Sleeper sleep;
  std::chrono::seconds interval = kProbeInterval;
  std::function<void(std::string_view line)> progress;
};

// GETs `url`/version until `count` consecutive answers report `commit` (a
// prefix match either way, at least 7 digits: short and full SHAs), or
// `timeout` passes: kVerifyFailed naming the last answer.
util::Result<void> check_served_commit(const Probe& probe, const std::string& url, const std::string& commit, int count,
                                       std::chrono::seconds timeout);

}  // namespace eem::deploy
