"""Shared by the ECR tests: runs shipctl against the ECR stand-in
(tests/support/ecr_stand_in.py) in an environment of its own: a private
HOME, docker config, containers auth file and state directory, no AWS
variables of the machine, and the GitHub Actions files when asked."""

from __future__ import annotations

import os
import subprocess
import sys

import harness

sys.path.insert(0, os.path.join(harness.REPO, "tests", "integration", "oci"))
import registry_support  # noqa: E402,F401  (umoci_image, run, sha256)

COMMIT = "0123456789abcdef0123456789abcdef01234567"
ROLE = "GitHubActionsECRRole"
REPOSITORY = "ecs-express-mode-api"
SESSION = "shipctl-test"


def enforce_bootstrapped_role(stand_in, home: "Home") -> dict:
    """What the workflow runs with: `shipctl bootstrap --apply` (administrator
    keys) writes the role and its push policy and creates REPOSITORY, then
    moto's IAM enforcement goes on. Returns the environment of a job holding
    only the role's temporary credentials; `stand_in.env` keeps the
    administrator's (an IAM user with an Action "*" policy)."""
    r = shipctl("bootstrap", "--github-repo", "octo-org/app", "--role-name", ROLE, "--repository", REPOSITORY,
                "--region", stand_in.region, "--apply", env=home.env(stand_in))
    if r.returncode != 0:
        raise AssertionError(f"shipctl bootstrap --apply failed ({r.returncode}): {r.stderr}")
    stand_in.enforce_iam()
    return home.env(stand_in, **role_keys(stand_in))


def role_keys(stand_in) -> dict:
    """Temporary credentials of ROLE (session SESSION)."""
    return harness.assume_role_with_web_identity(stand_in.endpoint, role_arn(stand_in), SESSION, stand_in.region)


def role_arn(stand_in) -> str:
    return f"arn:aws:iam::{stand_in.account}:role/{ROLE}"


def session_arn(stand_in) -> str:
    return f"arn:aws:sts::{stand_in.account}:assumed-role/{ROLE}/{SESSION}"


class Home:
    """The files shipctl reads and writes, under one directory."""

    def __init__(self, root: str):
        self.root = root
        self.docker = os.path.join(root, "docker", "config.json")
        self.containers = os.path.join(root, "run", "containers", "auth.json")
        self.state = os.path.join(root, "state", "shipctl", "logins.json")
        self.output = os.path.join(root, "github_output")
        self.summary = os.path.join(root, "step_summary")
        os.makedirs(root, exist_ok=True)

    def env(self, stand_in, **extra) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "GITHUB_", "SHIPCTL_", "REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "XDG_"))}
        env.update(stand_in.env)
        env.update(HOME=self.root, DOCKER_CONFIG=os.path.dirname(self.docker),
                   XDG_RUNTIME_DIR=os.path.join(self.root, "run"), XDG_STATE_HOME=os.path.join(self.root, "state"))
        env.update(extra)
        return env

    def read(self, path: str) -> str:
        with open(path) as f:
            return f.read()


def shipctl(*args, env, input=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([harness.binary("shipctl"), *args], env=env, input=input, capture_output=True, text=True,
                          timeout=timeout)
