"""Tasks of the ECS stand-in: containers run with podman, with the flags
scripts/container uses on this kind of machine (runc, cgroupfs,
CONTAINERS_CONF=scripts/containers.conf; DESIGN.md section 4).

An image in a registry the stand-in was told about (the ECR stand-in's
`<account>.dkr.ecr.<region>.amazonaws.com`) is pulled from that registry's
plain-http upstream with its basic-auth password, as the rehearsal pulls
(rehearsal/steps_image.py: podman has no --connect-to for the TLS name).
Anything else must already be in local storage (--pull=never).

Every container carries the label `ecs-stand-in=<instance>`, so `remove_all`
finds them all, also after a crash of a rollout thread, and the label
`ecs-stand-in.pid=<pid>`: a new stand-in removes the containers of one that
was killed (SIGKILL leaves no chance to clean up).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import threading

import harness

CONF = os.path.join(harness.REPO, "scripts", "containers.conf")
LABEL = "ecs-stand-in"


class PodmanError(Exception):
    pass


class Registry:
    """A registry host the stand-in may pull from: its plain-http upstream and credentials."""

    def __init__(self, host: str, upstream: str, username: str, password: str):
        self.host, self.upstream, self.username, self.password = host, upstream, username, password


class Podman:
    def __init__(self, instance: str, workdir: str, registries: list[Registry] = ()):
        self.exe = harness.require_tool("podman")
        self.instance, self.workdir = instance, workdir
        self.registries = {r.host: r for r in registries}
        self.env = dict(os.environ, CONTAINERS_CONF=CONF)
        self.lock = threading.Lock()
        self.count = 0
        self._remove_orphans()

    def _run(self, *args, timeout: float = 120) -> str:
        r = subprocess.run([self.exe, *args], env=self.env, capture_output=True, text=True, timeout=timeout,
                           check=False)
        if r.returncode != 0:
            lines = [l for l in r.stderr.splitlines() if "systemd" not in l and "CNI" not in l]
            raise PodmanError(f"podman {args[0]}: {(lines or ['exit ' + str(r.returncode)])[-1]}")
        return r.stdout.strip()

    def local_ref(self, image: str) -> str:
        """`image` pulled when it lives in a known registry; the reference podman runs."""
        host, _, rest = image.partition("/")
        registry = self.registries.get(host)
        if registry is None:
            return image
        ref = f"{registry.upstream}/{rest}"
        secret = base64.b64encode(f"{registry.username}:{registry.password}".encode()).decode()
        fd, auth = tempfile.mkstemp(dir=self.workdir, prefix="pull-auth-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"auths": {registry.upstream: {"auth": secret}}}, f)
            self._run("pull", "--quiet", "--tls-verify=false", "--authfile", auth, f"docker://{ref}", timeout=300)
        finally:
            os.unlink(auth)
        return ref

    def digest(self, ref: str) -> str:
        if "@sha256:" in ref:
            return ref.split("@", 1)[1]
        return self._run("image", "inspect", "--format", "{{.Digest}}", ref)

    def start(self, ref: str, service: str, port: int, env: list[tuple[str, str]], command: list[str]) -> tuple[str, int]:
        """Runs `ref` detached with PORT=`port`; returns (container name, published loopback port)."""
        with self.lock:
            self.count += 1
            name = f"{LABEL}-{self.instance}-{service}-{self.count}"[:120]
        args = ["run", "--detach", "--pull=never", "--name", name, "--label", f"{LABEL}={self.instance}",
                "--label", f"{LABEL}.pid={os.getpid()}",
                "--health-interval", "disable", "--publish", f"127.0.0.1::{port}", "--env", f"PORT={port}"]
        for key, value in env:
            args += ["--env", f"{key}={value}"]
        self._run(*args, ref, *command)
        address = self._run("port", name, f"{port}/tcp")
        return name, int(address.splitlines()[0].rsplit(":", 1)[1])

    def running(self, name: str) -> bool:
        try:
            return self._run("container", "inspect", "--format", "{{.State.Running}}", name) == "true"
        except PodmanError:
            return False

    def logs(self, name: str, lines: int = 20) -> str:
        try:
            return self._run("logs", "--tail", str(lines), name)
        except PodmanError as e:
            return str(e)

    def stop(self, name: str, grace: int = 10) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds (ECS's stopTimeout default is 30 s)."""
        try:
            self._run("rm", "--force", "--time", str(grace), "--ignore", name, timeout=grace + 60)
        except PodmanError:
            pass

    def _remove_orphans(self) -> None:
        """Removes containers of stand-ins whose process is gone."""
        try:
            rows = self._run("ps", "--all", "--filter", f"label={LABEL}.pid", "--format",
                             f'{{{{.Names}}}} {{{{index .Labels "{LABEL}.pid"}}}}').splitlines()
        except PodmanError:
            return
        orphans = [name for name, pid in (r.split() for r in rows if len(r.split()) == 2) if not _alive(pid)]
        if orphans:
            self._run("rm", "--force", "--time", "2", "--ignore", *orphans, timeout=120)

    def remove_all(self) -> None:
        """Removes every container this instance started (its label)."""
        try:
            names = self._run("ps", "--all", "--filter", f"label={LABEL}={self.instance}", "--format",
                              "{{.Names}}").split()
        except PodmanError:
            return
        if names:
            try:
                self._run("rm", "--force", "--time", "2", "--ignore", *names, timeout=120)
            except PodmanError:
                pass


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (ValueError, PermissionError):
        return True
    return True
