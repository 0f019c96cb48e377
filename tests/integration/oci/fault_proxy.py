"""A small HTTP proxy in front of a plain-http registry that injects faults
into blob uploads: 503 and 429 answers, connections dropped mid-body, stalls,
and ECR's 201 answer to an intermediate PATCH."""

from __future__ import annotations

import http.client
import http.server
import socket
import threading
import time


class Faults:
    def __init__(self, plan: list[str], rewrite_patch_201: bool = False, check_plan: list[str] | None = None,
                 manifest_digest: str | None = None):
        # consumed one per blob-upload request: "503", "429", "drop", "stall", "digest_invalid", "ok"
        self.plan = list(plan)
        # consumed one per existence check (GET /v2/, HEAD of a blob): "503-retry-after-1", "429", "ok"
        self.check_plan = list(check_plan or [])
        self.checks = 0
        # when set, manifest PUTs answer 201 with this Docker-Content-Digest (a registry that altered it)
        self.manifest_digest = manifest_digest
        self.rewrite_patch_201 = rewrite_patch_201
        self.injected: list[str] = []
        self.manifest_puts = 0
        self.status_queries = 0  # GET on an upload URL: a resume asking where it stands
        self.lock = threading.Lock()

    def next(self) -> str:
        with self.lock:
            return self.plan.pop(0) if self.plan else "ok"

    def next_check(self) -> str:
        with self.lock:
            self.checks += 1
            return self.check_plan.pop(0) if self.check_plan else "ok"


def make_handler(upstream_port: int, faults: Faults):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _read_body(self, limit=None) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            want = length if limit is None else min(limit, length)
            data = b""
            while len(data) < want:
                chunk = self.rfile.read(min(65536, want - len(data)))
                if not chunk:
                    break
                data += chunk
            return data

        def _answer(self, status: int, extra=(), code="UNAVAILABLE"):
            body = b'{"errors":[{"code":"%s","message":"injected"}]}' % code.encode()
            self.send_response(status)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _forward(self, body: bytes):
            conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
            headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body if self.command not in ("GET", "HEAD") or body else None,
                         headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            status = resp.status
            if faults.rewrite_patch_201 and self.command == "PATCH" and status == 202:
                status = 201
            altered = faults.manifest_digest and self.command == "PUT" and "/manifests/" in self.path
            self.send_response(status)
            for k, v in resp.getheaders():
                if altered and k.lower() == "docker-content-digest":
                    v = faults.manifest_digest
                if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        def _handle(self):
            is_upload = "/blobs/uploads/" in self.path and self.command in ("PUT", "PATCH") and \
                int(self.headers.get("Content-Length") or 0) > 0
            if "/manifests/" in self.path and self.command == "PUT":
                faults.manifest_puts += 1
            if "/blobs/uploads/" in self.path and self.command == "GET":
                faults.status_queries += 1
            is_check = (self.command == "GET" and self.path == "/v2/") or \
                (self.command == "HEAD" and "/blobs/" in self.path)
            if is_check:
                action = faults.next_check()
                if action != "ok":
                    faults.injected.append(action)
                if action == "503-retry-after-1":
                    self._answer(503, [("Retry-After", "1")])
                    return
                if action == "429":
                    self._answer(429)
                    return
            if is_upload:
                action = faults.next()
                if action != "ok":
                    faults.injected.append(action)
                if action == "drop":
                    self._read_body(limit=int(self.headers.get("Content-Length")) // 2)
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if action in ("503", "429"):
                    self._read_body()
                    self._answer(int(action), [("Retry-After", "0")] if action == "429" else ())
                    return
                if action == "digest_invalid" and self.command == "PUT":
                    self._read_body()
                    self._answer(400, code="DIGEST_INVALID")
                    return
                if action == "stall":
                    time.sleep(2)
            self._forward(self._read_body())

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


class Proxy:
    def __init__(self, upstream_port: int, faults: Faults):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(upstream_port, faults))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
