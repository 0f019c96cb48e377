"""The load generator of the rolling-update and rollback steps: a few
workers, each sending GET /version over ONE keep-alive HTTPS connection to the
service's endpoint through the ECS stand-in's proxy (the "switch"), as long
as the deploy runs. Every request sent counts, and each ends one way:

- answered 200: its commit is counted (`commits`), its time kept (`slowest`);
- an error: any other status, a broken body, or no answer within `timeout`
  seconds (a slow endpoint is a failed request to its client);
- a reset: the connection broke (reset, closed before the answer, TLS torn
  down) or the server announced it would close the keep-alive connection.
  The worker opens a new connection and goes on.

Zero errors and zero resets is what a rolling update behind a load balancer
promises."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "support"))
# HTTPS to <service>.ecs.<region>.on.aws:443 resolved to the stand-in's proxy.
from ecs_proxy import EndpointConnection  # noqa: E402

WORKERS = 4  # enough to keep requests in flight on the old container when the proxy switches
TIMEOUT = 10.0  # seconds a request may take (connect, TLS, answer) before it counts as an error


@dataclass
class Load:
    host: str
    port: int
    ca_file: str
    workers: int = WORKERS
    timeout: float = TIMEOUT
    requests: int = 0
    errors: int = 0
    resets: int = 0
    slowest: float = 0.0  # seconds, of the requests answered
    commits: Counter = field(default_factory=Counter)  # commit /version reported -> answers
    problems: list = field(default_factory=list)  # the first few errors and resets, for the report
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.errors + self.resets

    def start(self) -> None:
        for i in range(self.workers):
            t = threading.Thread(target=self._worker, name=f"load-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        """Stops the workers once their request in flight ended (at most `timeout` on)."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout=self.timeout + 5)

    def summary(self) -> dict:
        with self._lock:
            return {"requests": self.requests, "failed": self.failed, "errors": self.errors, "resets": self.resets,
                    "workers": self.workers, "slowest_ms": round(self.slowest * 1000),
                    "commits": {c[:12]: n for c, n in self.commits.items()}}

    def _note(self, kind: str, text: str) -> None:
        with self._lock:
            if kind == "error":
                self.errors += 1
            else:
                self.resets += 1
            if len(self.problems) < 5:
                self.problems.append(f"{kind}: {text}")

    def _connect(self) -> EndpointConnection:
        conn = EndpointConnection(self.host, self.port, self.ca_file)
        conn.timeout = self.timeout
        return conn

    def _worker(self) -> None:
        conn = self._connect()
        try:
            while not self._stop.is_set():
                conn = self._one(conn)
        finally:
            conn.close()

    def _one(self, conn: EndpointConnection) -> EndpointConnection:
        """One request on `conn`; returns the connection to use next (a new
        one when this one broke or the server will close it)."""
        start = time.monotonic()
        with self._lock:
            self.requests += 1
        try:
            conn.request("GET", "/version")
            r = conn.getresponse()
            body = r.read()
        except (TimeoutError, socket.timeout) as e:
            self._note("error", f"no answer within {self.timeout:g} s ({e})")
            return self._reconnect(conn)
        except http.client.IncompleteRead as e:
            self._note("error", f"answer cut short: {e!r}")
            return self._reconnect(conn)
        except (OSError, http.client.HTTPException) as e:
            self._note("reset", f"{type(e).__name__}: {e}")
            return self._reconnect(conn)
        took = time.monotonic() - start
        if r.status != 200:
            self._note("error", f"HTTP {r.status}")
        else:
            self._count_commit(body, took)
        if r.will_close:
            self._note("reset", "the server closed the keep-alive connection")
            return self._reconnect(conn)
        return conn

    def _reconnect(self, conn: EndpointConnection) -> EndpointConnection:
        conn.close()
        return self._connect()

    def _count_commit(self, body: bytes, took: float) -> None:
        try:
            commit = json.loads(body).get("commit", "?")
        except (ValueError, AttributeError):
            commit = "?"
        with self._lock:
            if commit == "?":
                self.errors += 1
                if len(self.problems) < 5:
                    self.problems.append(f"error: 200 without a commit: {body[:80]!r}")
                return
            self.commits[commit] += 1
            self.slowest = max(self.slowest, took)
