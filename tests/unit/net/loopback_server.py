"""A scriptable HTTP/1.1 server on loopback for the C++ unit tests.

Started by tests/unit/net/loopback_server.h (optionally with --tls CERT KEY
for HTTPS); prints its port on the first line
of stdout, then serves until stdin closes (so it never outlives the test).

Routes:
  /echo...            200, JSON {method, path, headers, body, client_port, alpn}
  /status/N           status N, empty body
  /bytes/N            N bytes of 'x'
  /redirect/N?to=URL  status N with Location: URL
  /sleep/MS           waits MS milliseconds, then 200
  /drop               closes the connection without answering
  /script             pops the next canned response queued by POST /queue
  /queue              POST a JSON list of {status, headers, body}; 204
  /log                JSON list of requests seen by /script ({method, path, headers, body})
"""

import base64
import json
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

QUEUE = []
LOG = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, body=b"", headers=()):
        # No automatic Date header when the script supplies one (clock-skew tests).
        self.send_response_only(status)
        if not any(name.lower() == "date" for name, _ in headers):
            self.send_header("Date", self.date_time_string())
        for name, value in headers:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _handle(self):
        body = self._body()
        url = urllib.parse.urlsplit(self.path)
        path = url.path if not self.path.startswith("http") else self.path
        parts = url.path.strip("/").split("/")
        if parts[0] == "echo":
            data = {"method": self.command, "path": path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body_b64": base64.b64encode(body).decode(),
                    "client_port": self.client_address[1],
                    "alpn": getattr(self.connection, "selected_alpn_protocol", lambda: None)()}
            return self._send(200, json.dumps(data).encode(), [("Content-Type", "application/json")])
        if parts[0] == "status":
            return self._send(int(parts[1]))
        if parts[0] == "bytes":
            return self._send(200, b"x" * int(parts[1]))
        if parts[0] == "redirect":
            to = urllib.parse.parse_qs(url.query)["to"][0]
            return self._send(int(parts[1]), b"", [("Location", to)])
        if parts[0] == "sleep":
            time.sleep(int(parts[1]) / 1000)
            return self._send(200, b"late")
        if parts[0] == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return None
        if parts[0] == "queue":
            with LOCK:
                QUEUE.extend(json.loads(body))
            return self._send(204)
        if parts[0] == "log":
            with LOCK:
                data = json.dumps(LOG).encode()
            return self._send(200, data)
        with LOCK:
            LOG.append({"method": self.command, "path": self.path,
                        "headers": [[k, v] for k, v in self.headers.items()],
                        "body": body.decode("utf-8", "replace")})
            canned = QUEUE.pop(0) if QUEUE else {"status": 599, "body": "queue empty"}
        if canned.get("drop"):
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return None
        return self._send(canned["status"], canned.get("body", "").encode(),
                          [tuple(h) for h in canned.get("headers", [])])

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":  # --tls CERT KEY: serve HTTPS
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        # Offers h2 first, as docker-registry and ECR do; this server speaks
        # only HTTP/1.1, so a client that picks h2 fails.
        context.set_alpn_protocols(["h2", "http/1.1"])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the test closes the pipe or exits


if __name__ == "__main__":
    main()
