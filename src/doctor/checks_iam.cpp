// Checks of the IAM side of AssumeRoleWithWebIdentity: the OIDC provider,
// the role, and its trust policy against the token's claims.

#include <nlohmann/json.hpp>

#include <algorithm>

#include "doctor/checks.h"
#include "util/strings.h"

namespace eem::doctor {
namespace {

std::string issuer_of(const Run& run) { return run.claims ? run.claims->issuer : std::string(kGithubIssuer); }

std::string audience_of(const Run& run) {
  return run.claims && !run.claims->aud.empty() ? run.claims->aud.front() : run.options.audience;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "\"" : ", \"") + v + "\"";
  return out.empty() ? "none" : out;
}

Check missing_provider(const Run& run, const std::string& host, const std::vector<std::string>& arns) {
  return Check{"oidc-provider", "OIDC provider for " + host, Status::kFail,
               "no IAM OIDC provider for " + host + " in account " + run.role_account,
               {"providers in the account: " + joined(arns)},
               "shipctl bootstrap --apply\n"
               "or: aws iam create-open-id-connect-provider --url https://" + host + " --client-id-list " +
                   audience_of(run)};
}

constexpr const char* kAudienceFix =
    "Request the token for sts.amazonaws.com: with aws-actions/configure-aws-credentials set\n"
    "  audience: sts.amazonaws.com\n"
    "or run `shipctl credentials --audience sts.amazonaws.com`.\n";

// The provider lacks the token's audience. When it lists sts.amazonaws.com
// and the token carries something else, the token was requested for the
// wrong audience (STS: "Incorrect token audience"): fix the request, not the
// provider.
Check audience_not_listed(const Run& run, const std::string& provider, const std::vector<std::string>& ids) {
  const std::string audience = audience_of(run);
  const std::string title = "OIDC provider for " + issuer_host(issuer_of(run));
  const bool lists_sts = std::find(ids.begin(), ids.end(), kStsAudience) != ids.end();
  if (lists_sts && audience != kStsAudience) {
    std::vector<std::string> evidence{"client ids: " + joined(ids)};
    if (run.claims) evidence.push_back("claims " + run.claims->origin + ": aud " + joined(run.claims->aud));
    return Check{"oidc-provider", title, Status::kFail,
                 "the token's audience \"" + audience + "\" is not a client id of " + provider +
                     ": the token was requested for the wrong audience (STS answers \"Incorrect token audience\")",
                 evidence, kAudienceFix};
  }
  return Check{"oidc-provider", title, Status::kFail,
               "provider " + provider + " does not list the audience \"" + audience + "\" as a client id",
               {"client ids: " + joined(ids)},
               "shipctl bootstrap --apply\n"
               "or: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn " + provider +
                   " --client-id " + audience};
}

std::string trust_fix(const Run& run, const TrustDiagnosis& d) {
  std::string fix;
  const bool wrong_audience = d.cause.starts_with("the token's audience is not");
  if (wrong_audience) fix = kAudienceFix;
  if (!d.diff.empty()) {
    const std::string intro = wrong_audience ? "Or, to admit this run as it is, replace"
                              : d.widens     ? "If this run should push, admit it as well: replace"
                                             : "Replace";
    // The corrected policy itself, not `bootstrap --apply`: bootstrap writes
    // the policy its own flags describe, which may differ from this one.
    const auto parsed = nlohmann::ordered_json::parse(d.corrected_policy, nullptr, false);
    const std::string compact = parsed.is_discarded() ? d.corrected_policy : parsed.dump();
    fix += intro + " the role's trust policy (diff: - current, + corrected):\n" + d.diff +
           "Apply exactly this policy:\n"
           "aws iam update-assume-role-policy --role-name " + util::shell_quote(run.role_name) + " --policy-document " +
           util::shell_quote(compact);
  }
  return fix;
}

}  // namespace

std::optional<Check> check_oidc_provider(Run& run) {
  const std::string host = issuer_host(issuer_of(run));
  const std::string title = "OIDC provider for " + host;
  if (run.services.iam == nullptr || run.role_account.empty()) return cannot_run("oidc-provider", title, "no AWS account to look in");
  auto arns = run.services.iam->list_oidc_providers();
  if (!arns) return cannot_run("oidc-provider", title, cannot_run_reason(arns.error(), "iam:ListOpenIDConnectProviders"));
  const std::string wanted = ":" + run.role_account + ":oidc-provider/" + host;
  const auto found = std::find_if(arns->begin(), arns->end(), [&](const std::string& a) { return a.ends_with(wanted); });
  if (found == arns->end()) return missing_provider(run, host, *arns);
  auto provider = run.services.iam->get_oidc_provider(*found);
  if (!provider) return cannot_run("oidc-provider", title, cannot_run_reason(provider.error(), "iam:GetOpenIDConnectProvider"));
  const std::string audience = audience_of(run);
  const auto& ids = provider->client_ids;
  if (std::find(ids.begin(), ids.end(), audience) == ids.end()) return audience_not_listed(run, *found, ids);
  return Check{"oidc-provider", title, Status::kPass, *found + " lists client id \"" + audience + "\"", {}, {}};
}

std::optional<Check> check_role(Run& run) {
  const std::string title = "IAM role";
  if (run.services.iam == nullptr || run.role_name.empty()) return cannot_run("role", title, "no role to look up");
  auto role = run.services.iam->get_role(run.role_name);
  if (role) {
    run.role = std::move(*role);
    return Check{"role", title, Status::kPass, run.role->arn, {}, {}};
  }
  if (!is_not_found(role.error())) {
    run.role_unreadable = cannot_run_reason(role.error(), "iam:GetRole");
    return cannot_run("role", title, run.role_unreadable);
  }
  return Check{"role", title, Status::kFail,
               "role " + run.role_name + " does not exist in account " + run.role_account,
               {"looked up " + run.role_arn},
               "shipctl bootstrap --apply --role-name " + run.role_name + "\n"
               "or: aws iam create-role --role-name " + run.role_name +
                   " --assume-role-policy-document file://trust-policy.json"};
}

std::optional<Check> check_trust_policy(Run& run) {
  const std::string title = "Trust policy admits the token";
  if (!run.claims) {
    return cannot_run("trust-policy", title,
                      "no claims to evaluate: give --github-repo OWNER/REPO (with --ref, --event, --environment) or --token FILE");
  }
  if (!run.role) {
    return cannot_run("trust-policy", title,
                      "the role's trust policy could not be read" +
                          (run.role_unreadable.empty() ? std::string() : ": " + run.role_unreadable));
  }
  auto diagnosis = diagnose_trust(run.role->trust_policy, *run.claims, run.role_account);
  if (!diagnosis) return cannot_run("trust-policy", title, diagnosis.error().message);
  const TokenClaims& claims = *run.claims;
  std::vector<std::string> evidence{"claims " + claims.origin + ": sub \"" + claims.sub + "\", aud " + joined(claims.aud)};
  if (diagnosis->decision == iam::Decision::kAllow) {
    evidence.insert(evidence.end(), diagnosis->warnings.begin(), diagnosis->warnings.end());
    return Check{"trust-policy", title, Status::kPass, "admits sub \"" + claims.sub + "\"", evidence, {}};
  }
  evidence.insert(evidence.end(), diagnosis->evidence.begin(), diagnosis->evidence.end());
  evidence.insert(evidence.end(), diagnosis->warnings.begin(), diagnosis->warnings.end());
  return Check{"trust-policy", title, Status::kFail, diagnosis->cause, evidence, trust_fix(run, *diagnosis)};
}

std::optional<Check> check_workflow_subjects(Run& run) {
  if (!run.services.workflow_subjects) return std::nullopt;
  return run.services.workflow_subjects(run.role ? &*run.role : nullptr, run.role_unreadable);
}

}  // namespace eem::doctor
