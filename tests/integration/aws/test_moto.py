"""AWS layer end to end against moto_server (IAM, STS, ECR) on loopback.

Runs tests/integration/aws/aws_sequence.cpp (the bootstrap-shaped sequence
through our clients) and `shipctl whoami` through the credential chain and
the SDKs' endpoint overrides.
"""

import json
import os
import subprocess
import tempfile
import unittest
from http.server import BaseHTTPRequestHandler

import harness


def clean_env(home: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ACTIONS_ID_TOKEN"))}
    env.update(HOME=home, AWS_EC2_METADATA_DISABLED="true")
    return env


def driver() -> str:
    path = os.path.join(harness.build_dir(), "tests", "integration", "aws", "aws_moto_sequence")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is not built")
    return path


class TokenServer(harness.HttpServer):
    """A GitHub-Actions-style ID token endpoint: checks the bearer, records the audience."""

    def __init__(self):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                seen.append({"path": self.path, "authorization": self.headers.get("Authorization")})
                if self.headers.get("Authorization") != "Bearer request-token":
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"value": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWYifQ.c2ln"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler, "/token?api-version=2.0")


class AwsAgainstMoto(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.TemporaryDirectory()
        self.addCleanup(self.home.cleanup)
        self.env = clean_env(self.home.name)

    def run_driver(self, env):
        done = subprocess.run([driver()], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)

    def test_bootstrap_sequence_with_static_keys_then_web_identity(self):
        with harness.moto_server() as endpoint:
            env = dict(self.env, AWS_ACCESS_KEY_ID="AKIDADMIN", AWS_SECRET_ACCESS_KEY="secret",
                       AWS_ENDPOINT_URL=endpoint)
            summary = self.run_driver(env)
        self.assertEqual(summary["provider"],
                         "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")
        self.assertEqual(summary["role_arn"], "arn:aws:iam::123456789012:role/github-deploy")
        self.assertTrue(summary["trust_policy_round_trips"])
        self.assertTrue(summary["policy_round_trips"])
        self.assertEqual(summary["repository_uri"],
                         "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api")
        self.assertEqual(summary["token_username"], "AWS")
        self.assertGreater(summary["token_password_length"], 0)
        self.assertEqual(summary["repositories_seen_by_role"], 1)
        self.assertIn(":assumed-role/github-deploy/GitHubActions", summary["assumed_identity"])

    def test_github_actions_oidc_source_fetches_token_with_audience(self):
        tokens = TokenServer()
        self.addCleanup(tokens.close)
        with harness.moto_server() as endpoint:
            env = dict(self.env, AWS_ACCESS_KEY_ID="AKIDADMIN", AWS_SECRET_ACCESS_KEY="secret",
                       AWS_ENDPOINT_URL=endpoint, ACTIONS_ID_TOKEN_REQUEST_URL=tokens.url,
                       ACTIONS_ID_TOKEN_REQUEST_TOKEN="request-token")
            summary = self.run_driver(env)
        self.assertIn(":assumed-role/github-deploy/GitHubActions", summary["assumed_identity"])
        self.assertEqual(tokens.seen[0]["path"], "/token?api-version=2.0&audience=sts.amazonaws.com")
        self.assertEqual(tokens.seen[0]["authorization"], "Bearer request-token")

    def test_whoami_prefers_the_service_specific_endpoint_variable(self):
        with harness.moto_server() as endpoint:
            env = dict(self.env, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="secret",
                       AWS_SESSION_TOKEN="session-token-value", AWS_REGION="ap-northeast-1",
                       AWS_ENDPOINT_URL="http://127.0.0.1:1", AWS_ENDPOINT_URL_STS=endpoint)
            done = subprocess.run([harness.binary("shipctl"), "--debug", "whoami", "--json"], env=env,
                                  capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        identity = json.loads(done.stdout)
        self.assertEqual(identity["account"], "123456789012")
        self.assertEqual(identity["credential_source"], "environment")
        self.assertEqual(identity["endpoint"], endpoint)
        # --debug traces the request with every secret redacted.
        self.assertIn("Action=GetCallerIdentity", done.stderr)
        self.assertIn("Authorization: <redacted>", done.stderr)
        self.assertNotIn("session-token-value", done.stderr)
        self.assertNotIn("Signature=", done.stderr)

    def test_whoami_through_a_web_identity_token_file_and_a_profile(self):
        token_file = os.path.join(self.home.name, "token")
        with open(token_file, "w") as f:
            f.write("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n")
        os.makedirs(os.path.join(self.home.name, ".aws"))
        with open(os.path.join(self.home.name, ".aws", "config"), "w") as f:
            f.write("[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
                    "source_profile = base\nrole_session_name = ops\n")
        with open(os.path.join(self.home.name, ".aws", "credentials"), "w") as f:
            f.write("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = secret\n")
        with harness.moto_server() as endpoint:
            env = dict(self.env, AWS_ENDPOINT_URL=endpoint, AWS_WEB_IDENTITY_TOKEN_FILE=token_file,
                       AWS_ROLE_ARN="arn:aws:iam::123456789012:role/ci", AWS_ROLE_SESSION_NAME="ci-run")
            by_token = subprocess.run([harness.binary("shipctl"), "whoami", "--json"], env=env,
                                      capture_output=True, text=True, timeout=60)
            del env["AWS_WEB_IDENTITY_TOKEN_FILE"], env["AWS_ROLE_ARN"]
            by_profile = subprocess.run([harness.binary("shipctl"), "whoami", "--json", "--profile", "deploy"],
                                        env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(by_token.returncode, 0, by_token.stderr)
        identity = json.loads(by_token.stdout)
        self.assertEqual(identity["credential_source"], "web identity token file")
        self.assertEqual(identity["arn"], "arn:aws:sts::123456789012:assumed-role/ci/ci-run")
        # No region anywhere: the default every command shares, the seed's region.
        self.assertEqual(identity["region"], "ap-northeast-1")
        self.assertEqual(by_profile.returncode, 0, by_profile.stderr)
        identity = json.loads(by_profile.stdout)
        self.assertEqual(identity["credential_source"], "profile deploy (assume role)")
        self.assertEqual(identity["arn"], "arn:aws:sts::123456789012:assumed-role/deployer/ops")

    def test_whoami_without_credentials_fails_with_exit_77(self):
        done = subprocess.run([harness.binary("shipctl"), "whoami"], env=self.env,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 77)
        self.assertTrue(done.stderr.startswith("shipctl: error: no AWS credentials found"), done.stderr)


if __name__ == "__main__":
    harness.main()
