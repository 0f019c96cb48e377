// `shipctl oidc verify|decode|subject`: OIDC tokens (src/oidc). The token is
// a credential: it is never printed, only its header and claims.
#include <fstream>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/registry_flags.h"
#include "cli/subject_flags.h"
#include "iam/trust_builder.h"
#include "net/http_client.h"
#include "oidc/github_subject.h"
#include "oidc/jwks.h"
#include "oidc/verifier.h"

namespace eem::cli {
namespace {

using nlohmann::ordered_json;

util::Result<std::string> read_token(Context& ctx, const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << ctx.process.in.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return util::fail(util::ErrorKind::kIo, "cannot read token file " + path);
    text << in.rdbuf();
  }
  return text.str();
}

std::string_view context_name(oidc::SubjectContext c) {
  switch (c) {
    case oidc::SubjectContext::kEnvironment: return "environment";
    case oidc::SubjectContext::kPullRequest: return "pull_request";
    case oidc::SubjectContext::kBranch: return "branch";
    case oidc::SubjectContext::kTag: return "tag";
    case oidc::SubjectContext::kOtherRef: return "ref";
    case oidc::SubjectContext::kCustom: return "custom";
  }
  return "custom";
}

ordered_json subject_json(const oidc::GithubSubject& s) {
  ordered_json out{{"repository", s.repository()},
                   {"format", s.format() == oidc::SubjectFormat::kName ? "name" : "immutable"},
                   {"context", context_name(s.context)},
                   {"value", s.value}};
  if (s.format() == oidc::SubjectFormat::kImmutable) {
    out["owner_id"] = s.owner_id;
    out["repository_id"] = s.repo_id;
  }
  // A customised template's claims after repo, in its order (a key may repeat:
  // "context" can be "ref:..." beside a "ref" claim).
  if (s.context == oidc::SubjectContext::kCustom) {
    out["claims"] = ordered_json::array();
    for (const auto& [key, value] : s.pairs) out["claims"].push_back({{"key", key}, {"value", value}});
  }
  return out;
}

ordered_json token_json(const oidc::Jwt& jwt, bool verified) {
  ordered_json out{{"verified", verified},
                   {"header", {{"alg", jwt.header.alg}, {"kid", jwt.header.kid}, {"typ", jwt.header.typ}}},
                   {"claims", ordered_json::parse(jwt.claims.json)}};
  if (auto sub = oidc::parse_subject(jwt.claims.sub)) out["github_subject"] = subject_json(*sub);
  return out;
}

void print_token(std::ostream& out, const oidc::Jwt& jwt, bool verified) {
  out << (verified ? "Token verified.\n" : "UNVERIFIED token (signature and claims not checked):\n");
  out << "  alg " << jwt.header.alg << ", kid \"" << jwt.header.kid << "\"\n";
  const auto time_of = [&jwt](const std::string& name) -> std::optional<std::int64_t> {
    if (name == "exp") return jwt.claims.exp;
    if (name == "nbf") return jwt.claims.nbf;
    if (name == "iat") return jwt.claims.iat;
    return std::nullopt;
  };
  for (const auto& [name, value] : jwt.claims.scalars) {
    out << "  " << name << ": " << value;
    if (const auto seconds = time_of(name)) out << " (" << oidc::format_time(*seconds) << ")";
    out << '\n';
  }
  if (!jwt.claims.aud.empty()) {
    out << "  aud:";
    for (const auto& a : jwt.claims.aud) out << ' ' << a;
    out << '\n';
  }
}

int fail_json(Context& ctx, bool json, const util::Error& error) {
  if (json) {
    ctx.out << ordered_json{{"verified", false},
                            {"error", {{"kind", util::kind_info(error.kind).name}, {"message", error.message}}}}
                   .dump(2)
            << '\n';
  }
  return report(ctx, error);
}

struct VerifyFlags {
  std::string token, jwks, issuer, audience;
  int leeway = 60;
  bool json = false;
};

int run_verify(Context& ctx, const VerifyFlags& flags) {
  auto token = read_token(ctx, flags.token);
  if (!token) return fail_json(ctx, flags.json, token.error());
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<oidc::JwksSource> source;
  if (flags.jwks.starts_with("https://") || flags.jwks.starts_with("http://")) {
    net::ClientOptions options;
    options.trace = trace_sink(ctx);  // --debug traces the JWKS fetch like every other client
    http = net::make_curl_client(std::move(options));
    auto url = oidc::url_jwks_source(*http, flags.jwks);
    if (!url) return fail_json(ctx, flags.json, url.error());
    source = std::move(*url);
  } else {
    source = oidc::file_jwks_source(flags.jwks);
  }
  oidc::JwksCache keys(std::move(source));
  oidc::VerifyOptions options{flags.issuer, flags.audience, std::chrono::seconds(flags.leeway), ctx.process.now()};
  auto jwt = oidc::verify_token(*token, keys, options);
  if (!jwt) return fail_json(ctx, flags.json, jwt.error());
  if (flags.json) {
    ctx.out << token_json(*jwt, true).dump(2) << '\n';
  } else {
    print_token(ctx.out, *jwt, true);
  }
  return 0;
}

int run_decode(Context& ctx, const std::string& path, bool json) {
  auto token = read_token(ctx, path);
  if (!token) return report(ctx, token.error());
  auto jwt = oidc::decode_jwt(*token);
  if (!jwt) return report(ctx, jwt.error());
  if (json) {
    ctx.out << token_json(*jwt, false).dump(2) << '\n';
  } else {
    print_token(ctx.out, *jwt, false);
  }
  return 0;
}

struct SubjectCommandFlags {
  oidc::RunFacts facts;
  GithubRepoFlag github_repo;
  SubjectFlags subject;
  std::string workflow;  // for a template that includes job_workflow_ref
  std::string parse;
  bool json = false;
};

// A customised template: the trust builder's subject for this one run, so
// oidc subject and policy trust cannot disagree on it.
util::Result<std::vector<std::string>> template_subjects(const SubjectCommandFlags& flags,
                                                         const bootstrap::SubjectDetection& detected) {
  auto context = oidc::subject_context(flags.facts);
  if (!context) return std::unexpected(context.error());
  iam::TrustRequest request;
  request.repository = flags.facts.repository;
  request.style = detected.style;
  request.owner_id = detected.owner_id;
  request.repo_id = detected.repo_id;
  request.claim_keys = detected.claim_keys;
  request.sub_claim_prefix = detected.sub_claim_prefix;
  request.workflow = flags.workflow;
  return iam::subjects_of_run(request, {*context, flags.facts.ref});
}

// The subjects of the run: one, or the name and the immutable form for both.
util::Result<std::vector<std::string>> run_subjects(Context& ctx, SubjectCommandFlags& flags) {
  auto repo = finish_github_repo_flag(ctx, flags.github_repo);
  if (!repo) return std::unexpected(repo.error());
  if (repo->empty()) return util::fail(util::ErrorKind::kInvalidInput, "--github-repo OWNER/REPO is required (or --parse SUB)");
  flags.facts.repository = *repo;
  if (auto ok = finish_subject_flags(ctx, flags.subject); !ok) return std::unexpected(ok.error());
  if (!flags.workflow.empty()) {
    auto path = iam::workflow_path(flags.workflow);
    if (!path) return std::unexpected(path.error());
    flags.workflow = *path;
  }
  auto http = github_http(ctx);
  auto detected = resolve_subject(flags.subject, flags.facts.repository, *http, ctx.process.env);
  if (!detected) return std::unexpected(detected.error());
  warn_if_guessed(ctx, *detected, flags.facts.repository);
  if (!detected->claim_keys.empty()) return template_subjects(flags, *detected);
  flags.facts.owner_id = detected->owner_id;
  flags.facts.repo_id = detected->repo_id;
  std::vector<oidc::SubjectFormat> forms{oidc::SubjectFormat::kName};
  if (detected->style == iam::SubjectStyle::kImmutable) forms = {oidc::SubjectFormat::kImmutable};
  if (detected->style == iam::SubjectStyle::kBoth) forms.push_back(oidc::SubjectFormat::kImmutable);
  std::vector<std::string> subs;
  for (const auto form : forms) {
    flags.facts.format = form;
    auto sub = oidc::build_subject(flags.facts);
    if (!sub) return std::unexpected(sub.error());
    subs.push_back(*sub);
  }
  return subs;
}

int run_subject(Context& ctx, SubjectCommandFlags flags) {
  if (!flags.parse.empty()) {
    auto sub = oidc::parse_subject(flags.parse);
    if (!sub) return report(ctx, sub.error());
    ctx.out << subject_json(*sub).dump(flags.json ? 2 : -1) << '\n';
    return 0;
  }
  auto subs = run_subjects(ctx, flags);
  if (!subs) return report(ctx, subs.error());
  if (flags.json) {
    const ordered_json value = subs->size() == 1 ? ordered_json(subs->front()) : ordered_json(*subs);
    ctx.out << ordered_json{{"sub", value}}.dump(2) << '\n';
    return 0;
  }
  for (const auto& sub : *subs) ctx.out << sub << '\n';
  return 0;
}

void define_verify(CLI::App& oidc_app, Context& ctx) {
  auto flags = std::make_shared<VerifyFlags>();
  auto* sub = oidc_app.add_subcommand("verify", "Verify a token's signature and claims like STS does");
  sub->add_option("--token", flags->token, "File holding the JWT (- for stdin)")->required();
  sub->add_option("--jwks", flags->jwks, "JWKS file, JWKS URL, or the issuer's .well-known/openid-configuration URL")->required();
  sub->add_option("--issuer", flags->issuer, "Expected iss")->required();
  sub->add_option("--audience", flags->audience, "Expected aud")->required();
  sub->add_option("--leeway", flags->leeway, "Clock leeway in seconds")->capture_default_str();
  sub->add_flag("--json", flags->json, "Print as JSON");
  sub->callback([&ctx, flags] { ctx.exit_code = run_verify(ctx, *flags); });
}

void define_decode(CLI::App& oidc_app, Context& ctx) {
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* sub = oidc_app.add_subcommand("decode", "Show a token's header and claims WITHOUT verifying it");
  sub->add_option("--token", *path, "File holding the JWT (- for stdin)")->required();
  sub->add_flag("--json", *json, "Print as JSON");
  sub->callback([&ctx, path, json] { ctx.exit_code = run_decode(ctx, *path, *json); });
}

constexpr const char* kSubjectExamples = R"(
Examples:
  shipctl oidc subject --github-repo octo-org/app --ref refs/heads/main --event push
  shipctl oidc subject --github-repo octo-org/app --environment production --subject-format both \
      --owner-id 9919 --repo-id 1296269
  GITHUB_TOKEN=... shipctl oidc subject --github-repo octo-org/app --event pull_request   # GitHub's format
  GITHUB_TOKEN=... shipctl oidc subject --github-repo octo-org/app --ref refs/heads/main \
      --workflow .github/workflows/deploy.yml   # a customised template that includes job_workflow_ref
  shipctl oidc subject --parse 'repo:octo-org@9919/app@1296269:ref:refs/tags/v1' --json

A customised subject template (include_claim_keys, asked of GitHub with GITHUB_TOKEN) gives the sub
policy trust admits for the same run; a key whose value the flags do not give is refused, naming
the flag to pass (--workflow, --ref, --owner-id/--repo-id).

Exit codes: 0 printed; 2 bad input, or a template key whose value cannot be known in advance
(actor, run ids, ...); with GITHUB_TOKEN: 3 repository not found, 77 token refused, 75 GitHub
unreachable or throttled.)";

void define_subject(CLI::App& oidc_app, Context& ctx) {
  auto flags = std::make_shared<SubjectCommandFlags>();
  auto* sub = oidc_app.add_subcommand("subject", "Build the sub claim GitHub issues for a run, or parse one");
  add_github_repo_flag(*sub, flags->github_repo, "GitHub OWNER/REPO of the run (required unless --parse)");
  sub->add_option("--ref", flags->facts.ref, "refs/heads/BRANCH or refs/tags/TAG");
  sub->add_option("--event", flags->facts.event_name, "Event name, e.g. push or pull_request");
  sub->add_option("--environment", flags->facts.environment, "The job's environment");
  sub->add_option("--workflow", flags->workflow,
                  "The job's workflow file, e.g. .github/workflows/deploy.yml (for a subject template that includes "
                  "job_workflow_ref)");
  add_subject_flags(*sub, flags->subject, FormatSet::kAll);
  sub->add_option("--parse", flags->parse, "Parse this sub instead of building one");
  sub->add_flag("--json", flags->json, "Print as JSON");
  sub->footer(kSubjectExamples);
  sub->callback([&ctx, flags] { ctx.exit_code = run_subject(ctx, *flags); });
}

constexpr const char* kOidcExamples = R"(
Examples:
  shipctl oidc verify --token token.jwt --jwks https://token.actions.githubusercontent.com/.well-known/jwks \
      --issuer https://token.actions.githubusercontent.com --audience sts.amazonaws.com
  shipctl oidc decode --token token.jwt --json          # claims only, NOT verified
  shipctl oidc subject --github-repo octo-org/app --ref refs/heads/main --event push
  shipctl oidc subject --parse 'repo:octo-org/app:environment:production'

Exit codes: 0 ok; 2 bad input (malformed token, refused algorithm, a flag); 3 JWKS not found, or
no key for the token's kid; 74 a file cannot be read; 75 JWKS unreachable, or clock skew (nbf, iat
in the future); 77 the signature does not verify, wrong issuer or audience, or the token expired.)";

}  // namespace

CommandSpec oidc_command() {
  return {"oidc", "Verify and decode OIDC tokens; build and parse GitHub subjects", [](CLI::App& sub, Context& ctx) {
            sub.require_subcommand(1);
            sub.footer(kOidcExamples);
            define_verify(sub, ctx);
            define_decode(sub, ctx);
            define_subject(sub, ctx);
          }};
}

}  // namespace eem::cli
