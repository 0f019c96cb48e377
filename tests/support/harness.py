"""Test harness shared by the integration tests (run by ctest).

Starts real servers (moto_server, docker-registry, nginx, our own binaries) on
free loopback ports and guarantees they stop, also when a test fails or is
interrupted. A test that needs a tool that is missing fails when CI=true and
is skipped, with the reason, elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import weakref
from http.server import ThreadingHTTPServer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def require_tool(name: str) -> str:
    """Returns the path of `name`; fails in CI, skips elsewhere, when missing."""
    path = shutil.which(name)
    if path:
        return path
    message = f"required tool {name!r} is not installed (run scripts/install-deps)"
    if os.environ.get("CI") == "true":
        raise AssertionError(message)
    raise unittest.SkipTest(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        time.sleep(0.02)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


def wait_for_http(url: str, timeout: float = 20.0, context=None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1, context=context) as r:
                if r.status < 500:
                    return
        except Exception as e:  # noqa: BLE001 - any failure means "not yet"
            last = e
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer within {timeout}s: {last}")


class Process:
    """A child process in its own process group, stopped on exit."""

    def __init__(self, argv, env=None, cwd=None, stdout=None, stderr=None):
        self.log = tempfile.TemporaryFile()
        # Closed when the Process goes (or at exit), never left to the
        # garbage collector's ResourceWarning; output() works until then.
        weakref.finalize(self, self.log.close)
        self.proc = subprocess.Popen(
            argv, env=env, cwd=cwd, start_new_session=True,
            stdout=stdout if stdout is not None else self.log,
            stderr=stderr if stderr is not None else subprocess.STDOUT)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def build_dir() -> str:
    """The CMake build directory under test (set by ctest as EEM_BUILD_DIR)."""
    path = os.environ.get("EEM_BUILD_DIR")
    if not path:
        raise AssertionError("EEM_BUILD_DIR is not set; run the tests through ctest")
    return path


def binary(name: str) -> str:
    path = os.path.join(build_dir(), "apps", name)
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is not built")
    return path


@contextlib.contextmanager
def moto_server(managed_policies: bool = False):
    """Yields the endpoint URL of a fresh moto_server (IAM, STS, ECR); with
    `managed_policies`, AWS managed policies exist in it, as in an account
    (moto loads them only with MOTO_IAM_LOAD_MANAGED_POLICIES)."""
    exe = require_tool("moto_server")
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true") if managed_policies else None
    with Process([exe, "-H", "127.0.0.1", "-p", str(port)], env=env) as p:
        wait_for_port(port, p.proc, timeout=60)
        yield f"http://127.0.0.1:{port}"


ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def moto_post(endpoint: str, path: str, body: bytes) -> bytes:
    """POST to moto's own API (/moto-api/...). moto 5.2 reads reset-auth's
    body as a bare number (moto_api/_internal/responses.py: float(request.data));
    a form content type would hide it, hence text/plain."""
    request = urllib.request.Request(endpoint + path, data=body, method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.read()


class MotoTestCase(unittest.TestCase):
    """One moto_server for the class (`managed_policies` as moto_server's) and
    a fresh account for every test (POST /moto-api/reset)."""

    managed_policies = False

    @classmethod
    def setUpClass(cls):
        cls.moto_cm = moto_server(cls.managed_policies)
        cls.moto = cls.moto_cm.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.moto_cm.__exit__(None, None, None)

    def setUp(self):
        moto_post(self.moto, "/moto-api/reset", b"")


def enforce_iam(endpoint: str, region: str = "us-east-1") -> dict:
    """Switches moto's IAM enforcement on. Before that (every key passes
    while it is off), creates the IAM user `admin` with an inline
    Action "*" policy and an access key: under enforcement, only keys moto
    knows are accepted, so administrator steps need real ones. Returns them
    as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY."""
    import boto3
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    iam.create_user(UserName="admin")
    iam.put_user_policy(UserName="admin", PolicyName="AdministratorAccess", PolicyDocument=json.dumps(ADMIN_POLICY))
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    moto_post(endpoint, "/moto-api/reset-auth", b"0")  # the count of calls still let through: none
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def assume_role_with_web_identity(endpoint: str, role_arn: str, session: str = "shipctl-test",
                                  region: str = "us-east-1") -> dict:
    """Temporary credentials of `role_arn` (moto checks neither the token nor
    the trust policy), as AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region, config=Config(signature_version=UNSIGNED))
    c = sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName=session,
                                          WebIdentityToken="not-checked-by-moto")["Credentials"]
    return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
            "AWS_SESSION_TOKEN": c["SessionToken"]}


def main() -> None:
    """unittest.main with a closing line ctest users can read."""
    unittest.main(module="__main__", verbosity=2, argv=sys.argv[:1])


class HttpServer:
    """`handler` (a BaseHTTPRequestHandler class) served from a thread on a free
    loopback port: a stand-in for an endpoint no real server here provides."""

    def __init__(self, handler, path: str = ""):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
