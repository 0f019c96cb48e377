"""The ECS stand-in's load balancer: a TLS reverse proxy that routes by Host
(`<service>.ecs.<region>.on.aws`) to the container currently serving it.

Zero failed requests through a switch, by construction:
- each request picks the current upstream when it starts (`Router.acquire`),
  and counts as in flight on it until its answer is written;
- a client's keep-alive connection keeps its upstream connection while the
  upstream stays current, and opens a new one to the new upstream at the
  first request after a switch (the one in flight finishes on the old);
- `Router.switch` returns the old upstream, and the rollout stops its
  container only after `Upstream.wait_idle` (its in-flight requests done);
- an upstream connection that fails before any answer byte (an idle
  keep-alive connection the container closed) is retried once on a fresh one.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import socket
import ssl
import threading


class Upstream:
    """One container's published port, with its in-flight request count."""

    def __init__(self, port: int, label: str):
        self.port, self.label = port, label
        self.inflight = 0
        self.idle = threading.Condition()

    def wait_idle(self, timeout: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.inflight == 0, timeout)


class Router:
    """Host name -> current Upstream, plus per-host answer rewrites (fault switches)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.routes: dict[str, Upstream] = {}
        self.version_commit: dict[str, str] = {}  # host -> commit /version reports instead

    def switch(self, host: str, upstream: Upstream | None) -> Upstream | None:
        """Routes new requests for `host` to `upstream` (None: unroute); returns the previous one."""
        with self.lock:
            old = self.routes.pop(host, None)
            if upstream is not None:
                self.routes[host] = upstream
            return old

    def current(self, host: str) -> Upstream | None:
        with self.lock:
            return self.routes.get(host)

    def acquire(self, host: str) -> Upstream | None:
        with self.lock:
            up = self.routes.get(host)
            if up is not None:
                with up.idle:
                    up.inflight += 1
            return up

    @staticmethod
    def release(up: Upstream) -> None:
        with up.idle:
            up.inflight -= 1
            up.idle.notify_all()


MAX_BODY = 10 << 20  # ALB answers 413 above its limits too; the service takes no uploads
# Hop-by-hop fields (RFC 9110 section 7.6.1), plus what send_response writes itself.
_HOP = {"date", "server", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "content-length"}


class _Handler(http.server.BaseHTTPRequestHandler):
    """One client connection; `self.server.router` picks the upstream of each request."""

    protocol_version = "HTTP/1.1"
    timeout = 75  # idle keep-alive seconds; the ALB default idle timeout is 60 s

    def setup(self):
        super().setup()
        self.upstream: Upstream | None = None
        self.conn: http.client.HTTPConnection | None = None

    def log_message(self, *args):
        pass

    def finish(self):
        self._drop_upstream()
        super().finish()

    def _drop_upstream(self):
        if self.conn is not None:
            self.conn.close()
        self.conn, self.upstream = None, None

    def _reply(self, status: int, body: bytes, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes | None:
        """The request body; None (after answering 411) when it has no usable length."""
        value = self.headers.get("Content-Length") or "0"
        if not value.isdigit() or "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._reply(411, b"a request body needs a Content-Length\n", [("Content-Type", "text/plain")])
            return None
        if int(value) > MAX_BODY:  # read() would allocate the announced size at once
            self.close_connection = True
            self._reply(413, b"request body too large\n", [("Content-Type", "text/plain")])
            return None
        return self.rfile.read(int(value))

    def _exchange(self, up: Upstream, body: bytes):
        """One request to `up` on this client's upstream connection; one retry on a fresh one."""
        if self.upstream is not up:
            self._drop_upstream()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        headers["X-Forwarded-Proto"] = "https"
        headers["X-Forwarded-For"] = self.client_address[0]
        if body:
            headers["Content-Length"] = str(len(body))
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", up.port, timeout=30)
                self.upstream = up
            try:
                self.conn.request(self.command, self.path, body=body or None, headers=headers)
                response = self.conn.getresponse()
                return response, response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self._drop_upstream()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _forward(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        body = self._body()
        if body is None:
            return
        up = self.server.router.acquire(host)
        if up is None:
            return self._reply(503, b"no service answers for this host\n", [("Content-Type", "text/plain")])
        try:
            try:
                response, data = self._exchange(up, body)
            except (OSError, http.client.HTTPException):
                return self._reply(502, b"upstream failed\n", [("Content-Type", "text/plain")])
            if response.getheader("Connection", "").lower() == "close":
                self._drop_upstream()
            data = self._rewrite(host, data)
            headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
            self._reply(response.status, data, headers)
        finally:
            self.server.router.release(up)

    def _rewrite(self, host: str, data: bytes) -> bytes:
        commit = self.server.router.version_commit.get(host)
        if commit is None or self.path.split("?")[0] != "/version":
            return data
        try:
            doc = json.loads(data)
        except ValueError:
            return data
        doc["commit"] = commit
        return json.dumps(doc).encode()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _forward


class _TlsServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, context: ssl.SSLContext, router: Router):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context, self.router = context, router

    def finish_request(self, request, client_address):
        # The handshake runs in the connection's thread, not in the accept loop.
        try:
            request.settimeout(10)
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            request.close()
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            with contextlib.suppress(OSError):
                tls.shutdown(socket.SHUT_RDWR)
            tls.close()


class Proxy:
    """The TLS front end on a free loopback port, serving `certificate`/`key`."""

    def __init__(self, certificate: str, key: str):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self.router = Router()
        self.server = _TlsServer(context, self.router)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class EndpointConnection(http.client.HTTPSConnection):
    """HTTPS to `host`:443 as a client resolving it to the stand-in's proxy
    (what SHIPCTL_CONNECT_TO does for shipctl): SNI and name check for `host`."""

    def __init__(self, host: str, proxy_port: int, ca: str):
        super().__init__(host, 443, context=ssl.create_default_context(cafile=ca), timeout=10)
        self.proxy_port = proxy_port

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
