// `shipctl deploy --service NAME --image REGISTRY/REPO@sha256:...` (issue 14):
// create or update an ECS Express Mode service with the pushed digest, follow
// the deployment to its end state, then check the running digest and the
// commit /version serves. The engine is src/deploy; this file parses flags,
// finds the account and region, builds the clients and reports.
#include <algorithm>
#include <chrono>
#include <memory>
#include <ostream>
#include <thread>

#include "aws/ecs.h"
#include "cli/actions_output.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/ecr_target.h"
#include "cli/registry_flags.h"
#include "deploy/deploy.h"
#include "deploy/report.h"
#include "util/strings.h"

namespace eem::cli {

namespace {

struct DeployFlags {
  deploy::DeployInputs in;
  AwsFlags aws;
  RegistryFlags endpoint;  // how to reach and trust the service's endpoint
  bool rollback_on_verify_failure = false;
  bool json = false;
  int poll_seconds = static_cast<int>(deploy::kPollInterval.count());
};

// The region an ARN names ("arn:aws:ecs:REGION:..."), for --wait-only and
// --service ARN when no --region is given.
std::string arn_region(std::string_view arn) {
  const auto parts = util::split(arn, ':');
  return parts.size() > 4 ? std::string(parts[3]) : "";
}

// The account of the service: from its ARN, a role ARN, else STS.
util::Result<std::string> service_account(const AwsSession& session, const deploy::Wanted& w) {
  for (const auto& arn : {w.spec.execution_role_arn, w.spec.infrastructure_role_arn}) {
    if (auto account = deploy::arn_account(arn); !account.empty()) return account;
  }
  return caller_account(session);
}

util::Result<void> resolve_service_arn(const AwsSession& session, deploy::Wanted& w) {
  if (!w.service_arn.empty()) return {};
  if (!w.wait_only.empty() && w.service_name.empty()) {
    w.service_arn = deploy::service_of_deployment(w.wait_only);
    return {};
  }
  auto account = service_account(session, w);
  if (!account) return std::unexpected(account.error());
  w.service_arn = deploy::service_arn(session.region(), *account, w.cluster, w.service_name);
  return {};
}

std::string resume_command(const DeployFlags& f, const std::string& region, std::string_view arn) {
  std::string text = "shipctl deploy --wait-only " + std::string(arn) + " --region " + region;
  if (!f.in.image.empty()) text += " --image " + f.in.image + (f.in.allow_tag ? " --allow-tag" : "");
  if (!f.in.commit.empty()) text += " --commit " + f.in.commit;
  return text;
}

deploy::Environment environment(const DeployFlags& f, const std::string& region, Context& ctx) {
  deploy::Environment env;
  env.now = ctx.process.now;
  env.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  env.progress = [&ctx](std::string_view line) { ctx.err << line << '\n' << std::flush; };
  env.resume_command = [f, region](std::string_view arn) { return resume_command(f, region, arn); };
  env.rollback_on_verify_failure = f.rollback_on_verify_failure;
  env.poll_interval = std::chrono::seconds(f.poll_seconds);
  env.probe_interval = std::min(env.probe_interval, env.poll_interval);
  return env;
}

// Prints the result and writes the Actions outputs and summary (also after
// a failure: the summary then says why).
util::Result<void> show(Context& ctx, const DeployFlags& f, const deploy::Report& result) {
  // Text after a failure only when there is a deployment to name: an error
  // before one stays a single line.
  if (f.json) {
    ctx.out << deploy::report_json(result) << '\n';
  } else if (!result.error || !result.deployment_arn.empty()) {
    ctx.out << deploy::report_text(result);
  }
  if (auto ok = write_outputs(deploy::report_outputs(result), ctx.process.env); !ok) return ok;
  return write_step_summary(deploy::report_summary(result), ctx.process.env);
}

int run_deploy(Context& ctx, DeployFlags& f) {
  auto wanted = deploy::validate(f.in);
  if (!wanted) return report(ctx, wanted.error());
  auto http = registry_client_options(f.endpoint, ctx.process.env);
  if (!http) return report(ctx, http.error());
  if (f.aws.region.empty()) f.aws.region = arn_region(!f.in.wait_only.empty() ? f.in.wait_only : wanted->service_arn);
  auto session = AwsSession::open(ctx, f.aws);
  if (!session) return report(ctx, session.error());
  if (auto ok = resolve_service_arn(*session, *wanted); !ok) return report(ctx, ok.error());
  auto client = session->client(aws::kEcs);
  if (!client) return report(ctx, client.error());
  aws::EcsClient ecs(std::move(*client));
  http->total_timeout = std::chrono::seconds(10);
  const auto web = net::make_curl_client(*http);
  auto env = environment(f, session->region(), ctx);
  env.ecs = &ecs;
  env.web = web.get();
  const auto result = deploy::run(*wanted, env);
  auto shown = show(ctx, f, result);
  if (result.error) return report(ctx, *result.error);
  return shown ? 0 : report(ctx, shown.error());
}

void add_flags(CLI::App& sub, DeployFlags& f) {
  auto& in = f.in;
  sub.add_option("--service", in.service, "Express service name (or its ARN)");
  sub.add_option("--cluster", in.cluster, "ECS cluster")->capture_default_str();
  sub.add_option("--image", in.image, "Image pinned by digest: REGISTRY/REPOSITORY@sha256:... (push's image-uri)");
  sub.add_flag("--allow-tag", in.allow_tag, "Accept --image with a tag instead of a digest (the tag can move: always updates, no digest check)");
  add_aws_flags(sub, f.aws, "required when no ARN names it");
  sub.add_option("--execution-role-arn", in.execution_role_arn, "Task execution role (required to create the service)");
  sub.add_option("--infrastructure-role-arn", in.infrastructure_role_arn, "Infrastructure role (required to create)");
  sub.add_option("--task-role-arn", in.task_role_arn, "Role the application's tasks run as");
  sub.add_option("--cpu", in.cpu, "CPU units, always sent")->capture_default_str();
  sub.add_option("--memory", in.memory, "Memory in MiB, always sent")->capture_default_str();
  sub.add_option("--port", in.port, "Container port, always sent")->capture_default_str();
  sub.add_option("--health-check-path", in.health_check_path, "Health check path, always sent")->capture_default_str();
  sub.add_option("--env", in.env, "KEY=VALUE for the container (repeatable; the set replaces the service's)");
  sub.add_option("--timeout", in.timeout_seconds, "Seconds to wait for the deployment")->capture_default_str();
  sub.add_option("--poll-interval", f.poll_seconds, "Seconds between deployment polls (/version probes: at most 5)")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  sub.add_option("--wait-only", in.wait_only, "Only follow (and verify) this service deployment ARN");
  sub.add_option("--commit", in.commit, "Commit GET https://ENDPOINT/version must report (default: not checked)");
  sub.add_option("--verify-count", in.verify_count, "Consecutive /version answers needed")->capture_default_str();
  sub.add_option("--verify-timeout", in.verify_timeout_seconds, "Seconds to get them")->capture_default_str();
  sub.add_flag("--rollback-on-verify-failure", f.rollback_on_verify_failure,
               "When verification fails, update back to the previous configuration and wait for it");
  sub.add_option("--connect-to", f.endpoint.connect_to,
                 "Send requests for HOST:PORT to CHOST:CPORT (like curl; also SHIPCTL_CONNECT_TO)");
  sub.add_option("--ca-file", f.endpoint.ca_file, "Extra CA (PEM) to trust for the endpoint (default: SHIPCTL_CA_FILE)");
  sub.add_flag("--json", f.json, "Print the result as JSON");
}

constexpr std::string_view kFooter =
    "Describes the service, then creates it (missing), updates it (the configuration differs: the\n"
    "whole primaryContainer, cpu, memory, port and health check path are sent) or leaves it alone;\n"
    "follows the deployment, printing each status/stage change; checks that the revision runs the\n"
    "image's digest and, with --commit, that /version reports it --verify-count times in a row.\n"
    "Writes service-arn, endpoint, deployment-arn, image-digest and commit to $GITHUB_OUTPUT and a\n"
    "table to $GITHUB_STEP_SUMMARY.\n\n"
    "Examples:\n"
    "  shipctl deploy --service ecs-express-mode-api --image \"$IMAGE_URI\" --commit \"$GITHUB_SHA\" \\\n"
    "    --execution-role-arn arn:aws:iam::123456789012:role/ecsTaskExecutionRole \\\n"
    "    --infrastructure-role-arn arn:aws:iam::123456789012:role/ecsInfrastructureRoleForExpressServices\n"
    "  shipctl deploy --wait-only arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/api/abc\n"
    "Exit codes: 0 deployed and verified, 2 bad input (refused before any AWS call), 3 cluster not\n"
    "found, 4 service DRAINING or INACTIVE, 10 timed out (the deployment goes on: the message gives the\n"
    "--wait-only command), 11 deployment STOPPED, 12 rolled back (ROLLBACK_SUCCESSFUL), 13 rollback\n"
    "failed, 14 verification failed (digest or served commit), 75 network, 77 denied or expired.";

}  // namespace

CommandSpec deploy_command() {
  return {"deploy", "Deploy an image digest to ECS Express Mode, follow the rollout, verify what it serves",
          [](CLI::App& sub, Context& ctx) {
            auto f = std::make_shared<DeployFlags>();
            sub.footer(std::string(kFooter));
            add_flags(sub, *f);
            sub.callback([&ctx, f] { ctx.exit_code = run_deploy(ctx, *f); });
          }};
}

}  // namespace eem::cli
