"""The ECS stand-in under enforced IAM, as the rehearsal runs it: every call
is judged by moto's policy engine (the judge of rehearsal/ecr_serve.py, over
HTTP, with moto in this process) against the caller's role: ecs:<operation>
on the service, service-deployment, service-revision and cluster ARNs it
names, and
iam:PassRole on each role it hands to ECS. Denials are answered in AWS's
words and every verdict joins the call log."""

import json
import os
import sys
import tempfile
import unittest

import harness
import moto_iam
from ecs_stand_in import ACCOUNT, REGION, EcsStandIn, remote_judge

sys.path.insert(0, os.path.join(harness.REPO, "rehearsal"))
from ecr_serve import start_judge  # noqa: E402

ECS = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
ROLE = "deployer"
EXECUTION = f"arn:aws:iam::{ACCOUNT}:role/exec"
INFRASTRUCTURE = f"arn:aws:iam::{ACCOUNT}:role/infra"
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecs:DescribeExpressGatewayService", "ecs:CreateExpressGatewayService",
                                   "ecs:ListServiceDeployments"], "Resource": f"{ECS}:service/default/web"},
    {"Effect": "Allow", "Action": "ecs:DescribeServiceDeployments",
     "Resource": f"{ECS}:service-deployment/default/web/*"},
    {"Effect": "Allow", "Action": "ecs:DescribeClusters", "Resource": f"{ECS}:cluster/default"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [EXECUTION, INFRASTRUCTURE]}]}


def denied(principal: str, action: str, resource: str) -> str:
    return (f"User: {principal} is not authorized to perform: {action} on resource: {resource} because no "
            f"identity-based policy allows the {action} action")


class EcsUnderIam(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("openssl")
        cls.moto = moto_iam.InProcessMoto()
        cls.addClassCleanup(cls.moto.stop)
        import boto3
        iam = boto3.client("iam", endpoint_url=cls.moto.endpoint, region_name=REGION, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "token.actions.githubusercontent.com"}}]}
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=ROLE, PolicyName="deploy", PolicyDocument=json.dumps(POLICY))
        harness.enforce_iam(cls.moto.endpoint, REGION)
        cls.keys = harness.assume_role_with_web_identity(cls.moto.endpoint, f"arn:aws:iam::{ACCOUNT}:role/{ROLE}",
                                                         "ci", REGION)
        cls.principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/ci"
        work = tempfile.TemporaryDirectory(prefix="ecs-iam-")
        cls.addClassCleanup(work.cleanup)
        cls.ecs = EcsStandIn(work.name, authorize=remote_judge(start_judge()))
        cls.addClassCleanup(cls.ecs.close)

    def client(self, keys: dict | None = None):
        import boto3
        from botocore.config import Config
        k = keys or self.keys
        return boto3.client("ecs", endpoint_url=self.ecs.url, region_name=REGION,
                            aws_access_key_id=k["AWS_ACCESS_KEY_ID"], aws_secret_access_key=k["AWS_SECRET_ACCESS_KEY"],
                            aws_session_token=k.get("AWS_SESSION_TOKEN"), config=Config(retries={"max_attempts": 1}))

    def ecs_calls(self) -> list[tuple]:
        with moto_iam.RECORDER.lock:
            return [(c["action"], c["resource"], c["principal"], c["verdict"]) for c in moto_iam.RECORDER.calls
                    if c["source"] == "ecs"]

    def error(self, call, **params) -> tuple[str, str]:
        with self.assertRaises(Exception) as e:
            call(**params)
        return e.exception.response["Error"]["Code"], e.exception.response["Error"]["Message"]

    def test_a_call_the_policy_allows_reaches_the_operation(self):
        code, _ = self.error(self.client().describe_express_gateway_service, serviceArn=f"{ECS}:service/default/web")
        self.assertEqual(code, "ResourceNotFoundException")  # the operation ran: no such service
        self.assertIn(("ecs:DescribeExpressGatewayService", f"{ECS}:service/default/web", self.principal,
                       moto_iam.ALLOWED), self.ecs_calls())

    def test_another_service_is_denied_in_aws_words(self):
        other = f"{ECS}:service/default/other"
        self.assertEqual(self.error(self.client().describe_express_gateway_service, serviceArn=other),
                         ("AccessDeniedException", denied(self.principal, "ecs:DescribeExpressGatewayService", other)))
        self.assertIn(("ecs:DescribeExpressGatewayService", other, self.principal, moto_iam.DENIED), self.ecs_calls())
        code, message = self.error(self.client().list_service_deployments, service="other")
        self.assertEqual((code, message), ("AccessDeniedException",
                                           denied(self.principal, "ecs:ListServiceDeployments", other)))

    def test_each_deployment_arn_is_judged_on_its_own(self):
        ours, theirs = f"{ECS}:service-deployment/default/web/abc", f"{ECS}:service-deployment/default/other/abc"
        answer = self.client().describe_service_deployments(serviceDeploymentArns=[ours])
        self.assertEqual(answer["failures"][0]["reason"], "MISSING")
        code, message = self.error(self.client().describe_service_deployments, serviceDeploymentArns=[ours, theirs])
        self.assertEqual((code, message), ("AccessDeniedException",
                                           denied(self.principal, "ecs:DescribeServiceDeployments", theirs)))

    def test_describe_clusters_is_judged_on_each_cluster_arn(self):
        answer = self.client().describe_clusters()  # no clusters: the default one
        self.assertEqual([c["clusterArn"] for c in answer["clusters"]], [f"{ECS}:cluster/default"])
        self.assertIn(("ecs:DescribeClusters", f"{ECS}:cluster/default", self.principal, moto_iam.ALLOWED),
                      self.ecs_calls())
        prod = f"{ECS}:cluster/prod"
        code, message = self.error(self.client().describe_clusters, clusters=["default", prod])
        self.assertEqual((code, message), ("AccessDeniedException", denied(self.principal, "ecs:DescribeClusters", prod)))

    def test_pass_role_outside_the_policy_is_a_client_exception_before_anything_runs(self):
        stranger = f"arn:aws:iam::{ACCOUNT}:role/admin-ish"
        params = {"serviceName": "web", "executionRoleArn": stranger, "infrastructureRoleArn": INFRASTRUCTURE,
                  "primaryContainer": {"image": "localhost/none@sha256:" + "0" * 64, "containerPort": 8080},
                  "cpu": "256", "memory": "512", "healthCheckPath": "/ping"}
        code, message = self.error(self.client().create_express_gateway_service, **params)
        self.assertEqual((code, message), ("ClientException", denied(self.principal, "iam:PassRole", stranger)))
        calls = self.ecs_calls()
        self.assertIn(("ecs:CreateExpressGatewayService", f"{ECS}:service/default/web", self.principal,
                       moto_iam.ALLOWED), calls)
        self.assertIn(("iam:PassRole", stranger, self.principal, moto_iam.DENIED), calls)
        self.assertEqual(self.ecs.services, {})

    def test_a_key_moto_does_not_know_is_unrecognized(self):
        stranger = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x" * 40}
        code, _ = self.error(self.client(stranger).describe_express_gateway_service,
                             serviceArn=f"{ECS}:service/default/web")
        self.assertEqual(code, "UnrecognizedClientException")


if __name__ == "__main__":
    harness.main()
