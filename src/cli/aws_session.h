#pragma once
// What every AWS-calling command shares: the --region/--profile/--endpoint-url
// flags and one session per invocation holding the HTTP client, the resolved
// region and the credential chain, from which service clients are made.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/service_client.h"
#include "cli/command.h"
#include "net/http_client.h"

namespace eem::cli {

struct AwsFlags {
  std::string region;
  std::string profile;
  std::string endpoint_url;  // applies to every service the command calls
};

// Adds --region, --profile and --endpoint-url to `sub`. `region_help` says
// what happens when no region is configured (e.g. "default: ap-northeast-1").
void add_aws_flags(CLI::App& sub, AwsFlags& flags, std::string_view region_help);
// Only --region and --endpoint-url (credentials, whose --profile names the
// profile it writes).
void add_region_flags(CLI::App& sub, AwsFlags& flags, std::string_view region_help);

class AwsSession {
 public:
  // Resolves the region (--region, AWS_REGION, AWS_DEFAULT_REGION, profile,
  // then `fallback_region`; empty fallback: kInvalidInput when none is set;
  // kInvalidInput for a region aws::check_known_region does not know)
  // and the default credential chain. `ctx.debug` turns on request traces.
  static util::Result<AwsSession> open(Context& ctx, const AwsFlags& flags,
                                       std::string_view fallback_region = {});
  // A session whose credentials come from `credentials` (e.g. GitHub OIDC).
  static util::Result<AwsSession> open_with(Context& ctx, const AwsFlags& flags, std::string_view fallback_region,
                                            std::shared_ptr<aws::CredentialsProvider> credentials);

  // A client for `service` in this session's region (`region` when given:
  // ECR Public's token exists only in us-east-1), signed with its credentials.
  util::Result<aws::ServiceClient> client(const aws::ServiceInfo& service, std::string_view region = {}) const;

  const std::string& region() const { return region_; }
  const aws::Env& env() const { return env_; }
  net::HttpClient& http() const { return *http_; }
  const std::shared_ptr<aws::CredentialsProvider>& credentials() const { return credentials_; }
  // What the credential chain picked ("environment", "profile default", ...).
  std::string credential_source() const { return credentials_->source(); }
  // For sources that need STS themselves (web identity, role assumption).
  aws::CredentialContext credential_context() const;

 private:
  AwsSession() = default;
  static util::Result<AwsSession> prepare(Context& ctx, const AwsFlags& flags, std::string_view fallback_region);

  AwsFlags flags_;
  std::string region_;
  aws::Env env_;
  aws::Clock now_;
  std::shared_ptr<net::HttpClient> http_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
};

}  // namespace eem::cli
