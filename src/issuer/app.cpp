#include "issuer/app.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "issuer/routes.h"
#include "server/server.h"
#include "server/problem.h"

namespace eem::issuer {

namespace {

struct Flags {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::string subject_format = "name";
  std::string request_token;
  std::string key_file;
  std::string issuer;
  int lifetime = 300;
  int key_bits = 2048;
};

constexpr std::string_view kExamples = R"(Examples:
  actions-oidc-issuer --port 0 --repository octo-org/app --request-token "$T"
  actions-oidc-issuer --port 8080 --repository octo-org/app --environment production \
      --subject-format immutable --owner-id 65 --repo-id 74 --request-token "$T"
Then, as a GitHub Actions job would (first stdout line = BASE):
  ACTIONS_ID_TOKEN_REQUEST_URL="$BASE/token?api-version=2.0" ACTIONS_ID_TOKEN_REQUEST_TOKEN="$T" \
      shipctl credentials --role-arn arn:aws:iam::123456789012:role/GitHubActionsECRRole
Routes: /.well-known/openid-configuration, /.well-known/jwks, GET /token?audience=AUD
(Authorization: Bearer <request token>; answers {"value": "<JWT>"}).)";

void add_run_flags(CLI::App& app, RunConfig& run) {
  auto& f = run.facts;
  f = {"octo-org/octo-repo", "65", "74", "push", "refs/heads/main", "", oidc::SubjectFormat::kName};
  app.add_option("--repository", f.repository, "OWNER/REPO of the simulated run")->capture_default_str();
  app.add_option("--ref", f.ref, "The run's ref (refs/heads/B, refs/tags/T, refs/pull/N/merge)")->capture_default_str();
  app.add_option("--event", f.event_name, "event_name (push, pull_request, workflow_dispatch, ...)")
      ->capture_default_str();
  app.add_option("--environment", f.environment, "The job's environment (sub becomes ...:environment:NAME)");
  app.add_option("--owner-id", f.owner_id, "repository_owner_id (GitHub docs' example: 65)")->capture_default_str();
  app.add_option("--repo-id", f.repo_id, "repository_id (GitHub docs' example: 74)")->capture_default_str();
  app.add_option("--sha", run.sha, "The commit SHA (sha, workflow_sha claims)");
  app.add_option("--actor", run.actor, "actor")->capture_default_str();
  app.add_option("--actor-id", run.actor_id, "actor_id")->capture_default_str();
  app.add_option("--workflow", run.workflow, "workflow (the workflow's name)")->capture_default_str();
  app.add_option("--workflow-file", run.workflow_file, "File under .github/workflows/ (workflow_ref)")
      ->capture_default_str();
  app.add_option("--run-id", run.run_id, "run_id")->capture_default_str();
  app.add_option("--head-ref", run.head_ref, "head_ref (pull_request events)");
  app.add_option("--base-ref", run.base_ref, "base_ref (pull_request events)");
}

util::Result<crypto::PrivateKey> load_key(const Flags& flags) {
  if (flags.key_file.empty()) return crypto::generate_rsa_key(flags.key_bits);
  std::ifstream in(flags.key_file, std::ios::binary);
  if (!in) return util::fail(util::ErrorKind::kIo, "cannot read --key-file " + flags.key_file);
  std::ostringstream pem;
  pem << in.rdbuf();
  auto key = crypto::private_key_from_pem(pem.str());
  if (!key) return std::unexpected(key.error().with_context("--key-file " + flags.key_file));
  return key;
}

util::Result<void> check(const Flags& flags, RunConfig& run) {
  if (flags.request_token.empty()) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "--request-token (or ACTIONS_ID_TOKEN_REQUEST_TOKEN) is required: jobs present it as a bearer");
  }
  run.facts.format = flags.subject_format == "immutable" ? oidc::SubjectFormat::kImmutable : oidc::SubjectFormat::kName;
  run.lifetime = std::chrono::seconds(flags.lifetime);
  return validate_run(run);
}

int fail(const util::Error& error) {
  std::cerr << "actions-oidc-issuer: error: " << error.message << '\n';
  return util::kind_info(error.kind).exit_code;
}

int serve(const Flags& flags, RunConfig run, crypto::PrivateKey key) {
  server::ServerOptions options;
  options.address = flags.address;
  options.port = flags.port;
  options.drain_timeout = std::chrono::milliseconds(2000);
  std::unique_ptr<TokenIssuer> issuer;
  server::Router router;
  server::Server server(
      options, [&router](const server::Request& req, server::Response& res) { router.dispatch(req, res); },
      [](int status, std::string_view title, std::string_view detail, server::Response& res) {
        server::problem(res, status, title, detail);
      },
      [](const server::AccessRecord& r) {
        // Never the query or headers: the bearer is a credential.
        std::cerr << "actions-oidc-issuer: " << r.method << ' ' << r.path << ' ' << r.status << '\n';
      });
  const auto port = server.listen();
  if (!port) return fail(port.error());
  const std::string base = "http://" + flags.address + ":" + std::to_string(*port);
  issuer = std::make_unique<TokenIssuer>(std::move(key), std::move(run), flags.issuer.empty() ? base : flags.issuer,
                                         base);
  router = make_router(*issuer, flags.request_token);
  std::cout << base << std::endl;  // the first line: tests and the rehearsal read it
  std::cerr << "actions-oidc-issuer: serving " << issuer->run().facts.repository << " (kid " << issuer->kid()
            << ", iss " << issuer->issuer() << ")" << std::endl;
  server.run();
  return 0;
}

}  // namespace

int issuer_main(int argc, const char* const* argv) {
  CLI::App app{"actions-oidc-issuer: a local GitHub-Actions-style OIDC issuer (discovery, JWKS, token endpoint)",
               "actions-oidc-issuer"};
  Flags flags;
  RunConfig run;
  app.add_option("--address", flags.address, "Listen address")->capture_default_str();
  app.add_option("--port", flags.port, "Listen port (0: a free port, printed as the first stdout line)")
      ->capture_default_str();
  app.add_option("--request-token", flags.request_token, "The bearer jobs must present at /token")
      ->envname("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  app.add_option("--subject-format", flags.subject_format, "name: repo:OWNER/REPO:...; immutable: OWNER@ID/REPO@ID")
      ->check(CLI::IsMember({"name", "immutable"}))
      ->capture_default_str();
  app.add_option("--issuer", flags.issuer, "The iss claim (default: this server's base URL)");
  app.add_option("--key-file", flags.key_file, "PEM RSA private key (default: a fresh 2048-bit key)");
  app.add_option("--lifetime", flags.lifetime, "Token lifetime in seconds (GitHub: 300)")->capture_default_str();
  add_run_flags(app, run);
  app.footer(std::string(kExamples));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (auto ok = check(flags, run); !ok) return fail(ok.error());
  auto key = load_key(flags);
  if (!key) return fail(key.error());
  return serve(flags, std::move(run), std::move(*key));
}

}  // namespace eem::issuer
