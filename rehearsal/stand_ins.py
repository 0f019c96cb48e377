"""The stand-ins of the rehearsal (DESIGN.md sections 4 and 6), each on free
loopback ports: moto_server for IAM, STS and ECR with docker-registry over TLS
(htpasswd user AWS, moto's ECR password) as the ECR registry API; and our own
actions-oidc-issuer as GitHub's token service."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from dataclasses import dataclass

from procs import Supervisor, free_port, wait_for_http_ok, wait_for_port

# The ECR stand-in (moto_server + docker-registry behind a TLS proxy that
# answers as <account>.dkr.ecr.<region>.amazonaws.com) is the test suite's own
# fixture (tests/support/ecr_stand_in.py), run as a process by ecr_serve.py:
# one implementation for tests and rehearsal.
ECR_SERVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ecr_serve.py")
# moto's fixed account and the seed's region (what ecr_stand_in.py serves).
ACCOUNT = "123456789012"
REGION = "ap-northeast-1"


class StandInError(Exception):
    """A stand-in could not start; the message says which and why."""


@dataclass
class Ecr:
    """The running ECR stand-in, as its standalone mode announces it."""

    endpoint: str  # moto_server: IAM, STS, ECR control plane (AWS_ENDPOINT_URL)
    host: str  # <account>.dkr.ecr.<region>.amazonaws.com
    port: int  # where the registry answers for `host` on 127.0.0.1 (TLS)
    ca_file: str  # PEM of the throwaway CA that signed the registry certificate
    connect_to: str  # SHIPCTL_CONNECT_TO: host:443 -> 127.0.0.1:port
    upstream: str  # docker-registry itself (plain http, loopback): reads no IAM judges
    password: str  # docker-registry's own password (ECR's too while IAM enforcement is off)
    calls: str = ""  # JSON lines: every AWS and registry call, with its IAM action and verdict
    judge: str = ""  # where the ECS stand-in has its calls judged by moto's policy engine (ecr_serve.py)


def start_ecr(sup: Supervisor, timeout: float = 90.0) -> Ecr:
    """Starts the ECR stand-in (ecr_serve.py) and waits for its JSON line."""
    # AWS managed policies exist in moto only when it loads them; bootstrap
    # --deploy attaches two (AmazonECSTaskExecutionRolePolicy and the Express
    # infrastructure one), as it does on AWS.
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    child = sup.start("ecr-stand-in", [sys.executable, ECR_SERVE, sup.path("ecr")], env)
    return Ecr(**announcement(child, "the ECR stand-in", timeout))


def announcement(child, what: str, timeout: float) -> dict:
    """The JSON line a standalone stand-in prints once it serves; StandInError
    naming `what` when it exits or stays silent for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.running():
            raise StandInError(f"{what} exited with {child.proc.returncode}: {child.tail(3)}")
        for line in child.tail(50).splitlines():
            if line.startswith("{"):
                return json.loads(line)
        time.sleep(0.1)
    raise StandInError(f"{what} did not start within {timeout:.0f} s: {child.tail(3)}")


@dataclass
class Issuer:
    """The GitHub-Actions-style OIDC issuer: what a job's environment points at."""

    url: str  # base URL (the token's iss)
    request_token: str  # ACTIONS_ID_TOKEN_REQUEST_TOKEN

    @property
    def request_url(self) -> str:
        """ACTIONS_ID_TOKEN_REQUEST_URL (GitHub's has a query; clients append &audience=)."""
        return f"{self.url}/token?x=1"


def start_issuer(sup: Supervisor, exe: str, repository: str, ref: str, event: str, sha: str,
                 wait_for_binary: float = 0.0) -> Issuer:
    """Starts `exe` (actions-oidc-issuer) minting tokens for `repository` at
    `ref` on `event`. Waits up to `wait_for_binary` seconds for it to be built."""
    deadline = time.monotonic() + wait_for_binary
    while not os.access(exe, os.X_OK):
        if time.monotonic() >= deadline:
            raise StandInError(f"{exe} is not built (the actions-oidc-issuer target)")
        time.sleep(2)
    port, token = free_port(), secrets.token_urlsafe(24)
    child = sup.start("actions-oidc-issuer", [
        exe, "--port", str(port), "--repository", repository, "--ref", ref, "--event", event,
        "--sha", sha, "--request-token", token])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(child, port, timeout=20)
        wait_for_http_ok(f"{url}/.well-known/openid-configuration", timeout=10)
    except RuntimeError as e:
        raise StandInError(str(e)) from e
    return Issuer(url=url, request_token=token)


# The ECS Express Mode stand-in (tests/support/ecs_stand_in.py, standalone):
# its API on loopback, its containers behind a TLS proxy that answers as
# `<service>.ecs.<region>.on.aws`.
ECS_SERVE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "support",
                         "ecs_stand_in.py")
# Real rollouts bake 3 minutes twice (DESIGN.md section 3); the rehearsal's
# bake is shortened to 1 s, and a task gets 6 s to answer its health check
# (our service answers /ping within a second of its start).
BAKE_SECONDS, HEALTH_TIMEOUT = 1.0, 6.0


@dataclass
class Ecs:
    """The running ECS stand-in, as its standalone mode announces it."""

    endpoint: str  # the API (AWS_ENDPOINT_URL_ECS), plain http on loopback
    connect_to: str  # SHIPCTL_CONNECT_TO entry: <service>.ecs.<region>.on.aws:443 -> the proxy
    proxy_port: int  # where the TLS proxy answers on 127.0.0.1
    host: str  # the service's endpoint host
    log: str  # the stand-in's stage log


def start_ecs(sup: Supervisor, ecr: Ecr, service: str, timeout: float = 60.0) -> Ecs:
    """Starts the ECS stand-in with the ECR stand-in's CA (one SHIPCTL_CA_FILE
    trusts both), pulling from its registry and having every API call judged
    by moto's policy engine there (IAM enforced as for the ECR calls); waits
    for its JSON line."""
    ca_key = os.path.join(os.path.dirname(ecr.ca_file), "ca.key")
    child = sup.start("ecs-stand-in", [
        sys.executable, ECS_SERVE, sup.path("ecs"), "--region", REGION, "--ca-cert", ecr.ca_file, "--ca-key", ca_key,
        "--registry", f"{ecr.host}={ecr.upstream}", "--registry-password", ecr.password,
        "--bake-seconds", str(BAKE_SECONDS), "--health-timeout", str(HEALTH_TIMEOUT), "--service-name", service,
        "--judge-url", ecr.judge])
    env = announcement(child, "the ECS stand-in", timeout)
    return Ecs(endpoint=env["AWS_ENDPOINT_URL_ECS"], connect_to=env["SHIPCTL_CONNECT_TO"],
               proxy_port=int(env["ECS_PROXY_PORT"]), host=f"{service}{env['ECS_ENDPOINT_SUFFIX']}", log=env["ECS_LOG"])
