#include "deploy/verify.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace eem::deploy {

namespace {

using util::ErrorKind;
using util::fail;

bool same_commit(std::string_view served, std::string_view want) {
  const auto n = std::min(served.size(), want.size());
  return n >= 7 && served.substr(0, n) == want.substr(0, n);
}

// What one GET /version answered: the commit, or why there is none.
struct Answer {
  bool ok = false;
  std::string text;  // the commit, or the failure ("HTTP 503", "connection refused ...")
};

Answer ask(net::HttpClient& http, const std::string& url) {
  net::Request request;
  request.url = url + "/version";
  auto response = http.send(request);
  if (!response) return {false, response.error().message};
  if (response->status != 200) return {false, "HTTP " + std::to_string(response->status)};
  const auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object() || !body.contains("commit") || !body["commit"].is_string()) {
    return {false, "an answer without a \"commit\" string"};
  }
  return {true, body["commit"].get<std::string>()};
}

}  // namespace

util::Result<std::string> endpoint_url(std::string_view endpoint) {
  if (endpoint.starts_with("http://")) {
    return fail(ErrorKind::kInvalidInput, "endpoint " + std::string(endpoint) + " is plain http; expected https");
  }
  if (endpoint.starts_with("https://")) endpoint.remove_prefix(8);
  while (endpoint.ends_with('/')) endpoint.remove_suffix(1);
  if (endpoint.empty() || endpoint.find_first_of("/ ") != std::string_view::npos) {
    return fail(ErrorKind::kInvalidInput, "the service reports no usable public endpoint (\"" + std::string(endpoint) + "\")");
  }
  return "https://" + std::string(endpoint);
}

util::Result<std::string> check_digest(aws::EcsClient& ecs, const std::string& revision_arn, const std::string& want) {
  auto revisions = ecs.describe_service_revisions({revision_arn});
  if (!revisions) return std::unexpected(revisions.error().to_error().with_context("reading revision " + revision_arn));
  std::string running;
  for (const auto& revision : *revisions) {
    for (const auto& [image, digest] : revision.images) {
      if (!digest.empty()) running = digest;
    }
  }
  if (running.empty()) {
    return fail(ErrorKind::kVerifyFailed, "revision " + revision_arn + " names no image digest (DescribeServiceRevisions)");
  }
  if (!want.empty() && running != want) {
    return fail(ErrorKind::kVerifyFailed, "revision " + revision_arn + " runs " + running + ", not the pushed " + want);
  }
  return running;
}

util::Result<void> check_served_commit(const Probe& probe, const std::string& url, const std::string& commit, int count,
                                       std::chrono::seconds timeout) {
  const auto deadline = probe.now() + timeout;
  int streak = 0;
  std::string last;
  while (true) {
    const Answer answer = ask(*probe.http, url);
    const bool good = answer.ok && same_commit(answer.text, commit);
    streak = good ? streak + 1 : 0;
    const std::string seen = answer.ok ? "commit " + answer.text : answer.text;
    if (seen != last || good) {
      const std::string tally = good ? " (" + std::to_string(streak) + "/" + std::to_string(count) + ")" : "";
      probe.progress("verify: " + url + "/version: " + seen + tally);
    }
    last = seen;
    if (streak >= count) return {};
    if (probe.now() >= deadline) {
      return fail(ErrorKind::kVerifyFailed, url + "/version did not report commit " + commit + " " + std::to_string(count) +
                                                " times in a row within " + std::to_string(timeout.count()) +
                                                " s; last answer: " + seen);
    }
    probe.sleep(probe.interval);
  }
}

}  // namespace eem::deploy
