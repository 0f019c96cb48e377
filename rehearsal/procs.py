"""Processes, ports and temporary files of one rehearsal, all owned by a
Supervisor that stops and removes them, also on failure, Ctrl-C and SIGTERM.

Every child runs in its own session (process group), so stopping it also
stops what it started (scripts/container runs podman, for instance). A
signal that arrives while a child is being started is held until the child
is under the supervisor, so no child can escape the cleanup."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


class Interrupted(Exception):
    """Raised in the main thread when SIGINT or SIGTERM arrives."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Child:
    """One started process; its output goes to `log` (a file path)."""

    def __init__(self, name: str, argv: list[str], env: dict, log: str):
        self.name, self.argv, self.log = name, argv, log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def running(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 15) -> str:
        """The last `lines` lines of the child's output."""
        with contextlib.suppress(OSError), open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).rstrip()
        return ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the process group, SIGKILL after `timeout` seconds."""
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Supervisor:
    """Owns the rehearsal's temporary directory, children and cleanup hooks."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="shipctl-rehearsal.")
        os.chmod(self.tmp, 0o700)
        self.children: list[Child] = []
        self.cleanups: list = []  # callables, run last-in first-out

    def path(self, *parts: str) -> str:
        return os.path.join(self.tmp, *parts)

    def start(self, name: str, argv: list[str], env: dict | None = None) -> Child:
        """Starts `argv` in its own session; its output goes to tmp/logs/NAME.log.
        SIGINT/SIGTERM are held from before the fork until the child is listed:
        raised inside Popen (it waits for the exec) or before the append, the
        Interrupted would lose a running child (issue 13, item 17)."""
        os.makedirs(self.path("logs"), exist_ok=True)
        with signals_held():
            child = Child(name, argv, env if env is not None else dict(os.environ),
                          self.path("logs", f"{name}.log"))
            if os.environ.get(SIGNAL_AFTER_SPAWN) == name:
                os.kill(os.getpid(), signal.SIGTERM)  # the test's way to land a signal in this window
            self.children.append(child)
        return child

    def on_cleanup(self, fn) -> None:
        self.cleanups.append(fn)

    def stop_all(self, keep_tmp: bool = False) -> None:
        """Stops every child (newest first), runs the cleanup hooks, removes tmp.
        Signals are ignored from here on: a cleanup cut short would leak."""
        ignore_signals()
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        while self.cleanups:
            with contextlib.suppress(Exception):
                self.cleanups.pop()()
        if not keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def wait_for_port(child: Child, port: int, timeout: float) -> None:
    """Waits until 127.0.0.1:`port` accepts connections; raises RuntimeError
    naming the child (with its last output) when it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.running():
            raise RuntimeError(f"{child.name} exited with {child.proc.returncode}: {child.tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{child.name} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def http_get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    """GET `url`; returns (status, body). HTTP errors are answers, not exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def wait_for_http_ok(url: str, timeout: float) -> tuple[int, str]:
    """Polls `url` until it answers 200; returns the last (status, body) or raises."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            status, body = http_get(url, timeout=1.0)
            if status == 200:
                return status, body
            last = f"HTTP {status}"
        except OSError as e:
            last = str(e)
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s (last: {last})")


# Names a child (e.g. actions-oidc-issuer): the supervisor sends itself
# SIGTERM right after forking it, before listing it. For the SIGTERM test only.
SIGNAL_AFTER_SPAWN = "REHEARSAL_TEST_SIGTERM_AFTER_SPAWN"


class _Held:
    """How many signals_held() blocks are open, and the signal they deferred."""

    depth = 0
    pending: int | None = None


@contextlib.contextmanager
def signals_held():
    """Defers Interrupted to the end of the block (the main thread's handler
    records the signal instead of raising while a block is open)."""
    _Held.depth += 1
    try:
        yield
    finally:
        _Held.depth -= 1
        if _Held.depth == 0 and _Held.pending is not None:
            signum, _Held.pending = _Held.pending, None
            ignore_signals()
            raise Interrupted(signum)


def ignore_signals() -> None:
    """SIGINT and SIGTERM ignored from now on (no-op outside the main thread)."""
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM raise Interrupted in the main thread, so `finally`
    blocks stop everything (inside signals_held(), at the end of the block);
    a second signal during cleanup is ignored."""

    def handler(signum, _frame):
        if _Held.depth:
            # Not ignored yet: a child forked now would inherit SIG_IGN and
            # shrug off the SIGTERM that stops it.
            _Held.pending = signum
            return
        ignore_signals()
        raise Interrupted(signum)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
