"""What the steps of one rehearsal share: options, the stand-ins once started,
the Actions job, and what each step found (role ARN, image, digest...)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field

from actions import Job
from procs import Supervisor
from runner import Runner, StepFailed
from stand_ins import ACCOUNT, REGION


@dataclass
class Options:
    repo_root: str
    bin_dir: str
    github_repo: str
    role_name: str = "GitHubActionsECRRole"
    repository: str = "ecs-express-mode-api"
    wait_for_issuer: float = 0.0


@dataclass
class Context:
    opts: Options
    sup: Supervisor
    runner: Runner
    sha: str
    base_env: dict
    ecr: object = None  # stand_ins.Ecr once started
    issuer: object = None
    job: Job | None = None
    role_arn: str = ""
    image_tag: str = ""
    archive: str = ""
    image_uri: str = ""
    digest: str = ""
    version: dict = field(default_factory=dict)
    doctor: str = ""
    admin_keys: dict = field(default_factory=dict)  # the IAM user admin's, once enforcement is on
    calls: list = field(default_factory=list)  # the stand-in's call log (report.load_calls)
    service_url: str = ""
    build: object = None  # procs.Child of the background image build
    # The deploy steps (steps_deploy): the ECS stand-in, the service's roles,
    # the second commit's and the broken image, and the report's "deploy".
    ecs: object = None  # stand_ins.Ecs once started
    deploy_job: Job | None = None  # the workflow's second job, on a runner of its own
    deploy_roles: tuple = ()  # (execution role ARN, infrastructure role ARN)
    sha2: str = ""
    image_tag2: str = ""
    build2: object = None
    digest2: str = ""
    digest_broken: str = ""
    deployed_digests: list = field(default_factory=list)
    deploy: dict = field(default_factory=dict)
    rerun_build: object = None  # procs.Child of the re-run's clean build (steps_rerun)
    rerun_tag: str = ""
    rerun: dict = field(default_factory=dict)  # the re-run's outcome, for the report
    _commands: set | None = None

    @property
    def shipctl(self) -> str:
        return os.path.join(self.opts.bin_dir, "shipctl")

    @property
    def moto_url(self) -> str:
        return self.ecr.endpoint if self.ecr else ""

    def admin_keys_or_default(self) -> dict:
        """Before IAM enforcement moto accepts any static keys ("testing" is
        its documented convention); after, only the admin user's."""
        return self.admin_keys or {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    def admin_env(self) -> dict:
        """A laptop with administrator credentials aimed at moto."""
        env = dict(self.base_env)
        env.update({**self.admin_keys_or_default(), "AWS_REGION": REGION, "AWS_ENDPOINT_URL": self.moto_url})
        return env

    def job_env(self, job: Job | None = None) -> dict:
        """The environment of the Actions job `job` (default: build-and-push's;
        no AWS keys until `credentials`), plus the stand-in plumbing: AWS calls
        go to moto, registry calls to the local registry trusted through the
        throwaway CA."""
        env = dict((job or self.job).env)
        env["AWS_ENDPOINT_URL"] = self.moto_url
        if self.ecr is not None:
            env["SHIPCTL_CONNECT_TO"] = self.ecr.connect_to
            env["SHIPCTL_CA_FILE"] = self.ecr.ca_file
        return env

    def shipctl_commands(self) -> set:
        """The subcommands this shipctl offers (from its --help)."""
        if self._commands is None:
            if not os.access(self.shipctl, os.X_OK):
                raise StepFailed(f"{self.shipctl} is not built (cmake --build --preset release --target shipctl)")
            r = subprocess.run([self.shipctl, "--help"], capture_output=True, text=True, check=False)
            section = r.stdout.split("Subcommands:", 1)[-1].split("\n\n", 1)[0]
            self._commands = {line.split()[0] for line in section.splitlines() if line.strip()}
        return self._commands

    def require_command(self, name: str) -> None:
        """Fails the step when shipctl lacks subcommand `name` (never fakes it)."""
        if name not in self.shipctl_commands():
            raise StepFailed(f"shipctl has no `{name}` command yet")

    def role_arn_default(self) -> str:
        return f"arn:aws:iam::{ACCOUNT}:role/{self.opts.role_name}"
