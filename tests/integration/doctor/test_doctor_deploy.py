"""shipctl doctor --deploy against moto (IAM, STS, ECR: the roles and the
workflow role's policies) and the ECS Express Mode stand-in (tests/support/
ecs_stand_in.py, podman): each deploy failure of issue 14 made for real, and
doctor naming it as the root cause with its fix."""

import json
import os
import subprocess
import sys
import unittest.mock
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ecs"))

import doctor_support as D  # noqa: E402
import ecs_support as S  # noqa: E402
import harness  # noqa: E402
from ecs_rollout import Settings  # noqa: E402

EXEC = "ShipctlExpressExecutionRole"
INFRA = "ShipctlExpressInfrastructureRole"
EXEC_ARN = f"arn:aws:iam::{D.ACCOUNT}:role/{EXEC}"
INFRA_ARN = f"arn:aws:iam::{D.ACCOUNT}:role/{INFRA}"
MANAGED = "arn:aws:iam::aws:policy/service-role/"
# What bootstrap --deploy writes on the workflow role (issue 14): PassRole on exactly the two roles.
DEPLOY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecs:CreateExpressGatewayService", "ecs:UpdateExpressGatewayService",
                                   "ecs:DescribeExpressGatewayService", "ecs:ListServiceDeployments",
                                   "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"],
     "Resource": [f"arn:aws:ecs:{D.REGION}:{D.ACCOUNT}:service/default/*",
                  f"arn:aws:ecs:{D.REGION}:{D.ACCOUNT}:service-deployment/default/*",
                  f"arn:aws:ecs:{D.REGION}:{D.ACCOUNT}:service-revision/default/*"]},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [EXEC_ARN, INFRA_ARN]}]}


def service_trust(principal):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]}


class DoctorDeploy(S.StandInCase):
    settings = Settings(bake_seconds=0.2, health_timeout=3.0, drain_seconds=0.5)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # moto serves AWS managed policies (the two roles' own) only when asked to.
        with unittest.mock.patch.dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true"):
            cls.moto = harness.moto_server()
            cls.endpoint = cls.moto.__enter__()
        cls.stack.callback(cls.moto.__exit__, None, None, None)
        cls.image_a = cls.images.image(S.COMMIT_A)

    def setUp(self):
        super().setUp()
        urllib.request.urlopen(urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST")).read()
        import boto3
        self.iam, self.ecr = (boto3.client(s, endpoint_url=self.endpoint, region_name=D.REGION,
                                           aws_access_key_id="testing", aws_secret_access_key="testing")
                              for s in ("iam", "ecr"))

    def setup_aws(self, exec_trust="ecs-tasks.amazonaws.com", infra_trust="ecs.amazonaws.com", pass_role=True,
                  exec_policy=True):
        """The push side as doctor_support's tests make it, plus what bootstrap --deploy makes."""
        self.iam.create_open_id_connect_provider(Url=f"https://{D.HOST}", ClientIDList=["sts.amazonaws.com"])
        self.iam.create_role(RoleName=D.ROLE, AssumeRolePolicyDocument=json.dumps(D.trust_policy()))
        self.iam.put_role_policy(RoleName=D.ROLE, PolicyName="ecr-push", PolicyDocument=json.dumps(D.PUSH_POLICY))
        if pass_role:
            self.iam.put_role_policy(RoleName=D.ROLE, PolicyName="ShipctlExpressDeploy",
                                     PolicyDocument=json.dumps(DEPLOY_POLICY))
        self.ecr.create_repository(repositoryName=D.REPO)
        self.iam.create_role(RoleName=EXEC, AssumeRolePolicyDocument=json.dumps(service_trust(exec_trust)))
        if exec_policy:
            self.iam.attach_role_policy(RoleName=EXEC, PolicyArn=MANAGED + "AmazonECSTaskExecutionRolePolicy")
        self.iam.create_role(RoleName=INFRA, AssumeRolePolicyDocument=json.dumps(service_trust(infra_trust)))
        self.iam.attach_role_policy(RoleName=INFRA,
                                    PolicyArn=MANAGED + "AmazonECSInfrastructureRoleforExpressGatewayServices")

    def deploy(self, name, image, wait=("SUCCESSFUL",)):
        """Creates or updates `name` with `image` through the stand-in and waits for `wait`."""
        client = self.boto()
        arn = f"arn:aws:ecs:{D.REGION}:{D.ACCOUNT}:service/default/{name}"
        if name not in [s.name for s in self.ecs.services.values()]:
            created = client.create_express_gateway_service(**{**S.create_input(name, image),
                                                               "executionRoleArn": EXEC_ARN,
                                                               "infrastructureRoleArn": INFRA_ARN})
            deployment = created["service"]["currentDeployment"]
        else:
            client.update_express_gateway_service(serviceArn=arn, primaryContainer={"image": image, "containerPort": 8080})
            deployment = client.list_service_deployments(service=arn)["serviceDeployments"][0]["serviceDeploymentArn"]
        self.assertEqual(self.wait_deployment(deployment)["status"], wait[0])
        return arn

    def doctor(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ACTIONS_ID_TOKEN", "GITHUB_"))}
        env.update(HOME=self.workdir, XDG_STATE_HOME=os.path.join(self.workdir, "state"), AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_ENDPOINT_URL=self.endpoint,
                   AWS_ENDPOINT_URL_ECS=self.ecs.url, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        r = subprocess.run([harness.binary("shipctl"), "doctor", "--github-repo", "octo-org/app", "--region", D.REGION,
                            *args], env=env, capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def root_cause(self, out):
        self.assertIn("\nRoot cause: ", out)
        return out[out.index("\nRoot cause: ") + 1:]

    def test_a_healthy_deploy_has_no_root_cause(self):
        self.setup_aws()
        self.deploy("fine", self.image_a)
        code, out, err = self.doctor("--deploy", "fine", "--json")
        self.assertEqual(code, 0, out + err)
        report = json.loads(out)
        self.assertIsNone(report["root_cause"])
        deploy_checks = [(c["id"], c["status"]) for c in report["checks"]][-8:]
        self.assertEqual(deploy_checks, [(i, "pass") for i in (
            "deploy-cluster", "deploy-service", "execution-role", "infrastructure-role", "pass-role", "image-pull",
            "health-check", "rollout")])
        self.assertEqual(report["checks"][-2]["summary"], "port 8080 and /ping match the app")

    def test_an_unhealthy_image_is_named_as_the_rollback_and_its_health_check(self):
        self.setup_aws()
        self.deploy("sick", self.image_a)
        self.deploy("sick", self.images.image(S.COMMIT_B, ping_status=503), wait=("ROLLBACK_SUCCESSFUL",))
        code, out, err = self.doctor("--deploy", "sick")
        self.assertEqual(code, 6, out + err)
        cause = self.root_cause(out)
        self.assertTrue(cause.startswith(
            "Root cause: Latest deployment: deployment failed and was rolled back (ROLLBACK_SUCCESSFUL): its tasks "
            "failed the load balancer's health check (GET /ping on port 8080)\n"), cause)
        self.assertIn("    rollback reason: Task failed ELB health checks in (target-group "
                      f"arn:aws:elasticloadbalancing:{D.REGION}:{D.ACCOUNT}:targetgroup/ecs-gateway-sick/"
                      "0123456789abcdef): GET /ping answered 503", cause)
        self.assertIn("    The image must answer 200 on GET /ping on the port in $PORT (8080). Try it locally:\n", cause)

    def test_denied_ecs_calls_are_could_not_check_never_an_all_clear(self):
        self.setup_aws()
        self.deploy("sick", self.image_a)
        self.deploy("sick", self.images.image(S.COMMIT_B, ping_status=503), wait=("ROLLBACK_SUCCESSFUL",))
        # The active configuration is the one rolled back to (port and path right): with the failed
        # revision unreadable, the health check must not be passed on it.
        self.ecs.set_faults(access_denied=["DescribeServiceDeployments", "DescribeServiceRevisions"])
        code, out, err = self.doctor("--deploy", "sick", "--json")
        self.assertEqual(code, 6, out + err)
        report = json.loads(out)
        checks = {c["id"]: c for c in report["checks"]}
        self.assertEqual(report["root_cause"], "rollout")
        self.assertEqual(checks["rollout"]["summary"].split(":")[0],
                         "deployment failed and was rolled back (ROLLBACK_SUCCESSFUL)")
        self.assertIn("its lifecycle stage and rollback reason are unknown: no ecs:DescribeServiceDeployments: "
                      "AccessDeniedException", checks["rollout"]["evidence"])
        for check in ("image-pull", "health-check"):
            self.assertEqual(checks[check]["status"], "cannot-run", checks[check])
            self.assertTrue(checks[check]["summary"].startswith("the latest deployment failed and its target revision "
                                                                f"arn:aws:ecs:{D.REGION}:{D.ACCOUNT}:service-revision/"),
                            checks[check]["summary"])
            self.assertTrue(checks[check]["summary"].endswith(
                " could not be read: no ecs:DescribeServiceRevisions: AccessDeniedException"), checks[check]["summary"])

        self.ecs.set_faults(access_denied="*")
        code, out, err = self.doctor("--deploy", "sick", "--json")
        self.assertEqual(code, 7, out + err)
        report = json.loads(out)
        self.assertIsNone(report["root_cause"])
        ecs_checks = [(c["id"], c["status"], c["summary"]) for c in report["checks"]
                      if c["id"] in ("deploy-cluster", "deploy-service", "rollout")]
        self.assertEqual(ecs_checks, [
            ("deploy-cluster", "cannot-run", "no ecs:DescribeClusters: AccessDeniedException"),
            ("deploy-service", "cannot-run", "no ecs:DescribeExpressGatewayService: AccessDeniedException"),
            ("rollout", "cannot-run", "no ecs:DescribeExpressGatewayService: AccessDeniedException")])
        self.assertNotIn("health-check", [c["id"] for c in report["checks"]])

    def test_a_port_the_app_does_not_listen_on_is_named(self):
        self.setup_aws()
        self.deploy("deaf", self.image_a)
        code, out, err = self.doctor("--deploy", "deaf", "--port", "9090")
        self.assertEqual(code, 6, out + err)
        self.assertTrue(self.root_cause(out).startswith(
            "Root cause: Container port and health check path: the service sends traffic to port 8080, but the app "
            "listens on 9090\n"), out)

    def test_a_role_trusting_the_wrong_principal(self):
        self.setup_aws(infra_trust="ecs-tasks.amazonaws.com")
        code, out, err = self.doctor("--deploy", "new-service")
        self.assertEqual(code, 6, out + err)
        cause = self.root_cause(out)
        self.assertTrue(cause.startswith(
            f"Root cause: Infrastructure role {INFRA}: role {INFRA} does not trust ecs.amazonaws.com: its trust "
            "policy admits Service ecs-tasks.amazonaws.com\n"), cause)
        self.assertIn(f"    aws iam update-assume-role-policy --role-name {INFRA} --policy-document "
                      "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                      "\"ecs.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'\n", cause)

    def test_a_missing_role_and_a_missing_cluster(self):
        self.setup_aws()
        self.iam.detach_role_policy(RoleName=EXEC, PolicyArn=MANAGED + "AmazonECSTaskExecutionRolePolicy")
        self.iam.delete_role(RoleName=EXEC)
        code, out, _ = self.doctor("--deploy", "new-service")
        self.assertEqual(code, 6)
        self.assertTrue(self.root_cause(out).startswith(
            f"Root cause: Execution role {EXEC}: role {EXEC} does not exist in account {D.ACCOUNT}\n"), out)
        code, out, _ = self.doctor("--deploy", "new-service", "--cluster", "prod")
        self.assertEqual(code, 6)
        self.assertTrue(self.root_cause(out).startswith(
            f"Root cause: ECS cluster prod: cluster prod does not exist in account {D.ACCOUNT}, region {D.REGION}: "
            "ECS answers ClusterNotFoundException\n"), out)

    def test_pass_role_denied_names_the_roles(self):
        self.setup_aws(pass_role=False)
        code, out, _ = self.doctor("--deploy", "new-service")
        self.assertEqual(code, 6)
        self.assertTrue(self.root_cause(out).startswith(
            f"Root cause: Workflow role may pass the ECS roles: the workflow role {D.ROLE_ARN} may not perform "
            f"iam:PassRole on {EXEC_ARN} and {INFRA_ARN}\n"), out)

    def test_an_execution_role_without_its_managed_policy_cannot_pull(self):
        self.setup_aws(exec_policy=False)
        self.deploy("pull", self.image_a)
        self.ecs.set_faults(pull_denied=True)
        self.deploy("pull", self.images.image(S.COMMIT_B), wait=("ROLLBACK_SUCCESSFUL",))
        code, out, _ = self.doctor("--deploy", "pull")
        self.assertEqual(code, 6)
        self.assertIn(f"Root cause: Execution role can pull the image: execution role {EXEC} may not pull ", out)
        self.assertIn(": its policies do not allow ecr:GetAuthorizationToken on *\n", out)

    def test_a_deleted_name_still_draining(self):
        self.setup_aws()
        arn = self.deploy("gone", self.image_a)
        self.ecs.set_faults(stall="DRAINING")
        self.boto().delete_express_gateway_service(serviceArn=arn)
        code, out, _ = self.doctor("--deploy", "gone")
        self.assertEqual(code, 6)
        self.assertTrue(self.root_cause(out).startswith(
            "Root cause: Express service gone: service gone was deleted and is still DRAINING: ECS refuses its name "
            "until it is INACTIVE (\"Unable to Start a service that is still Draining\")\n"), out)
        self.ecs.set_faults(stall=None)


if __name__ == "__main__":
    harness.main()
