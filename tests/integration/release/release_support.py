"""Shared by the release tests: a small stand-in for the shipctl under test, and
scripts/release --package on it."""

from __future__ import annotations

import os
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
