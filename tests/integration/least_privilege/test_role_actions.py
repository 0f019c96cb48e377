"""Least privilege, proven under enforced IAM (issue 12): `shipctl bootstrap
--apply` writes the role and its inline push policy once; then, for each
action of that policy, the action alone is removed (IAM PutRolePolicy with an
administrator's keys) and the job's shipctl steps run with only the role's
temporary credentials: credentials (OIDC token from actions-oidc-issuer),
login, push of a small fresh image, verify. The first step that fails must be
the one that needs the action, its error must name the action, and doctor
(administrator's keys, --json) must name it in its push-permissions check.

moto judges the control-plane calls, the ECR stand-in the registry requests
(tests/support/ecr_stand_in.py, moto_iam.py). The map below is this test's
own: an action bootstrap grants that it does not know fails the test, so the
table and this test grow together."""

import json
import os
import shutil
import sys
import tempfile
import unittest

import ecr_stand_in
import harness
from issuer_support import issuer

sys.path.insert(0, os.path.join(harness.REPO, "tests", "integration", "ecr"))
import ecr_support as es  # noqa: E402

POLICY = "ShipctlEcrPush"  # the inline policy bootstrap writes
STEPS = ("credentials", "login", "push", "verify")
# The first job step that needs each action. What push really sends (see the
# stand-in's call log): STS GetCallerIdentity, ECR DescribeRepositories (is
# the repository there?), GetAuthorizationToken, then HEAD of the manifest
# under the tag and by digest (BatchGetImage), HEAD of each blob
# (BatchCheckLayerAvailability), POST + PUT per missing blob (InitiateLayerUpload;
# the PUT carries the data and completes it: UploadLayerPart and
# CompleteLayerUpload), the manifest PUT (PutImage).
NEEDED_BY = {
    "ecr:GetAuthorizationToken": "login",
    # push asks DescribeRepositories whether the repository exists, and goes on when refused.
    "ecr:DescribeRepositories": "verify",
    "ecr:BatchCheckLayerAvailability": "push",
    "ecr:InitiateLayerUpload": "push",
    "ecr:UploadLayerPart": "push",
    "ecr:CompleteLayerUpload": "push",
    "ecr:PutImage": "push",
    "ecr:DescribeImages": "verify",
    # push HEADs the manifest (is it there already?) and takes a refusal as "no": the push goes on,
    # warning that it names (WARNS).
    "ecr:BatchGetImage": None,
    # Only pulls download layers (the rehearsal's run step does): the job passes without it.
    "ecr:GetDownloadUrlForLayer": None,
}

# Without these the job passes, and its stderr warns, naming the action.
WARNS = {"ecr:BatchGetImage"}

# Refused only on HEAD requests: the 403 has no body, so the client cannot say which action.
HEAD_ONLY = {"ecr:BatchCheckLayerAvailability"}


def without(policy: dict, action: str) -> dict:
    """`policy` with `action` taken out of every statement (a statement left with none is dropped)."""
    statements = []
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        kept = [a for a in actions if a != action]
        if kept:
            statements.append(dict(statement, Action=kept))
    return dict(policy, Statement=statements)


def policy_actions(policy: dict) -> list[str]:
    found = []
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        found += actions
    return found


class RoleActionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("umoci")
        # Class cleanups run also when setUpClass fails half-way (a missing
        # binary): nothing started is left running.
        cls.work = tempfile.mkdtemp(prefix="eem-least-privilege-")
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        cls.stack = ecr_stand_in.ecr_stand_in(cls.work)
        cls.ecr = cls.stack.__enter__()
        cls.addClassCleanup(cls.stack.__exit__, None, None, None)
        cls.issuer_stack = issuer("--repository", "octo-org/app")
        cls.issuer = cls.issuer_stack.__enter__()
        cls.addClassCleanup(cls.issuer_stack.__exit__, None, None, None)
        cls.admin_home = es.Home(os.path.join(cls.work, "admin"))
        es.enforce_bootstrapped_role(cls.ecr, cls.admin_home)
        cls.iam = cls.ecr.client("iam")
        document = cls.iam.get_role_policy(RoleName=es.ROLE, PolicyName=POLICY)["PolicyDocument"]
        cls.policy = json.loads(document) if isinstance(document, str) else document

    def denied_since(self, start: int) -> list[str]:
        """The actions refused to the role's sessions in the stand-in's call log after entry `start`."""
        return sorted({c["action"] for c in self.ecr.calls()[start:]
                       if c["verdict"] == "denied" and ":assumed-role/" in c["principal"]})

    def job(self, name: str) -> tuple[str | None, str]:
        """Runs the job's steps in a fresh home; returns (first failing step, its stderr), or (None,
        every step's stderr) when the job passes."""
        home = es.Home(os.path.join(self.work, name))
        github_env = os.path.join(home.root, "github_env")
        env = {k: v for k, v in home.env(self.ecr).items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        env.update(GITHUB_ACTIONS="true", GITHUB_ENV=github_env, GITHUB_OUTPUT=home.output, GITHUB_SHA=es.COMMIT,
                   ACTIONS_ID_TOKEN_REQUEST_URL=f"{self.issuer.base}/token?api-version=2.0",
                   ACTIONS_ID_TOKEN_REQUEST_TOKEN="request-token", AWS_REGION="ap-northeast-1")
        r = es.shipctl("credentials", "--role-arn", es.role_arn(self.ecr), "--region", "ap-northeast-1", env=env)
        if r.returncode != 0:
            return "credentials", r.stderr
        with open(github_env) as f:
            env.update(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        layout = es.registry_support.umoci_image(self.work, f"{name}-image", {"f": os.urandom(2000)}, layers=1)
        runs = {"login": ["login"],
                "push": ["push", f"oci:{layout}:t", "--repository", es.REPOSITORY, "--tag", name, "--progress", "none"]}
        stderr = ""
        for step in ("login", "push"):
            r = es.shipctl(*runs[step], env=env)
            if r.returncode != 0:
                return step, r.stderr
            stderr += r.stderr
        r = es.shipctl("verify", "--repository", es.REPOSITORY, "--tag", name, env=env)
        return (None, stderr + r.stderr) if r.returncode == 0 else ("verify", r.stderr)

    def doctor(self) -> dict:
        r = es.shipctl("doctor", "--role-name", es.ROLE, "--github-repo", "octo-org/app", "--repository",
                       es.REPOSITORY, "--region", "ap-northeast-1", "--json", env=self.admin_home.env(self.ecr))
        return json.loads(r.stdout)

    def test_the_whole_policy_runs_the_job(self):
        failed, stderr = self.job("complete")
        self.assertEqual(failed, None, stderr)
        self.assertNotIn("warning", stderr)

    def test_every_action_bootstrap_grants_is_needed_by_the_step_this_test_names(self):
        actions = policy_actions(self.policy)
        self.assertEqual(sorted(set(actions) - set(NEEDED_BY)), [],
                         "bootstrap grants an action this test has no step for: add it to NEEDED_BY")
        for action in actions:
            with self.subTest(action=action):
                self.iam.put_role_policy(RoleName=es.ROLE, PolicyName=POLICY,
                                         PolicyDocument=json.dumps(without(self.policy, action)))
                start = len(self.ecr.calls())
                try:
                    failed, stderr = self.job(action.split(":")[1].lower())
                    denied = self.denied_since(start)
                    report = self.doctor()
                finally:
                    self.iam.put_role_policy(RoleName=es.ROLE, PolicyName=POLICY, PolicyDocument=json.dumps(self.policy))
                self.assertEqual(failed, NEEDED_BY[action], stderr)
                if failed is None:
                    self.assertIn(action, WARNS, "the job passed without it: no step needs it")
                    self.assertEqual(denied, [action])
                    self.assertIn("shipctl: warning: ", stderr)
                    self.assertIn(action, stderr)
                    continue
                self.assertEqual(denied, [action])
                if action not in HEAD_ONLY:  # an answer to HEAD has no body to name it
                    self.assertIn(f"not authorized to perform: {action} on resource: ", stderr)
                check = next(c for c in report["checks"] if c["id"] == "push-permissions")
                # needs lpcpp (the permission table): today's doctor checks push actions only.
                self.assertEqual((check["status"], report["root_cause"]), ("fail", "push-permissions"), check)
                self.assertIn(action, check["summary"])


if __name__ == "__main__":
    harness.main()
