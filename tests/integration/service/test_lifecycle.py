"""Process lifecycle: configuration errors, health check, graceful drain."""

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

import harness
from service_process import log_lines, service


def run_binary(args, **env):
    full_env = dict(os.environ)
    full_env.update({k: str(v) for k, v in env.items()})
    return subprocess.run([harness.binary("ecs-express-mode-api"), *args], env=full_env,
                          capture_output=True, text=True, timeout=30)


class Configuration(unittest.TestCase):
    def test_invalid_value_refuses_to_start(self):
        r = run_binary([], PORT="http")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "ecs-express-mode-api: configuration error: "
                                   "PORT=http: expected an integer from 1 to 65535\n")

    def test_bad_listen_address(self):
        r = run_binary([], PORT=harness.free_port(), LISTEN_ADDRESS="localhost")
        self.assertEqual(r.returncode, 2)
        self.assertIn("listen address 'localhost' is not an IPv4 or IPv6 address", r.stderr)

    def test_port_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            r = run_binary([], PORT=s.getsockname()[1], LISTEN_ADDRESS="127.0.0.1")
        self.assertEqual(r.returncode, 74)
        self.assertIn("cannot listen on 127.0.0.1:", r.stderr)

    def test_help_documents_environment(self):
        r = run_binary(["--help"])
        self.assertEqual(r.returncode, 0)
        for name in ("PORT", "DRAIN_TIMEOUT_MS", "--healthcheck"):
            self.assertIn(name, r.stdout)

    def test_unknown_argument(self):
        self.assertEqual(run_binary(["--bogus"]).returncode, 2)


class HealthCheck(unittest.TestCase):
    def test_healthy_and_unhealthy(self):
        with service() as (port, _):
            self.assertEqual(run_binary(["--healthcheck"], PORT=port).returncode, 0)
        r = run_binary(["--healthcheck"], PORT=port)
        self.assertEqual(r.returncode, 1)
        self.assertIn("healthcheck: GET http://127.0.0.1:", r.stderr)


class Drain(unittest.TestCase):
    def test_sigterm_finishes_in_flight_requests_then_exits_zero(self):
        with service(DRAIN_TIMEOUT_MS=10000) as (port, proc):
            # A request whose header and half its body are in; the rest comes
            # after SIGTERM. It must still be answered.
            slow = socket.create_connection(("127.0.0.1", port), timeout=10)
            body = b'{"name":"Slow"}'
            slow.sendall(b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
            # An idle keep-alive connection: closed at once by the drain.
            idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            idle.request("GET", "/ping")
            idle.getresponse().read()
            # Load from several threads; every response must be a whole 200.
            stop = threading.Event()
            results = {"ok": 0, "bad": [], "refused": 0}

            def hammer():
                while not stop.is_set():
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                        c.request("GET", "/ping")
                        r = c.getresponse()
                        data = r.read()
                        if r.status == 200 and data == b'{"status":"ok"}':
                            results["ok"] += 1
                        else:
                            results["bad"].append((r.status, data))
                        c.close()
                    except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                        # Connections the server never accepted (listener closed).
                        results["refused"] += 1
                        time.sleep(0.01)

            threads = [threading.Thread(target=hammer) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(0.5)
            start = time.monotonic()
            proc.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            slow.sendall(body[5:])
            answer = b""
            while chunk := slow.recv(4096):
                answer += chunk
            stop.set()
            for t in threads:
                t.join()
            code = proc.proc.wait(timeout=15)
            elapsed = time.monotonic() - start
            self.assertEqual(idle.sock.recv(10) if idle.sock else b"", b"")
        self.assertEqual(code, 0)
        self.assertLess(elapsed, 10.0)
        self.assertIn(b"HTTP/1.1 200 OK", answer)
        self.assertIn(b"Connection: close", answer)
        self.assertIn(b"Hello, Slow!", answer)
        self.assertGreater(results["ok"], 50)
        self.assertEqual(results["bad"], [])
        messages = [l["msg"] for l in log_lines(proc)]
        self.assertEqual(messages[0], "listening")
        self.assertIn("draining", messages)
        self.assertEqual(messages[-1], "stopped")
        self.assertEqual(log_lines(proc)[-1]["forced_closes"], 0)

    def test_drain_timeout_closes_stuck_connections(self):
        with service(DRAIN_TIMEOUT_MS=500) as (port, proc):
            stuck = socket.create_connection(("127.0.0.1", port), timeout=10)
            stuck.sendall(b"POST /v1/greetings HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab")
            time.sleep(0.2)
            start = time.monotonic()
            proc.proc.send_signal(signal.SIGTERM)
            code = proc.proc.wait(timeout=10)
            elapsed = time.monotonic() - start
            stuck.close()
        self.assertEqual(code, 0)
        self.assertLess(elapsed, 3.0)
        self.assertEqual(log_lines(proc)[-1]["forced_closes"], 1)


class DrainAnswersWhatWasSent(unittest.TestCase):
    """Issue 13: every request fully sent before the listener closed gets an
    answer; idle connections close with a FIN, not a reset."""

    def test_pipelined_requests_waiting_in_the_socket_are_all_answered(self):
        # A client that reads nothing until the server has stopped reading:
        # at SIGTERM most of its requests are still in the socket buffer.
        count = 3000
        pad = b"p" * 900
        requests = b"".join(b"GET /n%d-%s HTTP/1.1\r\nHost: a\r\n\r\n" % (i, pad) for i in range(count))
        with service(WORKER_THREADS=1) as (port, proc):
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            warm.request("GET", "/ping")  # serving: the SIGTERM handler is in place
            warm.getresponse().read()
            warm.close()
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.settimeout(20)
                s.connect(("127.0.0.1", port))
                sender = threading.Thread(target=s.sendall, args=(requests,))
                sender.start()
                time.sleep(1)
                proc.proc.send_signal(signal.SIGTERM)
                time.sleep(0.3)
                chunks = []
                while chunk := s.recv(65536):
                    chunks.append(chunk)
                sender.join()
            code = proc.proc.wait(timeout=15)
        out = b"".join(chunks)
        self.assertEqual(code, 0)
        self.assertEqual(out.count(b"HTTP/1.1 404 Not Found"), count)
        self.assertEqual(out.count(b"Connection: close"), 1)
        self.assertIn(b"No resource at /n%d-" % (count - 1), out[out.index(b"Connection: close"):])

    def test_requests_on_connections_not_yet_accepted_are_answered(self):
        with service(WORKER_THREADS=1) as (port, proc):
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            warm.request("GET", "/ping")  # serving: the SIGTERM handler is in place
            warm.getresponse().read()
            warm.close()
            proc.proc.send_signal(signal.SIGSTOP)  # the kernel still completes handshakes
            clients = []
            for i in range(20):
                c = socket.create_connection(("127.0.0.1", port), timeout=10)
                c.sendall(b"GET /v1/greetings/c%d HTTP/1.1\r\nHost: a\r\n\r\n" % i)
                clients.append(c)
            proc.proc.send_signal(signal.SIGTERM)
            proc.proc.send_signal(signal.SIGCONT)
            answers = []
            for c in clients:
                data = b""
                try:
                    while chunk := c.recv(4096):
                        data += chunk
                except ConnectionResetError:
                    data += b"<reset>"
                answers.append(data)
                c.close()
            self.assertEqual(proc.proc.wait(timeout=15), 0)
        for i, data in enumerate(answers):
            self.assertIn(b"Hello, c%d!" % i, data)

    def test_idle_connection_gets_a_fin_and_what_follows_is_discarded(self):
        with service() as (port, proc):
            idle = socket.create_connection(("127.0.0.1", port), timeout=10)
            idle.sendall(b"GET /ping HTTP/1.1\r\nHost: a\r\n\r\n")
            self.assertIn(b'{"status":"ok"}', idle.recv(4096))
            proc.proc.send_signal(signal.SIGTERM)
            self.assertEqual(idle.recv(10), b"")  # the server's FIN
            # Too late for this one: it is read and dropped, without a reset
            # (a close with unread data would send RST).
            late = b"GET /ping HTTP/1.1\r\nHost: a\r\n\r\n"
            idle.sendall(late)
            time.sleep(0.3)
            try:
                idle.sendall(late)  # after a reset: EPIPE
                reset = None
            except OSError as e:
                reset = e
            self.assertIsNone(reset)
            self.assertEqual(idle.recv(10), b"")
            idle.close()
            self.assertEqual(proc.proc.wait(timeout=15), 0)


class BlockedStdout(unittest.TestCase):
    """stdout is a pipe nobody reads, as when a log driver in blocking mode
    cannot deliver: the service must keep answering and still stop."""

    REQUESTS = 12000  # about 2.4 MB of access lines: more than the pipe and the 1 MiB buffer hold

    def start(self):
        read_end, write_end = os.pipe()
        port = harness.free_port()
        env = dict(os.environ, PORT=str(port), LISTEN_ADDRESS="127.0.0.1", WORKER_THREADS="2")
        proc = harness.Process([harness.binary("ecs-express-mode-api")], env=env, stdout=write_end,
                               stderr=subprocess.DEVNULL)
        os.close(write_end)
        self.addCleanup(proc.stop)
        self.addCleanup(os.close, read_end)
        harness.wait_for_port(port, proc.proc)
        return port, proc, read_end

    def ping_many(self, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        for _ in range(self.REQUESTS):
            conn.request("GET", "/ping")
            response = conn.getresponse()
            response.read()
            self.assertEqual(response.status, 200)
        conn.close()

    def test_requests_go_on_and_dropped_lines_are_counted(self):
        port, proc, read_end = self.start()
        self.ping_many(port)
        chunks = []
        reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(read_end, 65536), b"")))
        reader.start()
        # The reader drains the pipe; the buffered lines and the report follow.
        time.sleep(1.0)
        proc.proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.proc.wait(timeout=10), 0)
        reader.join(timeout=10)
        lines = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
        access = [line for line in lines if line["msg"] == "request"]
        reports = [line for line in lines if line["msg"] == "log output was blocked; lines dropped"]
        self.assertEqual(len(reports), 1, [line["msg"] for line in lines if line["msg"] != "request"])
        self.assertEqual(reports[0]["level"], "warn")
        self.assertGreater(reports[0]["dropped_lines"], 0)
        self.assertGreater(len(access), 4000)
        self.assertEqual(len(access) + reports[0]["dropped_lines"], self.REQUESTS)
        # Kept lines are whole and in order: the report follows the last kept request.
        self.assertEqual(lines[0]["msg"], "listening")
        self.assertEqual(lines[-1]["msg"], "stopped")
        self.assertLess(lines.index(access[-1]), lines.index(reports[0]))

    def test_sigterm_exits_although_the_output_stays_blocked(self):
        port, proc, _ = self.start()
        self.ping_many(port)
        # Health checks are still answered while the output is blocked.
        self.assertEqual(subprocess.run([harness.binary("ecs-express-mode-api"), "--healthcheck"],
                                        env=dict(os.environ, PORT=str(port)), timeout=10).returncode, 0)
        # Drain (nothing in flight), then the log gives its output 2 s.
        proc.proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.proc.wait(timeout=15), 0)


if __name__ == "__main__":
    harness.main()
