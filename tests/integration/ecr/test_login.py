"""shipctl login/logout against the ECR stand-in (moto_server + docker-registry
over TLS as <account>.dkr.ecr.<region>.amazonaws.com): both auth files written
0600 with other entries kept, the login record, --print-password with
::add-mask::, --check against the registry, logout removing only its own
entries, and a stale password rejected by the registry; symlinked configs
written through their link, docker's credsStore/credHelpers named (docker
asks the helper, not the file), and nothing half-written on failure. Under
IAM enforcement, with only the temporary credentials of the role `shipctl
bootstrap` writes: the password each login gets is the role's own."""

import base64
import json
import os
import shutil
import stat
import tempfile
import unittest

import ecr_stand_in
import ecr_support as es
import harness


def auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


class LoginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="eem-ecr-login-")
        cls.stack = ecr_stand_in.ecr_stand_in(cls.work)
        cls.ecr = cls.stack.__enter__()
        cls.role_env = es.enforce_bootstrapped_role(cls.ecr, es.Home(os.path.join(cls.work, "admin")))

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.home = es.Home(tempfile.mkdtemp(dir=self.work))

    def env(self, **extra) -> dict:
        return self.home.env(self.ecr, **{**es.role_keys(self.ecr), **extra})

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


if __name__ == "__main__":
    harness.main()
