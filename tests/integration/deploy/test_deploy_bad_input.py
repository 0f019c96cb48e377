"""shipctl deploy's bad input (issue 14): a bad ARN, a tag instead of a
digest, a port out of range, an unknown region. Each is refused in one line,
`shipctl: error: ...`, exit 2, before any AWS call: AWS here is a recording
fake that answers every call with ExpiredTokenException, so a call would show
(and exit 77)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ecr"))

import harness  # noqa: E402
from test_bad_input import ExpiredAws  # noqa: E402  (the recording fake of issue 6's bad-input test)

ACCOUNT = "123456789012"
DIGEST = "sha256:" + "1" * 64
IMAGE = f"{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/api@{DIGEST}"
EXEC = f"arn:aws:iam::{ACCOUNT}:role/exec"
INFRA = f"arn:aws:iam::{ACCOUNT}:role/infra"


class DeployBadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = ExpiredAws()
        cls.work = tempfile.mkdtemp(prefix="eem-deploy-bad-input-")

    @classmethod
    def tearDownClass(cls):
        cls.aws.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def shipctl(self, *args, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ACTIONS_", "GITHUB_", "SHIPCTL_"))}
        env.update(HOME=self.work, AWS_ENDPOINT_URL=self.aws.url, AWS_ACCESS_KEY_ID="ASIAEXPIRED",
                   AWS_SECRET_ACCESS_KEY="secret", AWS_SESSION_TOKEN="expired-session",
                   AWS_EC2_METADATA_DISABLED="true", AWS_REGION="ap-northeast-1")
        env.update(extra)
        return subprocess.run([harness.binary("shipctl"), "deploy", *args], env=env, capture_output=True, text=True,
                              timeout=60, cwd=self.work)

    def check(self, args, message, code=2, calls=0, **extra):
        self.aws.calls.clear()
        r = self.shipctl(*args, **extra)
        self.assertEqual((r.returncode, r.stderr), (code, f"shipctl: error: {message}\n"))
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(self.aws.calls), calls, self.aws.calls)

    def test_a_tag_instead_of_a_digest(self):
        tagged = f"{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/api:latest"
        self.check(["--service", "api", "--image", tagged],
                   f"--image {tagged} names a tag, which can move: pass the digest push printed "
                   "(REGISTRY/REPOSITORY@sha256:...), or add --allow-tag")

    def test_bad_arns(self):
        self.check(["--service", "api", "--image", IMAGE, "--execution-role-arn", "ecsTaskExecutionRole"],
                   "--execution-role-arn ecsTaskExecutionRole is not an IAM role ARN "
                   "(arn:aws:iam::123456789012:role/NAME)")
        self.check(["--service", "api", "--image", IMAGE, "--infrastructure-role-arn", f"arn:aws:iam::{ACCOUNT}:user/x"],
                   f"--infrastructure-role-arn arn:aws:iam::{ACCOUNT}:user/x is not an IAM role ARN "
                   "(arn:aws:iam::123456789012:role/NAME)")
        self.check(["--wait-only", f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}:service/default/api"],
                   f"--wait-only arn:aws:ecs:ap-northeast-1:{ACCOUNT}:service/default/api is not a service deployment "
                   "ARN (arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID)")

    def test_port_out_of_range(self):
        for port in ("0", "65536"):
            with self.subTest(port=port):
                self.check(["--service", "api", "--image", IMAGE, "--port", port],
                           f"--port {port} is out of range (1 to 65535)")

    def test_unknown_region(self):
        self.check(["--service", "api", "--image", IMAGE, "--region", "ap-northeast-l"],
                   'unknown region "ap-northeast-l"; did you mean ap-northeast-1?')

    def test_expired_credentials_show_the_fake_sees_calls(self):
        # The control: good input reaches AWS (Describe), which refuses it once: 77, no retry.
        self.aws.calls.clear()
        r = self.shipctl("--service", "api", "--image", IMAGE, "--execution-role-arn", EXEC,
                         "--infrastructure-role-arn", INFRA)
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertEqual(self.aws.calls, ["AmazonEC2ContainerServiceV20141113.DescribeExpressGatewayService"])
        self.assertEqual(r.stderr.splitlines()[-1].split(": ")[:3],
                         ["shipctl", "error", f"describing arn:aws:ecs:ap-northeast-1:{ACCOUNT}:service/default/api"])


if __name__ == "__main__":
    harness.main()
