#include "cli/aws_session.h"

#include <ostream>

#include "aws/profiles.h"
#include "aws/regions.h"
#include "cli/registry_flags.h"

namespace eem::cli {

void add_region_flags(CLI::App& sub, AwsFlags& flags, std::string_view region_help) {
  sub.add_option("--region", flags.region,
                 "AWS region (AWS_REGION, AWS_DEFAULT_REGION, profile; " + std::string(region_help) + ")");
  sub.add_option("--endpoint-url", flags.endpoint_url,
                 "Send every AWS API call to this URL (default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL)");
}

void add_aws_flags(CLI::App& sub, AwsFlags& flags, std::string_view region_help) {
  add_region_flags(sub, flags, region_help);
  sub.add_option("--profile", flags.profile, "Shared config profile (default: AWS_PROFILE, then \"default\")");
}

util::Result<AwsSession> AwsSession::prepare(Context& ctx, const AwsFlags& flags, std::string_view fallback_region) {
  AwsSession session;
  session.flags_ = flags;
  session.env_ = ctx.process.env;
  session.now_ = ctx.process.now;
  auto region = aws::resolve_region(session.env_, flags.region);
  if (!region && fallback_region.empty()) return std::unexpected(region.error());
  session.region_ = region ? *region : std::string(fallback_region);
  if (auto valid = aws::validate_region(session.region_); !valid) return std::unexpected(valid.error());
  // A typo ("ap-northeast-l") is refused here, before any request, with the
  // nearest region; otherwise it would surface as a DNS failure and exit 75.
  if (auto known = aws::check_known_region(session.region_); !known) return std::unexpected(known.error());
  net::ClientOptions options;
  options.trace = trace_sink(ctx);
  session.http_ = net::make_curl_client(std::move(options));
  return session;
}

util::Result<AwsSession> AwsSession::open(Context& ctx, const AwsFlags& flags, std::string_view fallback_region) {
  auto session = prepare(ctx, flags, fallback_region);
  if (!session) return session;
  auto credentials = aws::default_credentials(session->credential_context());
  if (!credentials) return std::unexpected(credentials.error());
  session->credentials_ = std::move(*credentials);
  return session;
}

util::Result<AwsSession> AwsSession::open_with(Context& ctx, const AwsFlags& flags, std::string_view fallback_region,
                                               std::shared_ptr<aws::CredentialsProvider> credentials) {
  auto session = prepare(ctx, flags, fallback_region);
  if (!session) return session;
  session->credentials_ = std::move(credentials);
  return session;
}

aws::CredentialContext AwsSession::credential_context() const {
  aws::CredentialContext context;
  context.http = http_.get();
  context.env = env_;
  context.now = now_;
  context.region = region_;
  context.sts_endpoint = flags_.endpoint_url;
  context.profile = flags_.profile;
  return context;
}

util::Result<aws::ServiceClient> AwsSession::client(const aws::ServiceInfo& service, std::string_view region) const {
  aws::ClientConfig config;
  config.http = http_.get();
  config.credentials = credentials_;
  config.region = region.empty() ? region_ : std::string(region);
  config.endpoint_url = flags_.endpoint_url;
  config.env = env_;
  config.now = now_;
  return aws::ServiceClient::create(service, std::move(config));
}

}  // namespace eem::cli
