"""shipctl login/logout against the ECR stand-in (moto_server + docker-registry
over TLS as <account>.dkr.ecr.<region>.amazonaws.com): both auth files written
0600 with other entries kept, the login record, --print-password with
::add-mask::, --check against the registry, logout removing only its own
entries, and a stale password rejected by the registry; symlinked configs
written through their link, docker's credsStore/credHelpers named (docker
asks the helper, not the file), and nothing half-written on failure. Under
IAM enforcement, with only the temporary credentials of the role `shipctl
bootstrap` writes: the password each login gets is the role's own.
Several registries (--registries) and ECR Public (--public, against the ECR
Public stand-in: its two permissions judged by moto's policy engine), with
--check against a registry that demands Bearer tokens as public.ecr.aws does
(docker-registry with token auth, bearer_registry.py)."""

import base64
import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
import unittest

import bearer_registry
import ecr_public_stand_in
import ecr_stand_in
import ecr_support as es
import harness

OTHER_ACCOUNT = "210987654321"
PUBLIC_HOST = "public.ecr.aws"
PUBLIC_ACTIONS = ("ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken")


def auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


class LoginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="eem-ecr-login-")
        cls.stack = ecr_stand_in.ecr_stand_in(cls.work)
        cls.ecr = cls.stack.__enter__()
        cls.role_env = es.enforce_bootstrapped_role(cls.ecr, es.Home(os.path.join(cls.work, "admin")))
        cls.public_stack = ecr_public_stand_in.ecr_public_stand_in(cls.ecr.account)
        cls.public = cls.public_stack.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.public_stack.__exit__(None, None, None)
        cls.stack.__exit__(None, None, None)
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.home = es.Home(tempfile.mkdtemp(dir=self.work))

    def env(self, **extra) -> dict:
        return self.home.env(self.ecr, **{**es.role_keys(self.ecr), **self.public.env, **extra})

    def login(self, *args, **env):
        return es.shipctl("login", *args, env=self.env(**env))

    def assert_role_password(self, password: str):
        """`password` is one ECR gave the role's session (not the fixed one of an unjudged stand-in)."""
        self.assertNotEqual(password, self.ecr.password)
        self.assertEqual(self.ecr.caller_of(password), es.session_arn(self.ecr))

    def test_writes_both_auth_files_0600_keeping_other_entries(self):
        os.makedirs(os.path.dirname(self.home.docker))
        with open(self.home.docker, "w") as f:
            json.dump({"auths": {"ghcr.io": {"auth": auth("me", "pat")}}, "psFormat": "table"}, f)
        r = self.login("--json", GITHUB_OUTPUT=self.home.output)
        self.assertEqual(r.returncode, 0, r.stderr)
        host = self.ecr.host
        result = json.loads(r.stdout)
        self.assertEqual(result["registry"], host)
        self.assertEqual(result["files"], [self.home.docker, self.home.containers])
        self.assertEqual(result["expiry_source"], "assumed")  # moto says 2015-01-01
        password = None
        for path in (self.home.docker, self.home.containers):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
            entries = json.loads(self.home.read(path))["auths"]
            user, _, password = base64.b64decode(entries[host]["auth"]).decode().partition(":")
            self.assertEqual(user, "AWS")
            self.assert_role_password(password)
        docker = json.loads(self.home.read(self.home.docker))
        self.assertEqual(docker["auths"]["ghcr.io"], {"auth": auth("me", "pat")})
        self.assertEqual(docker["psFormat"], "table")
        self.assertEqual(self.home.read(self.home.output), f"registry={host}\n")
        record = self.home.read(self.home.state)
        self.assertNotIn(password, record)
        self.assertNotIn(auth("AWS", password), record)
        self.assertEqual([login["registry"] for login in json.loads(record)["logins"]], [host])
        self.assertNotIn(password, r.stdout + r.stderr)

    def test_text_output_names_registry_files_and_expiry(self):
        r = self.login()
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], f"logged in to {self.ecr.host}")
        self.assertEqual(lines[1:3], [f"  wrote {self.home.docker}", f"  wrote {self.home.containers}"])
        self.assertRegex(lines[3], r"^  expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(assumed: 12 h; the service gave no "
                                   r"future expiry\)$")

    def test_print_password_masks_it_first_in_actions_and_writes_no_file(self):
        r = self.login("--print-password", GITHUB_ACTIONS="true", GITHUB_OUTPUT=self.home.output)
        self.assertEqual(r.returncode, 0, r.stderr)
        password = r.stdout.removesuffix("\n")
        self.assert_role_password(password)
        self.assertEqual(r.stderr.splitlines()[0], f"::add-mask::{password}")
        self.assertFalse(os.path.exists(self.home.docker))
        self.assertFalse(os.path.exists(self.home.containers))
        self.assertEqual(self.home.read(self.home.output), f"registry={self.ecr.host}\n")

    def test_login_in_actions_masks_the_password_on_stdout(self):
        r = self.login(GITHUB_ACTIONS="true")
        self.assertEqual(r.returncode, 0, r.stderr)
        entry = json.loads(self.home.read(self.home.docker))["auths"][self.ecr.host]["auth"]
        password = base64.b64decode(entry).decode().partition(":")[2]
        self.assert_role_password(password)
        self.assertEqual(r.stdout.splitlines()[0], f"::add-mask::{password}")

    def test_check_passes_against_the_registry(self):
        r = self.login("--check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"logged in to {self.ecr.host} (checked against the registry)", r.stdout)

    def test_logout_removes_only_what_login_wrote(self):
        self.assertEqual(self.login().returncode, 0)
        # podman login replaced the containers entry since: logout keeps it
        containers = json.loads(self.home.read(self.home.containers))
        containers["auths"][self.ecr.host] = {"auth": auth("AWS", "newer")}
        containers["auths"]["quay.io"] = {"auth": auth("q", "x")}
        with open(self.home.containers, "w") as f:
            json.dump(containers, f)
        r = es.shipctl("logout", env=self.env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f"{self.ecr.host}: {self.home.docker}: removed\n"
                                   f"{self.ecr.host}: {self.home.containers}: kept: changed since shipctl login\n")
        self.assertEqual(json.loads(self.home.read(self.home.docker))["auths"], {})
        self.assertEqual(json.loads(self.home.read(self.home.containers))["auths"],
                         {self.ecr.host: {"auth": auth("AWS", "newer")}, "quay.io": {"auth": auth("q", "x")}})
        self.assertEqual(json.loads(self.home.read(self.home.state))["logins"], [])
        again = es.shipctl("logout", "--registry", self.ecr.host, env=self.env())
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, f"not logged in to {self.ecr.host} by shipctl login: nothing to remove\n")

    def write_text(self, path: str, text: str) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def assert_not_a_json_object(self, r, path: str) -> None:
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, f"shipctl: error: writing the login for {self.ecr.host}: {path} is not "
                                   "a JSON object; fix or move it, nothing was changed\n")

    def test_corrupt_docker_config_is_reported_and_left_alone(self):
        self.write_text(self.home.docker, "{not json")
        self.assert_not_a_json_object(self.login(), self.home.docker)
        self.assertEqual(self.home.read(self.home.docker), "{not json")

    def write_docker_config(self, doc: dict) -> None:
        self.write_text(self.home.docker, json.dumps(doc))

    def test_symlinked_docker_config_is_written_through_its_link(self):
        # ~/.docker/config.json kept in a dotfiles repository and linked (stow)
        target = os.path.join(self.home.root, "dotfiles", "docker", "config.json")
        os.makedirs(os.path.dirname(target))
        with open(target, "w") as f:
            json.dump({"auths": {"ghcr.io": {"auth": auth("me", "pat")}}}, f)
        os.chmod(target, 0o644)
        os.makedirs(os.path.dirname(self.home.docker))
        os.symlink(os.path.join("..", "dotfiles", "docker", "config.json"), self.home.docker)
        r = self.login()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(self.home.docker))
        auths = json.loads(self.home.read(target))["auths"]
        self.assertEqual(auths["ghcr.io"], {"auth": auth("me", "pat")})
        user, _, password = base64.b64decode(auths[self.ecr.host]["auth"]).decode().partition(":")
        self.assertEqual(user, "AWS")
        self.assert_role_password(password)
        self.assertEqual(sorted(auths), sorted(["ghcr.io", self.ecr.host]))
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)
        self.assertEqual(os.listdir(os.path.dirname(target)), ["config.json"])
        logout = es.shipctl("logout", env=self.home.env(self.ecr))
        self.assertEqual(logout.returncode, 0, logout.stderr)
        self.assertTrue(os.path.islink(self.home.docker))
        self.assertEqual(json.loads(self.home.read(target))["auths"], {"ghcr.io": {"auth": auth("me", "pat")}})

    def test_creds_store_is_named_since_docker_asks_it_not_the_file(self):
        self.write_docker_config({"credsStore": "desktop"})
        r = self.login()
        self.assertEqual(r.returncode, 0, r.stderr)
        host = self.ecr.host
        self.assertEqual(r.stderr, f"shipctl: warning: docker will ask docker-credential-desktop for {host} "
                                   f"(credsStore in {self.home.docker}), not read the token written there; pass "
                                   "--bypass-creds-store to have docker read it\n")
        self.assertEqual(r.stdout.splitlines()[1],
                         f"  wrote {self.home.docker} (docker asks docker-credential-desktop instead: credsStore)")
        quiet = self.login("--no-creds-store-warning", "--json")
        self.assertEqual(quiet.returncode, 0, quiet.stderr)
        self.assertEqual(quiet.stderr, "")
        self.assertEqual(json.loads(quiet.stdout)["docker_helper"], {"helper": "desktop", "from": "credsStore"})

    def test_an_ecr_login_helper_is_named_with_what_it_does(self):
        self.write_docker_config({"credHelpers": {self.ecr.host: "ecr-login"}})
        r = self.login()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, f"shipctl: warning: docker will ask docker-credential-ecr-login for {self.ecr.host} "
                                   f"(credHelpers in {self.home.docker}), not read the token written there; that "
                                   "helper gets its own token with the AWS credentials docker runs with; remove that "
                                   "credHelpers entry to have docker read it\n")
        before = self.home.read(self.home.docker)
        refused = self.login("--bypass-creds-store")
        self.assertEqual(refused.returncode, 2, refused.stderr)
        self.assertEqual(refused.stderr, f"shipctl: error: writing the login for {self.ecr.host}: credHelpers in "
                                         f"{self.home.docker} sends {self.ecr.host} to docker-credential-ecr-login, "
                                         "which --bypass-creds-store does not override; remove that entry first, "
                                         "nothing was changed\n")
        self.assertEqual(self.home.read(self.home.docker), before)

    def test_bypass_creds_store_makes_docker_read_the_file_until_logout(self):
        self.write_docker_config({"credsStore": "desktop", "auths": {}})
        r = self.login("--bypass-creds-store", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertIsNone(json.loads(r.stdout)["docker_helper"])
        docker = json.loads(self.home.read(self.home.docker))
        self.assertEqual(docker["credHelpers"], {self.ecr.host: ""})
        self.assertEqual(docker["credsStore"], "desktop")
        logout = es.shipctl("logout", env=self.home.env(self.ecr))
        self.assertEqual(logout.returncode, 0, logout.stderr)
        self.assertEqual(json.loads(self.home.read(self.home.docker)),
                         {"credsStore": "desktop", "auths": {}, "credHelpers": {}})

    def test_a_failure_half_way_leaves_every_file_as_it_was(self):
        self.write_docker_config({"auths": {"ghcr.io": {"auth": auth("me", "pat")}}})
        before = self.home.read(self.home.docker)
        self.write_text(self.home.containers, "{not json")
        self.assert_not_a_json_object(self.login(), self.home.containers)
        self.assertEqual(self.home.read(self.home.docker), before)
        self.assertFalse(os.path.exists(self.home.state))
        # the record file is written last: when it cannot be, both auth files go back
        os.remove(self.home.containers)
        self.write_text(self.home.state, "[]")
        r = self.login()
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("is not a shipctl login record file", r.stderr)
        self.assertEqual(self.home.read(self.home.docker), before)
        self.assertFalse(os.path.exists(self.home.containers))
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.home.docker))), ["config.json"])

    def test_wrong_password_fails_the_check_and_writes_nothing(self):
        htpasswd = os.path.join(self.work, "htpasswd")
        saved = self.home.read(htpasswd)
        try:
            with open(htpasswd, "w") as f:  # the registry re-reads it: the token no longer works
                f.write(es.registry_support.run(["htpasswd", "-Bbn", "AWS", "rotated"]).stdout)
            r = self.login("--check")
        finally:
            with open(htpasswd, "w") as f:
                f.write(saved)
        self.assertEqual(r.returncode, 77, r.stderr)
        self.assertEqual(r.stderr, f"shipctl: error: checking the login: registry {self.ecr.host} rejected the "
                                   "credentials: check the user name and password (ECR passwords are tokens that "
                                   "expire after 12 hours: log in again)\n")
        self.assertFalse(os.path.exists(self.home.docker))
        self.assertNotIn(self.ecr.password, r.stderr)
        for password in self.ecr.issued_passwords():
            self.assertNotIn(password, r.stderr)

    def test_bad_connect_to_is_one_line(self):
        r = self.login("--check", SHIPCTL_CONNECT_TO="nonsense")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, 'shipctl: error: SHIPCTL_CONNECT_TO entry "nonsense" is not '
                                   "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT (e.g. "
                                   "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com:443:127.0.0.1:5000)\n")


    # --- several registries (--registries) ---------------------------------

    def registry_hosts(self) -> list[str]:
        return [ecr_stand_in.registry_host(a, self.ecr.region) for a in (self.ecr.account, OTHER_ACCOUNT)]

    def test_registries_writes_one_token_for_each_accounts_registry(self):
        os.makedirs(os.path.dirname(self.home.docker))
        with open(self.home.docker, "w") as f:
            json.dump({"auths": {"ghcr.io": {"auth": auth("me", "pat")}}}, f)
        before = len(self.ecr.calls())
        r = self.login("--registries", f"{self.ecr.account}, {OTHER_ACCOUNT}", "--json", GITHUB_OUTPUT=self.home.output)
        self.assertEqual(r.returncode, 0, r.stderr)
        hosts = self.registry_hosts()
        result = json.loads(r.stdout)
        self.assertIsNone(result["registry"])
        self.assertEqual([login["registry"] for login in result["registries"]], hosts)
        for login in result["registries"]:
            self.assertEqual(login["files"], [self.home.docker, self.home.containers])
        passwords = set()
        for path in (self.home.docker, self.home.containers):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
            entries = json.loads(self.home.read(path))["auths"]
            for host in hosts:
                user, _, password = base64.b64decode(entries[host]["auth"]).decode().partition(":")
                self.assertEqual(user, "AWS")
                passwords.add(password)
        self.assertEqual(len(passwords), 1)  # one GetAuthorizationToken serves every registry
        self.assert_role_password(passwords.pop())
        self.assertEqual(json.loads(self.home.read(self.home.docker))["auths"]["ghcr.io"], {"auth": auth("me", "pat")})
        self.assertEqual(self.home.read(self.home.output), f"registries={hosts[0]},{hosts[1]}\n")
        record = json.loads(self.home.read(self.home.state))
        self.assertEqual([login["registry"] for login in record["logins"]], hosts)
        tokens = [c for c in self.ecr.calls()[before:] if c["action"] == "ecr:GetAuthorizationToken"]
        self.assertEqual([(c["principal"], c["verdict"]) for c in tokens], [(es.session_arn(self.ecr), "allowed")])

        logout = es.shipctl("logout", env=self.env())
        self.assertEqual(logout.returncode, 0, logout.stderr)
        self.assertEqual(logout.stdout, "".join(f"{h}: {p}: removed\n" for h in hosts
                                                for p in (self.home.docker, self.home.containers)))
        self.assertEqual(json.loads(self.home.read(self.home.docker))["auths"], {"ghcr.io": {"auth": auth("me", "pat")}})
        self.assertEqual(json.loads(self.home.read(self.home.containers))["auths"], {})

    def test_registries_text_output_has_a_block_per_registry(self):
        r = self.login("--registries", self.ecr.account, "--registries", OTHER_ACCOUNT)
        self.assertEqual(r.returncode, 0, r.stderr)
        starts = [line for line in r.stdout.splitlines() if line.startswith("logged in to ")]
        self.assertEqual(starts, [f"logged in to {h}" for h in self.registry_hosts()])

    def test_a_bad_account_id_is_one_line_and_nothing_is_asked_or_written(self):
        env = self.env()  # the role's session (an STS call) before counting
        before = len(self.ecr.calls())
        r = es.shipctl("login", "--registries", f"{self.ecr.account},12345", env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, 'shipctl: error: --registries: "12345" is not an AWS account id (12 digits, e.g. '
                                   '123456789012; several: --registries 111111111111,222222222222)\n')
        self.assertFalse(os.path.exists(self.home.docker))
        self.assertEqual(len(self.ecr.calls()), before)

    # --- ECR Public (--public) ---------------------------------------------

    @contextlib.contextmanager
    def granted(self, actions):
        """An inline policy on the role allowing `actions` on "*", while in the block."""
        iam = self.ecr.client("iam")
        iam.put_role_policy(RoleName=es.ROLE, PolicyName="EcrPublicLogin", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}))
        try:
            yield
        finally:
            iam.delete_role_policy(RoleName=es.ROLE, PolicyName="EcrPublicLogin")

    def test_public_writes_the_public_ecr_aws_entry_and_logout_removes_it(self):
        os.makedirs(os.path.dirname(self.home.docker))
        with open(self.home.docker, "w") as f:
            json.dump({"auths": {"ghcr.io": {"auth": auth("me", "pat")}}}, f)
        with self.granted(PUBLIC_ACTIONS):
            r = self.login("--public", "--json", "--region", "eu-west-1", GITHUB_OUTPUT=self.home.output)
        self.assertEqual(r.returncode, 0, r.stderr)
        result = json.loads(r.stdout)
        self.assertEqual(result["registry"], PUBLIC_HOST)
        self.assertEqual([login["registry"] for login in result["registries"]], [PUBLIC_HOST])
        self.assertEqual(result["expiry_source"], "service")  # ECR Public says when, 12 h ahead
        for path in (self.home.docker, self.home.containers):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
            user, _, password = base64.b64decode(
                json.loads(self.home.read(path))["auths"][PUBLIC_HOST]["auth"]).decode().partition(":")
            self.assertEqual(user, "AWS")
            self.assertEqual(self.public.caller_of(password), es.session_arn(self.ecr))
            self.assertNotIn(password, r.stdout + r.stderr)
        self.assertEqual(json.loads(self.home.read(self.home.docker))["auths"]["ghcr.io"], {"auth": auth("me", "pat")})
        self.assertEqual(self.home.read(self.home.output), f"registry={PUBLIC_HOST}\n")
        self.assertEqual(self.public.bugs, [])
        judged = [(c["action"], c["verdict"]) for c in self.ecr.calls() if c["source"] == "ecr-public"][-2:]
        self.assertEqual(judged, [(a, "allowed") for a in PUBLIC_ACTIONS])

        logout = es.shipctl("logout", "--registry", PUBLIC_HOST, env=self.env())
        self.assertEqual(logout.returncode, 0, logout.stderr)
        self.assertEqual(logout.stdout, f"{PUBLIC_HOST}: {self.home.docker}: removed\n"
                                        f"{PUBLIC_HOST}: {self.home.containers}: removed\n")
        self.assertEqual(json.loads(self.home.read(self.home.docker))["auths"], {"ghcr.io": {"auth": auth("me", "pat")}})

    def test_public_denied_names_both_permissions_whichever_is_missing(self):
        arn = es.session_arn(self.ecr)
        for granted, missing in (([PUBLIC_ACTIONS[1]], PUBLIC_ACTIONS[0]), ([PUBLIC_ACTIONS[0]], PUBLIC_ACTIONS[1]),
                                 ([], PUBLIC_ACTIONS[0])):
            with self.subTest(missing=missing):
                with self.granted(granted) if granted else contextlib.nullcontext():
                    r = self.login("--public")
                self.assertEqual(r.returncode, 77, r.stderr)
                denial = (f"User: {arn} is not authorized to perform: {missing} on resource: * because no "
                          f"identity-based policy allows the {missing} action")
                self.assertRegex(r.stderr, "^" + re.escape(
                    "shipctl: error: getting ECR Public registry credentials: ECR Public GetAuthorizationToken: "
                    f"AccessDeniedException (HTTP 400): {denial}") + r" \[request id [0-9a-f-]{36}\]" + re.escape(
                    ' (login --public needs both ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken, '
                    'on Resource "*")') + "\n$")
                self.assertFalse(os.path.exists(self.home.docker))

    def public_credentials(self, user: str, password: str) -> bool:
        """Whether the ECR Public stand-in issued `password` to this test's role session."""
        return user == "AWS" and self.public.caller_of(password) == es.session_arn(self.ecr)

    def test_public_check_follows_the_bearer_challenge_with_the_ecr_public_token(self):
        with bearer_registry.bearer_registry(self.work, self.public_credentials) as registry, \
                self.granted(PUBLIC_ACTIONS):
            r = self.login("--public", "--check", **registry.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"logged in to {PUBLIC_HOST} (checked against the registry)", r.stdout.splitlines())
        # One token asked for the registry's service with the credentials ECR
        # Public gave; docker-registry answered GET /v2/ only with that token.
        self.assertEqual(registry.requests, [{"query": f"service={PUBLIC_HOST}", "service": PUBLIC_HOST, "scopes": [],
                                              "user": "AWS", "accepted": True}])
        user, _, password = base64.b64decode(
            json.loads(self.home.read(self.home.docker))["auths"][PUBLIC_HOST]["auth"]).decode().partition(":")
        self.assertTrue(self.public_credentials(user, password))
        self.assertNotIn(password, r.stdout + r.stderr)

    def test_public_check_refused_by_the_token_service_writes_nothing(self):
        with bearer_registry.bearer_registry(self.work, lambda user, password: False) as registry, \
                self.granted(PUBLIC_ACTIONS):
            r = self.login("--public", "--check", **registry.env)
        self.assertEqual((r.returncode, r.stderr), (77, "shipctl: error: checking the login: token service "
                                                        f"{PUBLIC_HOST}:{bearer_registry.TOKEN_PORT} refused the "
                                                        "credentials (HTTP 401)\n"))
        self.assertEqual([(q["user"], q["accepted"]) for q in registry.requests], [("AWS", False)])
        self.assertFalse(os.path.exists(self.home.docker))
        self.assertFalse(os.path.exists(self.home.containers))

    def test_public_with_registries_is_refused_before_any_call(self):
        r = self.login("--public", "--registries", self.ecr.account)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, "shipctl: error: --public logs in to public.ecr.aws only and takes no "
                                   "--registries/--registry-id: run shipctl login once with --public and once with "
                                   "--registries\n")

    def test_public_stand_in_answers_boto3_and_refuses_members_outside_the_model(self):
        import urllib.error
        import urllib.request

        import boto3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        keys = es.role_keys(self.ecr)
        credentials = Credentials(keys["AWS_ACCESS_KEY_ID"], keys["AWS_SECRET_ACCESS_KEY"], keys["AWS_SESSION_TOKEN"])
        # ECR's registryIds, which botocore would refuse before sending: signed by hand.
        request = AWSRequest(method="POST", url=self.public.url + "/", data=b'{"registryIds":["123456789012"]}',
                             headers={"Content-Type": "application/x-amz-json-1.1",
                                      "X-Amz-Target": "SpencerFrontendService.GetAuthorizationToken"})
        SigV4Auth(credentials, "ecr-public", "us-east-1").add_auth(request)
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(request.url, data=request.body, headers=dict(request.headers)))
        self.assertEqual(refused.exception.code, 400)
        self.assertEqual(json.loads(refused.exception.read())["__type"], "InvalidParameterException")
        client = boto3.client("ecr-public", endpoint_url=self.public.url, region_name="us-east-1",
                              aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
                              aws_session_token=keys["AWS_SESSION_TOKEN"])
        with self.granted(PUBLIC_ACTIONS):
            data = client.get_authorization_token()["authorizationData"]
        self.assertEqual(sorted(data), ["authorizationToken", "expiresAt"])
        wrong_region = boto3.client("ecr-public", endpoint_url=self.public.url, region_name="us-west-2",
                                    aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
                                    aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
                                    aws_session_token=keys["AWS_SESSION_TOKEN"])
        with self.assertRaises(wrong_region.exceptions.ClientError) as scoped:
            wrong_region.get_authorization_token()
        self.assertEqual(scoped.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(self.public.bugs, [])

if __name__ == "__main__":
    harness.main()
