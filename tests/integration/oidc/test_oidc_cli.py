"""`shipctl oidc verify|decode|subject` against tokens minted by npm jose."""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness
from github_oidc_support import SubjectCustomization

HERE = os.path.dirname(os.path.abspath(__file__))
ISSUER = "https://token.actions.githubusercontent.com"


def shipctl(*args, github=None):
    # No GITHUB_TOKEN: --subject-format auto must not reach the real GitHub from a test
    # (`github`: the GITHUB_TOKEN and GITHUB_API_URL of a stand-in).
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(github or {})
    return subprocess.run([harness.binary("shipctl"), *args], capture_output=True, text=True, timeout=60, env=env)


class OidcCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        node = harness.require_tool("node")
        cls.dir = tempfile.TemporaryDirectory()
        subprocess.run([node, os.path.join(HERE, "mint_tokens.mjs"), cls.dir.name, str(int(time.time()))],
                       check=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def verify(self, token, *extra, jwks=None):
        return shipctl("oidc", "verify", "--token", self.path(token + ".jwt"), "--jwks", jwks or self.path("jwks.json"),
                       "--issuer", ISSUER, "--audience", "sts.amazonaws.com", *extra)

    def test_verifies_rs256_es256_and_ps256_tokens(self):
        for token in ("valid", "es256", "ps256"):
            with self.subTest(token=token):
                r = self.verify(token, "--json")
                self.assertEqual(r.returncode, 0, r.stderr)
                out = json.loads(r.stdout)
                self.assertTrue(out["verified"])
                self.assertEqual(out["claims"]["sub"], "repo:octo/app:ref:refs/heads/main")
                self.assertEqual(out["github_subject"], {"repository": "octo/app", "format": "name",
                                                         "context": "branch", "value": "main"})
                with open(self.path(token + ".jwt")) as f:
                    self.assertNotIn(f.read().strip(), r.stdout + r.stderr)

    def test_rejections_have_exact_messages_and_exit_codes(self):
        cases = {
            "wrong_aud": (77, 'token audience ["https://github.com/octo"] does not include "sts.amazonaws.com"'),
            "unknown_kid": (3, f'no key with kid "k9" in JWKS from file {self.path("jwks.json")} (refreshed once)'),
            "wrong_key": (77, 'token signature (kid "k1"): signature does not verify'),
            "hs256": (2, 'token algorithm "HS256" is not accepted: HMAC tokens cannot be verified with the issuer\'s public keys'),
            "none": (2, 'token algorithm "none" is not accepted: unsigned tokens are never trusted'),
        }
        for token, (code, message) in cases.items():
            with self.subTest(token=token):
                r = self.verify(token)
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertEqual(r.stderr, f"shipctl: error: {message}\n")
                self.assertEqual(r.stdout, "")

    def test_far_future_dates_are_refused_naming_the_claim(self):
        # Issue 13, item 7: these gave "Token verified." (rc 0).
        rng = ", outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"
        cases = {"far_nbf": 'JWT claim "nbf" is 10000000000000000000' + rng,
                 "nbf_2p63": 'JWT claim "nbf" is 9223372036854776000' + rng,  # 2**63 as JSON.stringify writes it
                 "iat_2p64": 'JWT claim "iat" is 1.8446744073709552e+19' + rng}
        for token, message in cases.items():
            with self.subTest(token=token):
                r = self.verify(token)
                self.assertEqual((r.returncode, r.stdout, r.stderr), (2, "", f"shipctl: error: {message}\n"))

    def test_rsa_key_with_exponent_one_is_refused(self):
        # Issue 13, item 8: with e = 1 the forged token verified.
        jwks = self.path("jwks_e1.json")
        r = self.verify("forged_e1", jwks=jwks)
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertEqual(r.stderr, f'shipctl: error: reading JWKS from file {jwks}: JWKS key "k1": '
                                   'JWK RSA exponent 1 is refused: it must be odd and at least 3 (65537 in practice)\n')

    def test_expired_token_reports_kind_in_json(self):
        r = self.verify("expired", "--json")
        self.assertEqual(r.returncode, 77)
        out = json.loads(r.stdout)
        self.assertFalse(out["verified"])
        self.assertEqual(out["error"]["kind"], "expired")
        self.assertTrue(out["error"]["message"].startswith("token expired at "), out)

    def test_fetches_jwks_through_discovery_on_loopback(self):
        with open(self.path("jwks.json"), "rb") as f:
            jwks = f.read()
        hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                hits.append(self.path)
                base = f"http://127.0.0.1:{self.server.server_port}"
                body = {"/.well-known/openid-configuration": json.dumps({"issuer": ISSUER, "jwks_uri": base + "/keys"}).encode(),
                        "/keys": jwks}.get(self.path)
                self.send_response(200 if body else 404)
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", harness.free_port()), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_port}/.well-known/openid-configuration"
            r = self.verify("valid", "--json", jwks=url)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(hits, ["/.well-known/openid-configuration", "/keys"])
        finally:
            server.shutdown()
            server.server_close()

    def test_refuses_plain_http_to_remote_hosts(self):
        r = self.verify("valid", jwks="http://issuer.example/keys")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "shipctl: error: refusing to fetch keys over http: http://issuer.example/keys (https:// is required)\n")

    def test_decode_is_labelled_unverified(self):
        r = shipctl("oidc", "decode", "--token", self.path("pull_request.jwt"), "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertFalse(out["verified"])
        self.assertEqual(out["github_subject"]["context"], "pull_request")
        text = shipctl("oidc", "decode", "--token", self.path("wrong_key.jwt"))
        self.assertTrue(text.stdout.startswith("UNVERIFIED token (signature and claims not checked):\n"), text.stdout)

    def test_decode_rejects_malformed_tokens(self):
        bad = self.path("bad.jwt")
        with open(bad, "w") as f:
            f.write("abc.def\n")
        r = shipctl("oidc", "decode", "--token", bad)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "shipctl: error: token must have 3 dot-separated parts (header.payload.signature), got 2\n")
        r = shipctl("oidc", "decode", "--token", self.path("missing.jwt"))
        self.assertEqual(r.returncode, 74)
        self.assertEqual(r.stderr, f"shipctl: error: cannot read token file {self.path('missing.jwt')}\n")

    def test_policy_eval_takes_condition_keys_from_a_token(self):
        provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                           "token.actions.githubusercontent.com:repository": "octo/app"},
                          "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo/app:ref:refs/heads/main"}}}]}
        policy = self.path("trust.json")
        with open(policy, "w") as f:
            json.dump(trust, f)
        decisions = {}
        for token in ("valid", "pull_request"):
            r = shipctl("policy", "eval", "--policy", policy, "--action", "sts:AssumeRoleWithWebIdentity",
                        "--principal", provider, "--token", self.path(token + ".jwt"), "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            decisions[token] = json.loads(r.stdout)["decision"]
        self.assertEqual(decisions, {"valid": "Allow", "pull_request": "ImplicitDeny"})

    def test_subject_builds_and_parses(self):
        r = shipctl("oidc", "subject", "--github-repo", "octo/app", "--ref", "refs/heads/main", "--event", "push",
                    "--environment", "prod")
        self.assertEqual((r.returncode, r.stdout), (0, "repo:octo/app:environment:prod\n"))
        r = shipctl("oidc", "subject", "--parse", "repo:octo@1/app@2:ref:refs/tags/v1", "--json")
        self.assertEqual(json.loads(r.stdout), {"repository": "octo/app", "format": "immutable", "context": "tag",
                                                "value": "v1", "owner_id": "1", "repository_id": "2"})

    def test_subject_under_a_customised_template(self):
        # GitHub docs, "Customizing the subject claims": the template's claims as key:value, in its order.
        workflow = "octo-org/app/.github/workflows/deploy.yml@refs/heads/main"
        for prefix in ("repo:octo-org/app", "repo:octo-org@9919/app@1296269"):
            custom = (200, {"use_default": False, "include_claim_keys": ["repo", "context", "job_workflow_ref"],
                            "sub_claim_prefix": prefix})
            with self.subTest(prefix=prefix), SubjectCustomization(custom) as github:
                run = ["--github-repo", "octo-org/app", "--ref", "refs/heads/main", "--event", "push"]
                r = shipctl("oidc", "subject", *run, "--workflow", "deploy.yml", "--json", github=github.env)
                self.assertEqual((r.returncode, r.stderr), (0, ""))
                sub = json.loads(r.stdout)["sub"]
                self.assertEqual(sub, f"{prefix}:ref:refs/heads/main:job_workflow_ref:{workflow}")
                # policy trust admits exactly that subject for the same run
                r = shipctl("policy", "trust", "--account", "123456789012", "--github-repo", "octo-org/app",
                            "--workflow", ".github/workflows/deploy.yml", github=github.env)
                self.assertEqual(r.returncode, 0, r.stderr)
                condition = json.loads(r.stdout)["Statement"][0]["Condition"]["StringEquals"]
                self.assertEqual(condition["token.actions.githubusercontent.com:sub"], sub)
                self.assertEqual(github.seen, ["/repos/octo-org/app/actions/oidc/customization/sub"] * 2)

    def test_customised_template_refusals_name_the_flag(self):
        custom = (200, {"use_default": False, "include_claim_keys": ["repo", "context", "job_workflow_ref"],
                        "sub_claim_prefix": "repo:octo-org/app"})
        with SubjectCustomization(custom) as github:
            r = shipctl("oidc", "subject", "--github-repo", "octo-org/app", "--ref", "refs/heads/main", github=github.env)
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (2, "", "shipctl: error: the repository's subject template includes job_workflow_ref: "
                                     "pass --workflow PATH\n"))
            r = shipctl("oidc", "subject", "--github-repo", "octo-org/app", "--environment", "prod", "--workflow",
                        "deploy.yml", github=github.env)
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (2, "", "shipctl: error: the repository's subject template includes job_workflow_ref: "
                                     "pass --ref REF (the run's ref)\n"))
            r = shipctl("oidc", "subject", "--github-repo", "octo-org/app", "--environment", "prod", "--ref",
                        "refs/heads/main", "--workflow", "deploy.yml", github=github.env)
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (0, "repo:octo-org/app:environment:prod:job_workflow_ref:"
                                 "octo-org/app/.github/workflows/deploy.yml@refs/heads/main\n", ""))
            r = shipctl("oidc", "subject", "--github-repo", "octo-org/app", "--ref", "refs/heads/main", "--workflow",
                        "ci/deploy.yml", github=github.env)
            self.assertEqual((r.returncode, r.stderr),
                             (2, "shipctl: error: --workflow \"ci/deploy.yml\" is not a workflow file: give "
                                 ".github/workflows/NAME.yml (GitHub runs only those)\n"))
        actor = (200, {"use_default": False, "include_claim_keys": ["repo", "actor"], "sub_claim_prefix": "repo:octo-org/app"})
        with SubjectCustomization(actor) as github:
            r = shipctl("oidc", "subject", "--github-repo", "octo-org/app", "--ref", "refs/heads/main", github=github.env)
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertEqual(r.stderr, "shipctl: error: the repository's subject template includes \"actor\", whose value "
                                   "shipctl cannot know in advance; reset the template (use_default: true), or write "
                                   "the trust policy's sub condition by hand\n")

    def test_parse_lists_a_customised_subjects_claims(self):
        r = shipctl("oidc", "subject", "--parse", "repo:octo/app:environment:prod%3Aeu:job_workflow_ref:"
                    "octo/app/.github/workflows/deploy.yml@refs/heads/main", "--json")
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(json.loads(r.stdout), {
            "repository": "octo/app", "format": "name", "context": "custom", "value": "",
            "claims": [{"key": "environment", "value": "prod:eu"},
                       {"key": "job_workflow_ref", "value": "octo/app/.github/workflows/deploy.yml@refs/heads/main"}]})

    def test_subject_format_spelling(self):
        # issue 18: one spelling, --subject-format name|immutable|both|auto with --owner-id/--repo-id
        run = ["oidc", "subject", "--github-repo", "octo/app", "--ref", "refs/heads/main", "--event", "push"]
        r = shipctl(*run, "--subject-format", "both", "--owner-id", "1", "--repo-id", "2")
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, "repo:octo/app:ref:refs/heads/main\nrepo:octo@1/app@2:ref:refs/heads/main\n", ""))
        r = shipctl(*run, "--subject-format", "immutable", "--owner-id", "1", "--repo-id", "2", "--json")
        self.assertEqual(json.loads(r.stdout), {"sub": "repo:octo@1/app@2:ref:refs/heads/main"})
        r = shipctl(*run, "--subject-format", "immutable")
        self.assertEqual((r.returncode, r.stderr), (2, "shipctl: error: --subject-format immutable needs --owner-id and "
                                                       "--repo-id (or GITHUB_TOKEN to look them up)\n"))
        r = shipctl(*run)  # auto without a token: the name form, said loudly to be a guess
        self.assertEqual((r.returncode, r.stdout), (0, "repo:octo/app:ref:refs/heads/main\n"))
        self.assertEqual(r.stderr, "shipctl: warning: the OIDC subject format of octo/app is a guess: name form (no "
                                   "GITHUB_TOKEN to ask GitHub); check it with `gh api repos/octo/app/actions/oidc/"
                                   "customization/sub` (its sub_claim_prefix) and pass --subject-format name, immutable or both\n")

    def test_deprecated_spellings_still_work_with_one_warning_each(self):
        r = shipctl("oidc", "subject", "--repository", "octo/app", "--ref", "refs/heads/main", "--immutable-subjects",
                    "--owner-id", "1", "--repository-id", "2")
        self.assertEqual((r.returncode, r.stdout), (0, "repo:octo@1/app@2:ref:refs/heads/main\n"))
        self.assertEqual(r.stderr, "shipctl: warning: --repository OWNER/REPO is deprecated; use --github-repo OWNER/REPO\n"
                                   "shipctl: warning: --immutable-subjects is deprecated; use --subject-format immutable\n"
                                   "shipctl: warning: --repository-id is deprecated; use --repo-id\n")
        help_text = shipctl("oidc", "subject", "--help").stdout
        self.assertIn("--subject-format", help_text)
        self.assertIn("--github-repo", help_text)
        for hidden in ("--immutable-subjects", "--repository-id", "--repository "):
            self.assertNotIn(hidden, help_text)

    def test_subject_needs_the_github_repository_once(self):
        r = shipctl("oidc", "subject", "--ref", "refs/heads/main")
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (2, "", "shipctl: error: --github-repo OWNER/REPO is required (or --parse SUB)\n"))
        r = shipctl("oidc", "subject", "--github-repo", "octo/app", "--repository", "octo/app", "--ref", "refs/heads/main")
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (2, "", "shipctl: error: give GitHub's OWNER/REPO once, as --github-repo (--repository is its "
                                 "old spelling)\n"))

    def test_help_lists_examples_and_exit_codes(self):
        for args in (["oidc", "--help"], ["oidc", "subject", "--help"]):
            with self.subTest(command=" ".join(args)):
                r = shipctl(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("Examples:\n  shipctl oidc ", r.stdout)
                self.assertIn("Exit codes: 0 ", r.stdout)
                self.assertNotIn("--repository ", r.stdout)


if __name__ == "__main__":
    harness.main()
