"""actions-oidc-issuer over HTTP: discovery, JWKS, the token endpoint, tokens
checked by npm jose (independent) and by `shipctl oidc verify` (discovery),
key files, bad flags, and a clean stop on SIGTERM."""

import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

import harness
from issuer_support import get, issuer, mint

HERE = os.path.dirname(os.path.abspath(__file__))
UNAUTHORIZED = {
    "$id": "1", "innerException": None,
    "message": "TF400813: The user '' is not authorized to access this resource.",
    "typeName": "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, "
                "Microsoft.TeamFoundation.Framework.Server",
    "typeKey": "UnauthorizedRequestException", "errorCode": 0, "eventId": 3000,
}


def run_issuer(*args, env=None):
    return subprocess.run([harness.binary("actions-oidc-issuer"), *args], capture_output=True, text=True,
                          timeout=30, env=env)


class Issuer(unittest.TestCase):
    def test_jose_verifies_tokens_and_agrees_on_the_kid(self):
        node = harness.require_tool("node")
        with issuer("--repository", "octo-org/ecs-express-mode-api", "--environment", "production",
                    "--subject-format", "immutable", "--owner-id", "1001", "--repo-id", "2002",
                    "--sha", "a" * 40) as running:
            base = running.base
            before = int(time.time())
            token = mint(base)
            after = int(time.time())
            done = subprocess.run([node, os.path.join(HERE, "verify_with_jose.mjs"), base, token, "sts.amazonaws.com"],
                                  capture_output=True, text=True, timeout=60, cwd=harness.REPO)
        self.assertEqual(done.returncode, 0, done.stderr)
        out = json.loads(done.stdout)
        self.assertEqual(out["kids"], out["thumbprints"])
        self.assertEqual(out["header"], {"typ": "JWT", "alg": "RS256", "kid": out["kids"][0]})
        p = out["payload"]
        self.assertEqual(p["sub"], "repo:octo-org@1001/ecs-express-mode-api@2002:environment:production")
        self.assertEqual((p["iss"], p["aud"], p["environment"]), (base, "sts.amazonaws.com", "production"))
        self.assertEqual((p["repository_owner_id"], p["repository_id"], p["sha"]), ("1001", "2002", "a" * 40))
        self.assertEqual(p["exp"] - p["iat"], 300)
        self.assertLess(p["nbf"], p["iat"])
        self.assertTrue(before <= p["iat"] <= after, (before, p["iat"], after))

    def test_shipctl_verifies_through_the_discovery_document(self):
        with issuer() as running, tempfile.NamedTemporaryFile("w", suffix=".jwt") as f:
            base = running.base
            f.write(mint(base))
            f.flush()
            r = subprocess.run([harness.binary("shipctl"), "oidc", "verify", "--token", f.name, "--jwks",
                                base + "/.well-known/openid-configuration", "--issuer", base, "--audience",
                                "sts.amazonaws.com", "--json"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["github_subject"],
                         {"repository": "octo-org/octo-repo", "format": "name", "context": "branch", "value": "main"})

    def test_documents_and_refusals_over_http(self):
        with issuer("--issuer", "https://token.actions.githubusercontent.com") as running:
            base = running.base
            status, doc = get(base + "/.well-known/openid-configuration")
            self.assertEqual(status, 200)
            self.assertEqual(doc["issuer"], "https://token.actions.githubusercontent.com")
            self.assertEqual(doc["jwks_uri"], base + "/.well-known/jwks")
            status, jwks = get(doc["jwks_uri"])
            self.assertEqual((status, [k["kty"] for k in jwks["keys"]]), (200, ["RSA"]))
            self.assertEqual(get(base + "/token?audience=x"), (401, UNAUTHORIZED))
            self.assertEqual(get(base + "/token?audience=x", "not-the-request-token"), (401, UNAUTHORIZED))
            status, body = get(base + "/token?api-version=2.0", "request-token")
            self.assertEqual(status, 200)
            self.assertEqual(sorted(body), ["value"])
            self.assertEqual(running.stop(), 0)
            log = running.log()
        self.assertIn("GET /token 401", log)
        self.assertNotIn("request-token", log)
        self.assertNotIn(body["value"], log)

    def test_same_key_file_gives_the_same_kid(self):
        openssl = harness.require_tool("openssl")
        with tempfile.TemporaryDirectory() as tmp:
            key = os.path.join(tmp, "key.pem")
            subprocess.run([openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                           check=True, capture_output=True, timeout=60)
            kids = []
            for _ in range(2):
                with issuer("--key-file", key) as running:
                    kids.append(get(running.base + "/.well-known/jwks")[1]["keys"][0]["kid"])
            self.assertEqual(kids[0], kids[1])
            bad = os.path.join(tmp, "bad.pem")
            with open(bad, "w") as f:
                f.write("not a key\n")
            r = run_issuer("--request-token", "t", "--key-file", bad)
            self.assertEqual((r.returncode, r.stdout), (2, ""))
            self.assertEqual(r.stderr, f"actions-oidc-issuer: error: --key-file {bad}: not an unencrypted PEM private key\n")

    def test_bad_flags_give_one_line_and_exit_2(self):
        env = {k: v for k, v in os.environ.items() if k != "ACTIONS_ID_TOKEN_REQUEST_TOKEN"}
        cases = [
            ((), "--request-token (or ACTIONS_ID_TOKEN_REQUEST_TOKEN) is required: jobs present it as a bearer"),
            (("--request-token", "t", "--repository", "octo-org"), "--repository must be OWNER/REPO, not 'octo-org'"),
            (("--request-token", "t", "--ref", "main"), "--ref must be a full ref such as refs/heads/main, not 'main'"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                r = run_issuer(*args, env=env)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr, f"actions-oidc-issuer: error: {message}\n")
        r = run_issuer("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("ACTIONS_ID_TOKEN_REQUEST_URL=\"$BASE/token?api-version=2.0\"", r.stdout)

    def test_sigterm_stops_cleanly(self):
        with issuer() as running:
            mint(running.base)
            started = time.monotonic()
            running.proc.send_signal(signal.SIGTERM)
            self.assertEqual(running.proc.wait(timeout=10), 0)
            self.assertLess(time.monotonic() - started, 5)


if __name__ == "__main__":
    harness.main()
