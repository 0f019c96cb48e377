"""`shipctl bootstrap --deploy SERVICE` against moto_server (IAM, STS, ECR):
the ECS Express execution and infrastructure roles (trust, managed policy),
the second inline policy ShipctlExpressDeploy on the workflow role, plan then
apply then "No changes", drift repair, and that a run without --deploy
creates no ECS role and reads none (issue 14).
"""

import json
import subprocess
import unittest

import harness
from moto_account import MotoAccountTest

ACCOUNT = "123456789012"
ROLE = "GitHubActionsECRRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
EXEC_ARN = f"arn:aws:iam::{ACCOUNT}:role/ShipctlExpressExecutionRole"
INFRA_ARN = f"arn:aws:iam::{ACCOUNT}:role/ShipctlExpressInfrastructureRole"
SERVICE_ARN = f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}:service/default/web"
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
INFRA_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"


def service_trust(principal):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}]}


class BootstrapDeployTest(MotoAccountTest):
    def bootstrap(self, *args):
        return self.shipctl("bootstrap", "--github-repo", "octo-org/app", "--subject-format", "name", *args)

    def generated_policy(self, service="web", cluster="default"):
        r = subprocess.run([harness.binary("shipctl"), "policy", "role", "--account", ACCOUNT, "--deploy", service,
                            "--cluster", cluster], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def attached(self, role):
        return [p["PolicyArn"] for p in self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]

    def test_plan_lists_the_roles_and_the_deploy_policy_and_changes_nothing(self):
        r = self.bootstrap("--deploy", "web")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[2], "Plan: 11 changes")
        steps = [line for line in lines if line.startswith(("  + ", "  ~ "))]
        self.assertEqual(steps[6:], [
            "  + create role ShipctlExpressExecutionRole with trust policy",
            f"  + attach {EXEC_POLICY} to role ShipctlExpressExecutionRole",
            "  + create role ShipctlExpressInfrastructureRole with trust policy",
            f"  + attach {INFRA_POLICY} to role ShipctlExpressInfrastructureRole",
            f"  + put inline policy ShipctlExpressDeploy on role {ROLE} (shipctl deploy of service web)"])
        self.assertIn(' ' * 14 + '"Service": "ecs-tasks.amazonaws.com"', lines)
        self.assertIn(' ' * 14 + '"Service": "ecs.amazonaws.com"', lines)
        self.assertIn(' ' * 12 + f'"Resource": "{SERVICE_ARN}",', lines)
        self.assertEqual(lines[-1], "Nothing was changed. Run again with --apply to make these 11 changes.")
        self.assertEqual(self.iam.list_roles()["Roles"], [])
        plan = json.loads(self.bootstrap("--deploy", "web", "--json").stdout)
        self.assertEqual([c["action"] for c in plan["changes"]][6:], [
            "create-service-role", "attach-service-role-policy", "create-service-role", "attach-service-role-policy",
            "put-deploy-policy"])
        self.assertEqual(plan["changes"][-1]["document"], self.generated_policy())
        self.assertEqual(plan["deploy"], {"service": "web", "cluster": "default", "execution_role_arn": EXEC_ARN,
                                          "infrastructure_role_arn": INFRA_ARN, "policy_name": "ShipctlExpressDeploy"})

    def test_apply_creates_the_roles_and_policy_then_reapply_has_no_changes(self):
        r = self.bootstrap("--deploy", "web", "--apply")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("[11/11] put inline policy ShipctlExpressDeploy on role GitHubActionsECRRole "
                      "(shipctl deploy of service web)\n", r.stderr)
        self.assertIn(f"Execution role ARN: {EXEC_ARN}\nInfrastructure role ARN: {INFRA_ARN}\nDeploy with:\n"
                      f"  shipctl deploy --service web --image IMAGE@DIGEST --execution-role-arn {EXEC_ARN} "
                      f"--infrastructure-role-arn {INFRA_ARN}\n", r.stdout)
        execution = self.iam.get_role(RoleName="ShipctlExpressExecutionRole")["Role"]
        self.assertEqual(execution["AssumeRolePolicyDocument"], service_trust("ecs-tasks.amazonaws.com"))
        infrastructure = self.iam.get_role(RoleName="ShipctlExpressInfrastructureRole")["Role"]
        self.assertEqual(infrastructure["AssumeRolePolicyDocument"], service_trust("ecs.amazonaws.com"))
        self.assertEqual(self.attached("ShipctlExpressExecutionRole"), [EXEC_POLICY])
        self.assertEqual(self.attached("ShipctlExpressInfrastructureRole"), [INFRA_POLICY])
        self.assertEqual(sorted(self.iam.list_role_policies(RoleName=ROLE)["PolicyNames"]),
                         ["ShipctlEcrPush", "ShipctlExpressDeploy"])
        deploy = self.iam.get_role_policy(RoleName=ROLE, PolicyName="ShipctlExpressDeploy")["PolicyDocument"]
        self.assertEqual(deploy, self.generated_policy())
        again = self.bootstrap("--deploy", "web", "--apply")
        self.assertEqual((again.returncode, again.stderr), (0, ""))
        self.assertEqual(again.stdout.splitlines()[2],
                         "No changes: the OIDC provider, role, policies and repository are as desired.")
        self.assertIn(f"Execution role ARN: {EXEC_ARN}", again.stdout.splitlines())
        as_json = json.loads(self.bootstrap("--deploy", "web", "--json").stdout)
        self.assertEqual((as_json["outcome"], as_json["changes"]), ("no_changes", []))

    def test_the_ecr_only_run_is_unchanged_by_an_earlier_deploy_setup(self):
        self.assertEqual(self.bootstrap("--apply").returncode, 0)
        self.assertEqual([r["RoleName"] for r in self.iam.list_roles()["Roles"]], [ROLE], "no ECS role without --deploy")
        self.assertEqual(self.iam.list_role_policies(RoleName=ROLE)["PolicyNames"], ["ShipctlEcrPush"])
        self.assertEqual(self.bootstrap("--deploy", "web", "--apply").returncode, 0)
        # Without --deploy, bootstrap neither reads nor removes what --deploy made.
        r = self.bootstrap("--apply")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("No changes: the OIDC provider, role, policies and repository are as desired.", r.stdout)
        self.assertNotIn("Execution role", r.stdout)
        self.assertNotIn("deploy", json.loads(self.bootstrap("--json").stdout))

    def test_a_drifted_trust_and_a_detached_policy_are_repaired(self):
        self.assertEqual(self.bootstrap("--deploy", "web", "--apply").returncode, 0)
        self.iam.update_assume_role_policy(RoleName="ShipctlExpressExecutionRole",
                                           PolicyDocument=json.dumps(service_trust("ec2.amazonaws.com")))
        self.iam.detach_role_policy(RoleName="ShipctlExpressInfrastructureRole", PolicyArn=INFRA_POLICY)
        r = self.bootstrap("--deploy", "web", "--apply")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[2:4], ["Plan: 2 changes", "  ~ update trust policy of role ShipctlExpressExecutionRole"])
        self.assertIn("      - " + " " * 8 + '"Service": "ec2.amazonaws.com"', lines)
        self.assertIn("      + " + " " * 8 + '"Service": "ecs-tasks.amazonaws.com"', lines)
        self.assertIn(f"  + attach {INFRA_POLICY} to role ShipctlExpressInfrastructureRole", lines)
        self.assertEqual(self.iam.get_role(RoleName="ShipctlExpressExecutionRole")["Role"]["AssumeRolePolicyDocument"],
                         service_trust("ecs-tasks.amazonaws.com"))
        self.assertEqual(self.attached("ShipctlExpressInfrastructureRole"), [INFRA_POLICY])

    def test_another_service_updates_the_deploy_policy_with_its_arns(self):
        self.assertEqual(self.bootstrap("--deploy", "web", "--apply").returncode, 0)
        r = self.bootstrap("--deploy", "api", "--cluster", "prod", "--apply")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[2:4], [
            "Plan: 1 change",
            f"  ~ put inline policy ShipctlExpressDeploy on role {ROLE} (shipctl deploy of service api): adds "
            "ecs:DescribeExpressGatewayService (deploy), ecs:CreateExpressGatewayService (deploy), "
            "ecs:UpdateExpressGatewayService (deploy), ecs:ListServiceDeployments (deploy), "
            "ecs:DescribeServices (deploy), ecs:DescribeServiceDeployments (deploy), "
            "ecs:DescribeServiceRevisions (deploy), ecs:DescribeClusters (deploy); removes "
            "ecs:DescribeExpressGatewayService, ecs:CreateExpressGatewayService, ecs:UpdateExpressGatewayService, "
            "ecs:ListServiceDeployments, ecs:DescribeServices, ecs:DescribeServiceDeployments, "
            "ecs:DescribeServiceRevisions, ecs:DescribeClusters"])
        self.assertIn("      - " + " " * 6 + f'"Resource": "{SERVICE_ARN}",', lines)
        deploy = self.iam.get_role_policy(RoleName=ROLE, PolicyName="ShipctlExpressDeploy")["PolicyDocument"]
        self.assertEqual(deploy, self.generated_policy("api", "prod"))

    def test_bad_deploy_flags_are_refused_before_any_call(self):
        cases = [
            (["--deploy", "web/app"], '--deploy "web/app" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)'),
            (["--deploy", ""], '--deploy "" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)'),
            (["--deploy", "a" * 256], f'--deploy "{"a" * 256}" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)'),
            (["--deploy", "web", "--cluster", "a b"], '--cluster "a b" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)'),
            (["--cluster", "prod"], "--cluster, --execution-role-name and --infrastructure-role-name go with --deploy SERVICE"),
            (["--execution-role-name", "x"], "--cluster, --execution-role-name and --infrastructure-role-name go with --deploy SERVICE"),
            (["--deploy", "web", "--execution-role-name", "bad role"],
             '--execution-role-name "bad role" is not a valid IAM role name (1-64 characters of A-Z a-z 0-9 +=,.@_-)'),
            (["--deploy", "web", "--infrastructure-role-name", ROLE],
             "--role-name, --execution-role-name and --infrastructure-role-name must name three different roles"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                r = self.bootstrap(*args)
                self.assertEqual((r.returncode, r.stdout, r.stderr), (2, "", f"shipctl: error: {message}\n"))


if __name__ == "__main__":
    unittest.main()
