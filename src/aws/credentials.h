#pragma once
// Credential sources and the SDKs' default chain, in their order
// (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html):
//   1. environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)
//   2. web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)
//   3. shared config/credentials profile (static keys; role_arn with
//      source_profile or web_identity_token_file)
//   4. container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI)
//   5. instance metadata (IMDSv2), unless AWS_EC2_METADATA_DISABLED=true
// The GitHub Actions OIDC source (github_oidc.h) is chosen explicitly.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "aws/credentials_provider.h"
#include "aws/environment.h"
#include "aws/service_client.h"
#include "net/http_client.h"

namespace eem::aws {

// What every source may need: HTTP, the environment, the clock, and how to
// reach STS (region and endpoint override) for role assumption.
struct CredentialContext {
  net::HttpClient* http = nullptr;  // not owned
  Env env;  // default: the process environment
  Clock now = [] { return std::chrono::system_clock::now(); };
  std::string region;        // for STS; empty: us-east-1
  std::string sts_endpoint;  // --endpoint-url for STS; empty: environment/default
  std::string profile;       // --profile; empty: AWS_PROFILE or "default"
  Sleeper sleep;             // between retries; default: std::this_thread::sleep_for
};

// Fetches credentials again whenever the cached ones expire within five
// minutes (the SDKs' advisory refresh), serialising refreshes.
class RefreshingCredentials final : public CredentialsProvider {
 public:
  using Fetch = std::function<util::Result<Credentials>()>;
  RefreshingCredentials(std::string source_name, Fetch fetch, Clock now);
  util::Result<Credentials> get() override;
  std::string source() const override { return source_; }

 private:
  std::string source_;
  Fetch fetch_;
  Clock now_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
};

// Each source returns nullptr when it is not configured, an error when it is
// configured but broken (a half-set pair of variables, an unreadable file).
util::Result<std::shared_ptr<CredentialsProvider>> environment_credentials(const CredentialContext& context);
util::Result<std::shared_ptr<CredentialsProvider>> web_identity_credentials(const CredentialContext& context);
util::Result<std::shared_ptr<CredentialsProvider>> profile_credentials(const CredentialContext& context);
util::Result<std::shared_ptr<CredentialsProvider>> container_credentials(const CredentialContext& context);
util::Result<std::shared_ptr<CredentialsProvider>> instance_metadata_credentials(const CredentialContext& context);

// Assumes `role_arn` with the web identity token read from `token_file` at
// every refresh (EKS and GitHub rotate the file).
std::shared_ptr<CredentialsProvider> web_identity_file_provider(const CredentialContext& context,
                                                               std::string token_file, std::string role_arn,
                                                               std::string session_name);

// The default chain: the first configured source, in the order above.
// When none is configured: kDenied, naming what was tried.
util::Result<std::shared_ptr<CredentialsProvider>> default_credentials(const CredentialContext& context);

// An STS client for role assumption from `context` (unsigned calls need no
// credentials; AssumeRole passes the source credentials).
util::Result<ServiceClient> sts_service(const CredentialContext& context,
                                        std::shared_ptr<CredentialsProvider> credentials);

// "shipctl-<unix seconds>", the default session name (the SDKs use
// "botocore-session-<seconds>"); AWS_ROLE_SESSION_NAME overrides it.
std::string default_session_name(const CredentialContext& context);

}  // namespace eem::aws
