"""`shipctl doctor` against moto_server (IAM, STS, ECR): one test per cause
of a failed keyless push, set up with boto3, asserting the exact diagnosis.

moto does not evaluate trust policies, so our evaluation is the source of
truth; the trust verdicts are checked against @cloud-copilot/iam-simulate
(tests/integration/iam/iam_oracle.js) as well.
"""

import datetime
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

import harness

ACCOUNT = "123456789012"  # moto's default account
REGION = "ap-northeast-1"
HOST = "token.actions.githubusercontent.com"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
ROLE = "GitHubActionsECRRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
REPO = "ecs-express-mode-api"
REPO_ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPO}"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
MAIN = "repo:octo-org/app:ref:refs/heads/main"
NODE_MODULES = os.path.join(harness.REPO, "node_modules")
ORACLE = os.path.join(harness.REPO, "tests", "integration", "iam", "iam_oracle.js")


def trust_policy(sub=MAIN, op="StringEquals"):
    condition = {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}
    condition.setdefault(op, {})[f"{HOST}:sub"] = sub
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]}


PUSH_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                   "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
     "Resource": REPO_ARN}]}


def utc(delta):
    t = datetime.datetime.now(datetime.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Doctor(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.boto3 = __import__("boto3")
        cls.shipctl = harness.binary("shipctl")
        cls.moto = harness.moto_server()
        cls.endpoint = cls.moto.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.moto.__exit__(None, None, None)

    def setUp(self):
        urllib.request.urlopen(urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST")).read()
        self.home = tempfile.mkdtemp(prefix="doctor-")
        self.addCleanup(shutil.rmtree, self.home, True)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AWS_", "ACTIONS_ID_TOKEN", "GITHUB_", "XDG_"))}
        self.env.update(HOME=self.home, XDG_STATE_HOME=os.path.join(self.home, "state"),
                        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                        AWS_ENDPOINT_URL=self.endpoint, AWS_EC2_METADATA_DISABLED="true")
        kw = dict(endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
        self.iam = self.boto3.client("iam", **kw)
        self.ecr = self.boto3.client("ecr", **kw)

    # --- setup -------------------------------------------------------------

    def setup_aws(self, provider=True, client_ids=("sts.amazonaws.com",), role=True, trust=None,
                  push_policy=True, repositories=(REPO,)):
        if provider:
            self.iam.create_open_id_connect_provider(Url=f"https://{HOST}", ClientIDList=list(client_ids))
        if role:
            self.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust or trust_policy()))
            if push_policy:
                self.iam.put_role_policy(RoleName=ROLE, PolicyName="ecr-push", PolicyDocument=json.dumps(PUSH_POLICY))
        for name in repositories:
            self.ecr.create_repository(repositoryName=name)

    def record_login(self, registry=REGISTRY, expires=datetime.timedelta(hours=11)):
        path = os.path.join(self.home, "state", "shipctl")
        os.makedirs(path)
        record = {"registry": registry, "obtained_at": utc(expires - datetime.timedelta(hours=12)),
                  "expires_at": utc(expires), "expiry_source": "assumed", "files": []}
        with open(os.path.join(path, "logins.json"), "w") as f:
            json.dump({"version": 1, "logins": [record]}, f)
        return record["expires_at"]

    def doctor(self, *args, env=None):
        run = subprocess.run([self.shipctl, "doctor", *args], env=env or self.env, capture_output=True, text=True,
                             timeout=60)
        return run.returncode, run.stdout, run.stderr

    def root_cause(self, out):
        return out[out.index("\nRoot cause: ") + 1:]

    # --- healthy -----------------------------------------------------------

    def test_healthy_setup_passes_every_check(self):
        self.setup_aws()
        expires = self.record_login()
        code, out, err = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(err, "")
        self.assertEqual(out,
                         " 1. ✔ AWS identity (sts:GetCallerIdentity): "
                         f"arn:aws:sts::{ACCOUNT}:user/moto\n"
                         f" 2. ✔ Role ARN: {ROLE_ARN} (role {ROLE} in the caller's account)\n"
                         f" 3. ✔ OIDC provider for {HOST}: {PROVIDER} lists client id \"sts.amazonaws.com\"\n"
                         f" 4. ✔ IAM role: {ROLE_ARN}\n"
                         f" 5. ✔ Trust policy admits the token: admits sub \"{MAIN}\"\n"
                         "       claims predicted for octo-org/app, event push, ref refs/heads/main: "
                         f"sub \"{MAIN}\", aud \"sts.amazonaws.com\"\n"
                         f" 6. ✔ Role may push to the repository: every push action is allowed on {REPO_ARN}\n"
                         f" 7. ✔ ECR repository: {REGISTRY}/{REPO}\n"
                         f" 8. ✔ Registry login (shipctl login): logged in to {REGISTRY} until {expires}\n"
                         "\nNo problem found.\n")
        self.assertEqual(code, 0)

    def test_json_lists_checks_and_a_null_root_cause(self):
        self.setup_aws()
        self.record_login()
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--json")
        doc = json.loads(out)
        self.assertEqual(code, 0)
        self.assertIsNone(doc["root_cause"])
        self.assertEqual([c["id"] for c in doc["checks"]],
                         ["aws-identity", "role-arn", "oidc-provider", "role", "trust-policy", "push-permissions",
                          "repository", "login"])
        self.assertEqual({c["status"] for c in doc["checks"]}, {"pass"})

    # --- AssumeRoleWithWebIdentity causes ------------------------------------

    def test_missing_provider(self):
        self.setup_aws(provider=False)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertIn(f" 3. ✘ OIDC provider for {HOST}: no IAM OIDC provider for {HOST} in account {ACCOUNT}\n", out)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: OIDC provider for {HOST}: no IAM OIDC provider for {HOST} in account {ACCOUNT}\n"
                         "  Evidence:\n    providers in the account: none\n"
                         "  Fix:\n    shipctl bootstrap --apply\n"
                         f"    or: aws iam create-open-id-connect-provider --url https://{HOST} "
                         "--client-id-list sts.amazonaws.com\n"
                         "\nNot checked after the root cause: role, trust-policy, push-permissions, repository, login\n")

    def test_provider_without_the_client_id(self):
        self.setup_aws(client_ids=("sigstore",))
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: OIDC provider for {HOST}: provider {PROVIDER} does not list the audience "
                         "\"sts.amazonaws.com\" as a client id\n"
                         "  Evidence:\n    client ids: \"sigstore\"\n"
                         "  Fix:\n    shipctl bootstrap --apply\n"
                         "    or: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn "
                         f"{PROVIDER} --client-id sts.amazonaws.com\n"
                         "\nNot checked after the root cause: role, trust-policy, push-permissions, repository, login\n")

    def test_missing_role(self):
        self.setup_aws(role=False)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: IAM role: role {ROLE} does not exist in account {ACCOUNT}\n"
                         f"  Evidence:\n    looked up {ROLE_ARN}\n"
                         f"  Fix:\n    shipctl bootstrap --apply --role-name {ROLE}\n"
                         f"    or: aws iam create-role --role-name {ROLE} "
                         "--assume-role-policy-document file://trust-policy.json\n"
                         "\nNot checked after the root cause: trust-policy, push-permissions, repository, login\n")

    def test_wildcard_under_string_equals(self):
        policy = trust_policy("repo:octo-org/app:*")
        self.setup_aws(trust=policy)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        cause = self.root_cause(out)
        self.assertTrue(cause.startswith(
            "Root cause: Trust policy admits the token: StringEquals treats \"*\" and \"?\" literally (the value "
            "would match under StringLike); use StringLike for wildcards\n"
            "  Evidence:\n"
            "    claims predicted for octo-org/app, event push, ref refs/heads/main: "
            f"sub \"{MAIN}\", aud \"sts.amazonaws.com\"\n"
            f"    StringEquals {HOST}:sub failed at $.Statement[0].Condition.StringEquals[\"{HOST}:sub\"]\n"
            "    expected: \"repo:octo-org/app:*\"\n"
            f"    actual:   \"{MAIN}\"\n"
            "  Fix:\n    Replace the role's trust policy (diff: - current, + corrected):\n"), cause)
        self.assertIn(f"    -           \"{HOST}:sub\": \"repo:octo-org/app:*\"\n"
                      f"    +           \"{HOST}:sub\": \"{MAIN}\"\n", cause)
        self.assertIn(f"    aws iam update-assume-role-policy --role-name {ROLE} "
                      "--policy-document file://trust-policy.json\n", cause)
        self.assertOracle(policy, MAIN, "ImplicitDeny")

    def test_wrong_case_of_owner(self):
        policy = trust_policy()
        self.setup_aws(trust=policy)
        code, out, _ = self.doctor("--github-repo", "Octo-Org/App")
        self.assertEqual(code, 6)
        self.assertIn(
            "\nRoot cause: Trust policy admits the token: case differs: condition values are compared "
            "case-sensitively, and GitHub spells the owner and repository as in the token\n", out)
        self.assertIn("    actual:   \"repo:Octo-Org/App:ref:refs/heads/main\"\n", out)
        self.assertOracle(policy, "repo:Octo-Org/App:ref:refs/heads/main", "ImplicitDeny")
        self.assertOracle(policy, MAIN, "Allow")

    def test_environment_job_from_a_token_file(self):
        self.setup_aws()
        sub = "repo:octo-org/app:environment:production"
        token = os.path.join(self.home, "id-token.jwt")
        with open(token, "w") as f:
            f.write(jwt({"iss": f"https://{HOST}", "sub": sub, "aud": "sts.amazonaws.com",
                         "repository": "octo-org/app", "environment": "production"}))
        code, out, _ = self.doctor("--token", token)
        self.assertEqual(code, 6)
        self.assertIn(
            "\nRoot cause: Trust policy admits the token: the job uses a GitHub environment, so its sub is "
            f"\"{sub}\" instead of the branch form; admit the environment's sub or drop the job's environment\n", out)
        self.assertIn(f"    claims the token in {token}: sub \"{sub}\", aud \"sts.amazonaws.com\"\n", out)
        self.assertIn(f"    +           \"{HOST}:sub\": \"{sub}\"\n", out)

    # --- ECR causes ------------------------------------------------------------

    def test_missing_push_permissions(self):
        self.setup_aws(push_policy=False)
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertIn(
            "\nRoot cause: Role may push to the repository: the role's policies do not allow "
            "ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, "
            "ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage\n"
            "  Evidence:\n    ecr:GetAuthorizationToken on *: ImplicitDeny\n", out)
        self.assertIn(f"    and run: aws iam put-role-policy --role-name {ROLE} --policy-name ecr-push "
                      "--policy-document file://ecr-push.json\n", out)

    def test_missing_repository_lists_the_region(self):
        self.setup_aws(repositories=("web", "worker"))
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: ECR repository: repository \"{REPO}\" does not exist in account {ACCOUNT}, "
                         f"region {REGION}\n"
                         f"  Evidence:\n    repositories in {REGION}: web, worker\n"
                         f"    only {REGION} was checked; pass --region if the repository is elsewhere\n"
                         f"  Fix:\n    shipctl bootstrap --apply --repository {REPO} --region {REGION}\n"
                         f"    or: aws ecr create-repository --repository-name {REPO} --region {REGION}\n"
                         "\nNot checked after the root cause: login\n")

    def test_full_uri_as_repository_name(self):
        self.setup_aws()
        uri = f"999999999999.dkr.ecr.us-east-1.amazonaws.com/{REPO}"
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--repository", uri)
        self.assertEqual(code, 6)
        self.assertEqual(self.root_cause(out),
                         f"Root cause: ECR repository: \"{uri}\" is a full image URI, not a repository name\n"
                         f"  Evidence:\n    registry account 999999999999, region us-east-1, repository {REPO}\n"
                         f"    the URI names account 999999999999, but the role is in account {ACCOUNT}\n"
                         f"    the URI names region us-east-1, but the region checked is {REGION}\n"
                         f"  Fix:\n    Give the name only: --repository {REPO} (in deploy.yml: ECR_REPOSITORY: {REPO})\n"
                         "\nNot checked after the root cause: login\n")

    def test_missing_login_is_fine_for_shipctl_push(self):
        self.setup_aws()
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 0, out)
        self.assertIn(f"Registry login (shipctl login): no login recorded for {REGISTRY}: not needed, shipctl push "
                      "gets an ECR token itself (docker push would need one: --push-tool docker checks for it)\n", out)

    def test_missing_login(self):
        self.setup_aws()
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--push-tool", "docker")
        self.assertEqual(code, 6)
        state = os.path.join(self.home, "state", "shipctl", "logins.json")
        self.assertEqual(self.root_cause(out),
                         f"Root cause: Registry login (shipctl login): no login recorded for {REGISTRY}: a push would "
                         "fail with \"no basic auth credentials\"\n"
                         f"  Evidence:\n    login record: {state}\n"
                         "    logins recorded for other registries: none\n"
                         f"  Fix:\n    shipctl login --region {REGION}\n")

    def test_expired_login(self):
        self.setup_aws()
        expired = self.record_login(expires=datetime.timedelta(hours=-1))
        code, out, _ = self.doctor("--github-repo", "octo-org/app")
        self.assertEqual(code, 6)
        self.assertIn(f"\nRoot cause: Registry login (shipctl login): the login to {REGISTRY} expired at {expired} "
                      "(ECR tokens last 12 hours): \"no basic auth credentials\"\n", out)

    def test_login_for_another_region(self):
        self.setup_aws()
        other = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
        self.record_login(registry=other)
        code, out, _ = self.doctor("--github-repo", "octo-org/app", "--push-tool", "docker")
        self.assertEqual(code, 6)
        self.assertIn(f"    logins recorded for other registries: {other}\n", out)

    # --- workflow and secret causes ---------------------------------------------

    def test_actions_job_without_id_token_permission(self):
        self.setup_aws()
        env = dict(self.env, GITHUB_ACTIONS="true")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertEqual(out,
                         " 1. ✘ GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: the workflow "
                         "lacks `permissions: id-token: write`\n"
                         "\nRoot cause: GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: the "
                         "workflow lacks `permissions: id-token: write`\n"
                         "  Evidence:\n    GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN "
                         "only for jobs with id-token: write\n"
                         "  Fix:\n    Add to the job (or the whole workflow) in .github/workflows/deploy.yml:\n"
                         "    permissions:\n      id-token: write\n      contents: read\n"
                         "\nNot checked after the root cause: aws-identity, role-arn, oidc-provider, role, "
                         "trust-policy, push-permissions, repository, login\n")

    def test_role_arn_secret_in_another_account(self):
        self.setup_aws()
        env = dict(self.env, AWS_ROLE_ARN=f"arn:aws:iam::999999999999:role/{ROLE}")
        code, out, _ = self.doctor(env=env)
        self.assertEqual(code, 6)
        self.assertIn(f" 2. ✘ Role ARN: AWS_ROLE_ARN points at account 999999999999, but the caller's account is "
                      f"{ACCOUNT}\n", out)
        self.assertIn(f"    gh secret set AWS_ROLE_ARN --body {ROLE_ARN}\n", out)

    def test_malformed_role_arn(self):
        code, out, _ = self.doctor("--role-arn", "GitHubActionsECRRole")
        self.assertEqual(code, 6)
        self.assertIn(" 2. ✘ Role ARN: --role-arn \"GitHubActionsECRRole\" is not a role ARN "
                      "(expected arn:aws:iam::<account-id>:role/<name>)\n", out)

    def test_trust_check_cannot_run_without_claims(self):
        self.setup_aws()
        self.record_login()
        code, out, _ = self.doctor()
        self.assertEqual(code, 7)
        self.assertIn(" 5. – Trust policy admits the token: no claims to evaluate: give --github-repo OWNER/REPO "
                      "(with --ref, --event, --environment) or --token FILE\n", out)
        self.assertTrue(out.endswith("\nNo root cause found, but some checks could not run.\n"), out)

    def test_bad_github_repo_is_one_line_and_exit_2(self):
        code, out, err = self.doctor("--github-repo", "octo-org")
        self.assertEqual((code, out), (2, ""))
        self.assertEqual(err, "shipctl: error: --github-repo: repository \"octo-org\" is not OWNER/REPO\n")

    # --- oracle ---------------------------------------------------------------

    def assertOracle(self, policy, sub, expected):
        node = harness.require_tool("node")
        if not os.path.isdir(os.path.join(NODE_MODULES, "@cloud-copilot", "iam-simulate")):
            message = f"npm @cloud-copilot/iam-simulate is not installed in {NODE_MODULES} (run npm ci)"
            if os.environ.get("CI") == "true":
                raise AssertionError(message)
            raise unittest.SkipTest(message)
        case = {"policy": policy, "principal": PROVIDER, "action": "sts:AssumeRoleWithWebIdentity",
                "resource": ROLE_ARN, "context": {f"{HOST}:sub": sub, f"{HOST}:aud": "sts.amazonaws.com"}}
        path = os.path.join(self.home, "case.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps(case) + "\n")
        env = dict(os.environ, NODE_PATH=NODE_MODULES)
        verdict = subprocess.run([node, ORACLE, path], env=env, capture_output=True, text=True, check=True,
                                 timeout=60).stdout.strip()
        self.assertEqual(verdict, expected)


def jwt(claims):
    """An unsigned-looking JWT: doctor reads claims only (AWS checks the signature)."""
    import base64

    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return part({"alg": "RS256", "kid": "k"}) + "." + part(claims) + "." + part({"sig": 1})


if __name__ == "__main__":
    harness.main()
