"""Starts actions-oidc-issuer on a free loopback port and reads its base URL."""

from __future__ import annotations

import contextlib
import json
import select
import subprocess
import tempfile
import urllib.error
import urllib.request

import harness


class RunningIssuer:
    """The issuer process: its base URL, and its stderr log (request lines)."""

    def __init__(self, process: harness.Process, log, base: str):
        self.process, self.proc, self._log, self.base = process, process.proc, log, base

    def stop(self) -> int:
        return self.process.stop()

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")


@contextlib.contextmanager
def issuer(*args: str, request_token: str = "request-token"):
    """Yields a RunningIssuer; the process is stopped on exit."""
    argv = [harness.binary("actions-oidc-issuer"), "--port", "0", "--request-token", request_token, *args]
    with tempfile.TemporaryFile() as log, harness.Process(argv, stdout=subprocess.PIPE, stderr=log) as p:
        try:
            ready, _, _ = select.select([p.proc.stdout], [], [], 30)
            line = p.proc.stdout.readline().decode().strip() if ready else ""
            running = RunningIssuer(p, log, line)
            if not line.startswith("http://127.0.0.1:"):
                p.stop()
                raise AssertionError(f"issuer printed {line!r} instead of its URL: {running.log()}")
            yield running
        finally:
            p.stop()
            p.proc.stdout.close()
            p.log.close()


def get(url: str, bearer: str | None = None):
    """(status, parsed JSON body) of GET `url`."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer}"} if bearer else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        with e:
            return e.code, json.loads(e.read() or b"null")


def mint(base: str, audience: str = "sts.amazonaws.com", bearer: str = "request-token") -> str:
    status, body = get(f"{base}/token?api-version=2.0&audience={audience}", bearer)
    if status != 200:
        raise AssertionError(f"token endpoint answered {status}: {body}")
    return body["value"]
