"""Starts the built ecs-express-mode-api on a free loopback port for a test."""

import contextlib
import json
import os

import harness


@contextlib.contextmanager
def service(**env):
    """Yields (port, process); stops the server (SIGTERM) afterwards."""
    port = harness.free_port()
    full_env = dict(os.environ, PORT=str(port), LISTEN_ADDRESS="127.0.0.1", WORKER_THREADS="2")
    full_env.update({k: str(v) for k, v in env.items()})
    proc = harness.Process([harness.binary("ecs-express-mode-api")], env=full_env,
                           stderr=None)
    try:
        harness.wait_for_port(port, proc.proc)
        yield port, proc
    finally:
        proc.stop()


def log_lines(proc):
    """The JSON log lines the process wrote to stdout so far."""
    lines = []
    for line in proc.output().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines
