"""`shipctl audit --deploy SERVICE` against moto_server: the setup
`shipctl bootstrap --deploy` makes passes; a hand-broken one (iam:PassRole on
"*", ecs:* on every service, an execution role trusting EC2, a deleted
infrastructure role) is named finding by finding (issue 14).
"""

import json
import unittest

from moto_account import MotoAccountTest

ROLE = "GitHubActionsECRRole"
EXEC = "ShipctlExpressExecutionRole"
INFRA = "ShipctlExpressInfrastructureRole"
INFRA_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"


class AuditDeployTest(MotoAccountTest):
    def setUp(self):
        super().setUp()
        done = self.shipctl("bootstrap", "--github-repo", "octo-org/app", "--deploy", "web", "--apply")
        self.assertEqual(done.returncode, 0, done.stderr)

    def audit(self, *args):
        done = self.shipctl("audit", "--check", "role-permissions", "--check", "trust-policy", "--json", *args)
        self.assertIn(done.returncode, (0, 6), done.stderr)
        return done.returncode, json.loads(done.stdout)

    def test_the_bootstrapped_deploy_setup_passes(self):
        code, report = self.audit("--deploy", "web")
        self.assertEqual(code, 0, report)
        self.assertEqual([(c["check"], c["status"], c["subject"]) for c in report["checks"]], [
            ("role-permissions", "passed", f"role {ROLE}"),
            ("trust-policy", "passed", f"role {ROLE}, {EXEC}, {INFRA}")])

    def test_the_ecs_roles_are_audited_without_deploy_when_the_role_grants_ecs(self):
        self.iam.detach_role_policy(RoleName=INFRA, PolicyArn=INFRA_POLICY)
        self.iam.delete_role(RoleName=INFRA)
        code, report = self.audit()
        self.assertEqual(code, 0, "AUD060 is medium; --fail-on high")
        missing = [f for f in report["findings"] if f["id"] == "AUD060"]
        self.assertEqual(len(missing), 1, report["findings"])
        self.assertEqual((missing[0]["resource"], missing[0]["check"], missing[0]["severity"]),
                         (INFRA, "trust-policy", "medium"))
        self.assertEqual(missing[0]["fix"], "shipctl bootstrap --deploy SERVICE --apply creates it")

    def test_a_hand_broken_deploy_setup_is_named_finding_by_finding(self):
        self.iam.put_role_policy(RoleName=ROLE, PolicyName="ShipctlExpressDeploy", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}))
        self.iam.update_assume_role_policy(RoleName=EXEC, PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
        code, report = self.audit("--deploy", "web")
        self.assertEqual(code, 6)
        by_id = {f["id"]: f for f in report["findings"]}
        self.assertEqual(sorted(by_id), ["AUD003", "AUD007", "AUD008", "AUD061"])
        self.assertEqual(by_id["AUD007"]["evidence"],
                         ["inline policy ShipctlExpressDeploy: $.Statement[0]: ecs:* (every ECS action matching it)"])
        self.assertEqual(by_id["AUD007"]["severity"], "high")
        self.assertEqual(by_id["AUD008"]["evidence"], ["inline policy ShipctlExpressDeploy: $.Statement[1]: iam:PassRole on *"])
        self.assertEqual(by_id["AUD008"]["fix"],
                         "allow iam:PassRole only on the execution and infrastructure roles, towards ECS "
                         f"(ShipctlExpressDeploy): shipctl bootstrap --role-name {ROLE} --deploy web --apply")
        self.assertEqual((by_id["AUD061"]["resource"], by_id["AUD061"]["severity"]), (EXEC, "high"))
        self.assertEqual(by_id["AUD061"]["evidence"], [
            "trust policy $.Statement[0]: Service ec2.amazonaws.com",
            "trust policy: ecs-tasks.amazonaws.com is not admitted (it assumes the role)"])
        repaired = self.shipctl("bootstrap", "--github-repo", "octo-org/app", "--deploy", "web", "--apply")
        self.assertEqual(repaired.returncode, 0, repaired.stderr)
        self.assertEqual(self.audit("--deploy", "web")[0], 0)

    def test_bad_deploy_flags_are_refused_before_any_call(self):
        for args, message in [(["--deploy", ""], '--deploy "" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)'),
                              (["--cluster", "a/b"], '--cluster "a/b" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)'),
                              (["--infrastructure-role-name", "x" * 65], f'--infrastructure-role-name "{"x" * 65}" is not a '
                               'valid IAM role name (1-64 characters of A-Z a-z 0-9 +=,.@_-)')]:
            with self.subTest(args=args):
                done = self.shipctl("audit", *args)
                self.assertEqual((done.returncode, done.stdout, done.stderr), (2, "", f"shipctl: error: {message}\n"))

    def test_an_ecr_only_setup_is_not_asked_for_ecs_roles(self):
        self.iam.delete_role_policy(RoleName=ROLE, PolicyName="ShipctlExpressDeploy")
        code, report = self.audit()
        self.assertEqual(code, 0)
        self.assertEqual(report["checks"][1]["subject"], f"role {ROLE}")


if __name__ == "__main__":
    unittest.main()
