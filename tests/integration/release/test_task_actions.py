"""The task actions (actions/credentials, actions/push, actions/verify) run as
a runner runs them (tests/support/composite_runner.py), one after the other
in one job, against the project's stand-ins: actions-oidc-issuer as the job's
OIDC token endpoint, and the ECR stand-in (moto with IAM enforcement, a TLS
registry judging every request) holding the role and repository `shipctl
bootstrap` made. The job starts with no AWS credentials: push and verify can
only work with what the credentials action exported through $GITHUB_ENV.

With shipctl on PATH (the build under test) the install step does nothing;
without it, the same action installs a release served from loopback
(release_support.ServedRelease) and the next step runs it.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import unittest

import composite_runner
import ecr_stand_in
import harness
import release_support
from issuer_support import issuer

sys.path.insert(0, os.path.join(harness.REPO, "tests", "integration", "ecr"))
sys.path.insert(0, os.path.join(harness.REPO, "rehearsal"))
import ecr_support as es  # noqa: E402
from actions import clean_base_env  # noqa: E402  (the rehearsal's job environment: no AWS/GitHub variables)

rs = es.registry_support
VERSION = "1.2.3"
REPOSITORY = es.REPOSITORY
GITHUB = {"repository": "octo-org/app", "action_repository": "octo-org/ecs-express-mode-api"}
AWS_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+")


def action(root: str, name: str) -> str:
    return os.path.join(root, "actions", name)


class TaskActionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("skopeo")
        harness.require_tool("curl")
        cls.work = tempfile.mkdtemp(prefix="eem-task-actions-")
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        layout = rs.umoci_image(cls.work, "lay", {"a.bin": os.urandom(50_000)}, layers=1)
        cls.archive = os.path.join(cls.work, "image.tar")
        rs.run(["skopeo", "copy", f"oci:{layout}:t", f"oci-archive:{cls.archive}:t"])
        cls.digest = rs.sha256(subprocess.run(["skopeo", "inspect", "--raw", f"oci:{layout}:t"], check=True,
                                              capture_output=True).stdout)
        cls.ecr = cls.enter(ecr_stand_in.ecr_stand_in(cls.work))
        es.enforce_bootstrapped_role(cls.ecr, es.Home(os.path.join(cls.work, "admin")))
        cls.request_token = secrets.token_urlsafe(24)
        cls.issuer = cls.enter(issuer("--repository", GITHUB["repository"], "--sha", es.COMMIT,
                                      request_token=cls.request_token))
        cls.bin = os.path.join(cls.work, "bin")
        os.makedirs(cls.bin)
        os.symlink(harness.binary("shipctl"), os.path.join(cls.bin, "shipctl"))
        cls.job = cls.new_job("job", os.pathsep.join([cls.bin, os.environ["PATH"]]))
        cls.credentials = cls.job.run_action(action(harness.REPO, "credentials"), {
            "role-to-assume": es.role_arn(cls.ecr), "aws-region": cls.ecr.region, "role-duration-seconds": "900"})
        cls.exported = {name: cls.job.env.get(name) for name in AWS_NAMES}
        cls.token_requests = cls.issuer.log().count("GET /token 200")
        cls.push = cls.job.run_action(action(harness.REPO, "push"), {
            "source": f"oci-archive:{cls.archive}", "repository": REPOSITORY})

    @classmethod
    def enter(cls, context):
        value = context.__enter__()
        cls.addClassCleanup(context.__exit__, None, None, None)
        return value

    @classmethod
    def new_job(cls, name: str, path: str) -> composite_runner.Job:
        """A job with the runner's variables and the stand-ins' endpoints, without AWS credentials."""
        home = os.path.join(cls.work, name)
        env = clean_base_env(home)
        env.update({
            "HOME": home, "PATH": path, "CI": "true", "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": GITHUB["repository"], "GITHUB_SHA": es.COMMIT, "GITHUB_REF": "refs/heads/main",
            "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{cls.issuer.base}/token?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": cls.request_token,
            **{k: cls.ecr.env[k] for k in ("AWS_ENDPOINT_URL", "SHIPCTL_CONNECT_TO", "SHIPCTL_CA_FILE")}})
        return composite_runner.Job(home, env, GITHUB)

    def assert_passed(self, run: composite_runner.ActionRun) -> dict:
        failed = run.failed
        self.assertIsNone(failed, failed and f"step '{failed.name}' exited {failed.returncode}:\n{failed.log}")
        return run.outputs

    def assumed_role(self):
        """moto's record of the session the credentials action's keys belong to."""
        from moto.sts.models import sts_backends
        key = self.exported["AWS_ACCESS_KEY_ID"]
        return next(r for r in sts_backends[self.ecr.account]["aws"].assumed_roles if r.access_key_id == key)

    def test_credentials_output_the_account_and_export_the_role_session(self):
        self.assertEqual(self.assert_passed(self.credentials), {"aws-account-id": self.ecr.account})
        install = self.credentials.steps[0]
        self.assertEqual((install.name, install.log, self.job.path), ("Install shipctl unless on PATH", "", []))
        self.assertEqual((self.exported["AWS_REGION"], self.exported["AWS_DEFAULT_REGION"]), (self.ecr.region,) * 2)
        role = self.assumed_role()
        self.assertEqual((role.role_arn, role.session_name), (es.role_arn(self.ecr), "GitHubActions"))
        now = datetime.datetime.now(datetime.timezone.utc)
        lifetime = (role.expiration - (now if role.expiration.tzinfo else now.replace(tzinfo=None))).total_seconds()
        self.assertTrue(800 < lifetime <= 900, lifetime)  # role-duration-seconds reached STS
        self.assertEqual(self.credentials.steps[1].env, {
            "AWS_ROLE_ARN": es.role_arn(self.ecr), "REGION": self.ecr.region, "AUDIENCE": "sts.amazonaws.com",
            "SESSION_NAME": "GitHubActions", "DURATION": "900"})
        self.assertEqual(self.token_requests, 1)

    def test_a_later_step_of_the_job_runs_as_the_role(self):
        step = self.job.run_script("shipctl whoami --json")
        self.assertEqual(step.returncode, 0, step.log)
        self.assertEqual(json.loads(step.stdout)["arn"],
                         f"arn:aws:sts::{self.ecr.account}:assumed-role/{es.ROLE}/GitHubActions")

    def test_no_secret_reaches_the_log_and_the_credentials_are_masked(self):
        self.assert_passed(self.credentials)
        verify = self.job.run_action(action(harness.REPO, "verify"), {
            "repository": REPOSITORY, "tag": "latest", "digest": self.digest})
        log = self.credentials.log + self.push.log + verify.log
        secrets_ = [self.exported["AWS_SECRET_ACCESS_KEY"], self.exported["AWS_SESSION_TOKEN"], self.request_token]
        for secret in secrets_:
            self.assertTrue(secret)
            self.assertNotIn(secret, log)
        self.assertIsNone(JWT.search(log), "an OIDC token reached the log")
        self.assertEqual(self.credentials.masks, [self.exported[n] for n in AWS_NAMES[:3]])

    def test_push_outputs_name_what_the_registry_holds(self):
        outputs = self.assert_passed(self.push)
        self.assertEqual(outputs, {"registry": self.ecr.host, "digest": self.digest,
                                   "image-uri": f"{self.ecr.host}/{REPOSITORY}@{self.digest}"})
        for tag in (es.COMMIT, "latest"):
            raw = subprocess.run(["skopeo", "inspect", "--raw", *self.ecr.skopeo_ref(f"{REPOSITORY}:{tag}")],
                                 check=True, capture_output=True).stdout
            self.assertEqual(rs.sha256(raw), self.digest)
        session = f"arn:aws:sts::{self.ecr.account}:assumed-role/{es.ROLE}/GitHubActions"
        pushed = {c["action"] for c in self.ecr.calls() if c["principal"] == session and c["verdict"] == "allowed"}
        self.assertLessEqual({"ecr:GetAuthorizationToken", "ecr:InitiateLayerUpload", "ecr:PutImage"}, pushed)

    def test_push_tags_input_takes_one_tag_a_line(self):
        outputs = self.assert_passed(self.job.run_action(action(harness.REPO, "push"), {
            "source": f"oci-archive:{self.archive}", "repository": REPOSITORY, "tags": "release-1\n\nrelease-1.0\n"}))
        self.assertEqual(outputs["digest"], self.digest)
        tags = self.ecr.client("ecr").describe_images(repositoryName=REPOSITORY,
                                                      imageIds=[{"imageDigest": self.digest}])
        self.assertLessEqual({"release-1", "release-1.0"}, set(tags["imageDetails"][0]["imageTags"]))

    def test_verify_passes_for_the_pushed_digest(self):
        outputs = self.assert_passed(self.push)
        run = self.job.run_action(action(harness.REPO, "verify"), {
            "repository": REPOSITORY, "tag": es.COMMIT, "digest": outputs["digest"]})
        self.assertEqual(self.assert_passed(run), {})
        self.assertTrue(run.steps[-1].stdout.endswith(f"ok: {es.COMMIT} points at {self.digest} as expected\n"),
                        run.log)

    def test_verify_fails_for_another_digest_and_says_which(self):
        self.assert_passed(self.push)
        other = "sha256:" + "0" * 64
        run = self.job.run_action(action(harness.REPO, "verify"), {
            "repository": REPOSITORY, "tag": "latest", "digest": other, "aws-region": self.ecr.region})
        self.assertIsNone(run.outputs)
        self.assertEqual((run.failed.name, run.failed.returncode), ("Verify the tag", 4))
        self.assertEqual(run.failed.stderr, f"shipctl: error: tag latest of {self.ecr.host}/{REPOSITORY} points at "
                                            f"{self.digest}, expected {other}\n")

    def test_without_shipctl_on_path_the_install_step_installs_the_pinned_release(self):
        path = os.environ["PATH"]
        self.assertIsNone(shutil.which("shipctl", path=path), "this test needs a PATH without shipctl")
        release = release_support.ServedRelease(os.path.join(self.work, "release"), VERSION)
        self.addCleanup(release.close)
        job = self.new_job("fresh-runner", path)
        job.env["SHIPCTL_DOWNLOAD_BASE_URL"] = release.server.url
        run = job.run_action(action(release.action, "credentials"), {
            "role-to-assume": es.role_arn(self.ecr), "aws-region": self.ecr.region,
            "shipctl-release-repository": "upstream-org/ecs-express-mode-api"})
        self.assertEqual(self.assert_passed(run), {"aws-account-id": self.ecr.account})
        install, where = run.steps[0], os.path.join(job.temp, f"shipctl-{VERSION}-amd64")
        self.assertEqual(install.env["SHIPCTL_REPOSITORY"], "upstream-org/ecs-express-mode-api")
        self.assertEqual(install.log, f"shipctl {VERSION} (amd64) installed at {where}/shipctl, sha256 "
                                      f"{release.sha256} verified\n")
        self.assertEqual(job.path, [where])
        self.assertEqual(job.run_script("command -v shipctl").stdout, f"{where}/shipctl\n")
        self.assertTrue(job.env["AWS_SESSION_TOKEN"])


if __name__ == "__main__":
    harness.main()
