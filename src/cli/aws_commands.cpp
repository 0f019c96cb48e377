// AWS identity commands: `shipctl whoami` (STS GetCallerIdentity through the
// default credential chain and the SDKs' endpoint overrides).

#include <nlohmann/json.hpp>
#include <ostream>

#include "aws/sts.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/ecr_target.h"

namespace eem::cli {

namespace {

struct WhoamiOptions {
  AwsFlags aws;
  bool json = false;
};

util::Result<void> whoami(Context& ctx, const WhoamiOptions& options) {
  // STS answers in every region: the same default as every other command.
  auto session = AwsSession::open(ctx, options.aws, kDefaultEcrRegion);
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
            sub.footer(
                "Examples:\n"
                "  shipctl whoami\n"
                "  shipctl whoami --profile admin --json\n"
                "  AWS_ROLE_ARN=... AWS_WEB_IDENTITY_TOKEN_FILE=token.jwt shipctl whoami   # as the role\n\n"
                "Exit codes: 0 ok, 2 bad input (unknown region), 75 STS unreachable or throttled, 77 no\n"
                "credentials found, or they are expired or invalid.");
            add_aws_flags(sub, options->aws, "default: ap-northeast-1");
            sub.add_flag("--json", options->json, "Print as JSON");
            sub.callback([&ctx, options] {
              auto done = whoami(ctx, *options);
              ctx.exit_code = done ? 0 : report(ctx, done.error());
            });
          }};
}

}  // namespace eem::cli
