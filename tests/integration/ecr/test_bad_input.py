"""The bad-input list of issue 6, across the commands: an unknown region, a
malformed role ARN, a full image URI as the repository name, no git remote,
no `permissions: id-token: write` inside Actions, and expired credentials.
Each gives one line, `shipctl: error: ...`, and the exit code of its kind
(2 bad input, 77 denied or expired), and writes nothing.

AWS here is a recording fake that answers every call as AWS answers an
expired session token (moto never does): STS with the Query error
ExpiredToken (HTTP 403), ECR with the JSON error ExpiredTokenException
(HTTP 400), and AssumeRoleWithWebIdentity with ExpiredTokenException (the web
identity token expired). Bad input must be refused before any call: the fake
sees none; an expired token must be reported after one call, never retried."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from http.server import BaseHTTPRequestHandler

import ecr_support as es
import harness

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/GitHubActionsECRRole"
HOST = f"{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com"
EXPIRED = "The security token included in the request is expired"
REFRESH = ("the AWS credentials have expired: refresh them (in GitHub Actions, run shipctl credentials again or raise "
           "--duration; elsewhere renew the session, e.g. aws sso login, or export new keys) and retry")


class ExpiredAws(harness.HttpServer):
    """Answers every AWS call with the expired-token error of its protocol, and records the calls."""

    def __init__(self):
        calls = self.calls = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                target = self.headers.get("X-Amz-Target")
                calls.append(target or body.split("&", 1)[0])
                if target:  # AWS JSON 1.1 (ECR)
                    status, kind = 400, "application/x-amz-json-1.1"
                    answer = json.dumps({"__type": "ExpiredTokenException", "message": EXPIRED})
                else:  # AWS Query (STS)
                    web_identity = "Action=AssumeRoleWithWebIdentity" in body
                    status, kind = (400 if web_identity else 403), "text/xml"
                    code, message = (("ExpiredTokenException", "Token expired: current date/time 1764130000 must be "
                                      "before the expiration date/time 1764126400") if web_identity
                                     else ("ExpiredToken", EXPIRED))
                    answer = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender'
                              f'</Type><Code>{code}</Code><Message>{message}</Message></Error>'
                              f'<RequestId>req-{len(calls)}</RequestId></ErrorResponse>')
                data = answer.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("x-amzn-RequestId", f"req-{len(calls)}")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(Handler)


def write_empty_layout(root: str) -> str:
    """An OCI layout holding one image with a config and no layers, tagged t:
    push reads its source before any AWS call, so these cases need a real one."""
    import hashlib

    def blob(data: bytes) -> dict:
        digest = hashlib.sha256(data).hexdigest()
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        return {"digest": f"sha256:{digest}", "size": len(data)}

    config = blob(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
                                                                                  "diff_ids": []}}).encode())
    manifest = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                                "layers": []}).encode())
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [dict(manifest, mediaType="application/vnd.oci.image.manifest."
                                                                              "v1+json",
                                                          annotations={"org.opencontainers.image.ref.name": "t"})]},
                  f)
    return f"oci:{root}:t"


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = ExpiredAws()
        cls.work = tempfile.mkdtemp(prefix="eem-bad-input-")  # not inside a git checkout: no remote
        cls.token_file = os.path.join(cls.work, "token.jwt")
        with open(cls.token_file, "w") as f:
            f.write("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n")
        cls.layout = write_empty_layout(os.path.join(cls.work, "layout"))

    @classmethod
    def tearDownClass(cls):
        cls.aws.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.home = es.Home(tempfile.mkdtemp(dir=self.work))
        self.aws.calls.clear()

    def shipctl(self, *args, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "ACTIONS_", "GITHUB_", "SHIPCTL_", "REGISTRY_AUTH_FILE", "DOCKER_CONFIG",
                                    "XDG_"))}
        env.update(HOME=self.home.root, DOCKER_CONFIG=os.path.dirname(self.home.docker),
                   XDG_RUNTIME_DIR=os.path.join(self.home.root, "run"),
                   XDG_STATE_HOME=os.path.join(self.home.root, "state"), AWS_ENDPOINT_URL=self.aws.url,
                   AWS_ACCESS_KEY_ID="ASIAEXPIRED", AWS_SECRET_ACCESS_KEY="secret", AWS_SESSION_TOKEN="expired-session",
                   AWS_EC2_METADATA_DISABLED="true")
        env.update(extra)
        return subprocess.run([harness.binary("shipctl"), *args], env=env, capture_output=True, text=True,
                              timeout=60, cwd=self.work)

    def assert_one_line(self, r, code: int, message: str):
        self.assertEqual((r.returncode, r.stderr), (code, f"shipctl: error: {message}\n"))
        self.assertEqual(r.stdout, "")
        written = [os.path.join(d, f) for d, _, files in os.walk(self.home.root) for f in files]
        self.assertEqual(written, [], "nothing may be written on failure")

    def check(self, cases, code: int, calls: int):
        for args, extra, message in cases:
            with self.subTest(args=args):
                self.aws.calls.clear()
                self.assert_one_line(self.shipctl(*args, **extra), code, message)
                self.assertEqual(len(self.aws.calls), calls, self.aws.calls)

    def test_unknown_region_is_refused_before_any_call(self):
        region = 'unknown region "ap-northeast-l"; did you mean ap-northeast-1?'
        self.check([
            (["login", "--region", "ap-northeast-l"], {}, region),
            (["push", "oci:layout:t", "--repository", "app", "--region", "ap-northeast-l"], {}, region),
            (["verify", "--repository", "app", "--tag", "latest", "--region", "ap-northeast-l"], {}, region),
            (["credentials", "--role-arn", ROLE, "--web-identity-token-file", self.token_file, "--region",
              "ap-northeast-l"], {}, region),
            (["bootstrap", "--github-repo", "octo-org/app", "--region", "ap-northeast-l"], {}, region),
            (["login"], {"AWS_REGION": "mars-central-1"},
             'unknown region "mars-central-1"; see `aws ec2 describe-regions` for valid names'),
        ], 2, 0)

    def test_malformed_role_arn_is_refused_before_any_call(self):
        cases = []
        for arn in ("GitHubActionsECRRole", "arn:aws:iam::12345:role/GitHubActionsECRRole",
                    f"arn:aws:iam:{ACCOUNT}:role/GitHubActionsECRRole", f"arn:aws:iam::{ACCOUNT}:user/deploy"):
            message = f"invalid role ARN '{arn}' (expected arn:aws:iam::<account-id>:role/<name>)"
            cases.append((["credentials", "--role-arn", arn, "--web-identity-token-file", self.token_file], {}, message))
            cases.append((["credentials", "--web-identity-token-file", self.token_file], {"AWS_ROLE_ARN": arn}, message))
        self.check(cases, 2, 0)

    def test_empty_role_arn_names_the_secret_and_whitespace_is_trimmed(self):
        # `AWS_ROLE_ARN: ${{ secrets.AWS_ROLE_ARN }}` with the secret unset gives an empty value.
        empty = ("the AWS_ROLE_ARN secret is empty or not set for this repository/environment: add it in the "
                 "repository's (or the job environment's) Actions secrets, or pass --role-arn ARN")
        token = ["--web-identity-token-file", self.token_file]
        self.check([
            (["credentials", *token], {"AWS_ROLE_ARN": ""}, empty),
            (["credentials", *token], {}, empty),
            (["credentials", "--role-arn", "", *token], {}, empty),
            (["credentials", "--role-arn", "  ", *token], {}, empty),
        ], 2, 0)
        # Surrounding whitespace (a secret pasted with a newline) is not part of the ARN: it reaches STS.
        r = self.shipctl("credentials", *token, AWS_ROLE_ARN=f" {ROLE}\n")
        self.assertNotIn("invalid role ARN", r.stderr)
        self.assertGreater(len(self.aws.calls), 0, r.stderr)

    def test_usage_mistakes_are_one_line_naming_the_help(self):
        self.check([
            (["doctor", "--push-tool", "podman"], {},
             "--push-tool: expected shipctl or docker, not 'podman' (shipctl doctor --help)"),
            (["push"], {}, "SOURCE is required (shipctl push --help)"),
            (["verify", "--repository", "app", "--tag", "v1", "--no-such-flag"], {},
             "The following argument was not expected: --no-such-flag (shipctl verify --help)"),
        ], 2, 0)

    def test_every_commands_help_has_examples_and_its_own_exit_codes(self):
        def subcommands(*path):
            text = self.shipctl(*path, "--help").stdout
            listed = text.split("Subcommands:\n", 1)[1].split("\n\n", 1)[0] if "Subcommands:\n" in text else ""
            return [line.split()[0] for line in listed.splitlines() if line.startswith("  ")]

        commands = []
        for name in subcommands():
            nested = subcommands(name)
            commands += [[name, sub] for sub in nested] if nested else [[name]]
        self.assertGreaterEqual(len(commands), 19, commands)
        for command in commands:
            with self.subTest(command=" ".join(command)):
                r = self.shipctl(*command, "--help")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("\nExamples:\n", r.stdout)
                self.assertIn("shipctl " + " ".join(command), r.stdout.split("\nExamples:\n", 1)[1])
                self.assertRegex(r.stdout, r"\nExit codes:")
                # Its own exit codes, not shipctl's whole table (deploy's 10-14 are deploy's).
                if command != ["deploy"]:
                    self.assertNotIn("rollback failed (13)", r.stdout)
        self.assertEqual(self.aws.calls, [])

    def test_full_image_uri_as_repository_is_refused_before_any_call(self):
        fix = ("--repository takes the repository name, not the image URI: pass --repository ecs-express-mode-api "
               "(the registry comes from the account and region, the tag from --tag)")
        uri = f"{HOST}/ecs-express-mode-api"
        self.check([
            (["push", "oci:layout:t", "--repository", f"{uri}:latest"], {}, fix),
            (["push", "oci:layout:t", "--repository", f"https://{uri}"], {}, fix),
            (["verify", "--repository", uri, "--tag", "latest"], {}, fix),
            (["bootstrap", "--github-repo", "octo-org/app", "--repository", uri], {},
             f'--repository "{uri}" is a full image URI; pass only the repository name: '
             "--repository ecs-express-mode-api"),
        ], 2, 0)

    def test_missing_git_remote_is_refused_before_any_call(self):
        harness.require_tool("git")
        self.check([(["bootstrap"], {}, "no GitHub repository: `git remote get-url origin` found no remote here; "
                                        "pass --github-repo OWNER/REPO")], 2, 0)

    def test_missing_id_token_permission_inside_actions(self):
        permission = ("ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: the workflow job "
                      "needs `permissions: id-token: write` (GitHub provides an OIDC token only then)")
        actions = {"GITHUB_ACTIONS": "true", "GITHUB_ENV": os.path.join(self.work, "github_env")}
        self.check([
            (["credentials", "--role-arn", ROLE], actions, permission),  # neither variable: the job lacks it
            (["credentials", "--role-arn", ROLE], dict(actions, ACTIONS_ID_TOKEN_REQUEST_TOKEN="t"), permission),
        ], 2, 0)
        self.assertFalse(os.path.exists(actions["GITHUB_ENV"]))

    def test_expired_credentials_exit_77_after_one_call_saying_to_refresh(self):
        sts = f"STS GetCallerIdentity: ExpiredToken (HTTP 403): {EXPIRED} [request id req-1]; {REFRESH}"
        self.check([
            (["login"], {}, "getting ECR registry credentials: ECR GetAuthorizationToken: ExpiredTokenException "
                            f"(HTTP 400): {EXPIRED} [request id req-1]; {REFRESH}"),
            (["push", self.layout, "--repository", "app"], {}, f"finding the AWS account: {sts}"),
            (["verify", "--repository", "app", "--tag", "latest"], {},
             f"ECR DescribeRepositories: ExpiredTokenException (HTTP 400): {EXPIRED} [request id req-1]; {REFRESH}"),
            (["bootstrap", "--github-repo", "octo-org/app"], {}, f"finding the AWS account: {sts}"),
        ], 77, 1)

    def test_expired_web_identity_token_exits_77_saying_to_get_a_new_one(self):
        r = self.shipctl("credentials", "--role-arn", ROLE, "--web-identity-token-file", self.token_file)
        self.assert_one_line(r, 77, "STS AssumeRoleWithWebIdentity: ExpiredTokenException (HTTP 400): Token expired: "
                                    "current date/time 1764130000 must be before the expiration date/time 1764126400 "
                                    "[request id req-1]; the web identity token has expired: get a new one (in GitHub "
                                    "Actions, request it again in the job; with a token file, write a fresh token) "
                                    "and retry")
        self.assertEqual(self.aws.calls, ["Action=AssumeRoleWithWebIdentity"])


if __name__ == "__main__":
    harness.main()
