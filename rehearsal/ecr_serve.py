#!/usr/bin/env python3
"""Runs the ECR stand-in of the test suite (tests/support/ecr_stand_in.py) as
a process of its own, so the rehearsal can stop it or leave it running
(--keep). Prints one JSON line with what clients need, then serves until
SIGTERM or SIGINT. moto runs inside it: the rehearsal switches IAM
enforcement on over HTTP (POST /moto-api/reset-auth), and reads the calls
file for its report. The ECS stand-in, a process of its own, has each API
call judged here ("judge": POST a JSON {"source", "key", "action",
"resource"}; the answer is {"error": null} or {"error": [code, message]}),
so moto's policy engine decides ECS calls too, and they join the calls file.

usage: ecr_serve.py WORKDIR
"""

import http.server
import json
import os
import signal
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "support"))

import ecr_stand_in  # noqa: E402
import moto_iam  # noqa: E402


class _Judge(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        call = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        error = moto_iam.judge(ecr_stand_in.ACCOUNT, call["source"], call["key"], call["action"], call["resource"])
        body = json.dumps({"error": error}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_judge() -> str:
    """The judge on a free loopback port (its own thread); returns its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Judge)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


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
                          "password": ecr.password, "calls": ecr.calls_file, "judge": start_judge()}), flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
