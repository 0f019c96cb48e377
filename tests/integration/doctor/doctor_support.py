"""Shared by the doctor integration tests: a moto_server per test class, the
seed's AWS setup made with boto3 (provider, role, trust policy, push policy,
repository), a login record, and running `shipctl doctor`.

moto does not evaluate trust policies, so doctor's evaluation is the source of
truth; trust verdicts are checked against @cloud-copilot/iam-simulate
(tests/integration/iam/iam_oracle.js) as well.
"""

import base64
import datetime
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

import harness

ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "999999999999"
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


def trust_policy(sub=MAIN, op="StringEquals", aud="sts.amazonaws.com"):
    condition = {"StringEquals": {f"{HOST}:aud": aud}}
    condition.setdefault(op, {})[f"{HOST}:sub"] = sub
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]}


# What bootstrap writes, from the permission table (src/aws/permissions.h).
PUSH_POLICY = json.loads(subprocess.run(
    [harness.binary("shipctl"), "policy", "role", "--account", ACCOUNT, "--region", REGION, "--repository", REPO],
    capture_output=True, text=True, check=True, timeout=30).stdout)
# What shipctl wrote before issue 12: push only, so `shipctl verify` is refused.
OLD_PUSH_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                   "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                                   "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
     "Resource": REPO_ARN}]}


def utc(delta):
    t = datetime.datetime.now(datetime.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def jwt(claims):
    """An unsigned-looking JWT: doctor reads claims only (AWS checks the signature)."""
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return part({"alg": "RS256", "kid": "k"}) + "." + part(claims) + "." + part({"sig": 1})


def trust_fix(intro, removed, added):
    """doctor's fix for a trust policy made by trust_policy(): `intro`, the diff
    with the sub line(s) `removed` and `added` (JSON lines, indented as in the
    policy), then the command that applies exactly the corrected policy."""
    def lines(sign, texts):
        return "".join(f"    {sign} {t}\n" for t in texts)
    head = ("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n"
            "      \"Effect\": \"Allow\",\n      \"Principal\": {\n"
            f"        \"Federated\": \"{PROVIDER}\"\n      }},\n"
            "      \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n      \"Condition\": {\n"
            "        \"StringEquals\": {\n"
            f"          \"{HOST}:aud\": \"sts.amazonaws.com\",\n")
    tail = "        }\n      }\n    }\n  ]\n}\n"
    context = "".join(f"      {line}\n" for line in head.splitlines())
    closing = "".join(f"      {line}\n" for line in tail.splitlines())
    corrected = json.loads(head + "".join(line + "\n" for line in added) + tail)
    compact = json.dumps(corrected, separators=(",", ":"), ensure_ascii=False)
    return (f"  Fix:\n    {intro} the role's trust policy (diff: - current, + corrected):\n" + context +
            lines("-", removed) + lines("+", added) + closing +
            "    Apply exactly this policy:\n"
            f"    aws iam update-assume-role-policy --role-name {ROLE} --policy-document {shlex.quote(compact)}\n")


def sub_line(value, indent=10):
    """A "<host>:sub": value line of the policy JSON (`value` a string or a list)."""
    pad = " " * indent
    if isinstance(value, str):
        return [f'{pad}"{HOST}:sub": "{value}"']
    return ([f'{pad}"{HOST}:sub": ['] + [f'{pad}  "{v}"' + ("," if i < len(value) - 1 else "") for i, v in enumerate(value)]
            + [f"{pad}]"])


class DoctorCase(unittest.TestCase):
    """A moto_server for the class, reset before each test; boto3 clients on it."""

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
        self.iam = self.client("iam")
        self.ecr = self.client("ecr")

    def client(self, service, key="testing", secret="testing"):
        return self.boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=key,
                                 aws_secret_access_key=secret)

    # --- setup -------------------------------------------------------------

    def setup_aws(self, provider=True, client_ids=("sts.amazonaws.com",), role=True, trust=None,
                  push_policy=True, repositories=(REPO,)):
        """`push_policy`: True (the table's policy), False (none) or a policy document."""
        if provider:
            self.iam.create_open_id_connect_provider(Url=f"https://{HOST}", ClientIDList=list(client_ids))
        if role:
            self.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust or trust_policy()))
            if push_policy:
                document = PUSH_POLICY if push_policy is True else push_policy
                self.iam.put_role_policy(RoleName=ROLE, PolicyName="ecr-push", PolicyDocument=json.dumps(document))
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

    # --- oracle ---------------------------------------------------------------

    def assertOracle(self, policy, sub, expected, aud="sts.amazonaws.com"):
        node = harness.require_tool("node")
        if not os.path.isdir(os.path.join(NODE_MODULES, "@cloud-copilot", "iam-simulate")):
            message = f"npm @cloud-copilot/iam-simulate is not installed in {NODE_MODULES} (run npm ci)"
            if os.environ.get("CI") == "true":
                raise AssertionError(message)
            raise unittest.SkipTest(message)
        case = {"policy": policy, "principal": PROVIDER, "action": "sts:AssumeRoleWithWebIdentity",
                "resource": ROLE_ARN, "context": {f"{HOST}:sub": sub, f"{HOST}:aud": aud}}
        path = os.path.join(self.home, "case.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps(case) + "\n")
        env = dict(os.environ, NODE_PATH=NODE_MODULES)
        verdict = subprocess.run([node, ORACLE, path], env=env, capture_output=True, text=True, check=True,
                                 timeout=60).stdout.strip()
        self.assertEqual(verdict, expected)
