"""The service over real sockets: endpoints, HTTP edge cases, hardening."""

import http.client
import json
import socket
import threading
import time
import unittest

import harness
from service_process import log_lines, service


def raw(port, data: bytes, timeout=5.0) -> bytes:
    """Sends `data` on a new connection and reads until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


class Endpoints(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._ctx = service(MAX_BODY_BYTES=1024, MAX_HEADER_BYTES=1024)
        cls.port, cls.proc = cls._ctx.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._ctx.__exit__(None, None, None)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r, data

    def test_ping(self):
        r, body = self.request("GET", "/ping")
        self.assertEqual(r.status, 200)
        self.assertEqual(json.loads(body), {"status": "ok"})

    def test_version_reports_build(self):
        r, body = self.request("GET", "/version")
        self.assertEqual(r.status, 200)
        doc = json.loads(body)
        self.assertEqual(doc["service"], "ecs-express-mode-api")
        self.assertRegex(doc["commit"], r"^([0-9a-f]{40}|unknown)$")
        self.assertRegex(doc["build_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        for _ in range(50):
            conn.request("GET", "/ping")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        conn.close()

    def test_pipelined_requests_are_answered_in_order(self):
        out = raw(self.port, b"GET /ping HTTP/1.1\r\nHost: a\r\n\r\n"
                             b"GET /v1/greetings/Zed HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        self.assertEqual(out.count(b"HTTP/1.1 200 OK"), 2)
        self.assertLess(out.index(b'{"status":"ok"}'), out.index(b"Hello, Zed!"))

    def test_deep_pipeline_to_a_slow_reader_is_answered_whole_and_in_order(self):
        # 12 MB of pipelined requests (404s that echo their 900-byte path) to
        # a client that reads nothing until the server stops reading. The
        # server stops when a response does not fit its full send buffer: it
        # finishes that one asynchronously, and the next request waits for it.
        count = 12000
        pad = b"p" * 900
        requests = b"".join(b"GET /n%d-%s HTTP/1.1\r\nHost: a\r\n\r\n" % (i, pad) for i in range(count))
        requests += b"GET /ping HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        sent = [0]

        def send_all(sock):
            view = memoryview(requests)
            while sent[0] < len(requests):
                sent[0] += sock.send(view[sent[0]:sent[0] + 65536])

        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(30)
            s.connect(("127.0.0.1", self.port))
            sender = threading.Thread(target=send_all, args=(s,))
            sender.start()
            last, deadline = -1, time.monotonic() + 20
            while sent[0] != last and time.monotonic() < deadline:
                last = sent[0]
                time.sleep(0.5)
            self.assertLess(sent[0], len(requests), "the server never stopped reading")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
            sender.join()
        out = b"".join(chunks)
        self.assertEqual(out.count(b"HTTP/1.1 404 Not Found"), count)
        positions = [out.index(b"No resource at /n%d-" % i) for i in (0, 1, count // 2, count - 1)]
        self.assertEqual(positions, sorted(positions))
        self.assertTrue(out.endswith(b'{"status":"ok"}'))

    def test_post_greeting(self):
        r, body = self.request("POST", "/v1/greetings", body=json.dumps({"name": "Ann", "language": "ja"}),
                               headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200)
        self.assertEqual(json.loads(body)["greeting"], "こんにちは、Annさん")

    def test_errors_are_problem_details(self):
        cases = [
            ("GET", "/nope", None, {}, 404),
            ("DELETE", "/ping", None, {}, 405),
            ("POST", "/v1/greetings", "{}", {"Content-Type": "text/plain"}, 415),
            ("POST", "/v1/greetings", "{", {"Content-Type": "application/json"}, 400),
            ("POST", "/v1/greetings", "x" * 2048, {"Content-Type": "application/json"}, 413),
        ]
        for method, path, body, headers, status in cases:
            with self.subTest(method=method, path=path, status=status):
                r, data = self.request(method, path, body=body, headers=headers)
                self.assertEqual(r.status, status)
                self.assertEqual(r.getheader("Content-Type"), "application/problem+json")
                self.assertEqual(json.loads(data)["status"], status)

    def test_method_not_allowed_lists_allow(self):
        r, _ = self.request("PUT", "/v1/greetings")
        self.assertEqual(r.getheader("Allow"), "POST")

    def test_head_has_length_but_no_body(self):
        out = raw(self.port, b"HEAD /ping HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertIn(b"Content-Length: 15", head)
        self.assertEqual(body, b"")

    def test_expect_100_continue(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 14\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
            self.assertEqual(s.recv(100), b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(b'{"name":"Cy"}\n')
            out = b""
            while chunk := s.recv(4096):
                out += chunk
        self.assertIn(b"HTTP/1.1 200 OK", out)
        self.assertIn(b"Hello, Cy!", out)

    def test_malformed_http_gets_400_and_close(self):
        for data in [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                     b"GET /ping HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                     b"\x00\x01\x02\xff\r\n\r\n"]:
            with self.subTest(data=data):
                out = raw(self.port, data)
                self.assertTrue(out.startswith(b"HTTP/1.1 400 Bad Request\r\n"), out)
                self.assertIn(b"Connection: close", out)

    def test_oversize_header_gets_431(self):
        out = raw(self.port, b"GET /ping HTTP/1.1\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 431 "), out[:80])

    def test_oversize_body_is_refused_before_it_is_sent(self):
        out = raw(self.port, b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 100000000\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 413 "), out[:80])

    def test_access_log_line_per_request(self):
        self.request("GET", "/ping?probe=log", headers={"X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793"})
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            found = [l for l in log_lines(self.proc)
                     if l.get("request_id") == "Root=1-5759e988-bd862e3fe1be46a994272793"]
            if found:
                break
            time.sleep(0.05)
        self.assertEqual(len(found), 1)
        line = found[0]
        self.assertEqual((line["msg"], line["method"], line["path"], line["status"]),
                         ("request", "GET", "/ping", 200))
        self.assertEqual(line["bytes_out"], 15)
        self.assertIsInstance(line["duration_ms"], float)


class Hardening(unittest.TestCase):
    def test_slow_header_is_cut_off(self):
        with service(HEADER_TIMEOUT_MS=300) as (port, _):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET /ping HTTP/1.1\r\nHost: a\r\n")
                start = time.monotonic()
                try:
                    data = s.recv(100)
                except ConnectionResetError:
                    data = b""
                elapsed = time.monotonic() - start
            self.assertEqual(data, b"")
            self.assertLess(elapsed, 3.0)

    def test_idle_keep_alive_connection_is_closed(self):
        with service(IDLE_TIMEOUT_MS=1000) as (port, _):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/ping")
            conn.getresponse().read()
            start = time.monotonic()
            self.assertEqual(conn.sock.recv(10), b"")
            self.assertLess(time.monotonic() - start, 4.0)

    def test_connection_cap_answers_503(self):
        with service(MAX_CONNECTIONS=2, WORKER_THREADS=1) as (port, _):
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
            try:
                time.sleep(0.2)
                out = raw(port, b"GET /ping HTTP/1.1\r\nHost: a\r\n\r\n")
                self.assertTrue(out.startswith(b"HTTP/1.1 503 "), out)
            finally:
                for s in held:
                    s.close()
            time.sleep(0.3)
            self.assertIn(b"200 OK", raw(port, b"GET /ping HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))

    def test_client_that_never_reads_is_closed_at_the_send_deadline(self):
        # Issue 13: pipelined requests from a client that reads nothing kept
        # their connection forever, and /ping got 503 at the connection cap.
        with service(SEND_TIMEOUT_MS=300, MAX_CONNECTIONS=1, WORKER_THREADS=1) as (port, _):
            hog = socket.socket()
            hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            hog.settimeout(1)
            hog.connect(("127.0.0.1", port))
            request = b"GET /n-%s HTTP/1.1\r\nHost: a\r\n\r\n" % (b"p" * 900)
            try:
                while True:  # until the server stops reading, or closes
                    hog.sendall(request * 64)
            except (socket.timeout, ConnectionError):
                pass
            deadline, status = time.monotonic() + 10, b""
            while time.monotonic() < deadline:
                status = raw(port, b"GET /ping HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")[:12]
                if status == b"HTTP/1.1 200":
                    break
                time.sleep(0.1)
            hog.close()
            self.assertEqual(status, b"HTTP/1.1 200")

    def test_bodies_over_the_budget_wait_unread_until_budget_frees(self):
        body = b'{"name":"A"}'.ljust(1024)
        head = (b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1024\r\n")
        with service(MAX_BODY_BYTES=1024, BODY_BUFFER_BYTES=2048, WORKER_THREADS=1) as (port, _):
            # Two bodies under way take the whole budget (by declared length).
            holders = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
            for h in holders:
                h.sendall(head + b"\r\n" + body[:10])
            time.sleep(0.3)
            waiting = socket.create_connection(("127.0.0.1", port), timeout=1)
            waiting.sendall(head + b"Expect: 100-continue\r\n\r\n")
            # Not admitted: no 100 Continue, so the client does not send.
            with self.assertRaises(socket.timeout):
                waiting.recv(100)
            holders[0].sendall(body[10:])
            self.assertIn(b"Hello, A!", holders[0].recv(4096))
            waiting.settimeout(5)
            self.assertEqual(waiting.recv(100), b"HTTP/1.1 100 Continue\r\n\r\n")
            waiting.sendall(body)
            self.assertIn(b"Hello, A!", waiting.recv(4096))
            for s in holders + [waiting]:
                s.close()

    def test_framing_a_smuggler_could_use_is_refused_and_closed(self):
        # Issue 13: "Transfer-Encoding: gzip" was taken as no body, and the
        # bytes after it answered as the next request.
        smuggled = b"GET /v1/greetings/SMUGGLED HTTP/1.1\r\nHost: a\r\n\r\n"
        cases = [
            (b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
             b"The final transfer coding must be chunked."),
            (b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
             b"The final transfer coding must be chunked."),
            (b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
             b"Content-Length: %d\r\n\r\n" % len(smuggled),
             b"Transfer-Encoding and Content-Length must not be sent together."),
            (b"GET /ping HTTP/1.1\r\n\r\n", b"An HTTP/1.1 request needs exactly one Host header field."),
        ]
        with service() as (port, _):
            for head, detail in cases:
                with self.subTest(head=head):
                    out = raw(port, head + smuggled)
                    self.assertTrue(out.startswith(b"HTTP/1.1 400 Bad Request\r\n"), out)
                    self.assertIn(b"Connection: close", out)
                    self.assertIn(detail, out)
                    self.assertNotIn(b"SMUGGLED", out)
                    self.assertEqual(out.count(b"\r\nDate: "), 1)  # one response


if __name__ == "__main__":
    harness.main()
