"""`shipctl policy eval|lint|trust` on the seed's policies and malformed documents."""

import json
import os
import subprocess
import tempfile
import unittest

import harness

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"
SEED_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {AUD: "sts.amazonaws.com"},
                      "StringLike": {SUB: "repo:octo/ecs-express-mode-api:ref:refs/heads/main"}},
    }],
}
SEED_ECR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
    "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"], "Resource": "*"}]}


def shipctl(*args, stdin=None):
    # No GITHUB_TOKEN: --subject-format auto must not reach the real GitHub from a test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run([harness.binary("shipctl"), *args], capture_output=True, text=True, timeout=60, input=stdin,
                          env=env)


class PolicyCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, content):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=2))
        return path

    def eval_trust(self, sub, *extra):
        return shipctl("policy", "eval", "--policy", self.write("trust.json", SEED_TRUST),
                       "--action", "sts:AssumeRoleWithWebIdentity", "--principal", PROVIDER,
                       "--context", f"{SUB}={sub}", "--context", f"{AUD}=sts.amazonaws.com", "--json", *extra)

    def test_seed_trust_allows_push_to_main(self):
        r = self.eval_trust("repo:octo/ecs-express-mode-api:ref:refs/heads/main")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["decision"], "Allow")
        self.assertTrue(out["explanation"][0]["applies"])

    def test_seed_trust_denies_pull_request_and_explains_why(self):
        r = self.eval_trust("repo:octo/ecs-express-mode-api:pull_request")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["decision"], "ImplicitDeny")
        failed = [c for c in out["explanation"][0]["conditions"] if not c["matched"]]
        self.assertEqual(failed, [{
            "operator": "StringLike", "key": SUB,
            "expected": ["repo:octo/ecs-express-mode-api:ref:refs/heads/main"],
            "actual": ["repo:octo/ecs-express-mode-api:pull_request"],
            "key_present": True, "matched": False,
            "path": f'$.Statement[0].Condition.StringLike["{SUB}"]',
            "likely_cause": 'the workflow was triggered by a pull request, so its sub is '
                            '"repo:octo/ecs-express-mode-api:pull_request"; pull requests are not admitted '
                            '(keep it that way unless they must deploy)'}])

    def test_seed_trust_denies_another_repository(self):
        out = json.loads(self.eval_trust("repo:evil/ecs-express-mode-api:ref:refs/heads/main").stdout)
        self.assertEqual(out["decision"], "ImplicitDeny")
        self.assertEqual(out["explanation"][0]["summary"],
                         "Allow statement does not apply: condition StringLike " + SUB +
                         ' failed (the token is for repository "evil/ecs-express-mode-api", which the condition does not admit)')

    def test_explicit_deny_in_identity_policy(self):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ecr:DeleteRepository", "Resource": "*"}]}
        r = shipctl("policy", "eval", "--policy", self.write("p.json", policy), "--action", "ecr:DeleteRepository",
                    "--resource", "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api", "--json")
        self.assertEqual(json.loads(r.stdout)["decision"], "ExplicitDeny")

    def test_text_output_names_the_failed_condition(self):
        r = shipctl("policy", "eval", "--policy", self.write("trust.json", SEED_TRUST), "--action",
                    "sts:AssumeRoleWithWebIdentity", "--principal", PROVIDER,
                    "--context", f"{SUB}=repo:octo/ecs-express-mode-api:environment:production",
                    "--context", f"{AUD}=sts.amazonaws.com")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "Decision: ImplicitDeny")
        self.assertIn(f'  FAIL StringLike {SUB}: expected "repo:octo/ecs-express-mode-api:ref:refs/heads/main", '
                      'actual "repo:octo/ecs-express-mode-api:environment:production"', lines)

    def test_lint_seed_policies(self):
        r = shipctl("policy", "lint", self.write("trust.json", SEED_TRUST), "--json")
        # The seed's trust policy lets any workflow on main assume the role (issue 15 item 3).
        self.assertEqual((r.returncode, [(f["id"], f["severity"], f["path"]) for f in json.loads(r.stdout)["findings"]]),
                         (0, [("GHA011", "warning", "$.Statement[0]")]))
        r = shipctl("policy", "lint", self.write("ecr.json", SEED_ECR), "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([(f["id"], f["severity"], f["path"]) for f in json.loads(r.stdout)["findings"]],
                         [("IAM005", "warning", "$.Statement[0].Resource")])

    def test_lint_errors_fail_the_command(self):
        policy = json.loads(json.dumps(SEED_TRUST))
        policy["Statement"][0]["Condition"] = {"StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:octo/*"}}
        r = shipctl("policy", "lint", self.write("bad.json", policy), "--json")
        self.assertEqual(r.returncode, 1)
        self.assertEqual([(f["id"], f["severity"]) for f in json.loads(r.stdout)["findings"]],
                         [("GHA003", "warning"), ("GHA011", "warning"), ("GHA005", "error")])

    def test_duplicate_operator_keys_are_reported(self):
        text = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},'
                '"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"%s":"repo:octo/app:*"},'
                '"StringLike":{"%s":"repo:octo/app:ref:refs/heads/main"}}}]}' % (PROVIDER, SUB, SUB))
        r = shipctl("policy", "lint", self.write("dup.json", text))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.splitlines()[0],
                         f'{self.dir.name}/dup.json: $.Statement[0].Condition: error IAM001: duplicate key "StringLike": '
                         'IAM keeps only the last one and silently ignores the others')

    def test_malformed_documents_give_clear_errors(self):
        cases = [
            ("notjson.json", "{\n  \"Version\": \"2012-10-17\",\n  Statement: []\n}",
             "not valid JSON: line 3, column 3: syntax error while parsing object key - invalid literal; last read: '\"2012-10-17\",<U+000A>  S'; expected string literal"),
            ("types.json", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": 7}]},
             "$.Statement[0].Action: expected a string or an array of strings, got a number"),
            ("empty.json", {"Version": "2012-10-17", "Statement": []},
             "$.Statement: expected at least one statement, got an empty array"),
            ("op.json", {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                                                "Condition": {"StringEqual": {"a": "b"}}}},
             '$.Statement.Condition.StringEqual: unknown condition operator "StringEqual"'),
        ]
        for name, content, message in cases:
            path = self.write(name, content)
            for args in (["policy", "lint", path], ["policy", "eval", "--policy", path, "--action", "s3:GetObject"]):
                with self.subTest(name=name, command=args[1]):
                    r = shipctl(*args)
                    self.assertEqual(r.returncode, 2)
                    self.assertEqual(r.stderr, f"shipctl: error: policy {path}: {message}\n")
                    self.assertEqual(r.stdout, "")

    def test_hostile_documents_are_refused_in_one_line(self):
        # Issue 13, item 6: 40,000 levels took 2.96 GB; a 100 MB Action came back whole on stderr.
        cases = [
            ("deep.json", "[" * 40000 + "]" * 40000,
             "$: JSON nested more than 64 levels deep; an IAM policy nests at most 6 "
             "(policy, Statement, statement, Condition, operator, values)"),
            ("big.json", " " * (131072 + 1),
             "$: the document is 131073 bytes, over the limit of 131072; IAM accepts at most 10,240 characters"),
            ("action.json", '{"Statement":{"Effect":"Allow","Action":"%s"}}' % ("A" * 100000),
             '$.Statement.Action: action "%s…" (100000 bytes) is not of the form service:action' % ("A" * 100)),
        ]
        for name, content, message in cases:
            path = self.write(name, content)
            for args in (["policy", "lint", path], ["policy", "eval", "--policy", path, "--action", "s3:GetObject"]):
                with self.subTest(name=name, command=args[1]):
                    r = shipctl(*args)
                    self.assertEqual((r.returncode, r.stdout), (2, ""))
                    self.assertEqual(r.stderr, f"shipctl: error: policy {path}: {message}\n")

    def test_missing_file_and_bad_context(self):
        r = shipctl("policy", "lint", "/nonexistent/p.json")
        self.assertEqual((r.returncode, r.stderr), (74, "shipctl: error: cannot read policy file /nonexistent/p.json\n"))
        r = shipctl("policy", "eval", "--policy", self.write("t.json", SEED_TRUST), "--action", "sts:AssumeRoleWithWebIdentity",
                    "--context", "novalue")
        self.assertEqual((r.returncode, r.stderr), (2, 'shipctl: error: --context "novalue" is not KEY=VALUE\n'))

    def test_trust_builder_output_lints_clean_and_allows_only_main(self):
        r = shipctl("policy", "trust", "--account", "123456789012", "--github-repo", "octo/app", "--branch", "main")
        self.assertEqual(r.returncode, 0, r.stderr)
        path = self.write("built.json", r.stdout)
        self.assertEqual(shipctl("policy", "lint", path).returncode, 0)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["Statement"][0]["Condition"],
                         {"StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:octo/app:ref:refs/heads/main"}})

    def trust(self, *args):
        return shipctl("policy", "trust", "--account", "123456789012", "--github-repo", "octo/app", "--branch", "main", *args)

    def trust_subjects(self, *args):
        r = shipctl("policy", "trust", "--account", "123456789012", "--github-repo", "octo/app", "--subject-format", "name",
                    *args)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        condition = json.loads(r.stdout)["Statement"][0]["Condition"]
        subs = next(keys[SUB] for keys in condition.values() if SUB in keys)
        return subs if isinstance(subs, list) else [subs]

    def test_trust_admits_main_when_no_branch_tag_or_environment_is_given(self):
        # bootstrap's default: main, unless --tag or --environment says otherwise
        self.assertEqual(self.trust_subjects(), ["repo:octo/app:ref:refs/heads/main"])
        self.assertEqual(self.trust_subjects("--allow-pull-requests"),
                         ["repo:octo/app:pull_request", "repo:octo/app:ref:refs/heads/main"])
        self.assertEqual(self.trust_subjects("--tag", "v*"), ["repo:octo/app:ref:refs/tags/v*"])
        self.assertEqual(self.trust_subjects("--environment", "production"), ["repo:octo/app:environment:production"])
        self.assertEqual(self.trust_subjects("--branch", "develop"), ["repo:octo/app:ref:refs/heads/develop"])

    def test_trust_takes_the_github_repository_as_github_repo(self):
        r = shipctl("policy", "trust", "--account", "123456789012", "--subject-format", "name")
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (2, "", "shipctl: error: --github-repo OWNER/REPO is required (the repository whose jobs "
                                 "assume the role)\n"))
        old = shipctl("policy", "trust", "--account", "123456789012", "--repository", "octo/app", "--subject-format", "name")
        self.assertEqual((old.returncode, old.stderr),
                         (0, "shipctl: warning: --repository OWNER/REPO is deprecated; use --github-repo OWNER/REPO\n"))
        self.assertEqual(old.stdout, shipctl("policy", "trust", "--account", "123456789012", "--github-repo", "octo/app",
                                             "--subject-format", "name").stdout)
        r = shipctl("policy", "trust", "--account", "123456789012", "--github-repo", "octo/app", "--repository", "octo/b")
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (2, "", "shipctl: error: give GitHub's OWNER/REPO once, as --github-repo (--repository is its "
                                 "old spelling)\n"))

    def test_help_lists_examples_exit_codes_and_the_default_branch(self):
        for args in (["policy", "--help"], ["policy", "trust", "--help"]):
            with self.subTest(command=" ".join(args)):
                r = shipctl(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("Examples:\n  shipctl policy ", r.stdout)
                self.assertIn("Exit codes: 0 ", r.stdout)
        trust_help = shipctl("policy", "trust", "--help").stdout
        self.assertIn("--github-repo", trust_help)
        self.assertNotIn("--repository ", trust_help)
        self.assertIn("(default: main, unless --tag or --environment is given)", " ".join(trust_help.split()))

    def test_trust_subject_format_and_workflow(self):
        r = self.trust("--subject-format", "both", "--owner-id", "1", "--repo-id", "2", "--workflow", "deploy.yml")
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(json.loads(r.stdout)["Statement"][0]["Condition"], {"StringEquals": {
            AUD: "sts.amazonaws.com",
            SUB: ["repo:octo/app:ref:refs/heads/main", "repo:octo@1/app@2:ref:refs/heads/main"],
            "token.actions.githubusercontent.com:job_workflow_ref": "octo/app/.github/workflows/deploy.yml@refs/heads/main"}})
        lint = shipctl("policy", "lint", self.write("pinned.json", r.stdout), "--json")
        self.assertEqual((lint.returncode, json.loads(lint.stdout)["findings"]), (0, []))
        r = self.trust("--workflow", "../deploy.yml", "--subject-format", "name")
        self.assertEqual((r.returncode, r.stderr), (2, 'shipctl: error: --workflow "../deploy.yml" is not a workflow '
                                                       'file: give .github/workflows/NAME.yml (GitHub runs only those)\n'))
        r = self.trust()
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stderr.startswith("shipctl: warning: the OIDC subject format of octo/app is a guess: name form "
                                            "(no GITHUB_TOKEN to ask GitHub)"), r.stderr)
        r = self.trust("--immutable-subjects", "--owner-id", "1", "--repository-id", "2")
        self.assertEqual(json.loads(r.stdout)["Statement"][0]["Condition"]["StringEquals"][SUB],
                         "repo:octo@1/app@2:ref:refs/heads/main")
        self.assertEqual(r.stderr, "shipctl: warning: --immutable-subjects is deprecated; use --subject-format immutable\n"
                                   "shipctl: warning: --repository-id is deprecated; use --repo-id\n")

    def test_lint_judges_the_form_the_repository_uses(self):
        immutable = json.loads(json.dumps(SEED_TRUST))
        immutable["Statement"][0]["Condition"]["StringLike"][SUB] = "repo:octo@1/app@2:ref:refs/heads/main"
        path = self.write("immutable.json", immutable)
        r = shipctl("policy", "lint", path, "--subject-format", "name", "--json")
        self.assertEqual((r.returncode, [f["id"] for f in json.loads(r.stdout)["findings"]]), (1, ["GHA012", "GHA011"]))
        r = shipctl("policy", "lint", path, "--subject-format", "immutable", "--json")
        self.assertEqual((r.returncode, [f["id"] for f in json.loads(r.stdout)["findings"]]), (0, ["GHA011"]))
        r = shipctl("policy", "lint", self.write("seed.json", SEED_TRUST), "--immutable-subjects", "yes", "--json")
        self.assertEqual((r.returncode, [f["id"] for f in json.loads(r.stdout)["findings"]]), (1, ["GHA010", "GHA011"]))
        self.assertEqual(r.stderr, "shipctl: warning: --immutable-subjects yes is deprecated; use --subject-format immutable\n")


if __name__ == "__main__":
    harness.main()
