"""A test case with one moto_server for the class and a fresh account for
every test (POST /moto-api/reset), with AWS managed policies loaded (moto has
them only with MOTO_IAM_LOAD_MANAGED_POLICIES), a boto3 IAM client and
`shipctl` run against it with only the test's AWS settings."""

import os
import subprocess
import tempfile

import boto3

import harness

KEYS = dict(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")


class MotoAccountTest(harness.MotoTestCase):
    managed_policies = True

    def setUp(self):
        super().setUp()
        self.home = tempfile.TemporaryDirectory()
        self.addCleanup(self.home.cleanup)
        self.iam = boto3.client("iam", endpoint_url=self.moto, region_name="ap-northeast-1", **KEYS)

    def shipctl(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
        env.update(HOME=self.home.name, AWS_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
                   AWS_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"], AWS_ENDPOINT_URL=self.moto,
                   AWS_EC2_METADATA_DISABLED="true")
        return subprocess.run([harness.binary("shipctl"), *args], capture_output=True, text=True, timeout=60, env=env,
                              cwd=self.home.name, stdin=subprocess.DEVNULL)
