"""The load generator of the rolling-update step: a few workers, each
sending GET /version over ONE keep-alive HTTPS connection to the service's
endpoint through the ECS stand-in's proxy (the "switch"), as long as the
deploy runs. A non-200 answer or an exception is an error; a connection the
server closed (or that broke) and that had to be opened again is a reset.
Zero of both is what a rolling update behind a load balancer promises."""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "support"))
# HTTPS to <service>.ecs.<region>.on.aws:443 resolved to the stand-in's proxy.
from ecs_proxy import EndpointConnection  # noqa: E402

WORKERS = 4  # enough to keep requests in flight on the old container when the proxy switches


@dataclass
class Load:
    host: str
    port: int
    ca_file: str
    workers: int = WORKERS
    requests: int = 0
    errors: int = 0
    resets: int = 0
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
        self._stop.set()
        for t in self._threads:
            t.join(timeout=15)

    def _note(self, kind: str, text: str) -> None:
        with self._lock:
            if kind == "error":
                self.errors += 1
            else:
                self.resets += 1
            if len(self.problems) < 5:
                self.problems.append(f"{kind}: {text}")

    def _worker(self) -> None:
        conn = EndpointConnection(self.host, self.port, self.ca_file)
        try:
            while not self._stop.is_set():
                conn = self._one(conn)
        finally:
            conn.close()

    def _one(self, conn: EndpointConnection) -> EndpointConnection:
        """One request on `conn`; returns the connection to use next (a new
        one, counted as a reset, when this one broke or the server closed it)."""
        try:
            conn.request("GET", "/version")
            r = conn.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException) as e:
            with self._lock:
                self.requests += 1
            self._note("reset", f"{type(e).__name__}: {e}")
            conn.close()
            return EndpointConnection(self.host, self.port, self.ca_file)
        with self._lock:
            self.requests += 1
        if r.status != 200:
            self._note("error", f"HTTP {r.status}")
        else:
            self._count_commit(body)
        if r.will_close:
            self._note("reset", "the server closed the keep-alive connection")
            conn.close()
            return EndpointConnection(self.host, self.port, self.ca_file)
        return conn

    def _count_commit(self, body: bytes) -> None:
        try:
            commit = json.loads(body).get("commit", "?")
        except ValueError:
            commit = "?"
        with self._lock:
            self.commits[commit] += 1
