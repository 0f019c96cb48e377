#!/usr/bin/env python3
"""Runs the ECR stand-in of the test suite (tests/support/ecr_stand_in.py) as
a process of its own, so the rehearsal can stop it or leave it running
(--keep). Prints one JSON line with what clients need, then serves until
SIGTERM or SIGINT. moto runs inside it: the rehearsal switches IAM
enforcement on over HTTP (POST /moto-api/reset-auth), and reads the calls
file for its report.

usage: ecr_serve.py WORKDIR
"""

import json
import os
import signal
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import ecr_stand_in  # noqa: E402


def main() -> None:
    workdir = sys.argv[1]
    os.makedirs(workdir, mode=0o700, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with ecr_stand_in.ecr_stand_in(workdir) as ecr:
        # upstream: docker-registry itself, plain http on loopback, for reads
        # by tools that cannot be pointed at the TLS name (podman pull).
        print(json.dumps({"endpoint": ecr.endpoint, "host": ecr.host, "port": ecr.port, "ca_file": ecr.ca,
                          "connect_to": ecr.env["SHIPCTL_CONNECT_TO"], "upstream": ecr.upstream,
                          "password": ecr.password, "calls": ecr.calls_file}), flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
