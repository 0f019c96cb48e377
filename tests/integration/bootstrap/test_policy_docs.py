"""The policy the guides show is the one the permission table generates.

`shipctl policy role` prints the workflow role's policy from
src/aws/permissions.h (what bootstrap writes); every JSON block in README.md
and both deploy guides that grants ecr:GetAuthorizationToken must equal it,
with the guides' placeholder account, region and repository.
"""

import json
import os
import re
import subprocess
import unittest

import harness

DOCS = ("README.md", os.path.join("docs", "deploy-guide.md"), os.path.join("docs", "deploy-guide.ja.md"))
BLOCK = re.compile(r"```json\n(.*?)```", re.DOTALL)


def policy_blocks(path, marker="ecr:GetAuthorizationToken"):
    with open(os.path.join(harness.REPO, path), encoding="utf-8") as f:
        text = f.read()
    return [json.loads(b) for b in BLOCK.findall(text) if marker in b]


def shipctl(*args):
    r = subprocess.run([harness.binary("shipctl"), *args], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


class PolicyDocsTest(unittest.TestCase):
    def test_every_guide_shows_the_generated_policy(self):
        code, out, err = shipctl("policy", "role", "--account", "<AWS_ACCOUNT_ID>", "--region", "ap-northeast-1",
                                 "--repository", "ecs-express-mode-api")
        self.assertEqual(code, 0, err)
        generated = json.loads(out)
        for path in DOCS[1:]:
            with self.subTest(path=path):
                blocks = policy_blocks(path)
                self.assertEqual(len(blocks), 1, f"{path}: one policy block expected")
                self.assertEqual(blocks[0], generated)
        # README shows no policy document (it points to the guide); if one is added, it must match too.
        for block in policy_blocks(DOCS[0]):
            self.assertEqual(block, generated)

    def test_every_guide_shows_the_generated_deploy_policy(self):
        # ShipctlExpressDeploy (bootstrap --deploy), for the guides' service name and placeholder account.
        code, out, err = shipctl("policy", "role", "--account", "<AWS_ACCOUNT_ID>", "--region", "ap-northeast-1",
                                 "--deploy", "ecs-express-mode-api")
        self.assertEqual(code, 0, err)
        generated = json.loads(out)
        for path in DOCS[1:]:
            with self.subTest(path=path):
                blocks = policy_blocks(path, "ecs:CreateExpressGatewayService")
                self.assertEqual(len(blocks), 1, f"{path}: one deploy policy block expected")
                self.assertEqual(blocks[0], generated)

    def test_deploy_policy_json_names_the_policy_and_the_service(self):
        code, out, err = shipctl("policy", "role", "--account", "123456789012", "--region", "cn-north-1",
                                 "--deploy", "web", "--cluster", "prod", "--json")
        self.assertEqual(code, 0, err)
        doc = json.loads(out)
        arn = "arn:aws-cn:ecs:cn-north-1:123456789012:service/prod/web"
        self.assertEqual((doc["policy_name"], doc["service_arn"]), ("ShipctlExpressDeploy", arn))
        self.assertEqual(doc["policy"]["Statement"][-1]["Resource"], [
            "arn:aws-cn:iam::123456789012:role/ShipctlExpressExecutionRole",
            "arn:aws-cn:iam::123456789012:role/ShipctlExpressInfrastructureRole"])

    def test_role_policy_json_names_the_policy_and_the_repository(self):
        code, out, err = shipctl("policy", "role", "--account", "123456789012", "--region", "cn-north-1",
                                 "--repository", "app", "--json")
        self.assertEqual(code, 0, err)
        doc = json.loads(out)
        arn = "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app"
        self.assertEqual((doc["policy_name"], doc["repository_arn"]), ("ShipctlEcrPush", arn))
        self.assertEqual(doc["policy"]["Statement"][1]["Resource"], arn)

    def test_role_policy_public_adds_login_publics_statement_only_when_asked(self):
        plain = json.loads(shipctl("policy", "role", "--account", "123456789012", "--json")[1])["policy"]
        code, out, err = shipctl("policy", "role", "--account", "123456789012", "--public", "--json")
        self.assertEqual(code, 0, err)
        public = json.loads(out)["policy"]
        self.assertEqual(public["Statement"][:-1], plain["Statement"])
        self.assertEqual(public["Statement"][-1], {
            "Sid": "LoginToEcrPublic", "Effect": "Allow",
            "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], "Resource": "*"})
        self.assertNotIn("ecr-public", json.dumps(plain))
        self.assertEqual(shipctl("policy", "role", "--account", "123456789012", "--public", "--deploy", "web"),
                         (2, "", "shipctl: error: --public adds to ShipctlEcrPush, not to --deploy's "
                                 "ShipctlExpressDeploy: run policy role twice\n"))

    def test_bad_account_is_one_line_and_exit_code_2(self):
        code, out, err = shipctl("policy", "role", "--account", "1234")
        self.assertEqual((code, out), (2, ""))
        self.assertEqual(err, 'shipctl: error: --account "1234" is not a 12-digit AWS account id (or a <PLACEHOLDER>)\n')

    def test_empty_deploy_service_is_refused_not_taken_for_the_ecr_policy(self):
        for args, message in [(["--deploy", ""], '--deploy "" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)'),
                              (["--deploy", "web", "--cluster", ""],
                               '--cluster "" is not a valid ECS name (1-255 characters of A-Z a-z 0-9 _-)')]:
            with self.subTest(args=args):
                self.assertEqual(shipctl("policy", "role", "--account", "123456789012", *args),
                                 (2, "", f"shipctl: error: {message}\n"))

    def test_permissions_lists_each_command_action_and_resource(self):
        code, out, err = shipctl("policy", "permissions", "--json")
        self.assertEqual(code, 0, err)
        rows = json.loads(out)
        workflow = [(r["command"], r["action"], r["resource"]) for r in rows
                    if r["caller"] == "workflow" and r["granted_by"] == "identity-policy"]
        self.assertEqual(workflow, [
            ("login", "ecr:GetAuthorizationToken", "*"),
            ("login", "ecr-public:GetAuthorizationToken", "*"),
            ("login", "sts:GetServiceBearerToken", "*"),
            ("push", "ecr:GetAuthorizationToken", "*"),
            ("push", "ecr:BatchCheckLayerAvailability", "repository"),
            ("push", "ecr:InitiateLayerUpload", "repository"),
            ("push", "ecr:UploadLayerPart", "repository"),
            ("push", "ecr:CompleteLayerUpload", "repository"),
            ("push", "ecr:PutImage", "repository"),
            ("push", "ecr:BatchGetImage", "repository"),
            ("push", "ecr:DescribeRepositories", "repository"),
            ("verify", "ecr:DescribeRepositories", "repository"),
            ("verify", "ecr:DescribeImages", "repository"),
            ("deploy", "ecs:DescribeExpressGatewayService", "ecs-service"),
            ("deploy", "ecs:CreateExpressGatewayService", "ecs-service"),
            ("deploy", "ecs:UpdateExpressGatewayService", "ecs-service"),
            ("deploy", "ecs:ListServiceDeployments", "ecs-service"),
            ("deploy", "ecs:DescribeServiceDeployments", "ecs-service"),
            ("deploy", "ecs:DescribeServiceDeployments", "ecs-service-deployment"),
            ("deploy", "ecs:DescribeServiceRevisions", "ecs-service"),
            ("deploy", "ecs:DescribeServiceRevisions", "ecs-service-revision"),
            ("deploy", "ecs:DescribeServices", "ecs-service"),
            ("deploy", "ecs:DescribeClusters", "ecs-cluster"),
            ("deploy", "iam:PassRole", "execution-role"),
            ("deploy", "iam:PassRole", "infrastructure-role"),
        ])
        opt_in = [(r["command"], r["action"]) for r in rows if r["need"] == "opt-in"]
        self.assertEqual(opt_in, [("login", "ecr-public:GetAuthorizationToken"), ("login", "sts:GetServiceBearerToken")])
        trust = [(r["command"], r["action"]) for r in rows if r["granted_by"] == "trust-policy"]
        self.assertEqual(trust, [("credentials", "sts:AssumeRoleWithWebIdentity")])
        # bootstrap sets scan on push in the registry's (account-wide) configuration, whose
        # actions take no resource; the deprecated per-repository call is no longer made.
        scanning = [(r["action"], r["resource"]) for r in rows if r["command"] == "bootstrap" and "Scanning" in r["action"]]
        self.assertEqual(scanning, [("ecr:GetRegistryScanningConfiguration", "*"),
                                    ("ecr:PutRegistryScanningConfiguration", "*")])

    def test_permissions_as_text_is_one_padded_row_per_entry(self):
        code, out, err = shipctl("policy", "permissions")
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split("  ")[0], "COMMAND")
        self.assertEqual(lines[0].split(), ["COMMAND", "ACTION", "RESOURCE", "GRANTED", "BY", "CALLER", "NEED", "CALL"])
        self.assertIn("verify       ecr:DescribeImages                      repository              identity-policy  "
                      "workflow  required     ECR DescribeImages", lines)
        self.assertEqual(len(lines), 1 + len(json.loads(shipctl("policy", "permissions", "--json")[1])))


if __name__ == "__main__":
    unittest.main()
