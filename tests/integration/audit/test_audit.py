"""`shipctl audit` against moto_server (IAM, ECR, CloudTrail, S3 for the trail
bucket), with the scenarios set up through boto3, the official SDK:

- the seed's exact setup (ap-northeast-1): the seed's OIDC provider and trust
  policy, AmazonEC2ContainerRegistryPowerUser attached, the repository created
  with the service defaults (no scan on push, mutable tags), no trail, and the
  seed's deploy.yml (actions on @v4-style tags);
- a good setup (us-west-2): least-privilege inline policy, immutable tags with
  `latest` excluded, scan on push, a lifecycle policy, a logging trail, and a
  hardened deploy.yml;
- an auditor without cloudtrail:* (moto's IAM enforcement): that check says
  it could not run, the others still run.
"""

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import boto3

import harness
from github_oidc_support import SubjectCustomization

ACCOUNT = "123456789012"
SOURCE = os.environ.get("EEM_SOURCE_DIR", harness.REPO)
TESTDATA = os.path.join(SOURCE, "tests", "unit", "audit", "testdata")
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"

# The seed's trust policy (section 1.2) with the placeholders filled in.
SEED_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub":
                           "repo:octo-org/ecs-express-mode-api:ref:refs/heads/main"},
        },
    }],
}

GOOD_REGION = "us-west-2"
GOOD_REPO_ARN = f"arn:aws:ecr:{GOOD_REGION}:{ACCOUNT}:repository/good-repo"
LEAST_PRIVILEGE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                       "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
         "Resource": GOOD_REPO_ARN},
    ],
}
LIFECYCLE = {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                                          "countUnit": "days", "countNumber": 7},
                        "action": {"type": "expire"}}]}


def boto(service, endpoint, region="ap-northeast-1", key="AKIDADMIN", secret="secret"):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret)


def set_up_seed(endpoint):
    iam = boto("iam", endpoint)
    iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                       ClientIDList=["sts.amazonaws.com"],
                                       ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
    iam.create_role(RoleName="GitHubActionsECRRole", AssumeRolePolicyDocument=json.dumps(SEED_TRUST))
    iam.attach_role_policy(RoleName="GitHubActionsECRRole",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser")
    boto("ecr", endpoint).create_repository(repositoryName="ecs-express-mode-api")


def set_up_good(endpoint):
    iam = boto("iam", endpoint)
    iam.create_role(RoleName="GoodRole", AssumeRolePolicyDocument=json.dumps(SEED_TRUST))
    iam.put_role_policy(RoleName="GoodRole", PolicyName="ecr-push", PolicyDocument=json.dumps(LEAST_PRIVILEGE))
    ecr = boto("ecr", endpoint, GOOD_REGION)
    ecr.create_repository(repositoryName="good-repo", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})
    ecr.put_lifecycle_policy(repositoryName="good-repo", lifecyclePolicyText=json.dumps(LIFECYCLE))
    boto("s3", endpoint, GOOD_REGION).create_bucket(
        Bucket="trail-logs", CreateBucketConfiguration={"LocationConstraint": GOOD_REGION})
    trail = boto("cloudtrail", endpoint, GOOD_REGION)
    trail.create_trail(Name="management-events", S3BucketName="trail-logs")
    trail.start_logging(Name="management-events")


# The push policy of an older shipctl plus two actions no command needs.
WIDE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                   "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage",
                                   "ecr:GetDownloadUrlForLayer", "ecr:DeleteRepository", "ecr:TagResource"],
     "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]}


def set_up_wide(endpoint):
    iam = boto("iam", endpoint)
    iam.create_role(RoleName="WideRole", AssumeRolePolicyDocument=json.dumps(SEED_TRUST))
    iam.put_role_policy(RoleName="WideRole", PolicyName="ShipctlEcrPush", PolicyDocument=json.dumps(WIDE))


def auditor_keys(endpoint):
    """An IAM user allowed IAM and ECR reads but not CloudTrail."""
    iam = boto("iam", endpoint)
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="no-cloudtrail", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "ecr:Describe*", "ecr:Get*"],
                       "Resource": "*"}]}))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def moto_auth(endpoint, value):
    """moto's IAM enforcement: on after `value` more requests ("inf": off)."""
    harness.moto_post(endpoint, "/moto-api/reset-auth", value.encode())


def workflows(name):
    """A temporary .github/workflows with testdata/`name` as deploy.yml."""
    root = tempfile.mkdtemp()
    path = os.path.join(root, ".github", "workflows")
    os.makedirs(path)
    shutil.copy(os.path.join(TESTDATA, name), os.path.join(path, "deploy.yml"))
    return root, path


class Audit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # AWS managed policies exist only with this
        stack = contextlib.ExitStack()
        cls.addClassCleanup(stack.close)
        cls.endpoint = stack.enter_context(harness.moto_server())
        set_up_seed(cls.endpoint)
        set_up_good(cls.endpoint)
        set_up_wide(cls.endpoint)
        cls.auditor = auditor_keys(cls.endpoint)
        cls.home = tempfile.mkdtemp()
        cls.addClassCleanup(shutil.rmtree, cls.home)
        cls.seed_root, cls.seed_workflows = workflows("seed-deploy.yml")
        cls.good_root, cls.good_workflows = workflows("good-deploy.yml")
        for root in (cls.seed_root, cls.good_root):
            cls.addClassCleanup(shutil.rmtree, root)

    def shipctl(self, *args, cwd=None, keys=("AKIDADMIN", "secret"), extra_env=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ACTIONS_", "GITHUB_"))}
        env.update(HOME=self.home, AWS_ACCESS_KEY_ID=keys[0], AWS_SECRET_ACCESS_KEY=keys[1],
                   AWS_EC2_METADATA_DISABLED="true", **(extra_env or {}))
        return subprocess.run([harness.binary("shipctl"), "audit", *args], env=env, cwd=cwd,
                              capture_output=True, text=True, timeout=120)

    def seed_audit(self, *args, **kwargs):
        return self.shipctl("--endpoint-url", self.endpoint, "--workflows", self.seed_workflows, *args, **kwargs)

    def good_audit(self, *args, **kwargs):
        return self.shipctl("--endpoint-url", self.endpoint, "--region", GOOD_REGION, "--role-name", "GoodRole",
                            "--repository", "good-repo", "--workflows", self.good_workflows, *args, **kwargs)

    @staticmethod
    def ids_by_check(report):
        out = {}
        for check in report["checks"]:
            out[check["check"]] = (check["status"], check["findings"])
        return out

    def test_the_seeds_setup_is_flagged(self):
        done = self.seed_audit("--json")
        self.assertEqual(done.returncode, 6, done.stderr)
        report = json.loads(done.stdout)
        self.assertEqual(self.ids_by_check(report), {
            "role-permissions": ("findings", ["AUD002"]),
            "trust-policy": ("passed", []),
            "workflows": ("findings", ["AUD013", "AUD014"]),
            "repository": ("findings", ["AUD020", "AUD021", "AUD022"]),
            "cloudtrail": ("findings", ["AUD030"]),
            "coherence": ("passed", []),
        })
        self.assertEqual(report["summary"], {"critical": 0, "high": 2, "medium": 3, "low": 2})
        self.assertEqual((report["fail_on"], report["failed"], report["complete"]), ("high", True, True))
        self.assertEqual(report["scope"], {"region": "ap-northeast-1", "role": "GitHubActionsECRRole",
                                           "repository": "ecs-express-mode-api", "workflows": self.seed_workflows})
        power_user = report["findings"][0]
        self.assertEqual(power_user, {
            "id": "AUD002", "severity": "high", "check": "role-permissions", "resource": "GitHubActionsECRRole",
            "title": "a broad AWS managed policy is attached to the role",
            "evidence": ["attached: arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser (grants push and pull "
                         "on every repository of the account (Resource \"*\"), beyond the one repository the workflow "
                         "pushes to)"],
            "fix": "aws iam detach-role-policy --role-name GitHubActionsECRRole --policy-arn "
                   "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser; then replace it with an inline policy "
                   "allowing what the workflow calls (ecr:GetAuthorizationToken on \"*\" and "
                   "ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, "
                   "ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchGetImage, ecr:DescribeRepositories, "
                   "ecr:DescribeImages on arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api): "
                   "shipctl bootstrap --role-name GitHubActionsECRRole --apply"})
        unpinned = [f for f in report["findings"] if f["id"] == "AUD013"][0]
        self.assertEqual(unpinned["evidence"], [
            f"{self.seed_workflows}/deploy.yml:26: uses: aws-actions/configure-aws-credentials@v4",
            f"{self.seed_workflows}/deploy.yml:33: uses: aws-actions/amazon-ecr-login@v2",
            f"{self.seed_workflows}/deploy.yml:36: uses: docker/setup-buildx-action@v3"])

    def test_the_seeds_setup_as_text(self):
        done = self.seed_audit()
        self.assertEqual(done.returncode, 6, done.stderr)
        lines = done.stdout.splitlines()
        self.assertEqual(lines[0], "role-permissions: role GitHubActionsECRRole: 1 finding")
        self.assertEqual(lines[1], "  HIGH AUD002 GitHubActionsECRRole: a broad AWS managed policy is attached to the role")
        self.assertIn("trust-policy: role GitHubActionsECRRole: passed", lines)
        self.assertIn("cloudtrail: trails in ap-northeast-1: 1 finding", lines)
        self.assertIn("  MEDIUM AUD030 ap-northeast-1: no trail records management events in the region", lines)
        self.assertEqual(lines[-2:], ["7 findings: 0 critical, 2 high, 3 medium, 2 low",
                                      "audit failed: 2 findings at or above high (--fail-on high)"])
        self.assertEqual(done.stderr.splitlines(), [
            "auditing role GitHubActionsECRRole...",
            "shipctl: warning: the subject form of octo-org/ecs-express-mode-api is not known (no GITHUB_TOKEN to ask "
            "GitHub), so AUD023/AUD024 are not judged; set GITHUB_TOKEN or pass --subject-format",
            f"auditing workflows in {self.seed_workflows}...",
            "auditing ECR repository ecs-express-mode-api...", "auditing CloudTrail trails in ap-northeast-1...",
            "predicting the workflows' OIDC subjects against role GitHubActionsECRRole..."])

    def test_fail_on_sets_the_threshold(self):
        self.assertEqual(self.seed_audit("--fail-on", "critical").returncode, 0)
        self.assertEqual(self.seed_audit("--fail-on", "medium").returncode, 6)
        done = self.seed_audit("--fail-on", "urgent")
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr, 'shipctl: error: --fail-on: expected low, medium, high or critical, got "urgent"\n')
        self.assertEqual(done.stdout, "")

    def trust_findings(self, *args, role="GitHubActionsECRRole", env=None):
        done = self.shipctl("--endpoint-url", self.endpoint, "--role-name", role, "--check", "trust-policy", "--json",
                            *args, **({"extra_env": env} if env else {}))
        return done, [(f["id"], f["severity"], f["evidence"]) for f in json.loads(done.stdout)["findings"]]

    def github_answering(self, customization):
        """GitHub's repository OIDC customization endpoint, answering `customization` for any repository."""
        github = SubjectCustomization((200, customization))
        github.__enter__()
        self.addCleanup(github.__exit__, None, None, None)
        return github.env

    def test_subject_form_of_the_trust_policy_against_the_repositorys(self):
        # issue 15: AUD023, a name-only trust policy for a repository with immutable subjects, and AUD024, the reverse
        evidence = ("trust policy: [GHA010] $.Statement[0].Condition.StringLike[\"token.actions.githubusercontent.com:sub\"]: "
                    "sub \"repo:octo-org/ecs-express-mode-api:ref:refs/heads/main\" uses owner and repository names, but "
                    "the repository uses immutable subjects: it never matches")
        done, found = self.trust_findings("--subject-format", "immutable")
        self.assertEqual((done.returncode, done.stderr), (6, "auditing role GitHubActionsECRRole...\n"))
        self.assertEqual(found, [("AUD023", "high", [evidence])])
        self.assertEqual(self.trust_findings("--subject-format", "name")[1], [])
        self.assertEqual(self.trust_findings("--subject-format", "both")[1], [])
        github = self.github_answering({"use_default": True, "use_immutable_subject": False,
                                        "sub_claim_prefix": "repo:octo-org@9/ecs-express-mode-api@7"})
        self.assertEqual(self.trust_findings(env=github)[1], [("AUD023", "high", [evidence])])
        immutable = json.loads(json.dumps(SEED_TRUST))
        immutable["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] = \
            "repo:octo-org@9/ecs-express-mode-api@7:ref:refs/heads/main"
        boto("iam", self.endpoint).create_role(RoleName="ImmutableRole", AssumeRolePolicyDocument=json.dumps(immutable))
        named = self.github_answering({"use_default": True, "sub_claim_prefix": "repo:octo-org/ecs-express-mode-api"})
        self.assertEqual([f[:2] for f in self.trust_findings(role="ImmutableRole", env=named)[1]], [("AUD024", "high")])
        self.assertEqual(self.trust_findings("--subject-format", "immutable", role="ImmutableRole")[1], [])

    def test_a_good_setup_passes(self):
        done = self.good_audit("--json", "--fail-on", "low")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        report = json.loads(done.stdout)
        self.assertEqual(self.ids_by_check(report), {name: ("passed", []) for name in
                                                     ("role-permissions", "trust-policy", "workflows", "repository",
                                                      "cloudtrail", "coherence")})
        self.assertEqual(report["findings"], [])
        self.assertEqual((report["failed"], report["complete"]), (False, True))

    def test_actions_beyond_the_table_are_reported_by_severity(self):
        done = self.shipctl("--endpoint-url", self.endpoint, "--role-name", "WideRole", "--check", "role-permissions",
                            "--json")
        self.assertEqual(done.returncode, 6, done.stdout + done.stderr)
        report = json.loads(done.stdout)
        source = "inline policy ShipctlEcrPush: $.Statement[1]: "
        self.assertEqual([(f["id"], f["severity"], f["evidence"]) for f in report["findings"]], [
            ("AUD005", "high", [source + "ecr:DeleteRepository"]),
            ("AUD005", "medium", [source + "ecr:TagResource"]),
            ("AUD005", "low", [source + "ecr:GetDownloadUrlForLayer"])])
        self.assertEqual(report["findings"][0]["title"], "the role may call actions no workflow command needs")
        self.assertEqual(report["checks"][0], {"check": "role-permissions", "subject": "role WideRole",
                                               "status": "findings", "message": "",
                                               "findings": ["AUD005", "AUD005", "AUD005"]})

    def test_the_trail_must_be_logging(self):
        trail = boto("cloudtrail", self.endpoint, GOOD_REGION)
        trail.stop_logging(Name="management-events")
        try:
            done = self.good_audit("--check", "cloudtrail", "--json")
        finally:
            trail.start_logging(Name="management-events")
        self.assertEqual(done.returncode, 0, done.stderr)  # AUD030 is medium; --fail-on high
        finding = json.loads(done.stdout)["findings"][0]
        self.assertEqual((finding["id"], finding["evidence"]), ("AUD030", ["trail management-events: logging is stopped"]))

    def test_workflows_only_needs_no_aws(self):
        done = self.shipctl("--check", "workflows", "--json", cwd=self.seed_root, keys=("", ""))
        self.assertEqual(done.returncode, 6, done.stderr)
        report = json.loads(done.stdout)
        self.assertEqual(self.ids_by_check(report), {"workflows": ("findings", ["AUD013", "AUD014"])})
        self.assertEqual(report["scope"]["workflows"], ".github/workflows")

    def test_missing_workflows_directory(self):
        done = self.shipctl("--check", "workflows", "--workflows", "/nonexistent/wf")
        self.assertEqual((done.returncode, done.stderr), (3, "shipctl: error: --workflows: no directory /nonexistent/wf\n"))
        done = self.shipctl("--check", "workflows", cwd=self.home)
        self.assertEqual(done.returncode, 7, done.stderr)
        self.assertEqual(done.stdout.splitlines()[0], "workflows: workflows in .github/workflows: could not run "
                         "(not_found): no directory .github/workflows (run in the repository, or pass --workflows DIR)")
        self.assertEqual(done.stdout.splitlines()[1:], ["0 findings: 0 critical, 0 high, 0 medium, 0 low; 1 check could not run",
                                                        "audit incomplete: nothing at or above high in the checks that ran"])

    def test_unknown_check_is_bad_input(self):
        done = self.shipctl("--check", "s3")
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stderr, 'shipctl: error: --check: unknown check "s3" (expected role-permissions, '
                                      'trust-policy, workflows, repository, cloudtrail or coherence)\n')

    def test_zz_a_check_without_permission_says_so_and_the_rest_runs(self):
        moto_auth(self.endpoint, "0")
        try:
            done = self.good_audit("--json", keys=self.auditor)
        finally:
            moto_auth(self.endpoint, "inf")
        self.assertEqual(done.returncode, 7, done.stdout + done.stderr)
        report = json.loads(done.stdout)
        checks = {c["check"]: c for c in report["checks"]}
        self.assertEqual({name: c["status"] for name, c in checks.items()}, {
            "role-permissions": "passed", "trust-policy": "passed", "workflows": "passed",
            "repository": "passed", "cloudtrail": "denied", "coherence": "passed"})
        # moto answers AccessDenied in XML on this JSON service, hence "unexpected response";
        # the request id is random.
        self.assertRegex(checks["cloudtrail"]["message"],
                         r"^CloudTrail DescribeTrails: error \(HTTP 403\): unexpected response \[request id \w+\]$")
        self.assertEqual((report["failed"], report["complete"]), (False, False))


if __name__ == "__main__":
    harness.main()
