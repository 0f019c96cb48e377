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
