"""The environment of a GitHub Actions job, as the runner provides it: the
GITHUB_* variables and the files steps write to ($GITHUB_ENV, $GITHUB_OUTPUT,
$GITHUB_STEP_SUMMARY), read back the way the runner reads them
(docs.github.com: "Workflow commands for GitHub Actions", environment files)."""

from __future__ import annotations

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "support"))
from composite_runner import parse_file_command  # noqa: E402

# Variables from the caller's environment that would point shipctl or the AWS
# SDK somewhere else (real AWS, a real profile, a real docker config): never
# passed on, so a rehearsal cannot touch a real account.
_SCRUB = re.compile(r"^(AWS_|GITHUB_|ACTIONS_|RUNNER_|SHIPCTL_|DOCKER_CONFIG$|REGISTRY_AUTH_FILE$|XDG_STATE_HOME$)")


def clean_base_env(home: str) -> dict:
    """os.environ without AWS/GitHub/shipctl settings; config, state and
    credential files of every tool redirected under `home`."""
    env = {k: v for k, v in os.environ.items() if not _SCRUB.match(k)}
    for d in ("docker", "containers", "state", "aws"):
        os.makedirs(os.path.join(home, d), mode=0o700, exist_ok=True)
    env.update({
        "DOCKER_CONFIG": os.path.join(home, "docker"),
        "REGISTRY_AUTH_FILE": os.path.join(home, "containers", "auth.json"),
        "XDG_STATE_HOME": os.path.join(home, "state"),
        "AWS_CONFIG_FILE": os.path.join(home, "aws", "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "aws", "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    # podman refuses to start when REGISTRY_AUTH_FILE names a missing file.
    fd = os.open(env["REGISTRY_AUTH_FILE"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write('{"auths": {}}\n')
    return env


def parse_env_file(path: str, what: str) -> dict:
    """The runner's reading of an environment file (composite_runner's
    strict parser, shared with the task actions' test): a malformed line or
    an unterminated NAME<<DELIMITER block fails the step, as on GitHub."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return parse_file_command(f.read(), what)


class Job:
    """One job's files and variables, under `directory`."""

    def __init__(self, directory: str, base_env: dict, repository: str, sha: str, issuer):
        os.makedirs(directory, mode=0o700, exist_ok=True)
        self.files = {name: os.path.join(directory, name.lower()) for name in
                      ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_PATH")}
        for path in self.files.values():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        self.env = dict(base_env)
        self.env.update(self.files)
        self.env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": repository,
            "GITHUB_REPOSITORY_OWNER": repository.split("/")[0], "GITHUB_SHA": sha,
            "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main", "GITHUB_REF_TYPE": "branch",
            "GITHUB_EVENT_NAME": "push", "GITHUB_WORKFLOW": "Deploy to Amazon ECR",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "1", "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_JOB": "deploy", "RUNNER_OS": "Linux", "RUNNER_TEMP": directory,
        })
        if issuer is not None:
            self.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = issuer.request_url
            self.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = issuer.request_token

    def absorb_env_file(self) -> dict:
        """What the runner does between steps: $GITHUB_ENV's variables join
        the environment of the following steps. Returns them."""
        new = parse_env_file(self.files["GITHUB_ENV"], "GITHUB_ENV")
        self.env.update(new)
        return new

    def outputs(self) -> dict:
        """The step outputs written to $GITHUB_OUTPUT so far."""
        return parse_env_file(self.files["GITHUB_OUTPUT"], "GITHUB_OUTPUT")

    def summary(self) -> str:
        with open(self.files["GITHUB_STEP_SUMMARY"]) as f:
            return f.read()
