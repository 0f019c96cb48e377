// Rules (ids are stable; add new ones at the end):
//   IAM001 error   duplicate JSON key (IAM keeps one silently)
//   IAM002 error   Allow with Principal "*"
//   IAM003 error   Allow with NotAction (PowerUser-style: nearly every action)
//   IAM004 warning Allow with "*" or a whole-service action wildcard ("ecr:*")
//   IAM005 warning Allow of ECR repository actions on Resource "*"
//   GHA001 error   GitHub OIDC trust without a sub condition
//   GHA002 error   owner wildcard in sub ("repo:*", "repo:octo*/...")
//   GHA003 warning repository-name wildcard in sub ("repo:octo/*")
//   GHA004 warning every ref of the repository admitted ("repo:o/r:*")
//   GHA005 error   wildcard characters under StringEquals
//   GHA006 error   ForAllValues: in an Allow (true when the key is absent)
//   GHA007 error   no aud condition
//   GHA008 error   aud condition does not require sts.amazonaws.com
//   GHA009 warning pull requests admitted
//   GHA010 error   name-only sub for a repository with immutable subjects
//   IAM006 warning ForAnyValue:...IfExists (tools disagree on an absent key;
//                  docs/policy-differential.md D2)
//   GHA011 warning every workflow of the repository admitted (no
//                  job_workflow_ref condition; STS checks that claim since
//                  January 2026: aws.amazon.com/about-aws/whats-new/2026/01/
//                  aws-sts-supports-validation-identity-provider-claims)
//   GHA012 error   immutable sub for a repository known to use name subjects
// Sources: GitHub docs "Security hardening with OpenID Connect" and
// "Configuring OpenID Connect in AWS"; AWS IAM "Condition operators" and
// "Multivalued context keys"; DESIGN.md section 3.
#include "iam/lint.h"

#include <algorithm>

#include "iam/excerpt.h"
#include "iam/request_context.h"
#include "util/strings.h"

namespace eem::iam {
namespace {

using detail::quoted_excerpt;
using detail::plain_or_excerpt;

constexpr std::string_view kSubKey = "token.actions.githubusercontent.com:sub";
constexpr std::string_view kAudKey = "token.actions.githubusercontent.com:aud";
constexpr std::string_view kWorkflowKey = "token.actions.githubusercontent.com:job_workflow_ref";

bool has_wildcard(std::string_view v) { return v.find_first_of("*?") != std::string_view::npos; }

bool is_github_trust(const Statement& st) {
  if (!st.principal || st.principal->negation == Negation::kNegated) return false;
  return std::any_of(st.principal->entries.begin(), st.principal->entries.end(), [](const Principal& p) {
    return p.type == "Federated" && p.value.ends_with("oidc-provider/token.actions.githubusercontent.com");
  });
}

void add(std::vector<Finding>& out, const char* rule, Severity severity, std::string path, std::string message, std::string fix) {
  out.push_back({rule, severity, std::move(path), std::move(message), std::move(fix)});
}

// "repo:OWNER/REPO:rest" -> {owner, repo, rest}; empty owner when not of that form.
struct SubPattern {
  std::string owner, repo, rest;
};
SubPattern split_sub(std::string_view v) {
  if (v == "*") return {"*", "*", "*"};
  if (!v.starts_with("repo:")) return {};
  v.remove_prefix(5);
  const auto colon = v.find(':');
  const std::string_view repo_part = v.substr(0, colon);
  const std::string rest = colon == std::string_view::npos ? std::string() : std::string(v.substr(colon + 1));
  const auto slash = repo_part.find('/');
  if (slash == std::string_view::npos) return {std::string(repo_part), "", rest};
  return {std::string(repo_part.substr(0, slash)), std::string(repo_part.substr(slash + 1)), rest};
}

void lint_sub_value(const Condition& c, const std::string& v, std::vector<Finding>& out) {
  const SubPattern p = split_sub(v);
  if (has_wildcard(p.owner) || v == "*") {
    add(out, "GHA002", Severity::kError, c.path, "sub " + quoted_excerpt(v) + " has a wildcard in the owner: repositories of other owners can assume the role",
        "name the owner exactly: repo:OWNER/REPO:ref:refs/heads/main");
    return;
  }
  if (has_wildcard(p.repo)) {
    add(out, "GHA003", Severity::kWarning, c.path, "sub " + quoted_excerpt(v) + " has a wildcard in the repository name: every matching repository of " + plain_or_excerpt(p.owner) + " can assume the role",
        "name the repository exactly");
  }
  if (p.rest == "*") {
    add(out, "GHA004", Severity::kWarning, c.path, "sub " + quoted_excerpt(v) + " admits every branch, tag, pull request and environment of the repository",
        "list the refs meant, e.g. " + plain_or_excerpt("repo:" + p.owner + "/" + p.repo + ":ref:refs/heads/main"));
  }
  if (!p.owner.empty() && wildcard_match(v, "repo:" + p.owner + "/" + p.repo + ":pull_request") && !has_wildcard(p.owner + p.repo)) {
    add(out, "GHA009", Severity::kWarning, c.path, "sub " + quoted_excerpt(v) + " admits pull requests: code from a pull request can assume the role",
        "admit only branches, tags or environments unless pull requests must deploy");
  }
}

bool immutable_value(const std::string& v) { return split_sub(v).owner.find('@') != std::string::npos; }

// GHA010/GHA012: the condition admits only the form the repository does not
// use. A condition listing both forms (a migration) is fine either way.
void lint_subject_form(const Condition& c, const LintOptions& options, std::vector<Finding>& out) {
  const bool any_immutable = std::any_of(c.values.begin(), c.values.end(), immutable_value);
  const bool any_name = std::any_of(c.values.begin(), c.values.end(), [](const std::string& v) {
    return !split_sub(v).owner.empty() && !immutable_value(v);
  });
  for (const auto& v : c.values) {
    if (split_sub(v).owner.empty()) continue;
    if (options.immutable_subjects == ImmutableSubjects::kYes && !any_immutable) {
      add(out, "GHA010", Severity::kError, c.path, "sub " + quoted_excerpt(v) + " uses owner and repository names, but the repository uses immutable subjects: it never matches",
          "use repo:OWNER@OWNER_ID/REPO@REPO_ID:... (or admit both forms while migrating: --subject-format both)");
    }
    if (options.immutable_subjects == ImmutableSubjects::kNo && !any_name) {
      add(out, "GHA012", Severity::kError, c.path, "sub " + quoted_excerpt(v) + " uses owner and repository ids, but the repository uses name subjects: it never matches",
          "use repo:OWNER/REPO:... (or admit both forms while migrating: --subject-format both)");
    }
  }
}

// Whether the statement restricts which workflow may assume the role.
bool pins_workflow(const Statement& st) {
  return std::any_of(st.conditions.begin(), st.conditions.end(), [](const Condition& c) {
    const bool negated = is_negated(c.op.base) || c.op.base == BaseOperator::kNull;
    if (negated) return false;
    if (util::iequals(c.key, kWorkflowKey)) return true;
    return util::iequals(c.key, kSubKey) && std::all_of(c.values.begin(), c.values.end(), [](const std::string& v) {
             return v.find(":job_workflow_ref:") != std::string::npos;
           });
  });
}

void lint_github_trust(const Statement& st, const LintOptions& options, std::vector<Finding>& out) {
  bool has_sub = false;
  bool has_aud = false;
  for (const auto& c : st.conditions) {
    const bool negated = is_negated(c.op.base) || c.op.base == BaseOperator::kNull;
    if (util::iequals(c.key, kSubKey) && !negated) {
      has_sub = true;
      for (const auto& v : c.values) lint_sub_value(c, v, out);
      lint_subject_form(c, options, out);
    }
    if (util::iequals(c.key, kAudKey) && !negated) {
      has_aud = true;
      const bool sts = std::all_of(c.values.begin(), c.values.end(), [](const std::string& v) {
        return v == "sts.amazonaws.com" || v == "sts.amazonaws.com.cn";
      });
      if (!sts) {
        add(out, "GHA008", Severity::kError, c.path, "aud condition does not require sts.amazonaws.com",
            "require \"sts.amazonaws.com\" (the audience aws-actions/configure-aws-credentials requests)");
      }
    }
  }
  if (!has_sub) {
    add(out, "GHA001", Severity::kError, st.path, "no condition on token.actions.githubusercontent.com:sub: any repository on GitHub can assume the role",
        "add StringEquals {\"token.actions.githubusercontent.com:sub\": \"repo:OWNER/REPO:ref:refs/heads/main\"}");
  }
  if (!has_aud) {
    add(out, "GHA007", Severity::kError, st.path, "no condition on token.actions.githubusercontent.com:aud",
        "add StringEquals {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"}");
  }
  if (options.flag_any_workflow && has_sub && !pins_workflow(st)) {
    add(out, "GHA011", Severity::kWarning, st.path,
        "no condition on token.actions.githubusercontent.com:job_workflow_ref: any workflow of the admitted refs that is given id-token: write can assume the role",
        "pin the deploy workflow: add StringEquals {\"token.actions.githubusercontent.com:job_workflow_ref\": "
        "\"OWNER/REPO/.github/workflows/deploy.yml@refs/heads/main\"} (shipctl policy trust --workflow .github/workflows/deploy.yml)");
  }
}

void lint_conditions(const Statement& st, std::vector<Finding>& out) {
  for (const auto& c : st.conditions) {
    if (c.op.base == BaseOperator::kStringEquals &&
        std::any_of(c.values.begin(), c.values.end(), [](const std::string& v) { return has_wildcard(v); })) {
      add(out, "GHA005", Severity::kError, c.path, c.op.name + " treats \"*\" and \"?\" literally, so " + c.key + " never matches as intended",
          "use " + std::string(c.op.qualifier == SetQualifier::kNone ? "" : c.op.name.substr(0, c.op.name.find(':') + 1)) + "StringLike for wildcards");
    }
    if (c.op.qualifier == SetQualifier::kForAnyValue && c.op.if_exists == IfExists::kYes) {
      add(out, "IAM006", Severity::kWarning, c.path, c.op.name + " is ambiguous when " + c.key + " is absent: the AWS documentation makes it true, some evaluators false",
          "drop IfExists, and add a Null condition if an absent key must pass");
    }
    if (st.effect == Effect::kAllow && c.op.qualifier == SetQualifier::kForAllValues) {
      add(out, "GHA006", Severity::kError, c.path, c.op.name + " in an Allow is true when " + c.key + " is absent from the request",
          "use ForAnyValue:, or add a Null condition requiring the key");
    }
  }
}

bool is_repository_action(const std::string& action) {
  const std::string a = util::to_lower(action);
  return a.starts_with("ecr:") && a != "ecr:getauthorizationtoken";
}

// "every service" for "*", "ecr" for "ecr:*".
std::string service_of(const std::string& action) {
  if (action == "*") return "every service";
  return plain_or_excerpt(action.substr(0, action.find(':')));
}

void lint_identity(const Statement& st, std::vector<Finding>& out) {
  if (st.effect != Effect::kAllow) return;
  const std::string action_path = st.path + (st.action_negation == Negation::kNegated ? ".NotAction" : ".Action");
  if (st.action_negation == Negation::kNegated) {
    add(out, "IAM003", Severity::kError, action_path, "Allow with NotAction grants nearly every action of every service (the PowerUser pattern)",
        "list the actions needed, e.g. the eight ECR push and pull actions");
    return;
  }
  for (const auto& a : st.actions) {
    if (a == "*" || (a.ends_with(":*") && a.find('*') == a.size() - 1)) {
      add(out, "IAM004", Severity::kWarning, action_path, "action " + quoted_excerpt(a) + " grants every action of " + service_of(a),
          "list the actions needed");
    }
  }
  const bool star_resource = st.resource_negation == Negation::kPositive &&
                             std::find(st.resources.begin(), st.resources.end(), "*") != st.resources.end();
  if (star_resource && std::any_of(st.actions.begin(), st.actions.end(), is_repository_action)) {
    add(out, "IAM005", Severity::kWarning, st.path + ".Resource", "ECR repository actions are granted on every repository (Resource \"*\")",
        "scope them to arn:aws:ecr:REGION:ACCOUNT:repository/NAME; keep only ecr:GetAuthorizationToken on \"*\"");
  }
}

}  // namespace

std::string_view severity_name(Severity severity) noexcept { return severity == Severity::kError ? "error" : "warning"; }

std::vector<Finding> lint_policy(const Policy& policy, const LintOptions& options) {
  std::vector<Finding> out;
  for (const auto& dup : policy.duplicate_keys) {
    add(out, "IAM001", Severity::kError, dup.path, "duplicate key " + quoted_excerpt(dup.key) + ": IAM keeps only the last one and silently ignores the others",
        "merge the duplicated entries into one");
  }
  if (policy.unlisted_duplicate_keys > 0) {
    add(out, "IAM001", Severity::kError, "$", std::to_string(policy.unlisted_duplicate_keys) + " more duplicate keys, not listed",
        "merge the duplicated entries into one");
  }
  for (const auto& st : policy.statements) {
    if (st.effect == Effect::kAllow && st.principal && st.principal->negation == Negation::kPositive &&
        std::any_of(st.principal->entries.begin(), st.principal->entries.end(), [](const Principal& p) { return p.value == "*"; })) {
      add(out, "IAM002", Severity::kError, st.path + ".Principal", "Principal \"*\" lets anyone who satisfies the conditions assume the role",
          "name the OIDC provider: {\"Federated\": \"arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com\"}");
    }
    if (st.effect == Effect::kAllow && is_github_trust(st)) lint_github_trust(st, options, out);
    lint_conditions(st, out);
    if (!st.principal) lint_identity(st, out);
  }
  return out;
}

}  // namespace eem::iam
