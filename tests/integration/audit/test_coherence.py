"""Workflows and trust policy in step (issue 15), end to end against
moto_server: a checkout (git, with a github.com remote) whose deploy.yml
pushes on main and develop, bootstrap's default trust policy (main only),
`shipctl audit --check coherence` predicting the refusal of develop, then
`shipctl bootstrap --from-workflow` admitting it, and the same for a job with
`environment: production`.
"""

import json
import os
import shutil
import subprocess
import tempfile

import harness

ACCOUNT = "123456789012"
DEVELOP = "repo:octo-org/app:ref:refs/heads/develop"
PRODUCTION = "repo:octo-org/app:environment:production"
FIX = ("shipctl bootstrap --from-workflow .github/workflows/deploy.yml --apply (admits exactly the branches, tags "
       "and environments the workflow runs on), or add to the trust policy's sub condition: ")
CONDITION = ('  refused by: StringEquals token.actions.githubusercontent.com:sub at '
             '$.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] expects '
             '"repo:octo-org/app:ref:refs/heads/main", the run presents ')

DEPLOY = """name: deploy
on:
  push:
    branches: [main, develop]
permissions:
  id-token: write
  contents: read
jobs:
  push-image:
    runs-on: ubuntu-24.04
{environment}    steps:
      - run: shipctl credentials --role-arn "$AWS_ROLE_ARN"
"""


class Coherence(harness.MotoTestCase):
    @classmethod
    def setUpClass(cls):
        cls.git = harness.require_tool("git")
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        subprocess.run([self.git, "init", "-q", self.root], check=True)
        subprocess.run([self.git, "-C", self.root, "remote", "add", "origin", "https://github.com/octo-org/app.git"],
                       check=True)
        os.makedirs(os.path.join(self.root, ".github", "workflows"))

    def write_deploy(self, environment=""):
        with open(os.path.join(self.root, ".github", "workflows", "deploy.yml"), "w") as out:
            out.write(DEPLOY.format(environment=environment))

    def shipctl(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "ACTIONS_"))}
        env.update(HOME=self.root, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
                   AWS_ENDPOINT_URL=self.moto, AWS_EC2_METADATA_DISABLED="true")
        return subprocess.run([harness.binary("shipctl"), *args], capture_output=True, text=True, timeout=60,
                              env=env, cwd=self.root, stdin=subprocess.DEVNULL)

    def audit(self):
        done = self.shipctl("audit", "--check", "coherence", "--json")
        self.assertIn(done.returncode, (0, 6), done.stderr)
        report = json.loads(done.stdout)
        self.assertEqual([c["check"] for c in report["checks"]], ["coherence"])
        return done.returncode, report

    def bootstrap(self, *args):
        done = self.shipctl("bootstrap", "--apply", *args)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done

    def test_a_branch_the_default_policy_refuses_is_predicted_and_from_workflow_admits_it(self):
        self.write_deploy()
        self.bootstrap()  # the default trust policy: main only
        code, report = self.audit()
        self.assertEqual(code, 6)
        self.assertEqual(report["checks"][0]["subject"],
                         "workflows in .github/workflows against role GitHubActionsECRRole")
        self.assertEqual(report["findings"], [{
            "id": "AUD050", "severity": "high", "check": "coherence", "resource": ".github/workflows/deploy.yml",
            "title": "a workflow job's OIDC subject will be refused by the trust policy",
            "evidence": [f'.github/workflows/deploy.yml:9: job push-image, on push to branch develop: sub "{DEVELOP}" '
                         "is refused",
                         CONDITION + f'"{DEVELOP}"'],
            "fix": FIX + f'"{DEVELOP}"'}])

        plan = self.bootstrap("--from-workflow", ".github/workflows/deploy.yml")
        self.assertIn(f'+ "{DEVELOP}"', plan.stdout.replace("  ", ""))
        code, report = self.audit()
        self.assertEqual((code, report["findings"], report["checks"][0]["status"]), (0, [], "passed"))

    def test_an_environment_job_is_predicted_the_same_way(self):
        self.write_deploy("    environment: production\n")
        self.bootstrap()
        code, report = self.audit()
        self.assertEqual(code, 6)
        refused = report["findings"][0]
        self.assertEqual((refused["id"], refused["severity"]), ("AUD050", "high"))
        self.assertEqual(refused["evidence"], [
            f'.github/workflows/deploy.yml:9: job push-image, on push to branch main; push to branch develop: '
            f'sub "{PRODUCTION}" is refused',
            CONDITION + f'"{PRODUCTION}" (the job uses a GitHub environment, so its sub is "{PRODUCTION}" instead of '
            "the branch form; admit the environment's sub or drop the job's environment)"])
        # main is no longer presented by any job: the policy admits what nothing needs.
        self.assertEqual([(f["id"], f["severity"]) for f in report["findings"][1:]], [("AUD051", "low")])

        self.bootstrap("--from-workflow", ".github/workflows/deploy.yml")
        code, report = self.audit()
        self.assertEqual((code, report["findings"]), (0, []))
        role = json.loads(self.shipctl("bootstrap", "--json").stdout)
        self.assertIn(PRODUCTION, json.dumps(role))

    def test_doctor_beside_the_checkout_predicts_the_same(self):
        self.write_deploy()
        self.bootstrap()
        done = self.shipctl("doctor", "--github-repo", "octo-org/app", "--json")
        self.assertEqual(done.returncode, 6, done.stdout + done.stderr)
        report = json.loads(done.stdout)
        self.assertEqual(report["root_cause"], "workflow-subjects")
        check = report["checks"][-1]
        self.assertEqual((check["id"], check["status"]), ("workflow-subjects", "fail"))
        self.assertEqual(check["summary"], "2 predicted runs of jobs that assume the role, 1 refused by the trust policy")
        self.assertEqual(check["evidence"], [
            ".github/workflows/deploy.yml job push-image, on push to branch main: admitted",
            f'.github/workflows/deploy.yml job push-image, on push to branch develop: REFUSED "{DEVELOP}"',
            "  " + CONDITION[len("  refused by: "):] + f'"{DEVELOP}"'])
        self.assertEqual(check["fix"], FIX + f'"{DEVELOP}"')

        self.bootstrap("--from-workflow", ".github/workflows/deploy.yml")
        done = self.shipctl("doctor", "--github-repo", "octo-org/app", "--json")
        self.assertEqual(done.returncode, 0, done.stdout)
        self.assertEqual(json.loads(done.stdout)["checks"][-1]["status"], "pass")

        # Elsewhere the check says it does not apply, and the run stays healthy.
        shutil.rmtree(os.path.join(self.root, ".github"))
        done = self.shipctl("doctor", "--github-repo", "octo-org/app", "--json")
        self.assertEqual(done.returncode, 0, done.stdout)
        self.assertEqual(json.loads(done.stdout)["checks"][-1]["summary"], "skipped: no .github/workflows here")

    def test_dispatch_and_unknown_events_are_named(self):
        with open(os.path.join(self.root, ".github", "workflows", "deploy.yml"), "w") as out:
            out.write(DEPLOY.format(environment="").replace("  push:\n    branches: [main, develop]\n",
                                                            "  workflow_dispatch:\n  pushh:\n"))
        self.bootstrap()
        code, report = self.audit()
        self.assertEqual((code, report["findings"], report["checks"][0]["status"]), (0, [], "passed"))
        unknown = ('not predicted: .github/workflows/deploy.yml:4: "pushh" is not an event GitHub knows (GitHub rejects '
                   "the workflow); no run predicted for it")
        dispatch = (".github/workflows/deploy.yml:9: job push-image, on workflow_dispatch: the trust policy admits it "
                    "only from branches main; started from any other branch or tag, it is refused")
        self.assertEqual(report["checks"][0]["message"], unknown + "; " + dispatch)
        done = self.shipctl("audit", "--check", "coherence")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("\n  note: " + unknown + "; " + dispatch + "\n", done.stdout)

    def test_from_workflow_without_a_role_assuming_job_is_bad_input(self):
        with open(os.path.join(self.root, ".github", "workflows", "ci.yml"), "w") as out:
            out.write("on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n")
        done = self.shipctl("bootstrap", "--from-workflow", ".github/workflows/ci.yml")
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr, "shipctl: error: --from-workflow: no job in the given files assumes a role on a "
                                      "branch, tag or environment (shipctl credentials, or configure-aws-credentials "
                                      "with role-to-assume)\n")
        done = self.shipctl("bootstrap", "--from-workflow", "missing.yml")
        self.assertEqual(done.returncode, 74, done.stderr)
        # Not YAML, and too large to be a workflow: named, never a crash.
        with open(os.path.join(self.root, "broken.yml"), "w") as out:
            out.write("on:\n  push:\n    branches: [main\njobs: {}\n")
        done = self.shipctl("bootstrap", "--from-workflow", "broken.yml")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertRegex(done.stderr, r"^shipctl: error: --from-workflow: broken.yml:\d+: not valid YAML: ")
        with open(os.path.join(self.root, "huge.yml"), "w") as out:
            out.write("on: push\njobs: {}\n#" + "x" * (2 << 20) + "\n")
        done = self.shipctl("bootstrap", "--from-workflow", "huge.yml")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(done.stderr, "shipctl: error: --from-workflow: huge.yml:1: larger than 1024 KiB; no workflow is "
                                      "this large, so it is not read\n")


if __name__ == "__main__":
    harness.main()
