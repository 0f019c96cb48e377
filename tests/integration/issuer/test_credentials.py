"""`shipctl credentials` end to end: actions-oidc-issuer as the Actions token
endpoint, moto_server as STS; botocore as the credential_process oracle; a
recording fake STS only for the AccessDenied answer moto never gives."""

import json
import os
import stat
import subprocess
import tempfile
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler

import harness
from issuer_support import issuer, mint

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/GitHubActionsECRRole"
PERMISSION = ("ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: the workflow job needs "
              "`permissions: id-token: write` (GitHub provides an OIDC token only then)")


def shipctl(*args, env):
    return subprocess.run([harness.binary("shipctl"), "credentials", *args], capture_output=True, text=True,
                          timeout=60, env=env)


def read(path):
    with open(path) as f:
        return f.read()


def read_env_file(path):
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f)


ACCESS_DENIED = (403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
NO_KEY = (400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please "
                                       "reference AssumeRoleWithWebIdentity documentation for requirements")


class ScriptedSts(harness.HttpServer):
    """Answers STS calls with the queued errors (status, code, message), the last one for ever unless `upstream`
    (moto) takes the calls after the queue; records each request body."""

    def __init__(self, errors, upstream=None):
        calls = self.calls = []
        queue = list(errors)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                request = self.rfile.read(int(self.headers["Content-Length"]))
                calls.append(request.decode())
                if upstream and not queue:
                    forwarded = urllib.request.Request(upstream + "/", data=request, headers=dict(self.headers))
                    with urllib.request.urlopen(forwarded) as answer:
                        status, body = answer.status, answer.read()
                else:
                    status, code, message = queue.pop(0) if len(queue) > 1 or upstream else queue[0]
                    body = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender'
                            f'</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-1'
                            f'</RequestId></ErrorResponse>').encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)


class Credentials(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = harness.moto_server()
        cls.endpoint = cls.moto.__enter__()
        cls.issuer = issuer("--repository", "octo-org/ecs-express-mode-api")
        cls.base = cls.issuer.__enter__().base

    @classmethod
    def tearDownClass(cls):
        cls.issuer.__exit__(None, None, None)
        cls.moto.__exit__(None, None, None)

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.github_env = os.path.join(self.tmp, "github_env")
        self.github_output = os.path.join(self.tmp, "github_output")
        open(self.github_output, "w").close()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ACTIONS_", "GITHUB_"))}
        self.env = dict(base, HOME=self.tmp, AWS_EC2_METADATA_DISABLED="true", AWS_ENDPOINT_URL=self.endpoint,
                        GITHUB_ACTIONS="true", GITHUB_ENV=self.github_env, GITHUB_OUTPUT=self.github_output,
                        ACTIONS_ID_TOKEN_REQUEST_URL=self.base + "/token?api-version=2.0",
                        ACTIONS_ID_TOKEN_REQUEST_TOKEN="request-token")

    def assert_fails(self, r, code, message):
        self.assertEqual((r.returncode, r.stderr), (code, f"shipctl: error: {message}\n"))
        self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(self.github_env), "nothing may be written on failure")

    def test_in_actions_masks_then_writes_github_env_0600(self):
        r = shipctl("--role-arn", ROLE, "--allowed-account-ids", f"111111111111,{ACCOUNT}", env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        exported = read_env_file(self.github_env)
        secrets = [exported["AWS_ACCESS_KEY_ID"], exported["AWS_SECRET_ACCESS_KEY"], exported["AWS_SESSION_TOKEN"]]
        self.assertEqual(sorted(exported), ["AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
                                            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"])
        self.assertEqual((exported["AWS_REGION"], exported["AWS_DEFAULT_REGION"]), ("ap-northeast-1",) * 2)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[:3], [f"::add-mask::{s}" for s in secrets])
        rest = "\n".join(lines[3:]) + r.stderr
        for secret in [*secrets, "request-token"]:
            self.assertTrue(secret)
            self.assertNotIn(secret, rest)
        self.assertEqual(lines[3], f"Assumed arn:aws:sts::{ACCOUNT}:assumed-role/GitHubActionsECRRole/GitHubActions "
                                   f"(account {ACCOUNT}) with a token from GitHub Actions OIDC.")
        self.assertEqual(stat.S_IMODE(os.stat(self.github_env).st_mode), 0o600)
        self.assertEqual(read(self.github_output), f"aws-account-id={ACCOUNT}\n")
        # The exported credentials work: whoami with them sees the assumed role.
        who = subprocess.run([harness.binary("shipctl"), "whoami", "--json"], capture_output=True, text=True,
                             timeout=60, env=dict(self.env, **exported))
        self.assertEqual(who.returncode, 0, who.stderr)
        self.assertEqual(json.loads(who.stdout)["arn"],
                         f"arn:aws:sts::{ACCOUNT}:assumed-role/GitHubActionsECRRole/GitHubActions")

    def token_file(self):
        path = os.path.join(self.tmp, "token.jwt")
        with open(path, "w") as f:
            f.write(mint(self.base) + "\n")
        env = {k: v for k, v in self.env.items() if not k.startswith(("ACTIONS_", "GITHUB_"))}
        return path, env

    def test_env_format_prints_export_lines_from_a_token_file(self):
        path, env = self.token_file()
        r = shipctl("--role-arn", ROLE, "--web-identity-token-file", path, "--session-name", "laptop", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        names = [line.split("=", 1)[0] for line in r.stdout.splitlines()]
        self.assertEqual(names, ["export AWS_ACCESS_KEY_ID", "export AWS_SECRET_ACCESS_KEY", "export AWS_SESSION_TOKEN",
                                 "export AWS_REGION", "export AWS_DEFAULT_REGION"])
        self.assertTrue(r.stderr.startswith(f"shipctl: assumed arn:aws:sts::{ACCOUNT}:assumed-role/"
                                            "GitHubActionsECRRole/laptop (account 123456789012); credentials expire at "))
        self.assertNotIn(read(path).strip(), r.stdout + r.stderr)

    def test_botocore_accepts_the_credential_process_output(self):
        path, env = self.token_file()
        config = os.path.join(self.tmp, "config")
        with open(config, "w") as f:
            f.write(f"[profile ci]\ncredential_process = {harness.binary('shipctl')} credentials --role-arn {ROLE} "
                    f"--web-identity-token-file {path} --format credential-process\n")
        probe = ("import botocore.session, json; c = botocore.session.Session(profile='ci').get_credentials();"
                 "print(json.dumps([c.method, c.access_key is not None, c.token is not None]))")
        done = subprocess.run(["python3", "-c", probe], capture_output=True, text=True, timeout=60,
                              env=dict(env, AWS_CONFIG_FILE=config))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout), ["custom-process", True, True])

    def test_a_chained_role_is_written_as_a_profile_beside_the_others(self):
        path, env = self.token_file()
        aws = os.path.join(self.tmp, ".aws")
        os.makedirs(aws)
        with open(os.path.join(aws, "credentials"), "w") as f:
            f.write("[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = keep-me\n")
        with open(os.path.join(aws, "config"), "w") as f:
            f.write("# ours\n[profile other]\nregion = eu-west-1\n")
        deployer = "arn:aws:iam::210987654321:role/Deployer"
        r = shipctl("--role-arn", ROLE, "--web-identity-token-file", path, "--chain-role-arn", deployer,
                    "--profile", "prod", "--region", "eu-central-1", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        credentials, config = os.path.join(aws, "credentials"), os.path.join(aws, "config")
        self.assertTrue(r.stderr.startswith("shipctl: assumed arn:aws:sts::210987654321:assumed-role/Deployer/"
                                            f"GitHubActions (account 210987654321); wrote profile prod to {credentials} "
                                            f"and {config} (use --profile prod or AWS_PROFILE=prod); credentials "
                                            "expire at "), r.stderr)
        for file in (credentials, config):
            self.assertEqual(stat.S_IMODE(os.stat(file).st_mode), 0o600)
        self.assertTrue(read(config).startswith("# ours\n[profile other]\nregion = eu-west-1\n"))
        # botocore reads the profile, every other profile is still there, and no secret reached the terminal.
        probe = ("import botocore.session, json; s = botocore.session.Session(profile='prod'); "
                 "c = s.get_credentials(); o = botocore.session.Session(profile='other').get_credentials();"
                 "print(json.dumps([s.get_config_variable('region'), c.access_key, c.secret_key, c.token, o.secret_key]))")
        done = subprocess.run(["python3", "-c", probe], capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        region, key, secret, token, other = json.loads(done.stdout)
        self.assertEqual((region, other), ("eu-central-1", "keep-me"))
        for value in (key, secret, token):
            self.assertTrue(value)
            self.assertNotIn(value, r.stderr)
        # The profile holds the chained role's credentials.
        who = subprocess.run([harness.binary("shipctl"), "whoami", "--json", "--profile", "prod"], capture_output=True,
                             text=True, timeout=60, env=env)
        self.assertEqual(who.returncode, 0, who.stderr)
        self.assertEqual(json.loads(who.stdout)["arn"],
                         "arn:aws:sts::210987654321:assumed-role/Deployer/GitHubActions")

    def test_chaining_and_profile_mistakes_are_refused_before_any_request(self):
        path, env = self.token_file()
        base = ("--role-arn", ROLE, "--web-identity-token-file", path)
        cases = [
            (("--chain-role-arn", "arn:aws:iam::210987654321:user/x"), 2,
             "--chain-role-arn: invalid role ARN 'arn:aws:iam::210987654321:user/x' (expected arn:aws:iam::<account-id>:role/<name>)"),
            (("--chain-role-arn", "arn:aws:iam::210987654321:role/Deployer", "--duration", "7200"), 2,
             "--duration 7200 with --chain-role-arn: a chained role's session lasts at most 3600 s (IAM role "
             "chaining); give 3600 or less"),
            (("--profile", "two words"), 2, "--profile 'two words' is not a profile name: 1-64 letters, digits and . _ -"),
            (("--profile", "prod", "--json"), 2, "give --profile or --format/--json, not both"),
        ]
        for args, code, message in cases:
            with self.subTest(args=args):
                r = shipctl(*base, *args, "--endpoint-url", "http://127.0.0.1:9", env=env)
                self.assertEqual((r.returncode, r.stderr, r.stdout), (code, f"shipctl: error: {message}\n", ""))
                self.assertFalse(os.path.exists(os.path.join(self.tmp, ".aws")))

    def test_missing_request_token_names_the_permission(self):
        del self.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
        self.assert_fails(shipctl("--role-arn", ROLE, env=self.env), 2, PERMISSION)

    def test_wrong_request_token_reports_the_401(self):
        self.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "stale-token"
        r = shipctl("--role-arn", ROLE, env=self.env)
        self.assert_fails(r, 77, "requesting the GitHub OIDC token: HTTP 401: the token endpoint refused "
                                 "ACTIONS_ID_TOKEN_REQUEST_TOKEN (it is valid only inside the job GitHub issued it to)")

    def test_bad_input_is_refused_before_any_request(self):
        cases = [
            (("--role-arn", "arn:aws:iam::123456789012:user/deploy"), 2,
             "invalid role ARN 'arn:aws:iam::123456789012:user/deploy' (expected arn:aws:iam::<account-id>:role/<name>)"),
            (("--role-arn", ROLE, "--allowed-account-ids", "12345"), 2,
             "invalid account id '12345' in --allowed-account-ids (expected 12 digits)"),
            (("--role-arn", ROLE, "--duration", "60"), 2,
             "invalid session duration 60 s: must be between 900 (15 minutes) and 43200 (12 hours)"),
            (("--role-arn", ROLE, "--format", "yaml"), 2, "unknown --format 'yaml'"),
        ]
        for args, code, message in cases:
            with self.subTest(args=args):
                self.assert_fails(shipctl(*args, env=self.env), code, message)
        no_env = {k: v for k, v in self.env.items() if k != "GITHUB_ENV"}
        self.assert_fails(shipctl("--role-arn", ROLE, "--format", "github", env=no_env), 2,
                          "--format github needs $GITHUB_ENV (GitHub Actions sets it in every job step); "
                          "elsewhere use --format env or credential-process")
        outside = {k: v for k, v in self.env.items() if not k.startswith(("ACTIONS_", "GITHUB_"))}
        self.assert_fails(shipctl("--role-arn", ROLE, env=outside), 2,
                          "no web identity token: outside GitHub Actions pass --web-identity-token-file FILE; "
                          "inside, the job needs `permissions: id-token: write`")

    def test_account_not_allowed_writes_nothing(self):
        r = shipctl("--role-arn", ROLE, "--allowed-account-ids", "111111111111, 222222222222", env=self.env)
        self.assert_fails(r, 77, f"the role's account {ACCOUNT} is not in --allowed-account-ids "
                                 "(111111111111, 222222222222); no credentials were written")
        self.assertEqual(read(self.github_output), "")

    def test_access_denied_is_reported_once_and_never_retried(self):
        sts = ScriptedSts([ACCESS_DENIED])
        self.addCleanup(sts.close)
        r = shipctl("--role-arn", ROLE, "--endpoint-url", sts.url, env=self.env)
        self.assert_fails(r, 77, "STS AssumeRoleWithWebIdentity: AccessDenied (HTTP 403): Not authorized to perform "
                                 f"sts:AssumeRoleWithWebIdentity [request id req-1] (no retry; `shipctl doctor "
                                 f"--role-arn {ROLE}` names the failing trust condition)")
        self.assertEqual(len(sts.calls), 1)
        self.assertIn("Action=AssumeRoleWithWebIdentity", sts.calls[0])

    def test_intermittent_identity_provider_failures_are_retried_with_a_token(self):
        # Known intermittent STS failures, not a denial: retried (with backoff), then moto answers.
        sts = ScriptedSts([NO_KEY, (400, "IDPCommunicationError", "The IDP could not be reached")],
                          upstream=self.endpoint)
        self.addCleanup(sts.close)
        r = shipctl("--role-arn", ROLE, "--endpoint-url", sts.url, env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        assumes = [c for c in sts.calls if "Action=AssumeRoleWithWebIdentity" in c]
        self.assertEqual(len(assumes), 3)
        self.assertTrue(all("WebIdentityToken=ey" in c for c in assumes))

    def test_persistent_identity_provider_failure_exits_75_saying_it_is_intermittent(self):
        sts = ScriptedSts([NO_KEY])
        self.addCleanup(sts.close)
        r = shipctl("--role-arn", ROLE, "--endpoint-url", sts.url, env=self.env)
        self.assert_fails(r, 75, f"STS AssumeRoleWithWebIdentity: InvalidIdentityToken (HTTP 400): {NO_KEY[2]} "
                                 "[request id req-1] (gave up after 5 attempts); STS could not reach the identity "
                                 "provider or its keys, an intermittent failure on AWS's side, not the trust policy: "
                                 "run the job again")
        self.assertEqual(len(sts.calls), 5)


if __name__ == "__main__":
    harness.main()
