"""shipctl push and verify against the ECR stand-in: the destination derived
from --repository (account from STS, region default ap-northeast-1), the
seed's default tags ($GITHUB_SHA and latest), ECR credentials from
GetAuthorizationToken, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY, the
repository-name mistakes, a refused auth-file login (renewed once with the AWS
credentials, or named with the fix when there are none), and verify's three
outcomes. Under IAM enforcement: the workflow's push and verify run with only
the temporary credentials of the role `shipctl bootstrap` writes; the other
cases (repositories the role may not touch, renewed logins) with an
administrator's keys."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import ecr_stand_in
import ecr_support as es
import harness

rs = es.registry_support
REPO = "ecs-express-mode-api"
STALE_AUTH = base64.b64encode(b"AWS:expired-token").decode()


class EcrPushTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("skopeo")
        cls.work = tempfile.mkdtemp(prefix="eem-ecr-push-")
        cls.layout = rs.umoci_image(cls.work, "lay", {"a.bin": os.urandom(100_000), "b.txt": b"text " * 5000})
        cls.manifest_digest = rs.sha256(subprocess.run(["skopeo", "inspect", "--raw", f"oci:{cls.layout}:t"],
                                                       check=True, capture_output=True).stdout)
        cls.stack = ecr_stand_in.ecr_stand_in(cls.work)
        cls.ecr = cls.stack.__enter__()
        cls.home = es.Home(os.path.join(cls.work, "home"))
        es.enforce_bootstrapped_role(cls.ecr, cls.home)  # creates REPO
        env = cls.home.env(cls.ecr, GITHUB_SHA=es.COMMIT, GITHUB_OUTPUT=cls.home.output,
                           GITHUB_STEP_SUMMARY=cls.home.summary, **es.role_keys(cls.ecr))
        cls.first = es.shipctl("push", f"oci:{cls.layout}:t", "--repository", REPO, "--json", env=env)

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)
        shutil.rmtree(cls.work, ignore_errors=True)

    def run_shipctl(self, *args, **env):
        """shipctl with the administrator's keys."""
        return es.shipctl(*args, env=self.home.env(self.ecr, **env))

    def run_as_role(self, *args, **env):
        """shipctl with the bootstrapped role's temporary credentials, as the workflow runs it."""
        return es.shipctl(*args, env=self.home.env(self.ecr, **es.role_keys(self.ecr), **env))

    def test_push_derives_the_ecr_destination_and_default_tags(self):
        r = self.first
        self.assertEqual(r.returncode, 0, r.stderr)
        summary = rs.json_line(r.stdout)
        self.assertEqual(summary["image"], f"{self.ecr.host}/{REPO}")
        self.assertEqual(summary["tags"], [es.COMMIT, "latest"])
        self.assertEqual(summary["digest"], self.manifest_digest)
        for tag in (es.COMMIT, "latest"):
            raw = subprocess.run(["skopeo", "inspect", "--raw", *self.ecr.skopeo_ref(f"{REPO}:{tag}")],
                                 check=True, capture_output=True).stdout
            self.assertEqual(rs.sha256(raw), self.manifest_digest)
        self.assertNotIn(self.ecr.password, r.stdout + r.stderr)
        for password in self.ecr.issued_passwords():
            self.assertNotIn(password, r.stdout + r.stderr)
        pushed = {c["action"] for c in self.ecr.calls() if c["principal"] == es.session_arn(self.ecr)}
        self.assertLessEqual({"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                              "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage"}, pushed)

    def test_github_output_and_step_summary(self):
        d, name = self.manifest_digest, f"{self.ecr.host}/{REPO}"
        self.assertEqual(self.home.read(self.home.output),
                         f"image={name}:{es.COMMIT}\ndigest={d}\nimage-uri={name}@{d}\nregistry={self.ecr.host}\n")
        lines = self.home.read(self.home.summary).splitlines()
        self.assertEqual(lines[:7], [f"### Pushed `{name}`", "", "| | |", "|---|---|", f"| Image | `{name}@{d}` |",
                                     f"| Digest | `{d}` |", f"| Tags | `{es.COMMIT}`, `latest` |"])
        self.assertRegex(lines[7], r"^\| Size \| \d+\.\d MB \(\d+\.\d MB uploaded, 0 blob\(s\) already there\) \|$")
        self.assertRegex(lines[8], r"^\| Time \| \d+\.\d\d s \|$")

    def test_verify_reports_the_pushed_image(self):
        r = self.run_as_role("verify", "--repository", REPO, "--tag", es.COMMIT, "--digest", self.manifest_digest,
                             "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        v = json.loads(r.stdout)
        self.assertEqual((v["result"], v["digest"], v["image"]),
                         ("ok", self.manifest_digest, f"{self.ecr.host}/{REPO}:{es.COMMIT}"))
        self.assertEqual(sorted(v["tags"]), sorted([es.COMMIT, "latest"]))
        self.assertRegex(v["pushed_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(v["scan"]["status"], "")  # moto 5.2 reports no scan in DescribeImages
        text = self.run_as_role("verify", "--repository", REPO, "--tag", "latest")
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn(f"image:     {self.ecr.host}/{REPO}:latest\ndigest:    {self.manifest_digest}\n", text.stdout)
        self.assertIn("scan:      no scan recorded for this image\n", text.stdout)
        self.assertTrue(text.stdout.endswith(f"ok: latest points at {self.manifest_digest}\n"), text.stdout)

    def test_verify_digest_mismatch_exits_4(self):
        other = "sha256:" + "0" * 64
        r = self.run_as_role("verify", "--repository", REPO, "--tag", "latest", "--digest", other)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(r.stderr, f"shipctl: error: tag latest of {self.ecr.host}/{REPO} points at "
                                   f"{self.manifest_digest}, expected {other}\n")

    def test_verify_missing_tag_exits_3_and_lists_tags(self):
        r = self.run_as_role("verify", "--repository", REPO, "--tag", "v9")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertRegex(r.stderr, rf"^shipctl: error: tag v9 not found in {self.ecr.host}/{REPO}; tags there: "
                                   rf"({es.COMMIT}, latest|latest, {es.COMMIT})\n$")

    def test_verify_missing_repository_exits_3(self):
        r = self.run_shipctl("verify", "--repository", "nope", "--tag", "latest")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stderr, "shipctl: error: repository nope does not exist in registry 123456789012 "
                                   "(region ap-northeast-1); create it with `shipctl bootstrap --apply` or "
                                   "`aws ecr create-repository --repository-name nope --region ap-northeast-1`\n")

    def test_full_uri_as_repository_is_one_line(self):
        uri = f"{self.ecr.host}/{REPO}:latest"
        for command in (["push", f"oci:{self.layout}:t"], ["verify", "--tag", "latest"]):
            r = self.run_shipctl(*command, "--repository", uri)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertEqual(r.stderr, f"shipctl: error: --repository takes the repository name, not the image URI: "
                                       f"pass --repository {REPO} (the registry comes from the account and region, "
                                       "the tag from --tag)\n")

    def test_missing_repository_is_found_before_pushing(self):
        r = self.run_shipctl("push", f"oci:{self.layout}:t", "--repository", "missing-app", "--tag", "v1")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stderr, f"shipctl: error: pushing to {self.ecr.host}/missing-app: repository missing-app "
                                   "does not exist in registry 123456789012 (region ap-northeast-1); create it with "
                                   "`shipctl bootstrap --apply` or `aws ecr create-repository --repository-name "
                                   "missing-app --region ap-northeast-1`\n")

    def test_registry_name_unknown_without_aws_credentials(self):
        dest = f"{self.ecr.host}/missing-app:v1"
        token = self.ecr.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
        password = base64.b64decode(token).decode().partition(":")[2]  # the administrator's
        r = es.shipctl("push", f"oci:{self.layout}:t", dest, "--username", "AWS", "--password-stdin",
                       "--progress", "none", env=self.home.env(self.ecr), input=password + "\n")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(f"HTTP 404 from {self.ecr.host}: NAME_UNKNOWN (The repository with name 'missing-app' does not "
                      "exist in the registry with id '123456789012'): repository missing-app does not exist in "
                      "registry 123456789012 (region ap-northeast-1); create it with `shipctl bootstrap --apply`",
                      r.stderr)

    def stale_home(self, name: str) -> es.Home:
        """A home whose docker config holds a refused ECR password, as a login older than 12 hours leaves it."""
        home = es.Home(os.path.join(self.work, name))
        os.makedirs(os.path.dirname(home.docker), exist_ok=True)
        with open(home.docker, "w") as f:
            json.dump({"auths": {self.ecr.host: {"auth": STALE_AUTH}}}, f)
        return home

    def test_refused_auth_file_login_is_renewed_once_with_aws_credentials(self):
        home = self.stale_home("stale-renewed")
        self.ecr.create_repository("renew-app")  # not REPO: the verify tests count its tags
        r = es.shipctl("push", f"oci:{self.layout}:t", "--repository", "renew-app", "--tag", "renewed", "--progress",
                       "none", "--json", env=home.env(self.ecr))
        self.assertEqual(r.returncode, 0, r.stderr)
        host = self.ecr.host
        self.assertEqual(r.stderr, f"shipctl: registry {host} refused the login for {host} in the docker/podman auth "
                                   "files (ECR tokens last 12 hours): retrying once with a new token from ECR "
                                   "GetAuthorizationToken\n")
        self.assertEqual(rs.json_line(r.stdout)["digest"], self.manifest_digest)
        raw = subprocess.run(["skopeo", "inspect", "--raw", *self.ecr.skopeo_ref("renew-app:renewed")],
                             check=True, capture_output=True).stdout
        self.assertEqual(rs.sha256(raw), self.manifest_digest)
        # push retries with the new token but leaves the auth file alone (shipctl login rewrites it).
        self.assertEqual(json.loads(home.read(home.docker)), {"auths": {host: {"auth": STALE_AUTH}}})
        self.assertNotIn(self.ecr.password, r.stdout + r.stderr)

    def test_refused_login_without_aws_credentials_names_the_login_and_the_fix(self):
        home = self.stale_home("stale-no-aws")
        env = {k: v for k, v in home.env(self.ecr, AWS_EC2_METADATA_DISABLED="true").items()
               if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        host, dest = self.ecr.host, f"{self.ecr.host}/{REPO}:expired"
        fix = ": ECR tokens last 12 hours, and there are no AWS credentials here to get a new one; log in again " \
              "with `shipctl login --region ap-northeast-1`\n"
        r = es.shipctl("push", f"oci:{self.layout}:t", dest, "--progress", "none", env=env)
        self.assertEqual((r.returncode, r.stderr),
                         (77, f"shipctl: error: pushing to {host}/{REPO}: registry {host} refused the login for "
                              f"{host} in the docker/podman auth files" + fix))
        # The same entry, written by `shipctl login` 13 hours ago: the record names it.
        fingerprint = hashlib.sha256(STALE_AUTH.encode()).hexdigest()[:32]
        os.makedirs(os.path.dirname(home.state), exist_ok=True)
        with open(home.state, "w") as f:
            json.dump({"version": 1, "logins": [{
                "registry": host, "obtained_at": "2020-01-01T00:00:00Z", "expires_at": "2020-01-01T12:00:00Z",
                "expiry_source": "assumed", "files": [{"path": home.docker, "fingerprint": fingerprint}]}]}, f)
        r = es.shipctl("push", f"oci:{self.layout}:t", dest, "--progress", "none", env=env)
        self.assertEqual((r.returncode, r.stderr),
                         (77, f"shipctl: error: pushing to {host}/{REPO}: registry {host} refused the login shipctl "
                              f"login wrote to {home.docker} at 2020-01-01T00:00:00Z (expired at "
                              "2020-01-01T12:00:00Z)" + fix))

    def test_the_ecr_token_is_asked_without_the_deprecated_registry_ids(self):
        # DEST names the registry's account; the token of the caller's own
        # registry serves it (ECR API reference: registryIds is deprecated).
        self.ecr.create_repository("token-app")  # not REPO: the verify tests count its tags
        r = self.run_shipctl("push", f"oci:{self.layout}:t", f"{self.ecr.host}/token-app:one", "--progress", "none")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ecr:GetAuthorizationToken", {c["action"] for c in self.ecr.calls()})
        self.assertEqual(self.ecr.registry_ids_sent(), [])

    def test_refused_credentials_from_flags_are_not_retried(self):
        dest = f"{self.ecr.host}/{REPO}:flags"
        r = es.shipctl("push", f"oci:{self.layout}:t", dest, "--username", "AWS", "--password-stdin",
                       "--progress", "none", env=self.home.env(self.ecr), input="stale-password\n")
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertEqual(r.stderr, f"shipctl: error: pushing to {self.ecr.host}/{REPO}: registry {self.ecr.host} "
                                   "rejected the credentials: check the user name and password (ECR passwords are "
                                   "tokens that expire after 12 hours: log in again)\n")

    def test_login_then_push_uses_the_auth_file(self):
        home = es.Home(os.path.join(self.work, "logged-in"))
        env = home.env(self.ecr)
        self.assertEqual(es.shipctl("login", env=env).returncode, 0)
        env.pop("AWS_ACCESS_KEY_ID")  # no AWS credentials: the registry login alone must do
        env.pop("AWS_SECRET_ACCESS_KEY")
        self.ecr.create_repository("login-app")
        r = es.shipctl("push", f"oci:{self.layout}:t", f"{self.ecr.host}/login-app:v1", "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(rs.json_line(r.stdout)["digest"], self.manifest_digest)
        self.assertEqual(rs.json_line(r.stdout)["tags"], ["v1"])


if __name__ == "__main__":
    harness.main()
