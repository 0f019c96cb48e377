#include "audit/workflow_checks.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "net/loopback_server.h"

namespace eem::audit {
namespace {

std::string testdata(const std::string& name) {
  std::ifstream in(testing::source_dir() + "/tests/unit/audit/testdata/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.id);
  return out;
}

const Finding& find(const std::vector<Finding>& findings, const std::string& id) {
  for (const auto& f : findings) {
    if (f.id == id) return f;
  }
  throw std::runtime_error("no finding " + id);
}

std::string everything(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) {
    out += f.title + "\n" + f.fix + "\n";
    for (const auto& e : f.evidence) out += e + "\n";
  }
  return out;
}

TEST(WorkflowChecks, TheSeedsDeployYmlHasUnpinnedActionsAndNothingElse) {
  const auto findings = check_workflow("deploy.yml", testdata("seed-deploy.yml"));
  ASSERT_EQ(ids(findings), (std::vector<std::string>{"AUD013", "AUD014"}));
  EXPECT_EQ(find(findings, "AUD013").evidence,
            (std::vector<std::string>{"deploy.yml:26: uses: aws-actions/configure-aws-credentials@v4",
                                      "deploy.yml:33: uses: aws-actions/amazon-ecr-login@v2",
                                      "deploy.yml:36: uses: docker/setup-buildx-action@v3"}));
  EXPECT_EQ(find(findings, "AUD013").severity, Severity::kHigh);
  EXPECT_EQ(find(findings, "AUD014").evidence, (std::vector<std::string>{"deploy.yml:23: uses: actions/checkout@v4"}));
  EXPECT_EQ(find(findings, "AUD014").severity, Severity::kLow);
  EXPECT_EQ(find(findings, "AUD014").fix,
            "pin to the commit the tag points at, keeping the tag in a comment: uses: actions/checkout@<40-hex sha> # v4 "
            "(git ls-remote https://github.com/actions/checkout v4)");
}

TEST(WorkflowChecks, AHardenedDeployYmlPasses) {
  EXPECT_EQ(ids(check_workflow("deploy.yml", testdata("good-deploy.yml"))), std::vector<std::string>{});
}

struct Case {
  const char* name;
  std::string yaml;
  std::vector<std::string> expected_ids;
  std::string expected_evidence;  // the first finding's first evidence line
};

// A job skeleton: `permissions` and `steps` are spliced in.
std::string job(const std::string& top, const std::string& steps, const std::string& on = "push") {
  return "on: " + on + "\n" + top + "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n" + steps;
}

const std::string kAssume =
    "      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df\n"
    "        with:\n          role-to-assume: ${{ secrets.AWS_ROLE_ARN }}\n          aws-region: ap-northeast-1\n";
const std::string kIdToken = "permissions:\n  id-token: write\n  contents: read\n";

class WorkflowCase : public ::testing::TestWithParam<Case> {};

TEST_P(WorkflowCase, FindsWhatItShould) {
  const Case& c = GetParam();
  const auto findings = check_workflow("w.yml", c.yaml);
  EXPECT_EQ(ids(findings), c.expected_ids);
  if (!c.expected_evidence.empty() && !findings.empty()) {
    EXPECT_EQ(findings[0].evidence[0], c.expected_evidence);
  }
}

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases{
      {"hard_coded_role_arn",
       (job(kIdToken,
                  "      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df\n"
                  "        with:\n          role-to-assume: arn:aws:iam::123456789012:role/GitHubActionsECRRole\n")
                  ),
       {"AUD010"},
       "w.yml:11: role ARN written literally: arn:aws:iam::123456789012:role/GitHubActionsECRRole"},
      {"role_arn_in_a_comment_is_fine",
       (job(kIdToken, "      # arn:aws:iam::123456789012:role/Example\n" + kAssume)), {}, ""},
      {"literal_secret_key_input",
       (job("permissions: {}\n",
                  "      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df\n"
                  "        with:\n          aws-access-key-id: ${{ secrets.KEY_ID }}\n"
                  "          aws-secret-access-key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
                  ),
       {"AUD011", "AUD012"},
       "w.yml:10: with.aws-secret-access-key is a literal value (not shown)"},
      {"access_key_id_in_run",
       (job("permissions: {}\n", "      - run: aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\n")),
       {"AUD011"},
       "w.yml:7: AWS access key id AKIA**************** (masked)"},
      {"keys_from_secrets_in_env",
       "on: push\npermissions: {}\nenv:\n  AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
       "jobs:\n  b:\n    runs-on: x\n    steps:\n      - run: aws s3 ls\n",
       {"AUD012"},
       "w.yml:4: env.AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}"},
      {"no_permissions_anywhere", (job("", kAssume)), {"AUD015"},
       "w.yml:3: job build has no permissions block, nor has the workflow"},
      {"write_all", (job("permissions: write-all\n", kAssume)), {"AUD016"},
       "w.yml:2: workflow permissions: write-all"},
      {"id_token_for_a_job_without_aws",
       (job(kIdToken, "      - run: make test\n")), {"AUD017"},
       "w.yml:6: job build gets id-token: write (from the workflow's permissions) but assumes no role"},
      {"contents_write", (job("permissions:\n  id-token: write\n  contents: write\n", kAssume)),
       {"AUD018"}, "w.yml:4: workflow contents: write"},
      {"pull_request_target_checks_out_head",
       (job("permissions:\n  contents: read\n",
                  "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n"
                  "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
                  "pull_request_target")
                  ),
       {"AUD019"}, "w.yml:8: job build checks out the pull request's head under pull_request_target"},
      {"pull_request_target_without_head_checkout_is_fine",
       (job("permissions:\n  contents: read\n",
                  "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n", "pull_request_target")
                  ),
       {}, ""},
      {"docker_action_without_digest",
       (job("permissions: {}\n", "      - uses: docker://alpine:3.20\n")), {"AUD013"},
       "w.yml:7: uses: docker://alpine:3.20"},
      {"docker_action_with_digest",
       (job("permissions: {}\n",
                  "      - uses: docker://alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
                  ),
       {}, ""},
      {"short_sha_is_not_a_pin",
       (job("permissions: {}\n", "      - uses: docker/login-action@9780b0c\n")), {"AUD013"},
       "w.yml:7: uses: docker/login-action@9780b0c"},
      {"reusable_workflow_unpinned",
       ("on: push\npermissions: {}\njobs:\n  call:\n    uses: octo/infra/.github/workflows/deploy.yml@main\n"),
       {"AUD013"}, "w.yml:5: uses: octo/infra/.github/workflows/deploy.yml@main"},
      {"not_yaml", ("on: push\njobs: [\n"), {"AUD040"}, ""},
      {"no_jobs", ("on: push\n"), {"AUD040"}, "w.yml:1: a workflow needs a \"jobs\" mapping"},
  };
  return kCases;
}

INSTANTIATE_TEST_SUITE_P(Snippets, WorkflowCase, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(WorkflowChecks, SecretValuesNeverAppearInFindings) {
  const std::string yaml = job("permissions: {}\n",
                               "      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df\n"
                               "        with:\n          aws-access-key-id: AKIAIOSFODNN7EXAMPLE\n"
                               "          aws-secret-access-key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
  const std::string text = everything(check_workflow("w.yml", yaml));
  EXPECT_EQ(text.find("IOSFODNN7EXAMPLE"), std::string::npos) << text;
  EXPECT_EQ(text.find("wJalrXUtnFEMI"), std::string::npos) << text;
  EXPECT_NE(text.find("with.aws-access-key-id is a literal value (not shown)"), std::string::npos) << text;
}

}  // namespace
}  // namespace eem::audit
