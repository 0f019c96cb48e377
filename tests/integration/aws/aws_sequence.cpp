// Integration driver: runs the bootstrap-shaped AWS sequence through our
// clients against the endpoint in AWS_ENDPOINT_URL (moto_server in
// test_moto.py) and prints a JSON summary. Exit 1 with the error on failure.
//   1. IAM: create the GitHub OIDC provider, a deploy role with a trust
//      policy, an inline ECR push policy (read back)
//   2. ECR: create the repository, put a lifecycle policy, get a token
//   3. STS: assume the role with a web identity token (GitHub Actions source
//      when ACTIONS_ID_TOKEN_REQUEST_URL is set, else a literal token)
//   4. ECR and STS again with the assumed credentials

#include <iostream>
#include <nlohmann/json.hpp>

#include "aws/credentials.h"
#include "aws/ecr.h"
#include "aws/github_oidc.h"
#include "aws/iam.h"
#include "aws/sts.h"

namespace {

using namespace eem::aws;

constexpr const char* kRegion = "ap-northeast-1";

ServiceClient make(const ServiceInfo& info, eem::net::HttpClient& http, std::shared_ptr<CredentialsProvider> creds) {
  ClientConfig config;
  config.http = &http;
  config.credentials = std::move(creds);
  config.region = kRegion;
  auto client = ServiceClient::create(info, std::move(config));
  if (!client) throw std::runtime_error(client.error().message);
  return std::move(*client);
}

template <class T>
T check(ApiResult<T> result) {
  if (!result) throw std::runtime_error(result.error().describe());
  return std::move(*result);
}
void check(ApiResult<void> result) {
  if (!result) throw std::runtime_error(result.error().describe());
}

int run() {
  auto http = eem::net::make_curl_client();
  CredentialContext context;
  context.http = http.get();
  context.region = kRegion;
  auto admin = default_credentials(context);
  if (!admin) throw std::runtime_error(admin.error().message);

  IamClient iam(make(kIam, *http, *admin));
  const std::string provider = check(iam.create_oidc_provider("https://token.actions.githubusercontent.com",
                                                              {"sts.amazonaws.com"}, {}));
  const std::string trust =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":")" + provider +
      R"("},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]})";
  CreateRoleRequest role_request;
  role_request.name = "github-deploy";
  role_request.trust_policy = trust;
  const Role role = check(iam.create_role(role_request));
  const std::string push_policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]})";
  check(iam.put_role_policy(role.name, "ecr-push", push_policy));
  const std::string read_back = check(iam.get_role_policy(role.name, "ecr-push"));
  const Role fetched = check(iam.get_role(role.name));

  EcrClient ecr(make(kEcr, *http, *admin));
  CreateRepositoryRequest repo_request;
  repo_request.name = "ecs-express-mode-api";
  repo_request.image_tag_mutability = "IMMUTABLE";
  repo_request.scan_on_push = true;
  const Repository repository = check(ecr.create_repository(repo_request));
  check(ecr.put_lifecycle_policy(repository.name,
                                 R"({"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]})"));
  const AuthorizationToken token = check(ecr.get_authorization_token());

  std::shared_ptr<CredentialsProvider> assumed;
  if (context.env("ACTIONS_ID_TOKEN_REQUEST_URL")) {
    auto provider_creds = github_oidc_credentials(context, {role.arn, "", "", std::nullopt});
    if (!provider_creds) throw std::runtime_error(provider_creds.error().message);
    assumed = *provider_creds;
  } else {
    StsClient sts(make(kSts, *http, nullptr));
    const AssumedRole assumed_role =
        check(sts.assume_role_with_web_identity({role.arn, "GitHubActions", "header.payload.signature", 3600}));
    assumed = std::make_shared<StaticCredentials>(assumed_role.credentials);
  }
  EcrClient ecr_as_role(make(kEcr, *http, assumed));
  const auto repositories = check(ecr_as_role.describe_repositories({repository.name}));
  StsClient sts_as_role(make(kSts, *http, assumed));
  const CallerIdentity identity = check(sts_as_role.get_caller_identity());

  std::cout << nlohmann::json{{"provider", provider},
                              {"role_arn", role.arn},
                              {"trust_policy_round_trips", nlohmann::json::parse(fetched.trust_policy) ==
                                                               nlohmann::json::parse(trust)},
                              {"policy_round_trips", nlohmann::json::parse(read_back) == nlohmann::json::parse(push_policy)},
                              {"repository_uri", repository.uri},
                              {"token_username", token.username},
                              {"token_password_length", token.password.size()},
                              {"repositories_seen_by_role", repositories.size()},
                              {"assumed_identity", identity.arn}}
                   .dump()
            << '\n';
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::cerr << "aws_moto_sequence: " << e.what() << '\n';
    return 1;
  }
}
