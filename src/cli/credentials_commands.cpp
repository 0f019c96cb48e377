// `shipctl credentials`: what aws-actions/configure-aws-credentials does,
// without its retries of AccessDenied. An OIDC token (the Actions token
// endpoint, or a file) -> STS AssumeRoleWithWebIdentity (unsigned; retried
// only on throttling, 5xx and the two intermittent identity-provider
// failures, with a new token when the old one is about to expire) ->
// GetCallerIdentity with the new credentials -> --allowed-account-ids ->
// handed over in --format (credentials_output.h). Tokens and keys appear
// only where the format puts them: never in messages.

#include <algorithm>
#include <fstream>
#include <sstream>

#include "aws/endpoints.h"
#include "aws/environment.h"
#include "aws/github_oidc.h"
#include "aws/profiles.h"
#include "aws/sts.h"
#include "cli/actions_output.h"
#include "cli/aws_session.h"
#include "cli/commands.h"
#include "cli/credentials_output.h"
#include "iam/arn.h"
#include "util/strings.h"

namespace eem::cli {

namespace {

using util::ErrorKind;

struct CredentialsOptions {
  AwsFlags aws;
  std::string role_arn, audience, session_name = "GitHubActions", token_file, allowed, format = "auto";
  std::string chain_role_arn;  // assumed with the first role's credentials (role chaining)
  std::string profile;         // write these credentials as this shared-config profile
  int duration = 0;  // 0: not sent, STS's default (3600 s)
  bool json = false;
};

constexpr std::string_view kDefaultRegion = "ap-northeast-1";  // the seed's region

constexpr std::string_view kExamples = R"x(
Examples:
  # In a GitHub Actions job with `permissions: id-token: write` and the secret passed
  # through the step's env (AWS_ROLE_ARN: ${{ secrets.AWS_ROLE_ARN }}), never interpolated into the script:
  shipctl credentials --allowed-account-ids 123456789012
  # On a laptop or another CI, with a token file:
  eval "$(shipctl credentials --role-arn arn:aws:iam::123456789012:role/GitHubActionsECRRole \
      --web-identity-token-file token.jwt --format env)"
  # Then a role in another account (role chaining), written as the profile "prod":
  shipctl credentials --chain-role-arn arn:aws:iam::210987654321:role/Deployer --profile prod
  # As an AWS CLI profile (~/.aws/config):
  credential_process = shipctl credentials --role-arn ARN --web-identity-token-file /path/token.jwt --format credential-process

Exit codes: 0 ok, 2 bad input (an empty AWS_ROLE_ARN secret, an invalid ARN, a job without the
id-token: write permission), 74 $GITHUB_ENV, the token file or the --profile files cannot be read or
written, 75 STS or the token endpoint unreachable or throttled (retry later), 77 the trust policy
refused the token, an expired token, or the role's account is not in --allowed-account-ids (shipctl
doctor explains which).)x";

util::Result<std::vector<std::string>> parse_accounts(const std::string& list) {
  std::vector<std::string> accounts;
  if (list.empty()) return accounts;
  for (const auto part : util::split(list, ',')) {
    const std::string id(util::trim(part));
    if (!iam::is_account_id(id)) {
      return util::fail(ErrorKind::kInvalidInput,
                        "invalid account id '" + id + "' in --allowed-account-ids (expected 12 digits)");
    }
    accounts.push_back(id);
  }
  return accounts;
}

util::Result<void> validate(const CredentialsOptions& o) {
  // `AWS_ROLE_ARN: ${{ secrets.AWS_ROLE_ARN }}` with the secret unset (the
  // seed's most common mistake) arrives as an empty value.
  if (o.role_arn.empty()) {
    return util::fail(ErrorKind::kInvalidInput,
                      "the AWS_ROLE_ARN secret is empty or not set for this repository/environment: add it in the "
                      "repository's (or the job environment's) Actions secrets, or pass --role-arn ARN");
  }
  if (auto ok = aws::validate_role_arn(o.role_arn); !ok) return ok;
  if (auto ok = aws::validate_role_session_name(o.session_name); !ok) return ok;
  if (!o.chain_role_arn.empty()) {
    if (auto ok = aws::validate_role_arn(o.chain_role_arn); !ok) {
      return util::fail(ErrorKind::kInvalidInput, "--chain-role-arn: " + ok.error().message);
    }
    // IAM user guide, "Methods to assume a role": role chaining limits the
    // session to one hour, and AssumeRole refuses a longer DurationSeconds.
    if (o.duration > 3600) {
      return util::fail(ErrorKind::kInvalidInput, "--duration " + std::to_string(o.duration) +
                                                      " with --chain-role-arn: a chained role's session lasts at "
                                                      "most 3600 s (IAM role chaining); give 3600 or less");
    }
  }
  if (!o.profile.empty() && !aws::is_valid_profile_name(o.profile)) {
    return util::fail(ErrorKind::kInvalidInput, "--profile '" + o.profile +
                                                    "' is not a profile name: 1-64 letters, digits and . _ -");
  }
  if (!o.profile.empty() && o.format != "auto") {
    return util::fail(ErrorKind::kInvalidInput, "give --profile or --format/--json, not both");
  }
  if (o.duration != 0) return aws::validate_duration_seconds(o.duration);
  return {};
}

util::Result<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail(ErrorKind::kIo, "cannot read --web-identity-token-file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string token(util::trim(text.str()));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return util::fail(ErrorKind::kInvalidInput, "--web-identity-token-file " + path + " is empty");
  return token;
}

// The ID token, from the file or from the Actions token endpoint.
util::Result<std::string> obtain_token(const CredentialsOptions& o, const AwsSession& session,
                                       const std::string& audience) {
  if (!o.token_file.empty()) return read_token_file(o.token_file);
  const auto& env = session.env();
  if (!in_github_actions(env) && !env("ACTIONS_ID_TOKEN_REQUEST_URL")) {
    return util::fail(ErrorKind::kInvalidInput,
                      "no web identity token: outside GitHub Actions pass --web-identity-token-file FILE; inside, "
                      "the job needs `permissions: id-token: write`");
  }
  auto token = aws::fetch_github_id_token(session.http(), env, audience);
  if (!token && token.error().kind == ErrorKind::kDenied) {
    return util::fail(ErrorKind::kDenied, token.error().message +
                                              ": the token endpoint refused ACTIONS_ID_TOKEN_REQUEST_TOKEN (it is "
                                              "valid only inside the job GitHub issued it to)");
  }
  return token;
}

util::Result<aws::AssumedRole> assume(const CredentialsOptions& o, const AwsSession& session,
                                      const std::string& audience) {
  auto service = aws::sts_service(session.credential_context(), nullptr);
  if (!service) return std::unexpected(service.error());
  aws::StsClient sts(std::move(*service));
  std::optional<int> duration;
  if (o.duration != 0) duration = o.duration;
  bool token_failed = false;
  auto tokens = [&] {
    auto token = obtain_token(o, session, audience);
    token_failed = !token;
    return token;
  };
  auto role = sts.assume_role_with_web_identity({o.role_arn, o.session_name, "", duration}, tokens,
                                                aws::web_identity_retry_policy(), session.credential_context().now);
  if (role) return *role;
  util::Error error = role.error();
  if (error.kind == ErrorKind::kDenied && !token_failed) {
    error.message += " (no retry; `shipctl doctor --role-arn " + o.role_arn + "` names the failing trust condition)";
  }
  return std::unexpected(error);
}

// The chained role, assumed with the first role's credentials.
util::Result<aws::AssumedRole> chain(const CredentialsOptions& o, const AwsSession& session,
                                     const aws::Credentials& first) {
  auto service = aws::sts_service(session.credential_context(),
                                  std::make_shared<aws::StaticCredentials>(first, "web identity"));
  if (!service) return std::unexpected(service.error());
  aws::StsClient sts(std::move(*service));
  std::optional<int> duration;
  if (o.duration != 0) duration = o.duration;
  auto role = sts.assume_role({o.chain_role_arn, o.session_name, duration});
  if (!role) {
    return std::unexpected(role.error().to_error().with_context(
        "assuming --chain-role-arn " + o.chain_role_arn + " as " + o.role_arn +
        " (its trust policy must allow sts:AssumeRole for that role, and the first role needs sts:AssumeRole on it)"));
  }
  return *role;
}

util::Result<aws::CallerIdentity> caller_identity(Context& ctx, const CredentialsOptions& o,
                                                  const aws::Credentials& credentials) {
  auto session = AwsSession::open_with(ctx, o.aws, kDefaultRegion,
                                       std::make_shared<aws::StaticCredentials>(credentials, "web identity"));
  if (!session) return std::unexpected(session.error());
  auto service = session->client(aws::kSts);
  if (!service) return std::unexpected(service.error());
  aws::StsClient sts(std::move(*service));
  auto identity = sts.get_caller_identity();
  if (!identity) return std::unexpected(identity.error().to_error().with_context("checking the new credentials"));
  return *identity;
}

util::Result<void> check_account(const std::vector<std::string>& allowed, const aws::CallerIdentity& identity) {
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), identity.account) != allowed.end()) return {};
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return util::fail(ErrorKind::kDenied, "the role's account " + identity.account +
                                            " is not in --allowed-account-ids (" + list +
                                            "); no credentials were written");
}

util::Result<void> run_credentials(Context& ctx, CredentialsOptions o) {
  if (o.json) o.format = "json";
  const auto requested = parse_credentials_format(o.format);
  if (!requested) return util::fail(ErrorKind::kInvalidInput, "unknown --format '" + o.format + "'");
  auto allowed = parse_accounts(o.allowed);
  if (!allowed) return std::unexpected(allowed.error());
  if (auto ok = validate(o); !ok) return ok;
  auto session = AwsSession::open_with(ctx, o.aws, kDefaultRegion, nullptr);
  if (!session) return std::unexpected(session.error());
  auto format = resolve_credentials_format(*requested, session->env());
  if (!format) return std::unexpected(format.error());
  const std::string audience =
      o.audience.empty() ? std::string(aws::partition_of(session->region()).oidc_audience) : o.audience;
  auto role = assume(o, *session, audience);
  if (!role) return std::unexpected(role.error());
  if (!o.chain_role_arn.empty()) {
    role = chain(o, *session, role->credentials);
    if (!role) return std::unexpected(role.error());
  }
  auto identity = caller_identity(ctx, o, role->credentials);
  if (!identity) return std::unexpected(identity.error());
  if (auto ok = check_account(*allowed, *identity); !ok) return ok;
  const std::string source = o.token_file.empty() ? "GitHub Actions OIDC" : "token file " + o.token_file;
  const std::string& final_role = o.chain_role_arn.empty() ? o.role_arn : o.chain_role_arn;
  IssuedCredentials issued{role->credentials, *identity, final_role, session->region(), source};
  if (!o.profile.empty()) return write_profile(o.profile, issued, ctx.err, session->env());
  return write_credentials(*format, issued, ctx.out, ctx.err, session->env());
}

void define(CLI::App& sub, Context& ctx) {
  auto o = std::make_shared<CredentialsOptions>();
  // Not ->required(): an empty or missing value gets one line naming the secret (validate).
  auto* role_arn = sub.add_option("--role-arn", o->role_arn, "Role to assume (default: $AWS_ROLE_ARN)");
  sub.add_option("--audience", o->audience, "Token audience (default: sts.amazonaws.com; .cn in China regions)");
  sub.add_option("--session-name", o->session_name, "Role session name")->capture_default_str();
  sub.add_option("--duration", o->duration,
                 "Session duration in seconds, 900-43200 (default: STS's 3600; more than 3600 needs the role's "
                 "maximum session duration raised)");
  sub.add_option("--allowed-account-ids", o->allowed, "Comma-separated accounts the role must belong to");
  sub.add_option("--web-identity-token-file", o->token_file, "Read the OIDC token from FILE instead of Actions");
  sub.add_option("--format", o->format, "auto (github in Actions, else env), github, env, credential-process, json")
      ->capture_default_str();
  sub.add_flag("--json", o->json, "Same as --format json");
  sub.add_option("--chain-role-arn", o->chain_role_arn,
                 "Then assume this role with the first one's credentials (role chaining; at most 3600 s)");
  sub.add_option("--profile", o->profile,
                 "Write the credentials as this profile in ~/.aws/credentials and ~/.aws/config (0600; other "
                 "profiles kept) instead of printing them");
  add_region_flags(sub, o->aws, "default: ap-northeast-1");
  sub.footer(std::string(kExamples));
  sub.callback([&ctx, o, role_arn] {
    // AWS_ROLE_ARN through the process seam, not CLI11's getenv.
    if (role_arn->count() == 0) o->role_arn = aws::Env(ctx.process.env)("AWS_ROLE_ARN").value_or("");
    o->role_arn = std::string(util::trim(o->role_arn));  // a secret pasted with a newline
    o->chain_role_arn = std::string(util::trim(o->chain_role_arn));
    auto done = run_credentials(ctx, *o);
    ctx.exit_code = done ? 0 : report(ctx, done.error());
  });
}

}  // namespace

CommandSpec credentials_command() {
  return {"credentials",
          "Exchange the job's OIDC token for AWS credentials (configure-aws-credentials; never retries AccessDenied)",
          define};
}

}  // namespace eem::cli
