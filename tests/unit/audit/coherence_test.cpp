#include "audit/coherence.h"

#include <gtest/gtest.h>

#include <map>

namespace eem::audit {
namespace {

constexpr const char* kProvider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
constexpr const char* kRepo = "octo-org/app";

// The policy `shipctl bootstrap` writes, admitting the given sub values.
std::string trust(const std::vector<std::string>& subs, const std::string& op = "StringEquals") {
  std::string values;
  for (const auto& s : subs) values += (values.empty() ? "\"" : ", \"") + s + "\"";
  return R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Federated": ")" + std::string(kProvider) + R"("},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                  ")" + op + R"(": {"token.actions.githubusercontent.com:sub": [)" + values + "]}}}]}";
}

const std::string kMain = "repo:octo-org/app:ref:refs/heads/main";

// A job that assumes the role with shipctl, under `on`.
std::string workflow(const std::string& on, const std::string& job_extra = "") {
  return "on:\n" + on + "\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n" + job_extra +
         "    steps:\n      - run: shipctl credentials --role-arn \"$AWS_ROLE_ARN\"\n";
}

Workflow parsed(const std::string& path, const std::string& text) {
  auto w = parse_workflow(path, text);
  EXPECT_TRUE(w.has_value()) << (w ? "" : w.error().message);
  return w ? *w : Workflow{};
}

SubjectSettings settings() {
  SubjectSettings s;
  s.github_repo = kRepo;
  return s;
}

// trigger -> subject for every predicted run.
std::multimap<std::string, std::string> subjects(const std::vector<Workflow>& workflows, const SubjectSettings& s = settings()) {
  auto p = predict_runs(workflows, s);
  EXPECT_TRUE(p.has_value());
  std::multimap<std::string, std::string> out;
  if (p) {
    for (const auto& run : p->runs) out.emplace(run.trigger, run.subject);
  }
  return out;
}

using Pairs = std::multimap<std::string, std::string>;

TEST(CoherencePredict, PushBranchesAndTags) {
  const auto w = parsed("deploy.yml", workflow("  push:\n    branches: [main, develop, 'release/**', '!release/old']\n    tags: ['v*']"));
  EXPECT_EQ(subjects({w}), (Pairs{{"push to branch main", kMain},
                                  {"push to branch develop", "repo:octo-org/app:ref:refs/heads/develop"},
                                  {"push to branch release/** (e.g. release/x)", "repo:octo-org/app:ref:refs/heads/release/x"},
                                  {"push to tag v* (e.g. vx)", "repo:octo-org/app:ref:refs/tags/vx"}}));
}

TEST(CoherencePredict, OnPushAsAStringOrListMeansEveryBranchAndTag) {
  const Pairs expected{{"push to branch main", kMain},
                       {"push to any branch (e.g. feature/x)", "repo:octo-org/app:ref:refs/heads/feature/x"},
                       {"push to any tag (e.g. v1.0.0)", "repo:octo-org/app:ref:refs/tags/v1.0.0"}};
  EXPECT_EQ(subjects({parsed("a.yml", workflow("  push"))}), expected);
  auto text = workflow("  push");
  text.replace(0, 10, "on: [push]");
  EXPECT_EQ(subjects({parsed("b.yml", text)}), expected);
}

TEST(CoherencePredict, BranchesIgnoreLeavesEveryOtherBranchAndNoTags) {
  const auto w = parsed("d.yml", workflow("  push:\n    branches-ignore: [main]"));
  EXPECT_EQ(subjects({w}), (Pairs{{"push to any branch not in branches-ignore (e.g. feature/x)",
                                   "repo:octo-org/app:ref:refs/heads/feature/x"}}));
}

TEST(CoherencePredict, DispatchAndScheduleRunOnTheDefaultBranch) {
  SubjectSettings s = settings();
  s.default_branch = "trunk";
  s.default_branch_source = "from refs/remotes/origin/HEAD";
  const auto w = parsed("d.yml", workflow("  workflow_dispatch:\n  schedule:\n    - cron: '0 3 * * *'"));
  auto p = predict_runs({w}, s);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->runs.size(), 2u);
  EXPECT_EQ(p->runs[0].trigger, "workflow_dispatch from the default branch trunk (from refs/remotes/origin/HEAD)");
  EXPECT_EQ(p->runs[0].subject, "repo:octo-org/app:ref:refs/heads/trunk");
  EXPECT_NE(p->runs[0].note.find("started from another branch or tag"), std::string::npos);
  EXPECT_EQ(p->runs[1].trigger, "schedule (runs on the default branch trunk, from refs/remotes/origin/HEAD)");
  EXPECT_EQ(p->runs[1].subject, "repo:octo-org/app:ref:refs/heads/trunk");
}

TEST(CoherencePredict, PullRequestsPresentThePullRequestSubject) {
  const auto w = parsed("pr.yml", workflow("  pull_request:\n    branches: [main]\n  pull_request_target:"));
  EXPECT_EQ(subjects({w}), (Pairs{{"pull_request", "repo:octo-org/app:pull_request"},
                                  {"pull_request_target", "repo:octo-org/app:pull_request"}}));
}

TEST(CoherencePredict, AnEnvironmentReplacesTheRef) {
  const auto plain = parsed("e.yml", workflow("  push:\n    branches: [main]", "    environment: production\n"));
  EXPECT_EQ(subjects({plain}), (Pairs{{"push to branch main", "repo:octo-org/app:environment:production"}}));
  const auto mapping = parsed("m.yml", workflow("  push:\n    branches: [main]", "    environment:\n      name: prod:eu\n      url: https://x\n"));
  EXPECT_EQ(subjects({mapping}), (Pairs{{"push to branch main", "repo:octo-org/app:environment:prod%3Aeu"}}));
  const auto expression = parsed("x.yml", workflow("  push:\n    branches: [main]", "    environment: ${{ inputs.env }}\n"));
  auto p = predict_runs({expression}, settings());
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->runs.empty());
  EXPECT_EQ(p->skipped, std::vector<std::string>{"x.yml:7: job deploy: environment ${{ inputs.env }} is an expression; "
                                                 "its subject cannot be predicted"});
}

TEST(CoherencePredict, ReusableWorkflowsRunWithTheCallersEvents) {
  const auto caller = parsed(".github/workflows/ci.yml",
                             "on:\n  push:\n    branches: [develop]\njobs:\n  ship:\n    uses: ./.github/workflows/deploy.yml\n"
                             "  remote:\n    uses: octo-org/shared/.github/workflows/x.yml@v1\n");
  const auto called = parsed(".github/workflows/deploy.yml", workflow("  workflow_call:"));
  auto p = predict_runs({caller, called}, settings());
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->runs.size(), 1u);
  EXPECT_EQ(p->runs[0].file, ".github/workflows/ci.yml");
  EXPECT_EQ(p->runs[0].job_file, ".github/workflows/deploy.yml");
  EXPECT_EQ(p->runs[0].job, "ship -> deploy");
  EXPECT_EQ(p->runs[0].subject, "repo:octo-org/app:ref:refs/heads/develop");
  EXPECT_EQ(p->skipped, std::vector<std::string>{".github/workflows/ci.yml:8: job remote calls "
                                                 "octo-org/shared/.github/workflows/x.yml@v1, which is not in this "
                                                 "directory; its jobs cannot be predicted"});
}

TEST(CoherencePredict, ACallCycleStopsAtGithubsDepth) {
  const auto a = parsed("w/a.yml", "on: push\njobs:\n  b:\n    uses: ./.github/workflows/b.yml\n");
  const auto b = parsed("w/b.yml", "on: workflow_call\njobs:\n  a:\n    uses: ./.github/workflows/a.yml\n");
  auto p = predict_runs({a, b}, settings());
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->runs.empty());
  ASSERT_FALSE(p->skipped.empty());
  EXPECT_NE(p->skipped.front().find("nested too deep"), std::string::npos);
}

TEST(CoherencePredict, OnlyJobsThatAssumeARole) {
  const auto w = parsed("t.yml",
                        "on: push\njobs:\n  test:\n    steps:\n      - run: make test\n"
                        "  aws:\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n"
                        "        with:\n          role-to-assume: ${{ secrets.AWS_ROLE_ARN }}\n"
                        "  keys:\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n"
                        "        with:\n          aws-access-key-id: x\n");
  auto p = predict_runs({w}, settings());
  ASSERT_TRUE(p.has_value());
  for (const auto& run : p->runs) EXPECT_EQ(run.job, "aws");
  EXPECT_EQ(p->runs.size(), 3u);
}

TEST(CoherencePredict, ImmutableSubjects) {
  SubjectSettings s = settings();
  s.format = oidc::SubjectFormat::kImmutable;
  s.owner_id = "9919";
  s.repo_id = "1296269";
  const auto w = parsed("d.yml", workflow("  push:\n    branches: [main]"));
  EXPECT_EQ(subjects({w}, s), (Pairs{{"push to branch main", "repo:octo-org@9919/app@1296269:ref:refs/heads/main"}}));
  s.repo_id.clear();
  EXPECT_FALSE(predict_runs({w}, s).has_value());
}

std::vector<Finding> findings(const std::vector<Workflow>& workflows, const std::string& policy) {
  auto p = predict_runs(workflows, settings());
  EXPECT_TRUE(p.has_value());
  auto j = judge_runs(p ? p->runs : std::vector<Prediction>{}, policy, kProvider);
  EXPECT_TRUE(j.has_value());
  return j ? coherence_findings(*j, "GitHubActionsECRRole") : std::vector<Finding>{};
}

TEST(CoherenceFindings, ABranchTheTrustPolicyRefusesIsHigh) {
  const auto w = parsed(".github/workflows/deploy.yml", workflow("  push:\n    branches: [main, develop]"));
  const auto out = findings({w}, trust({kMain}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "AUD050");
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].check, "coherence");
  EXPECT_EQ(out[0].resource, ".github/workflows/deploy.yml");
  EXPECT_EQ(out[0].evidence,
            (std::vector<std::string>{
                ".github/workflows/deploy.yml:5: job deploy, on push to branch develop: sub "
                "\"repo:octo-org/app:ref:refs/heads/develop\" is refused",
                "  refused by: StringEquals token.actions.githubusercontent.com:sub at "
                "$.Statement[0].Condition.StringEquals[\"token.actions.githubusercontent.com:sub\"] expects "
                "\"repo:octo-org/app:ref:refs/heads/main\", the run presents \"repo:octo-org/app:ref:refs/heads/develop\""}));
  EXPECT_EQ(out[0].fix,
            "shipctl bootstrap --from-workflow .github/workflows/deploy.yml --apply (admits exactly the branches, tags and "
            "environments the workflow runs on), or add to the trust policy's sub condition: "
            "\"repo:octo-org/app:ref:refs/heads/develop\"");
  // Admitted, nothing to say.
  EXPECT_TRUE(findings({w}, trust({kMain, "repo:octo-org/app:ref:refs/heads/develop"})).empty());
}

TEST(CoherenceFindings, AnEnvironmentJobIsPredictedTheSameWay) {
  const auto w = parsed("deploy.yml", workflow("  push:\n    branches: [main]", "    environment: production\n"));
  const auto out = findings({w}, trust({kMain}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, "AUD050");
  EXPECT_EQ(out[0].evidence[0], "deploy.yml:5: job deploy, on push to branch main: sub "
                                "\"repo:octo-org/app:environment:production\" is refused");
  EXPECT_EQ(out[1].id, "AUD051");  // main itself is no longer presented
  EXPECT_TRUE(findings({w}, trust({"repo:octo-org/app:environment:production"})).empty());
}

TEST(CoherenceFindings, GlobsAreJudgedByAnExampleAndFixedWithAPattern) {
  const auto w = parsed("r.yml", workflow("  push:\n    branches: ['release/**']"));
  const auto out = findings({w}, trust({kMain}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].evidence[0], "r.yml:5: job deploy, on push to branch release/** (e.g. release/x): sub "
                                "\"repo:octo-org/app:ref:refs/heads/release/x\" is refused");
  EXPECT_TRUE(out[0].fix.ends_with("\"repo:octo-org/app:ref:refs/heads/release/*\""));
  EXPECT_TRUE(findings({w}, trust({"repo:octo-org/app:ref:refs/heads/release/*"}, "StringLike")).empty());
}

TEST(CoherenceFindings, WhatNoJobNeedsIsReported) {
  const auto w = parsed("d.yml", workflow("  push:\n    branches: [main]"));
  const auto unneeded = findings({w}, trust({kMain, "repo:octo-org/app:ref:refs/heads/develop"}));
  ASSERT_EQ(unneeded.size(), 1u);
  EXPECT_EQ(unneeded[0].id, "AUD051");
  EXPECT_EQ(unneeded[0].severity, Severity::kLow);
  EXPECT_EQ(unneeded[0].evidence, std::vector<std::string>{
      "$.Statement[0].Condition.StringEquals[\"token.actions.githubusercontent.com:sub\"]: sub "
      "\"repo:octo-org/app:ref:refs/heads/develop\" (StringEquals): no workflow job presents a subject it admits"});
  const auto broad = findings({w}, trust({"repo:octo-org/app:*"}, "StringLike"));
  ASSERT_EQ(broad.size(), 1u);
  EXPECT_EQ(broad[0].id, "AUD052");
  EXPECT_EQ(broad[0].severity, Severity::kMedium);
  EXPECT_EQ(broad[0].evidence[0],
            "$.Statement[0].Condition.StringLike[\"token.actions.githubusercontent.com:sub\"]: sub \"repo:octo-org/app:*\" "
            "(StringLike) admits every subject it matches; the workflow jobs need only \"repo:octo-org/app:ref:refs/heads/main\"");
  EXPECT_EQ(broad[0].fix, "admit exactly those subjects (shipctl bootstrap --from-workflow d.yml --apply writes them)");
}

TEST(CoherenceFindings, AWildcardAJobNeedsIsNotOverBroad) {
  const auto w = parsed("d.yml", workflow("  push:\n    branches: ['release/**']"));
  EXPECT_TRUE(findings({w}, trust({"repo:octo-org/app:ref:refs/heads/release/*"}, "StringLike")).empty());
}

TEST(CoherenceFindings, NoJobThatAssumesTheRoleMeansNoComparison) {
  const auto w = parsed("ci.yml", "on: push\njobs:\n  test:\n    steps:\n      - run: make\n");
  EXPECT_TRUE(findings({w}, trust({kMain})).empty());
}

TEST(CoherenceFindings, AnUnparsablePolicyIsAnError) {
  auto j = judge_runs({}, "{not json", kProvider);
  ASSERT_FALSE(j.has_value());
  EXPECT_TRUE(j.error().message.starts_with("trust policy")) << j.error().message;
}

}  // namespace
}  // namespace eem::audit

namespace eem::audit {
namespace {

// Nine aliases of nine aliases of nine...: 9^9 strings if expanded.
std::string laughs() {
  std::string out = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  char prev = 'a';
  for (char n = 'b'; n <= 'i'; ++n) {
    out += std::string(1, n) + ": &" + n + " [";
    for (int i = 0; i < 9; ++i) out += std::string(i ? ", *" : "*") + prev;
    out += "]\n";
    prev = n;
  }
  return out;
}

TEST(CoherenceHostile, AliasBombsAreNotExpanded) {
  const auto w = parse_workflow("l.yml", laughs() + "on:\n  push:\n    branches: *i\njobs:\n  deploy:\n    steps:\n"
                                                    "      - uses: x/y@v1\n        with:\n          k: *i\n"
                                                    "      - run: shipctl credentials\n");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->jobs[0].steps[0].with[0].second.value, "(a value of more than 10000 YAML nodes)");
  ASSERT_EQ(w->events[0].branches.patterns.size(), 9u);
  auto p = predict_runs({*w}, settings());
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->runs.size(), 1u);  // nine identical patterns, the placeholder text
  EXPECT_EQ(p->runs[0].pattern, "(a value of more than 10000 YAML nodes)");
}

TEST(CoherenceHostile, ManyPatternsAreBounded) {
  std::string on = "  push:\n    branches:\n";
  for (int i = 0; i < 5000; ++i) on += "      - b" + std::to_string(i) + "\n";
  auto p = predict_runs({parsed("many.yml", workflow(on))}, settings());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->runs.size(), 256u);
  EXPECT_EQ(p->skipped, std::vector<std::string>{"many.yml:2: push lists more than 256 patterns; only the first are predicted"});
}

}  // namespace
}  // namespace eem::audit

namespace eem::audit {
namespace {

TEST(CoherencePredict, AJobsIfSkipsTheRunsItExcludes) {
  const std::string on = "  push:\n    branches: [main, develop]\n  pull_request:";
  const auto push_only = parsed("a.yml", workflow(on, "    if: github.event_name == 'push'\n"));
  EXPECT_EQ(subjects({push_only}), (Pairs{{"push to branch main", kMain},
                                          {"push to branch develop", "repo:octo-org/app:ref:refs/heads/develop"}}));
  const auto main_only = parsed("b.yml", workflow(on, "    if: ${{ github.event_name != 'pull_request' && 'refs/heads/main' == github.ref }}\n"));
  EXPECT_EQ(subjects({main_only}), (Pairs{{"push to branch main", kMain}}));
  // GitHub compares strings ignoring case.
  const auto upper = parsed("u.yml", workflow(on, "    if: GitHub.Event_Name == 'PUSH' && github.ref_name != 'DEVELOP'\n"));
  EXPECT_EQ(subjects({upper}), (Pairs{{"push to branch main", kMain}}));
  // What it cannot read, it predicts as if it held, and says so.
  const auto other = parsed("c.yml", workflow("  push:\n    branches: [main]", "    if: contains(github.ref, 'main') || always()\n"));
  auto p = predict_runs({other}, settings());
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->runs.size(), 1u);
  EXPECT_EQ(p->runs[0].note, "the job's if: contains(github.ref, 'main') || always() was not evaluated; "
                             "the run is predicted as if it held");
  const auto never = parsed("n.yml", workflow(on, "    if: ${{ false }}\n"));
  EXPECT_TRUE(subjects({never}).empty());
}

TEST(CoherencePredict, AJobsIfNarrowsAGlobToTheRefItNames) {
  // `on: push` with the job gated on main: only main, not "any branch" nor tags.
  const auto gated = parsed("g.yml", workflow("  push", "    if: github.ref == 'refs/heads/main'\n"));
  EXPECT_EQ(subjects({gated}), (Pairs{{"push to branch main", kMain}}));
  const auto release = parsed("r.yml", workflow("  push:\n    branches: ['release/**']", "    if: github.ref_name == 'release/v2'\n"));
  EXPECT_EQ(subjects({release}), (Pairs{{"push to branch release/** (e.g. release/x), only release/v2 (the job's if:)",
                                         "repo:octo-org/app:ref:refs/heads/release/v2"}}));
  const auto outside = parsed("o.yml", workflow("  push:\n    branches: ['release/**']", "    if: github.ref_name == 'main'\n"));
  EXPECT_TRUE(subjects({outside}).empty());
  // A glob less one ref is still the glob.
  const auto except = parsed("x.yml", workflow("  push:\n    branches: ['release/**']", "    if: github.ref_name != 'release/x'\n"));
  EXPECT_EQ(subjects({except}).size(), 1u);
  const auto tags = parsed("t.yml", workflow("  push", "    if: startsWith(github.ref, 'refs/tags/') && github.ref_type == 'tag'\n"));
  EXPECT_EQ(subjects({tags}), (Pairs{{"push to any tag (e.g. v1.0.0)", "repo:octo-org/app:ref:refs/tags/v1.0.0"}}));
}

TEST(CoherencePredict, ACallersIfAppliesToTheCalledJobs) {
  const auto caller = parsed(".github/workflows/ci.yml",
                             "on:\n  push:\n    branches: [main, develop]\njobs:\n  ship:\n"
                             "    if: github.ref_name == 'develop'\n    uses: ./.github/workflows/deploy.yml\n");
  const auto called = parsed(".github/workflows/deploy.yml", workflow("  workflow_call:"));
  EXPECT_EQ(subjects({caller, called}), (Pairs{{"push to branch develop", "repo:octo-org/app:ref:refs/heads/develop"}}));
}

TEST(CoherenceHostile, ManyConditionalJobsStayBounded) {
  std::string on = "  push:\n    branches:\n";
  for (int i = 0; i < 256; ++i) on += "      - 'b" + std::to_string(i) + "/**'\n";
  std::string text = "on:\n" + on + "jobs:\n";
  for (int i = 0; text.size() < kMaxWorkflowBytes - 200; ++i) {
    text += "  j" + std::to_string(i) + ":\n    if: github.ref == 'refs/heads/b1/x'\n"
            "    steps: [{run: shipctl credentials}]\n";
  }
  auto p = predict_runs({parsed("jobs.yml", text)}, settings());
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->runs.size(), 2000u);  // one run per job, each narrowed to b1/x
  EXPECT_EQ(p->runs[0].trigger, "push to branch b1/** (e.g. b1/x), only b1/x (the job's if:)");
  EXPECT_EQ(p->skipped, std::vector<std::string>{"more than 2000 runs: the rest are not predicted"});
}

TEST(CoherencePredict, EventsWithTheirOwnRefs) {
  const auto w = parsed("e.yml", workflow("  create:\n  merge_group:\n  registry_package:\n  workflow_run:\n"
                                          "    workflows: [ci]\n  repository_dispatch:"));
  EXPECT_EQ(subjects({w}),
            (Pairs{{"create (the new ref: any branch, e.g. feature/x)", "repo:octo-org/app:ref:refs/heads/feature/x"},
                   {"create (the new ref: any tag, e.g. v1.0.0)", "repo:octo-org/app:ref:refs/tags/v1.0.0"},
                   {"merge_group (the merge queue's branch gh-readonly-queue/**, e.g. gh-readonly-queue/main/pr-1-x)",
                    "repo:octo-org/app:ref:refs/heads/gh-readonly-queue/main/pr-1-x"},
                   {"registry_package (the package's tag, e.g. v1.0.0)", "repo:octo-org/app:ref:refs/tags/v1.0.0"},
                   {"workflow_run (runs on the default branch main, assumed: no refs/remotes/origin/HEAD)", kMain},
                   {"repository_dispatch (runs on the default branch main, assumed: no refs/remotes/origin/HEAD)", kMain}}));
}

// bootstrap --from-workflow: the merge queue's branches are admitted, and
// the note says what that admits (unmerged pull requests), not only how IAM
// reads the pattern.
TEST(CoherenceRefs, MergeGroupAdmitsTheQueueAndSaysItHoldsUnmergedPullRequests) {
  const auto w = parsed(".github/workflows/deploy.yml",
                        workflow("  push:\n    branches: [main]\n  merge_group:"));
  auto p = predict_runs({w}, settings());
  ASSERT_TRUE(p.has_value());
  const TrustRefs refs = trust_refs(*p);
  EXPECT_EQ(refs.branches, (std::vector<std::string>{"main", "gh-readonly-queue/*"}));
  ASSERT_EQ(refs.notes.size(), 1u);
  EXPECT_NE(refs.notes[0].find("merge_group"), std::string::npos) << refs.notes[0];
  EXPECT_NE(refs.notes[0].find("\"gh-readonly-queue/*\" is admitted, and with it every pull request in the merge "
                               "queue before it is merged"),
            std::string::npos)
      << refs.notes[0];
}

TEST(CoherencePredict, AnUnknownEventIsNamedNotPredicted) {
  const auto w = parsed("u.yml", workflow("  pushh:\n    branches: [main]\n  push:\n    branches: [main]"));
  auto p = predict_runs({w}, settings());
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->runs.size(), 1u);
  EXPECT_EQ(p->runs[0].trigger, "push to branch main");
  EXPECT_EQ(p->skipped, std::vector<std::string>{"u.yml:2: \"pushh\" is not an event GitHub knows (GitHub rejects the "
                                                 "workflow); no run predicted for it"});
  // Not even a name: a mapping as the key, a number as `on`.
  auto odd = predict_runs({parsed("k.yml", workflow("  ? [a, b]\n  : x")), parsed("n.yml", workflow("  42"))}, settings());
  ASSERT_TRUE(odd.has_value());
  EXPECT_TRUE(odd->runs.empty());
  EXPECT_EQ(odd->skipped.size(), 2u);
}

TEST(CoherenceFindings, DispatchNamesTheRefsItMayStartFrom) {
  const auto w = parsed("d.yml", workflow("  workflow_dispatch:"));
  auto p = predict_runs({w}, settings());
  ASSERT_TRUE(p.has_value());
  auto j = judge_runs(p->runs, trust({kMain, "repo:octo-org/app:ref:refs/heads/develop", "repo:octo-org/app:ref:refs/tags/v1"}), kProvider);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->dispatch, std::vector<std::string>{"d.yml:4: job deploy, on workflow_dispatch: the trust policy admits it only "
                                                  "from branches main, develop; tags v1; started from any other branch or tag, "
                                                  "it is refused"});
  j = judge_runs(p->runs, trust({"repo:octo-org/app:*"}, "StringLike"), kProvider);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->dispatch, std::vector<std::string>{"d.yml:4: job deploy, on workflow_dispatch: the trust policy admits it from any branch"});
  const auto env = parsed("e.yml", workflow("  workflow_dispatch:", "    environment: production\n"));
  p = predict_runs({env}, settings());
  ASSERT_TRUE(p.has_value());
  j = judge_runs(p->runs, trust({"repo:octo-org/app:environment:production"}), kProvider);
  ASSERT_TRUE(j.has_value());
  ASSERT_EQ(j->dispatch.size(), 1u);
  EXPECT_TRUE(j->dispatch[0].starts_with("e.yml:4: job deploy, on workflow_dispatch: from any branch or tag it presents "
                                         "environment production's subject (admitted)")) << j->dispatch[0];
}

TEST(CoherenceHostile, MalformedYamlIsAnErrorWithItsLine) {
  auto w = parse_workflow("bad.yml", "on:\n  push:\n    branches: [main\njobs:\n");
  ASSERT_FALSE(w.has_value());
  EXPECT_TRUE(w.error().message.starts_with("bad.yml:")) << w.error().message;
  EXPECT_NE(w.error().message.find("not valid YAML"), std::string::npos) << w.error().message;
  w = parse_workflow("bin.yml", std::string("\x00\xff\xfe\x01jobs", 8));
  ASSERT_FALSE(w.has_value());
  EXPECT_TRUE(w.error().message.starts_with("bin.yml:")) << w.error().message;
  // Tabs as indentation: whatever yaml-cpp makes of them, an answer.
  w = parse_workflow("tab.yml", "on: push\njobs:\n\tdeploy: {}\n");
  if (!w) {
    EXPECT_TRUE(w.error().message.starts_with("tab.yml:")) << w.error().message;
  }
}

TEST(CoherenceHostile, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = "on: push\njobs:\n  deploy:\n    steps: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  auto w = parse_workflow("deep.yml", deep);
  ASSERT_FALSE(w.has_value());
  EXPECT_TRUE(w.error().message.starts_with("deep.yml:")) << w.error().message;
  EXPECT_NE(w.error().message.find(": not valid YAML: nested more than "), std::string::npos) << w.error().message;
  // Under yaml-cpp's depth limit, the value is read and not quoted in full.
  const std::string nested = "on:\n  push:\n    branches: [" + std::string(300, '[') + std::string(300, ']') + "]\n" +
                             "jobs:\n  deploy:\n    steps:\n      - run: shipctl credentials\n";
  w = parse_workflow("nested.yml", nested);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  EXPECT_TRUE(predict_runs({*w}, settings()).has_value());
}

TEST(CoherenceHostile, SelfReferringAnchorsAreRead) {
  // An alias inside the node its anchor names: yaml-cpp makes a cycle.
  auto w = parse_workflow("cycle.yml", "on: &on\n  push:\n    branches: &b [main, *b]\n  x: *on\njobs: &j\n  deploy:\n"
                                       "    steps: &s\n      - run: shipctl credentials\n      - *s\n  again: *j\n");
  ASSERT_TRUE(w.has_value()) << w.error().message;
  auto p = predict_runs({*w}, settings());
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(p->runs.empty());
}

TEST(CoherenceHostile, HugeFilesAreNotRead) {
  std::string huge = workflow("  push") + "# " + std::string(kMaxWorkflowBytes, 'x') + "\n";
  auto w = parse_workflow("huge.yml", huge);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().message, "huge.yml:1: larger than 1024 KiB; no workflow is this large, so it is not read");
}

}  // namespace
}  // namespace eem::audit
