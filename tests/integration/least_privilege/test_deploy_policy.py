"""The ShipctlExpressDeploy policy `shipctl bootstrap --deploy` writes,
judged by moto's own policy engine (IAMPolicy, as moto's enforcement judges
calls; tests/support/moto_iam.py): every deploy row of the permission table
(`shipctl policy permissions --json`) is allowed on the ARN ECS checks for
it, and the same calls on another service, cluster or role are not
(issue 14). moto has no ECS Express operations, so the requests are the ones
ECS would authorize, not calls moto serves.
"""

import json
import os
import subprocess
import tempfile
import unittest
import urllib.request

import boto3

import harness

ACCOUNT = "123456789012"
ROLE = "GitHubActionsECRRole"
PREFIX = f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}"
EXEC = f"arn:aws:iam::{ACCOUNT}:role/ShipctlExpressExecutionRole"
INFRA = f"arn:aws:iam::{ACCOUNT}:role/ShipctlExpressInfrastructureRole"
# The ARN ECS authorizes for each resource kind of a deploy row, for service
# "web" in cluster "default" (Service Authorization Reference, ECS resource types),
# and the service each role is passed to.
ARN = {
    "ecs-service": f"{PREFIX}:service/default/web",
    "ecs-service-deployment": f"{PREFIX}:service-deployment/default/web/9a8b7c6d5e4f",
    "ecs-service-revision": f"{PREFIX}:service-revision/default/web/1234567890123456789",
    "ecs-cluster": f"{PREFIX}:cluster/default",
    "execution-role": EXEC,
    "infrastructure-role": INFRA,
}
PASSED_TO = {"execution-role": "ecs-tasks.amazonaws.com", "infrastructure-role": "ecs.amazonaws.com"}


def permitted(policy, action, resource, context=None):
    from moto.iam.access_control import IAMPolicy, PermissionResult
    return IAMPolicy(json.dumps(policy)).is_action_permitted(
        action, resource, incoming_condition_values=context) == PermissionResult.PERMITTED


class DeployPolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # AWS managed policies exist only with this
        cls.moto_cm = harness.moto_server()
        moto = cls.moto_cm.__enter__()
        urllib.request.urlopen(urllib.request.Request(moto + "/moto-api/reset", method="POST")).close()
        cls.home = tempfile.TemporaryDirectory()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
        env.update(HOME=cls.home.name, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
                   AWS_ENDPOINT_URL=moto, AWS_EC2_METADATA_DISABLED="true")
        done = subprocess.run([harness.binary("shipctl"), "bootstrap", "--github-repo", "octo-org/app", "--deploy", "web",
                               "--apply"], capture_output=True, text=True, timeout=60, env=env, cwd=cls.home.name,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        iam = boto3.client("iam", endpoint_url=moto, region_name="ap-northeast-1", aws_access_key_id="AKIDEXAMPLE",
                           aws_secret_access_key="secret")
        cls.policy = iam.get_role_policy(RoleName=ROLE, PolicyName="ShipctlExpressDeploy")["PolicyDocument"]
        rows = json.loads(subprocess.run([harness.binary("shipctl"), "policy", "permissions", "--json"],
                                         capture_output=True, text=True, timeout=30, check=True).stdout)
        cls.rows = [r for r in rows if r["command"] == "deploy" and r["granted_by"] == "identity-policy"]

    @classmethod
    def tearDownClass(cls):
        cls.home.cleanup()
        cls.moto_cm.__exit__(None, None, None)

    def test_every_deploy_row_is_allowed_on_its_arn(self):
        self.assertEqual(len(self.rows), 12)
        for row in self.rows:
            with self.subTest(action=row["action"], resource=row["resource"]):
                passed_to = PASSED_TO.get(row["resource"])
                context = {"iam:PassedToService": passed_to} if passed_to else None
                self.assertTrue(permitted(self.policy, row["action"], ARN[row["resource"]], context))

    def test_other_services_clusters_and_roles_are_not(self):
        refused = [
            ("ecs:DescribeExpressGatewayService", f"{PREFIX}:service/default/other"),
            ("ecs:UpdateExpressGatewayService", f"{PREFIX}:service/prod/web"),
            ("ecs:CreateExpressGatewayService", f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/default/web"),
            ("ecs:DescribeServiceDeployments", f"{PREFIX}:service-deployment/default/other/9a8b7c6d5e4f"),
            ("ecs:DescribeServiceRevisions", f"{PREFIX}:service-revision/default/other/1"),
            ("ecs:DescribeClusters", f"{PREFIX}:cluster/prod"),
            ("ecs:DeleteCluster", f"{PREFIX}:cluster/default"),
            ("ecs:DeleteExpressGatewayService", f"{PREFIX}:service/default/web"),
            ("ecs:UpdateService", f"{PREFIX}:service/default/web"),
        ]
        for action, resource in refused:
            with self.subTest(action=action, resource=resource):
                self.assertFalse(permitted(self.policy, action, resource))
        admin = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
        self.assertFalse(permitted(self.policy, "iam:PassRole", admin, {"iam:PassedToService": "ecs-tasks.amazonaws.com"}))
        self.assertFalse(permitted(self.policy, "iam:PassRole", EXEC, {"iam:PassedToService": "ec2.amazonaws.com"}))
        # (moto's engine lets an absent iam:PassedToService pass the condition; IAM does not, and
        # tests/unit/bootstrap/deploy_plan_test.cpp checks that with shipctl's evaluator.)


if __name__ == "__main__":
    unittest.main()
