"""`shipctl bootstrap` end to end against moto_server (IAM, STS, ECR).

Plan on an empty account, apply, re-apply (no changes), drift repair, a
provider without the client id, a failure mid-apply completed by a re-run,
bad input, the git remote, and --set-secret against a fake GitHub API
(GitHub's API cannot run here) whose stored secret is opened with libsodium.
"""

import base64
import json
import os
import subprocess
import tempfile
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

import harness

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/GitHubActionsECRRole"
REPO_ARN = f"arn:aws:ecr:ap-northeast-1:{ACCOUNT}:repository/ecs-express-mode-api"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GH_COMMAND = f"gh secret set AWS_ROLE_ARN --repo octo-org/app --body {ROLE_ARN}"


def trust_policy(subject):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER_ARN},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": subject}},
        }],
    }


def serve(handler_class):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class DenyingEcrProxy:
    """Forwards ECR calls to moto, but denies CreateRepository as IAM would."""

    def __init__(self, moto):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("X-Amz-Target", "").endswith(".CreateRepository"):
                    status, payload = 400, json.dumps({
                        "__type": "AccessDeniedException",
                        "message": "User is not authorized to perform: ecr:CreateRepository"}).encode()
                else:
                    request = urllib.request.Request(moto + self.path, data=body, method="POST",
                                                     headers={k: v for k, v in self.headers.items()})
                    try:
                        with urllib.request.urlopen(request) as r:
                            status, payload = r.status, r.read()
                    except urllib.error.HTTPError as e:
                        status, payload = e.code, e.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


# GitHub's answer for a repository with immutable subjects by creation date
# (use_immutable_subject is the opt-in flag; the prefix is what tokens carry).
IMMUTABLE_ANSWER = (200, {"use_default": True, "use_immutable_subject": False,
                          "sub_claim_prefix": "repo:octo-org@9919/app@1296269"})
NO_TOKEN_WARNING = ("shipctl: warning: the OIDC subject format of octo-org/app is a guess: name form (no GITHUB_TOKEN to "
                    "ask GitHub); check it with `gh api repos/octo-org/app/actions/oidc/customization/sub` (its "
                    "sub_claim_prefix) and pass --subject-format name, immutable or both\n")


class FakeGitHub:
    """GitHub's REST endpoints bootstrap uses, answering as GitHub documents them."""

    def __init__(self, token, public_key, created_at, customization=IMMUTABLE_ANSWER):
        self.seen, self.stored = [], {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=None):
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def route(self, method):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                outer.seen.append((method, self.path))
                if self.headers.get("Authorization") != f"Bearer {token}":
                    return self.reply(401, {"message": "Bad credentials"})
                if (method, self.path) == ("GET", "/repos/octo-org/app"):
                    return self.reply(200, {"id": 1296269, "full_name": "octo-org/app", "owner": {"id": 9919},
                                            "created_at": created_at})
                if (method, self.path) == ("GET", "/repos/octo-org/app/actions/oidc/customization/sub"):
                    return self.reply(*customization)
                if (method, self.path) == ("GET", "/repos/octo-org/app/actions/secrets/public-key"):
                    return self.reply(200, {"key_id": "568250167242549743", "key": public_key})
                if method == "PUT" and self.path.startswith("/repos/octo-org/app/actions/secrets/"):
                    outer.stored[self.path.rsplit("/", 1)[1]] = json.loads(body)
                    return self.reply(201, {})
                return self.reply(404, {"message": "Not Found"})

            def do_GET(self):  # noqa: N802
                self.route("GET")

            def do_PUT(self):  # noqa: N802
                self.route("PUT")

        self.server = serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def seal_helper(*args):
    path = os.path.join(harness.build_dir(), "tests", "integration", "bootstrap", "bootstrap_seal_open")
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout


class BootstrapTest(harness.MotoTestCase):
    def setUp(self):
        super().setUp()  # a fresh account for every test
        self.home = tempfile.TemporaryDirectory()
        self.addCleanup(self.home.cleanup)
        kw = dict(endpoint_url=self.moto, region_name="ap-northeast-1",
                  aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
        self.iam = boto3.client("iam", **kw)
        self.ecr = boto3.client("ecr", **kw)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
        env.update(HOME=self.home.name, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
                   AWS_ENDPOINT_URL=self.moto, AWS_EC2_METADATA_DISABLED="true")
        env.update(extra)
        return env

    def bootstrap(self, *args, cwd=None, **env):
        return subprocess.run([harness.binary("shipctl"), "bootstrap", *args], capture_output=True, text=True,
                              timeout=60, env=self.env(**env), cwd=cwd or self.home.name, stdin=subprocess.DEVNULL)

    def assert_applied_state(self, subject="repo:octo-org/app:ref:refs/heads/main"):
        provider = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=PROVIDER_ARN)
        self.assertIn("sts.amazonaws.com", provider["ClientIDList"])
        role = self.iam.get_role(RoleName="GitHubActionsECRRole")["Role"]
        self.assertEqual(role["AssumeRolePolicyDocument"], trust_policy(subject))
        inline = self.iam.get_role_policy(RoleName="GitHubActionsECRRole", PolicyName="ShipctlEcrPush")["PolicyDocument"]
        self.assertEqual(inline["Statement"][1]["Resource"], REPO_ARN)
        self.assertEqual(inline["Statement"][0], {"Sid": "GetAuthorizationToken", "Effect": "Allow",
                                                  "Action": "ecr:GetAuthorizationToken", "Resource": "*"})
        repo = self.ecr.describe_repositories(repositoryNames=["ecs-express-mode-api"])["repositories"][0]
        self.assertEqual(repo["imageTagMutability"], "IMMUTABLE_WITH_EXCLUSION")
        self.assertEqual(repo["imageTagMutabilityExclusionFilters"], [{"filterType": "WILDCARD", "filter": "latest"}])
        self.assertTrue(repo["imageScanningConfiguration"]["scanOnPush"])
        rules = json.loads(self.ecr.get_lifecycle_policy(repositoryName="ecs-express-mode-api")["lifecyclePolicyText"])["rules"]
        self.assertEqual(rules[0]["selection"]["tagStatus"], "untagged")
        self.assertEqual(self.ecr.get_registry_scanning_configuration()["scanningConfiguration"], {
            "scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [
                {"filter": "ecs-express-mode-api", "filterType": "WILDCARD"}]}]})

    def test_plan_on_an_empty_account_changes_nothing(self):
        r = self.bootstrap("--github-repo", "octo-org/app")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], f"Account {ACCOUNT}, region ap-northeast-1, GitHub repository octo-org/app")
        self.assertEqual(lines[1], "Subject format: name (no GITHUB_TOKEN to ask GitHub)")
        self.assertEqual(r.stderr, NO_TOKEN_WARNING)
        self.assertEqual(lines[2], "Plan: 6 changes")
        self.assertIn("  + create OIDC provider https://token.actions.githubusercontent.com (client id sts.amazonaws.com)", lines)
        self.assertIn("  + create role GitHubActionsECRRole with trust policy", lines)
        self.assertIn(" " * 16 + '"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"', lines)
        self.assertIn("  + put inline policy ShipctlEcrPush on role GitHubActionsECRRole", lines)
        self.assertIn("  + create ECR repository ecs-express-mode-api (scan on push, tags IMMUTABLE_WITH_EXCLUSION except latest)", lines)
        self.assertIn("  + put lifecycle policy on ECR repository ecs-express-mode-api", lines)
        self.assertIn("  ~ scan on push for ECR repository ecs-express-mode-api, set in the registry's scanning "
                      "configuration (account-wide)", lines)
        self.assertEqual(lines[-1], "Nothing was changed. Run again with --apply to make these 6 changes.")
        self.assertEqual(self.iam.list_roles()["Roles"], [])
        self.assertEqual(self.ecr.describe_repositories()["repositories"], [])
        self.assertEqual(self.ecr.get_registry_scanning_configuration()["scanningConfiguration"],
                         {"scanType": "BASIC", "rules": []})

    def test_apply_then_reapply_reports_no_changes(self):
        r = self.bootstrap("--github-repo", "octo-org/app", "--apply")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("[1/6] create OIDC provider https://token.actions.githubusercontent.com (client id sts.amazonaws.com)\n", r.stderr)
        self.assertIn("[5/6] put lifecycle policy on ECR repository ecs-express-mode-api\n", r.stderr)
        self.assertIn("[6/6] scan on push for ECR repository ecs-express-mode-api, set in the registry's scanning "
                      "configuration (account-wide)\n", r.stderr)
        self.assertTrue(r.stdout.endswith(
            f"Applied 6 changes.\nRole ARN: {ROLE_ARN}\n"
            f"Repository: {ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api\n"
            f"Store the role ARN as the AWS_ROLE_ARN secret:\n  {GH_COMMAND}\n"), r.stdout)
        self.assert_applied_state()
        provider = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=PROVIDER_ARN)
        self.assertEqual((provider["ClientIDList"], provider["ThumbprintList"]), (["sts.amazonaws.com"], []))
        again = self.bootstrap("--github-repo", "octo-org/app", "--apply")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stderr, NO_TOKEN_WARNING)
        self.assertEqual(again.stdout.splitlines()[2:], [
            "No changes: the OIDC provider, role, policies and repository are as desired.",
            'Registry scanning: ecs-express-mode-api is already scanned on push (SCAN_ON_PUSH rule, filter '
            '"ecs-express-mode-api"); nothing to write.',
            f"Role ARN: {ROLE_ARN}",
            f"Repository: {ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api",
            "Store the role ARN as the AWS_ROLE_ARN secret:", f"  {GH_COMMAND}"])
        as_json = json.loads(self.bootstrap("--github-repo", "octo-org/app", "--json").stdout)
        self.assertEqual((as_json["outcome"], as_json["changes"], as_json["role_arn"]), ("no_changes", [], ROLE_ARN))
        self.assertEqual(as_json["registry_scanning"]["status"], "already_done")

    def test_drifted_trust_policy_is_shown_as_a_diff_and_repaired(self):
        self.assertEqual(self.bootstrap("--github-repo", "octo-org/app", "--apply").returncode, 0)
        self.iam.update_assume_role_policy(RoleName="GitHubActionsECRRole",
                                           PolicyDocument=json.dumps(trust_policy("repo:octo-org/app:ref:refs/heads/*")))
        r = self.bootstrap("--github-repo", "octo-org/app", "--apply")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[2:4], ["Plan: 1 change", "  ~ update trust policy of role GitHubActionsECRRole"])
        self.assertIn("      - " + " " * 10 + '"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/*"', lines)
        self.assertIn("      + " + " " * 10 + '"token.actions.githubusercontent.com:sub": "repo:octo-org/app:ref:refs/heads/main"', lines)
        self.assertIn("Applied 1 change.", lines)
        self.assert_applied_state()

    def planned_policy_change(self, change, *args):
        """The plan's lines, asserted to be one update of ShipctlEcrPush with `change` in its summary."""
        plan = self.bootstrap("--github-repo", "octo-org/app", *args)
        self.assertEqual(plan.returncode, 0, plan.stderr)
        lines = plan.stdout.splitlines()
        self.assertEqual(lines[2:4], ["Plan: 1 change",
                                      "  ~ put inline policy ShipctlEcrPush on role GitHubActionsECRRole" + change])
        return lines

    def test_an_older_inline_policy_gets_the_verify_actions_added(self):
        # issue 12: the policy shipctl wrote before verify existed; the workflow's Verify step was refused.
        self.assertEqual(self.bootstrap("--github-repo", "octo-org/app", "--apply").returncode, 0)
        old = {"Version": "2012-10-17", "Statement": [
            {"Sid": "GetAuthorizationToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Sid": "PushAndPullThisRepository", "Effect": "Allow",
             "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                        "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
             "Resource": REPO_ARN}]}
        self.iam.put_role_policy(RoleName="GitHubActionsECRRole", PolicyName="ShipctlEcrPush", PolicyDocument=json.dumps(old))
        lines = self.planned_policy_change(": adds ecr:DescribeRepositories (verify), ecr:DescribeImages (verify); "
                                           "removes ecr:GetDownloadUrlForLayer")
        diff = [line for line in lines if line.startswith(("      - ", "      + "))]
        self.assertEqual(diff, [
            "      - " + " " * 8 + '"ecr:GetDownloadUrlForLayer"',
            "      + " + " " * 8 + '"ecr:DescribeRepositories",',
            "      + " + " " * 8 + '"ecr:DescribeImages"',
            "      - " + " " * 6 + '"Sid": "PushAndPullThisRepository"',
            "      + " + " " * 6 + '"Sid": "PushAndVerifyThisRepository"'])
        self.assertEqual(self.iam.get_role_policy(RoleName="GitHubActionsECRRole", PolicyName="ShipctlEcrPush")
                         ["PolicyDocument"], old, "a plan changes nothing")
        applied = self.bootstrap("--github-repo", "octo-org/app", "--apply")
        self.assertEqual(applied.returncode, 0, applied.stderr)
        self.assertIn("Applied 1 change.", applied.stdout.splitlines())
        inline = self.iam.get_role_policy(RoleName="GitHubActionsECRRole", PolicyName="ShipctlEcrPush")["PolicyDocument"]
        self.assertEqual(inline["Statement"][1]["Action"][-2:], ["ecr:DescribeRepositories", "ecr:DescribeImages"])
        self.assertNotIn("ecr:GetDownloadUrlForLayer", inline["Statement"][1]["Action"])
        again = self.bootstrap("--github-repo", "octo-org/app", "--apply")
        self.assertEqual((again.returncode, again.stderr), (0, NO_TOKEN_WARNING))
        self.assertEqual(again.stdout.splitlines()[2],
                         "No changes: the OIDC provider, role, policies and repository are as desired.")

    def test_public_adds_what_policy_role_public_prints_and_a_run_without_it_keeps_it(self):
        self.assertEqual(self.bootstrap("--github-repo", "octo-org/app", "--apply").returncode, 0)
        lines = self.planned_policy_change(": adds ecr-public:GetAuthorizationToken (login --public), "
                                           "sts:GetServiceBearerToken (login --public)", "--public")
        self.assertIn("      + " + " " * 6 + '"Sid": "LoginToEcrPublic"', lines)
        applied = self.bootstrap("--github-repo", "octo-org/app", "--public", "--apply")
        self.assertEqual(applied.returncode, 0, applied.stderr)
        self.assertIn("Applied 1 change.", applied.stdout.splitlines())
        printed = subprocess.run([harness.binary("shipctl"), "policy", "role", "--account", ACCOUNT, "--public"],
                                 capture_output=True, text=True, timeout=30, env=self.env())
        self.assertEqual(printed.returncode, 0, printed.stderr)
        inline = self.iam.get_role_policy(RoleName="GitHubActionsECRRole", PolicyName="ShipctlEcrPush")["PolicyDocument"]
        self.assertEqual(inline, json.loads(printed.stdout))
        self.assertEqual(inline["Statement"][-1], {
            "Sid": "LoginToEcrPublic", "Effect": "Allow",
            "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], "Resource": "*"})
        for args in (["--public"], []):  # no drift either way: a run without --public keeps the opt-in
            with self.subTest(args=args):
                again = self.bootstrap("--github-repo", "octo-org/app", "--apply", *args)
                self.assertEqual((again.returncode, again.stderr), (0, NO_TOKEN_WARNING))
                self.assertEqual(again.stdout.splitlines()[2],
                                 "No changes: the OIDC provider, role, policies and repository are as desired.")
        self.assertEqual(self.iam.get_role_policy(RoleName="GitHubActionsECRRole", PolicyName="ShipctlEcrPush")
                         ["PolicyDocument"], inline)

    def test_provider_without_the_client_id_gets_it_added(self):
        # moto 5.2 does not implement AddClientIDToOpenIDConnectProvider (it
        # answers HTTP 500, to boto3 as well), so only the plan is checked
        # here; the request itself equals botocore's (tests/unit/aws
        # request_cases.json, iam_add_client_id).
        self.iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                                 ClientIDList=["sigstore"], ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
        r = self.bootstrap("--github-repo", "octo-org/app", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["outcome"], "planned")
        self.assertEqual([c["action"] for c in out["changes"]],
                         ["add-client-id", "create-role", "put-inline-policy", "create-repository", "put-lifecycle-policy",
                          "put-registry-scanning-configuration"])
        provider = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=PROVIDER_ARN)
        self.assertEqual(provider["ClientIDList"], ["sigstore"])

    def test_failure_mid_apply_is_completed_by_a_rerun(self):
        proxy = DenyingEcrProxy(self.moto)
        self.addCleanup(proxy.server.shutdown)
        r = self.bootstrap("--github-repo", "octo-org/app", "--apply", AWS_ENDPOINT_URL_ECR=proxy.url)
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertEqual(r.stderr.splitlines()[-1],
                         "shipctl: error: step 4/6 (create ECR repository ecs-express-mode-api (scan on push, tags "
                         "IMMUTABLE_WITH_EXCLUSION except latest)): ECR CreateRepository: AccessDeniedException (HTTP 400): "
                         "User is not authorized to perform: ecr:CreateRepository; the steps before it are done: "
                         "run shipctl bootstrap again to finish")
        self.assertEqual(self.iam.get_role(RoleName="GitHubActionsECRRole")["Role"]["Arn"], ROLE_ARN)
        r = self.bootstrap("--github-repo", "octo-org/app", "--apply")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[2], "Plan: 3 changes")
        self.assert_applied_state()

    def test_bad_input_gets_one_line_and_exit_code_2(self):
        cases = [
            (["--region", "ap-northeast-l"], 'unknown region "ap-northeast-l"; did you mean ap-northeast-1?'),
            (["--repository", f"{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api"],
             f'--repository "{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api" is a full image URI; '
             "pass only the repository name: --repository ecs-express-mode-api"),
            (["--github-repo", "octo-org"], '--github-repo "octo-org" is not OWNER/REPO (e.g. octo-org/ecs-express-mode-api)'),
            (["--subject-format", "immutable"],
             "--subject-format immutable needs --owner-id and --repo-id (or GITHUB_TOKEN to look them up)"),
            (["--subject-format", "both", "--owner-id", "1"], "--owner-id and --repo-id go together"),
            (["--workflow", "deploy.sh"],
             '--workflow "deploy.sh" is not a workflow file: give .github/workflows/NAME.yml (GitHub runs only those)'),
            (["--public", "--managed-policy"], "--public adds a statement to the inline policy ShipctlEcrPush, which "
             "--managed-policy replaces: drop one of the two"),
            (["--set-secret"], "--set-secret needs GITHUB_TOKEN (a token allowed to write the repository's Actions secrets)"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                r = self.bootstrap(*(["--github-repo", "octo-org/app"] if "--github-repo" not in args else []), *args)
                self.assertEqual((r.returncode, r.stderr), (2, f"shipctl: error: {message}\n"))
                self.assertEqual(r.stdout, "")

    def test_repository_comes_from_the_git_remote(self):
        git = harness.require_tool("git")
        r = self.bootstrap()
        self.assertEqual((r.returncode, r.stderr), (2, "shipctl: error: no GitHub repository: `git remote get-url origin` "
                                                       "found no remote here; pass --github-repo OWNER/REPO\n"))
        subprocess.run([git, "init", "-q", self.home.name], check=True)
        subprocess.run([git, "-C", self.home.name, "remote", "add", "origin", "git@github.com:octo-org/from-remote.git"], check=True)
        r = self.bootstrap()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], f"Account {ACCOUNT}, region ap-northeast-1, GitHub repository octo-org/from-remote")

    def test_a_terminal_is_asked_before_applying(self):
        import pty
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        proc = subprocess.Popen([harness.binary("shipctl"), "bootstrap", "--github-repo", "octo-org/app"],
                                stdin=slave, stderr=slave, stdout=subprocess.PIPE, text=True, env=self.env(),
                                cwd=self.home.name)
        os.close(slave)
        seen = b""
        while b"[y/N] " not in seen:
            chunk = os.read(master, 1024)
            self.assertTrue(chunk, seen)
            seen += chunk
        self.assertTrue(seen.endswith(b"Apply these 6 changes? [y/N] "), seen)
        os.write(master, b"y\n")
        out, _ = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0)
        self.assertIn("Applied 6 changes.", out.splitlines())
        self.assert_applied_state()

    def test_set_secret_detects_the_subject_and_stores_a_sealed_role_arn(self):
        public_key, secret_key = seal_helper("keygen").split()
        github = FakeGitHub("test-token", public_key, "2026-08-01T09:00:00Z")
        self.addCleanup(github.server.shutdown)
        planned = self.bootstrap("--github-repo", "octo-org/app", "--set-secret",
                                 GITHUB_TOKEN="test-token", GITHUB_API_URL=github.url)
        self.assertEqual(planned.returncode, 0, planned.stderr)
        self.assertEqual(planned.stdout.splitlines()[-1], "The AWS_ROLE_ARN secret was not stored either.")
        self.assertEqual(github.stored, {})
        r = self.bootstrap("--github-repo", "octo-org/app", "--apply", "--set-secret",
                           GITHUB_TOKEN="test-token", GITHUB_API_URL=github.url)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[1], 'Subject format: immutable (GitHub\'s sub_claim_prefix "repo:octo-org@9919/app@1296269")')
        self.assertEqual(r.stderr.count("warning"), 0, r.stderr)
        self.assertEqual(lines[-1], "Stored the AWS_ROLE_ARN secret of octo-org/app.")
        self.assertNotIn("test-token", r.stdout + r.stderr)
        self.assert_applied_state("repo:octo-org@9919/app@1296269:ref:refs/heads/main")
        stored = github.stored["AWS_ROLE_ARN"]
        self.assertEqual(stored["key_id"], "568250167242549743")
        self.assertEqual(seal_helper("open", public_key, secret_key, stored["encrypted_value"]), ROLE_ARN)
        self.assertEqual(github.seen[-2:], [("GET", "/repos/octo-org/app/actions/secrets/public-key"),
                                            ("PUT", "/repos/octo-org/app/actions/secrets/AWS_ROLE_ARN")])
        wrong = self.bootstrap("--github-repo", "octo-org/app", "--set-secret", GITHUB_TOKEN="wrong", GITHUB_API_URL=github.url)
        self.assertEqual((wrong.returncode, wrong.stderr),
                         (77, "shipctl: error: detecting the OIDC subject format of octo-org/app: GitHub API GET "
                              "/repos/octo-org/app/actions/oidc/customization/sub: HTTP 401: Bad credentials\n"))

    def github(self, customization):
        github = FakeGitHub("test-token", "unused", "2026-08-01T09:00:00Z", customization)
        self.addCleanup(github.server.shutdown)
        return dict(GITHUB_TOKEN="test-token", GITHUB_API_URL=github.url)

    def planned_subjects(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        role = [c for c in json.loads(r.stdout)["changes"] if c["action"] == "create-role"][0]
        return role["document"]["Statement"][0]["Condition"]

    def test_a_refused_subject_template_is_a_loud_guess(self):
        # issue 15: a token that may read the repository but not its OIDC settings (HTTP 403)
        refused = (403, {"message": "Must have admin rights to Repository."})
        r = self.bootstrap("--github-repo", "octo-org/app", **self.github(refused))
        self.assertEqual(r.returncode, 0, r.stderr)
        reason = ("GitHub API GET /repos/octo-org/app/actions/oidc/customization/sub: HTTP 403: Must have admin rights to "
                  "Repository.; repository created 2026-08-01, on or after 2026-07-15")
        self.assertEqual(r.stdout.splitlines()[1], f"Subject format: immutable ({reason})")
        self.assertEqual(r.stderr, f"shipctl: warning: the OIDC subject format of octo-org/app is a guess: immutable form "
                                   f"({reason}); check it with `gh api repos/octo-org/app/actions/oidc/customization/sub` "
                                   "(its sub_claim_prefix) and pass --subject-format name, immutable or both\n")

    def test_both_forms_during_a_migration(self):
        r = self.bootstrap("--github-repo", "octo-org/app", "--subject-format", "both", "--json",
                           **self.github(IMMUTABLE_ANSWER))
        self.assertEqual(self.planned_subjects(r)["StringEquals"]["token.actions.githubusercontent.com:sub"],
                         ["repo:octo-org/app:ref:refs/heads/main", "repo:octo-org@9919/app@1296269:ref:refs/heads/main"])

    def test_a_customised_template_gives_githubs_subject(self):
        custom = (200, {"use_default": False, "include_claim_keys": ["repo", "context", "job_workflow_ref"],
                        "sub_claim_prefix": "repo:octo-org/app"})
        env = self.github(custom)
        r = self.bootstrap("--github-repo", "octo-org/app", **env)
        self.assertEqual((r.returncode, r.stderr),
                         (2, "shipctl: error: the repository's subject template includes job_workflow_ref: pass --workflow PATH\n"))
        r = self.bootstrap("--github-repo", "octo-org/app", "--workflow", "deploy.yml", "--json", **env)
        workflow = "octo-org/app/.github/workflows/deploy.yml@refs/heads/main"
        self.assertEqual(self.planned_subjects(r)["StringEquals"], {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:octo-org/app:ref:refs/heads/main:job_workflow_ref:{workflow}",
            "token.actions.githubusercontent.com:job_workflow_ref": workflow})

    def test_workflow_pins_the_role_in_the_plan_and_the_role(self):
        r = self.bootstrap("--github-repo", "octo-org/app", "--subject-format", "name", "--workflow",
                           ".github/workflows/deploy.yml", "--apply")
        self.assertEqual((r.returncode, r.stderr.count("warning")), (0, 0), r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[1:3], ["Subject format: name (--subject-format name)",
                                      "Workflow: only jobs of .github/workflows/deploy.yml (condition on "
                                      "token.actions.githubusercontent.com:job_workflow_ref)"])
        self.assertIn(" " * 16 + '"token.actions.githubusercontent.com:job_workflow_ref": '
                      '"octo-org/app/.github/workflows/deploy.yml@refs/heads/main",', lines)
        condition = self.iam.get_role(RoleName="GitHubActionsECRRole")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
        self.assertEqual(condition["StringEquals"]["token.actions.githubusercontent.com:job_workflow_ref"],
                         "octo-org/app/.github/workflows/deploy.yml@refs/heads/main")


if __name__ == "__main__":
    harness.main()
