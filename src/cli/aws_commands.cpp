// AWS identity commands: `shipctl whoami` (STS GetCallerIdentity through the
// default credential chain and the SDKs' endpoint overrides).

#include <nlohmann/json.hpp>
#include <ostream>

#include "aws/credentials.h"
#include "aws/profiles.h"
#include "aws/sts.h"
#include "cli/commands.h"

namespace eem::cli {

namespace {

struct WhoamiOptions {
  std::string region;
  std::string endpoint_url;
  std::string profile;
  bool json = false;
};

util::Result<void> whoami(Context& ctx, const WhoamiOptions& options) {
  const aws::Env env = aws::process_env();
  // STS answers in every region; without one configured, use us-east-1 as
  // the CLI does for the global endpoint.
  auto region = aws::resolve_region(env, options.region);
  const std::string region_name = region ? *region : "us-east-1";
  auto http = net::make_curl_client();
  aws::DebugSink debug;
  if (ctx.debug) debug = [&ctx](std::string_view text) { ctx.err << text; };
  aws::CredentialContext context;
  context.http = http.get();
  context.env = env;
  context.region = region_name;
  context.sts_endpoint = options.endpoint_url;
  context.profile = options.profile;
  context.debug = debug;
  auto credentials = aws::default_credentials(context);
  if (!credentials) return std::unexpected(credentials.error());
  aws::ClientConfig config;
  config.http = http.get();
  config.credentials = *credentials;
  config.region = region_name;
  config.endpoint_url = options.endpoint_url;
  config.env = env;
  config.debug = debug;
  auto service = aws::ServiceClient::create(aws::kSts, std::move(config));
  if (!service) return std::unexpected(service.error());
  const std::string endpoint = service->endpoint().url;
  aws::StsClient sts(std::move(*service));
  auto identity = sts.get_caller_identity();
  if (!identity) return std::unexpected(identity.error().to_error());
  const std::string source = (*credentials)->source();
  if (options.json) {
    ctx.out << nlohmann::json{{"account", identity->account}, {"arn", identity->arn},
                              {"user_id", identity->user_id}, {"credential_source", source},
                              {"region", region_name}, {"endpoint", endpoint}}
                   .dump()
            << '\n';
  } else {
    ctx.out << "account:  " << identity->account << "\narn:      " << identity->arn << "\nuser id:  "
            << identity->user_id << "\nsource:   " << source << "\nendpoint: " << endpoint << '\n';
  }
  return {};
}

}  // namespace

CommandSpec whoami_command() {
  return {"whoami", "Show the AWS identity the credential chain resolves to (STS GetCallerIdentity)",
          [](CLI::App& sub, Context& ctx) {
            auto options = std::make_shared<WhoamiOptions>();
            sub.add_option("--region", options->region, "AWS region (default: AWS_REGION, profile, us-east-1)");
            sub.add_option("--endpoint-url", options->endpoint_url,
                           "STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, regional)");
            sub.add_option("--profile", options->profile, "Shared config profile (default: AWS_PROFILE)");
            sub.add_flag("--json", options->json, "Print as JSON");
            sub.callback([&ctx, options] {
              auto done = whoami(ctx, *options);
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
