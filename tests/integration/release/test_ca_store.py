"""Where shipctl finds the system's CA certificates (src/net/curl_client.cpp),
as the release binary meets them on other distributions: libcurl's built-in
hashed directory (Debian's /etc/ssl/certs), else the first CA bundle of the
paths Go's crypto/x509 searches (here /etc/ssl/cert.pem, as on Alpine and
macOS-like layouts), else nothing is trusted. Each run of `shipctl whoami`
sees its own /etc/ssl: a tmpfs mounted in a private mount namespace
(`unshare --mount`, root), holding only the throwaway CA in one of those
places. STS is a local TLS server answering AccessDenied: reaching it proves
the certificate was trusted, as the TLS error proves it was not."""

import http.server
import os
import ssl
import subprocess
import tempfile
import threading
import unittest

import harness
from ecr_stand_in import make_certificate

DENIED = (b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
          b'<Code>AccessDenied</Code><Message>reached the test STS</Message></Error>'
          b'<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>')


class _Sts(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(DENIED)))
        self.end_headers()
        self.wfile.write(DENIED)


class CaStore(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("unshare", "mount", "openssl"):
            harness.require_tool(tool)
        work = tempfile.TemporaryDirectory(prefix="ca-store-")
        cls.addClassCleanup(work.cleanup)
        cls.work = work.name
        cls.ca = make_certificate(cls.work, "localhost")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(cls.work, "server.crt"), os.path.join(cls.work, "server.key"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sts)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        cls.addClassCleanup(server.server_close)
        cls.addClassCleanup(server.shutdown)
        cls.endpoint = f"https://localhost:{server.server_address[1]}"
        subject_hash = subprocess.run(["openssl", "x509", "-noout", "-subject_hash", "-in", cls.ca],
                                      capture_output=True, text=True, check=True).stdout.strip()
        cls.hashed_name = f"{subject_hash}.0"

    def whoami(self, layout: dict[str, str]) -> subprocess.CompletedProcess:
        """shipctl whoami with /etc/ssl replaced by a tmpfs holding, at each
        path of `layout` (relative to /etc/ssl), its CA file (empty: the
        server's CA)."""
        copies = "".join(f'mkdir -p "$(dirname /etc/ssl/{path})" && cp "{source or self.ca}" /etc/ssl/{path} && '
                         for path, source in layout.items())
        script = f'mount -t tmpfs none /etc/ssl && {copies}exec "$SHIPCTL" whoami --region ap-northeast-1'
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SHIPCTL_", "SSL_CERT", "CURL_CA"))}
        env.update(SHIPCTL=harness.binary("shipctl"), AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
                   AWS_SECRET_ACCESS_KEY="secret", AWS_ENDPOINT_URL_STS=self.endpoint, AWS_MAX_ATTEMPTS="1",
                   AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], env=env,
                              capture_output=True, text=True, timeout=60)

    def assert_reached(self, r: subprocess.CompletedProcess):
        self.assertIn("AccessDenied", r.stderr)
        self.assertIn("reached the test STS", r.stderr)
        self.assertNotIn("TLS certificate", r.stderr)

    def test_the_hashed_directory_libcurl_was_built_with(self):
        self.assert_reached(self.whoami({f"certs/{self.hashed_name}": ""}))

    def test_a_bundle_where_another_distribution_keeps_it(self):
        # No /etc/ssl/certs at all: libcurl's built-in paths are missing.
        self.assert_reached(self.whoami({"cert.pem": ""}))

    def test_no_store_trusts_nothing_and_names_the_package(self):
        r = self.whoami({})
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("no system CA store was found", r.stderr)
        self.assertIn("install the distribution's ca-certificates package", r.stderr)
        self.assertNotIn("reached the test STS", r.stderr)

    def test_a_store_without_the_servers_ca_is_an_untrusted_certificate(self):
        other = os.path.join(self.work, "other-ca")
        os.makedirs(other, exist_ok=True)
        make_certificate(other, "localhost")
        r = self.whoami({"cert.pem": os.path.join(other, "ca.crt")})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("the server's TLS certificate is not trusted", r.stderr)

    def test_the_test_runs_where_it_claims(self):
        # The namespace hides the host's store: a host CA is not found there.
        r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs none /etc/ssl && ls -A /etc/ssl"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
        self.assertTrue(os.path.isdir("/etc/ssl/certs") and os.listdir("/etc/ssl/certs"),
                        "the host keeps its CA store")


if __name__ == "__main__":
    harness.main()
