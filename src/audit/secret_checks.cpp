// Seed practice 3: the role ARN lives in a secret, and no AWS keys are
// written in workflow files. Key formats: AWS IAM "Unique identifier
// prefixes" (AKIA: long-term access key, ASIA: temporary) followed by 16
// upper-case alphanumerics.
#include <array>
#include <regex>

#include "audit/collector.h"
#include "audit/workflow_checks.h"
#include "util/strings.h"

namespace eem::audit {

namespace {

const std::regex& access_key_id() {
  static const std::regex re("(^|[^A-Z0-9])((AKIA|ASIA)[A-Z0-9]{16})($|[^A-Z0-9])");
  return re;
}

const std::regex& role_arn() {
  static const std::regex re("arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+");
  return re;
}

std::string where(std::string_view path, int line) { return std::string(path) + ":" + std::to_string(line); }

// Input and variable names that carry key material (configure-aws-credentials
// action.yml inputs; the AWS CLI/SDK environment variables).
constexpr std::array<std::string_view, 3> kKeyInputs{"aws-access-key-id", "aws-secret-access-key", "aws-session-token"};
constexpr std::array<std::string_view, 3> kKeyVariables{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};

template <class Names>
void check_mapping(std::string_view path, std::string_view what, const Mapping& mapping, const Names& names,
                   Collector& out) {
  for (const auto& [key, value] : mapping) {
    if (std::find(names.begin(), names.end(), key) == names.end() || value.value.empty()) continue;
    const std::string at = where(path, value.line) + ": " + std::string(what) + key;
    if (is_expression(value.value)) {
      out.add("AUD012", at + ": " + value.value,
              "remove the stored keys; let the job assume the role with OIDC (permissions: id-token: write, "
              "role-to-assume: ${{ secrets.AWS_ROLE_ARN }}), then delete the IAM user's access keys");
    } else {
      out.add("AUD011", at + " is a literal value (not shown)",
              "deactivate and delete that access key now (aws iam delete-access-key), purge it from git history, "
              "and assume the role with OIDC instead");
    }
  }
}

}  // namespace

void scan_workflow_text(std::string_view path, std::string_view text, Collector& out) {
  int number = 0;
  for (const auto& line : util::split(text, '\n')) {
    ++number;
    const std::string_view trimmed = util::trim(line);
    if (trimmed.starts_with('#')) continue;
    const std::string content(line);
    std::smatch m;
    if (std::regex_search(content, m, access_key_id())) {
      out.add("AUD011", where(path, number) + ": AWS access key id " + m[2].str().substr(0, 4) + "**************** (masked)",
              "deactivate and delete that access key now (aws iam delete-access-key), purge it from git history, "
              "and assume the role with OIDC instead");
    }
    if (std::regex_search(content, m, role_arn())) {
      out.add("AUD010", where(path, number) + ": role ARN written literally: " + m[0].str(),
              "store the ARN as the repository secret AWS_ROLE_ARN (gh secret set AWS_ROLE_ARN --body ARN) and "
              "write role-to-assume: ${{ secrets.AWS_ROLE_ARN }}");
    }
  }
}

void check_key_inputs(const Workflow& workflow, Collector& out) {
  check_mapping(workflow.path, "env.", workflow.env, kKeyVariables, out);
  for (const auto& job : workflow.jobs) {
    check_mapping(workflow.path, "jobs." + job.id + ".env.", job.env, kKeyVariables, out);
    for (const auto& step : job.steps) {
      check_mapping(workflow.path, "with.", step.with, kKeyInputs, out);
      check_mapping(workflow.path, "env.", step.env, kKeyVariables, out);
    }
  }
}

}  // namespace eem::audit
