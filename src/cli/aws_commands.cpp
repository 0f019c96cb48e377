// AWS identity commands: `shipctl whoami` (STS GetCallerIdentity through the
// default credential chain and the SDKs' endpoint overrides).

#include <nlohmann/json.hpp>
#include <ostream>

#include "aws/sts.h"
#include "cli/aws_session.h"
#include "cli/commands.h"

namespace eem::cli {

namespace {

struct WhoamiOptions {
  AwsFlags aws;
  bool json = false;
};

util::Result<void> whoami(Context& ctx, const WhoamiOptions& options) {
  // STS answers in every region; without one configured, use us-east-1 as
  // the CLI does for the global endpoint.
  auto session = AwsSession::open(ctx, options.aws, "us-east-1");
  if (!session) return std::unexpected(session.error());
  auto service = session->client(aws::kSts);
  if (!service) return std::unexpected(service.error());
  const std::string endpoint = service->endpoint().url;
  aws::StsClient sts(std::move(*service));
  auto identity = sts.get_caller_identity();
  if (!identity) return std::unexpected(identity.error().to_error());
  const std::string source = session->credential_source();
  if (options.json) {
    ctx.out << nlohmann::json{{"account", identity->account}, {"arn", identity->arn},
                              {"user_id", identity->user_id}, {"credential_source", source},
                              {"region", session->region()}, {"endpoint", endpoint}}
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
            add_aws_flags(sub, options->aws, "default: us-east-1");
            sub.add_flag("--json", options->json, "Print as JSON");
            sub.callback([&ctx, options] {
              auto done = whoami(ctx, *options);
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
