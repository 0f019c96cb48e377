"""Shared by the release tests: a small stand-in for the shipctl under test,
scripts/release --package on it, and such a release served to a copy of the
action that pins it."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import subprocess

import harness

LAUNCHER = r"""
#include <unistd.h>
int main(int argc, char** argv) {
  (void)argc;
  execv(SHIPCTL, argv);
  return 127;
}
"""


def launcher(directory: str) -> str:
    """A compiled executable in `directory` that runs the shipctl under test with
    its arguments: the CLI (help, commands, flags) is shipctl's, but packaging it
    does not compress the 200+ MB sanitizer build (minutes of xz per .deb)."""
    harness.require_tool("gcc")
    source, binary = os.path.join(directory, "launcher.c"), os.path.join(directory, "shipctl")
    with open(source, "w", encoding="utf-8") as f:
        f.write(LAUNCHER)
    subprocess.run(["gcc", "-O2", "-s", f'-DSHIPCTL="{harness.binary("shipctl")}"', "-o", binary,
                    source], check=True)
    return binary


def package(binary: str, out: str, version: str) -> subprocess.CompletedProcess:
    """scripts/release --package BINARY --out OUT VERSION."""
    return subprocess.run([os.path.join(harness.REPO, "scripts", "release"), "--package", binary,
                           "--out", out, version], capture_output=True, text=True, timeout=240)


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class ServedRelease:
    """Release `version` of a launcher (`shipctl`), made by scripts/release
    --package under `tmp`/serve/v`version` and served by a loopback HTTP
    server (`server.url` stands for https://github.com/OWNER/REPO/releases/download);
    `action`: the actions as a user's runner sees them (action.yml, the task
    actions under actions/, the scripts they run) with that release pinned
    into action.yml by scripts/release --pin-action."""

    def __init__(self, tmp: str, version: str):
        harness.require_tool("help2man")
        harness.require_tool("dpkg-deb")
        self.action = os.path.join(tmp, "action")
        os.makedirs(os.path.join(self.action, "scripts"))
        shutil.copy(os.path.join(harness.REPO, "action.yml"), self.action)
        shutil.copytree(os.path.join(harness.REPO, "actions"), os.path.join(self.action, "actions"))
        for script in ["release", "install-shipctl.sh", "shell-completions"]:
            shutil.copy(os.path.join(harness.REPO, "scripts", script), os.path.join(self.action, "scripts"))
        self.serve = os.path.join(tmp, "serve", f"v{version}")
        self.shipctl = launcher(tmp)
        done = package(self.shipctl, self.serve, version)
        assert done.returncode == 0, done.stderr
        self.asset = f"shipctl_{version}_linux_amd64.tar.gz"
        with open(os.path.join(self.serve, self.asset), "rb") as f:
            self.sha256 = hashlib.sha256(f.read()).hexdigest()
        done = subprocess.run([os.path.join(self.action, "scripts", "release"), "--pin-action", self.serve, version],
                              env={**os.environ, "GIT_DIR": os.path.join(harness.REPO, ".git")},
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr
        self.server = harness.HttpServer(functools.partial(_QuietFiles, directory=os.path.join(tmp, "serve")))

    def close(self) -> None:
        self.server.close()
