"""The rehearsal's load generator (rehearsal/load.py) against endpoints that
misbehave: it must count what a client of the service would suffer, so the
rolling update's "0 failed" means something. A connection the server resets
or closes is a reset; a slow answer (past the timeout), a non-200 and a 200
without a commit are errors; the workers go on after each. Through the ECS
stand-in's real proxy, switches between two upstreams under load fail
nothing, and an endpoint with no upstream is seen failing."""

import http.server
import json
import os
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import unittest

import harness
from ecs_proxy import Proxy, Upstream
from ecs_stand_in import make_certificate

sys.path.insert(0, os.path.join(harness.REPO, "rehearsal"))
from load import Load  # noqa: E402

HOST = "web.ecs.ap-northeast-1.on.aws"


class Behaviour:
    """What the test server does with the n-th request (1-based) of the run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0
        self.reset_every = 0  # abort the connection (RST) instead of answering every n-th request
        self.close_every = 0  # answer with Connection: close every n-th request
        self.delay = 0.0  # seconds before answering
        self.status = 200
        self.body = b'{"commit": "c0ffee"}'

    def next(self) -> int:
        with self.lock:
            self.count += 1
            return self.count


def _handler(behaviour: Behaviour):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            n = behaviour.next()
            if behaviour.reset_every and n % behaviour.reset_every == 0:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            time.sleep(behaviour.delay)
            self.send_response(behaviour.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(behaviour.body)))
            if behaviour.close_every and n % behaviour.close_every == 0:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(behaviour.body)

    return Handler


class Server:
    """The endpoint: HTTPS for HOST (`tls`) or plain HTTP (an upstream behind the proxy)."""

    def __init__(self, behaviour: Behaviour, tls: tuple[str, str] | None):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour))
        self.server.daemon_threads = True
        self.server.handle_error = lambda *_: None  # a client gone (timed out) is what some tests do
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class LoadGenerator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("openssl")
        work = tempfile.TemporaryDirectory(prefix="load-")
        cls.addClassCleanup(work.cleanup)
        cls.ca, cert, key = make_certificate(work.name, "ap-northeast-1", None)
        cls.tls = (cert, key)

    def run_load(self, behaviour: Behaviour, seconds: float = 1.5, **kw) -> Load:
        server = Server(behaviour, self.tls)
        self.addCleanup(server.close)
        load = Load(HOST, server.port, self.ca, **kw)
        load.start()
        time.sleep(seconds)
        started = time.monotonic()
        load.stop()
        self.assertLess(time.monotonic() - started, load.timeout + 2, "stop() waits at most for one timeout")
        self.assertTrue(all(not t.is_alive() for t in load._threads))
        return load

    def test_keep_alive_answers_count_their_commit_and_nothing_failed(self):
        load = self.run_load(Behaviour())
        self.assertGreater(load.requests, 20)
        self.assertEqual((load.failed, load.errors, load.resets), (0, 0, 0))
        self.assertEqual(dict(load.commits), {"c0ffee": load.requests})
        self.assertGreater(load.slowest, 0)

    def test_a_connection_the_server_resets_is_a_reset_and_the_worker_goes_on(self):
        b = Behaviour()
        b.reset_every = 5
        load = self.run_load(b)
        self.assertGreater(load.resets, 0)
        self.assertEqual(load.errors, 0)
        self.assertEqual(load.requests, load.resets + sum(load.commits.values()))
        self.assertGreater(sum(load.commits.values()), load.resets, "workers reconnect and keep sending")
        broken = "ConnectionResetError|RemoteDisconnected|BrokenPipeError|SSLError|SSLEOFError|SSLZeroReturnError"
        self.assertRegex(load.problems[0], rf"^reset: ({broken})")

    def test_connection_close_ends_the_keep_alive_connection_a_reset(self):
        b = Behaviour()
        b.close_every = 4
        load = self.run_load(b)
        self.assertGreater(load.resets, 0)
        self.assertEqual(load.errors, 0)
        self.assertIn("reset: the server closed the keep-alive connection", load.problems)

    def test_a_slow_endpoint_fails_its_requests_after_the_timeout(self):
        b = Behaviour()
        b.delay = 1.2
        load = self.run_load(b, seconds=1.0, timeout=0.4, workers=2)
        self.assertGreater(load.errors, 0)
        self.assertEqual(load.commits, {})
        self.assertTrue(load.problems[0].startswith("error: no answer within 0.4 s"), load.problems)

    def test_slow_but_within_the_timeout_passes_and_is_reported(self):
        b = Behaviour()
        b.delay = 0.2
        load = self.run_load(b, seconds=1.0, timeout=2.0, workers=2)
        self.assertEqual(load.failed, 0)
        self.assertGreaterEqual(load.summary()["slowest_ms"], 200)

    def test_an_error_status_and_a_200_without_a_commit_are_errors(self):
        for status, body in ((503, b'{"commit": "c0ffee"}'), (200, b"<html>maintenance</html>"), (200, b"[]")):
            with self.subTest(status=status, body=body):
                b = Behaviour()
                b.status, b.body = status, body
                load = self.run_load(b, seconds=0.5)
                self.assertGreater(load.errors, 0)
                self.assertEqual((load.resets, dict(load.commits)), (0, {}))

    def test_switches_through_the_stand_ins_proxy_fail_nothing_and_no_upstream_is_seen(self):
        old, new = Behaviour(), Behaviour()
        old.body, new.body = b'{"commit": "old"}', b'{"commit": "new"}'
        servers = [Server(old, None), Server(new, None)]
        proxy = Proxy(*self.tls)
        self.addCleanup(proxy.close)
        for s in servers:
            self.addCleanup(s.close)
        upstreams = [Upstream(s.port, name) for s, name in zip(servers, ("old", "new"))]
        proxy.router.switch(HOST, upstreams[0])
        load = Load(HOST, proxy.port, self.ca)
        load.start()
        try:
            for i in range(20):
                time.sleep(0.05)
                previous = proxy.router.switch(HOST, upstreams[(i + 1) % 2])
                self.assertTrue(previous.wait_idle(5))
        finally:
            load.stop()
        self.assertEqual((load.failed, load.problems), (0, []))
        self.assertEqual(set(load.commits), {"old", "new"})
        # Nothing routed (every task gone): the generator sees it.
        proxy.router.switch(HOST, None)
        load = Load(HOST, proxy.port, self.ca, workers=1)
        load.start()
        time.sleep(0.3)
        load.stop()
        self.assertGreater(load.failed, 0)
        self.assertEqual(load.commits, {})


if __name__ == "__main__":
    harness.main()
