"""Shared by the ECS stand-in tests: the tiny test image (tiny_server.c,
static, `podman import`ed in about a second instead of a service image
build), the three clients (boto3, awscli v1, @aws-sdk/client-ecs), and HTTPS
requests to a service endpoint through the stand-in's proxy."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import subprocess
import tarfile
import tempfile
import time
import unittest

import harness
from ecs_model import output_model
from ecs_podman import CONF, LABEL, alive
from ecs_proxy import EndpointConnection
from ecs_stand_in import REGION, EcsStandIn

HERE = os.path.dirname(os.path.abspath(__file__))
ACCOUNT = "123456789012"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
INFRASTRUCTURE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRoleForExpressServices"
REPOSITORY = "localhost/ecs-stand-in-test"
COMMIT_A = "a" * 40
COMMIT_B = "b" * 40


def podman(*args, check: bool = True) -> str:
    r = subprocess.run(["podman", *args], env=dict(os.environ, CONTAINERS_CONF=CONF), capture_output=True,
                       text=True, timeout=120, check=False)
    if check and r.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: {r.stderr.strip()[-500:]}")
    return r.stdout.strip()


class TinyImages:
    """Images of tiny_server.c: one per (commit, ping status), named localhost/ecs-stand-in-test:<tag>."""

    def __init__(self, workdir: str):
        for tool in ("podman", "gcc"):
            harness.require_tool(tool)
        self.workdir, self.tags = workdir, []
        self._remove_stale()
        binary = os.path.join(workdir, "tiny-server")
        subprocess.run(["gcc", "-static", "-Os", "-s", "-o", binary, os.path.join(HERE, "tiny_server.c")],
                       check=True, capture_output=True)
        self.rootfs = os.path.join(workdir, "tiny-rootfs.tar")
        with tarfile.open(self.rootfs, "w") as tar:
            tar.add(binary, arcname="tiny-server")

    def image(self, commit: str, ping_status: int = 200) -> str:
        tag = f"{REPOSITORY}:{os.getpid()}-{commit[:8]}-{ping_status}"
        podman("import", "--quiet", "--change", 'ENTRYPOINT ["/tiny-server"]', "--change", f"ENV COMMIT={commit}",
               "--change", f"ENV PING_STATUS={ping_status}", self.rootfs, tag)
        self.tags.append(tag)
        return tag

    def remove(self) -> None:
        if self.tags:
            podman("rmi", "--force", *self.tags, check=False)

    @staticmethod
    def _remove_stale() -> None:
        """Removes the images of test processes that died before their cleanup (tags start with the pid)."""
        tags = podman("images", "--filter", f"reference={REPOSITORY}", "--format", "{{.Tag}}", check=False).split()
        stale = [f"{REPOSITORY}:{t}" for t in tags if t.split("-")[0].isdigit() and not alive(int(t.split("-")[0]))]
        if stale:
            podman("rmi", "--force", *stale, check=False)


def leftover_containers(instance: str) -> list[str]:
    """Containers the stand-in `instance` left behind (tests may run in parallel: only its own)."""
    out = podman("ps", "--all", "--filter", f"label={LABEL}={instance}", "--format", "{{.Names}}", check=False)
    return out.split()


def create_input(name: str, image: str, **extra) -> dict:
    return {"serviceName": name, "executionRoleArn": EXECUTION_ROLE, "infrastructureRoleArn": INFRASTRUCTURE_ROLE,
            "primaryContainer": {"image": image, "containerPort": 8080,
                                 "environment": [{"name": "GREETING", "value": "hello"}]},
            "cpu": "256", "memory": "512", "healthCheckPath": "/ping", **extra}


class Clients:
    """The clients, pointed at `self.ecs` (an EcsStandIn)."""

    ecs: EcsStandIn

    def boto(self, max_attempts: int = 3):
        import boto3
        from botocore.config import Config
        return boto3.client("ecs", endpoint_url=self.ecs.url, region_name=REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing",
                            config=Config(retries={"mode": "standard", "total_max_attempts": max_attempts}))

    def awscli(self, command: str, params: dict) -> tuple[int, dict | str]:
        """python3 -m awscli ecs COMMAND --cli-input-json PARAMS; (exit code, parsed output or stderr)."""
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        r = subprocess.run(["python3", "-m", "awscli", "ecs", command, "--endpoint-url", self.ecs.url, "--output",
                            "json", "--cli-input-json", json.dumps(params)], env=env, capture_output=True, text=True,
                           timeout=120, check=False)
        if r.returncode != 0:
            return r.returncode, r.stderr.strip()
        return 0, json.loads(r.stdout or "{}")

    def js(self, calls: list[dict], max_attempts: int = 3, secret: str = "testing") -> list[dict]:
        harness.require_tool("node")
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY=secret)
        r = subprocess.run(["node", os.path.join(HERE, "ecs_calls.mjs"), self.ecs.url, REGION, str(max_attempts)],
                           input=json.dumps(calls), env=env, capture_output=True, text=True, timeout=120,
                           check=False)
        if r.returncode != 0:
            raise AssertionError(f"node ecs_calls.mjs failed: {r.stderr[-2000:]}")
        return json.loads(r.stdout)

    def wait_deployment(self, arn: str, statuses=("SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOPPED"),
                        timeout: float = 60) -> dict:
        client, deadline = self.boto(), time.monotonic() + timeout
        while True:
            d = client.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]
            if d["status"] in statuses:
                return d
            if time.monotonic() > deadline:
                raise AssertionError(f"deployment {arn} is {d['status']} ({d.get('lifecycleStage')}) after {timeout} s")
            time.sleep(0.1)

    def history(self, deployment_arn: str) -> list[tuple]:
        return [tuple(h) for h in self.ecs.deployments[deployment_arn].history]

    def get(self, host: str, path: str = "/version") -> tuple[int, str]:
        conn = EndpointConnection(host, self.ecs.proxy.port, self.ecs.ca)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()


class StandInCase(unittest.TestCase, Clients):
    """One stand-in and one set of tiny images for the whole class; stopped (and
    checked for bugs and leftover containers) also when a test fails."""

    settings = None

    @classmethod
    def setUpClass(cls):
        cls.stack = contextlib.ExitStack()
        try:
            cls.workdir = cls.stack.enter_context(tempfile.TemporaryDirectory(prefix="ecs-test-"))
            cls.images = TinyImages(cls.workdir)
            cls.stack.callback(cls.images.remove)
            cls.ecs = EcsStandIn(cls.workdir, settings=cls.settings)
            cls.stack.callback(cls.ecs.close)
        except BaseException:
            cls.stack.close()
            raise

    @classmethod
    def tearDownClass(cls):
        bugs = list(cls.ecs.bugs)
        cls.stack.close()
        left = leftover_containers(cls.ecs.podman.instance)
        if left:
            podman("rm", "--force", *left, check=False)
        assert not bugs, f"the stand-in answered 500 for its own bugs: {bugs}"
        assert not left, f"containers left behind: {left}"

    def setUp(self):
        self.ecs.set_faults(**{k: None for k in list(self.ecs.faults.values)})


def normalize(operation: str, value):
    """awscli's output with timestamps (ISO 8601 strings) as epoch seconds, as on the wire."""
    return _walk(output_model().operation_model(operation).output_shape, value)


def _walk(shape, value):
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        return {k: _walk(shape.members[k], v) if k in shape.members else v for k, v in value.items()}
    if kind == "list":
        return [_walk(shape.member, v) for v in value]
    if kind == "timestamp" and isinstance(value, str):
        return round(datetime.datetime.fromisoformat(value).timestamp(), 3)
    return value
