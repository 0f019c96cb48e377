"""Fault tests: shipctl push through a proxy that answers 503 and 429, drops
connections mid-blob and stalls. The push completes with the right digest, or
fails with a clear error and no manifest written."""

import os
import shutil
import subprocess
import tempfile
import unittest

import harness
import registry_support as rs
from fault_proxy import Faults, Proxy


class PushFaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("skopeo")
        cls.shipctl = harness.binary("shipctl")
        cls.work = tempfile.mkdtemp(prefix="eem-push-faults-")
        # one layer over 2 MiB (incompressible) so 1 MiB chunks give several PATCHes
        cls.layout = rs.umoci_image(cls.work, "lay", {"random.bin": os.urandom(2_500_000)}, layers=2)
        cls.digest = rs.sha256(subprocess.run(["skopeo", "inspect", "--raw", f"oci:{cls.layout}:t"],
                                              check=True, capture_output=True).stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def push_through(self, faults, *extra, progress="none"):
        with rs.registry(self.work, tls=False, auth=False) as reg:
            upstream = int(reg.rsplit(":", 1)[1])
            with Proxy(upstream, faults) as proxy:
                dest = f"127.0.0.1:{proxy.port}/app:v1"
                r = subprocess.run([self.shipctl, "push", f"oci:{self.layout}:t", dest, "--insecure",
                                    "--progress", progress, "--json", *extra],
                                   capture_output=True, text=True, timeout=120,
                                   env=dict(os.environ, DOCKER_CONFIG=self.work, HOME=self.work))
                tag = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reg}/app:v1"],
                                     capture_output=True)
                return r, tag

    def assert_pushed(self, r, tag):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(rs.json_line(r.stdout)["digest"], self.digest)
        self.assertEqual(tag.returncode, 0)
        self.assertEqual(rs.sha256(tag.stdout), self.digest)

    def test_retries_503_and_429(self):
        faults = Faults(["503", "429", "503"])
        r, tag = self.push_through(faults, "--jobs", "1")
        self.assert_pushed(r, tag)
        self.assertEqual(faults.injected, ["503", "429", "503"])

    def test_restarts_monolithic_upload_after_dropped_connection(self):
        faults = Faults(["drop", "stall"])
        r, tag = self.push_through(faults)
        self.assert_pushed(r, tag)
        self.assertEqual(sorted(faults.injected), ["drop", "stall"])

    def test_chunked_upload_resumes_and_accepts_ecr_201(self):
        faults = Faults(["ok", "drop", "ok", "503"], rewrite_patch_201=True)
        r, tag = self.push_through(faults, "--chunk-size", "1", "--jobs", "1")
        self.assert_pushed(r, tag)
        self.assertEqual(faults.injected, ["drop", "503"])
        self.assertEqual(faults.status_queries, 2)  # resumed from the registry's Range both times

    def test_persistent_failure_writes_no_manifest(self):
        faults = Faults(["503"] * 50)
        r, tag = self.push_through(faults, "--jobs", "2")
        self.assertEqual(r.returncode, 75, r.stderr)
        self.assertIn("no manifest was written: uploading blob sha256:", r.stderr)
        self.assertIn("HTTP 503 from 127.0.0.1", r.stderr)
        self.assertIn("(gave up after 5 attempts)", r.stderr)
        self.assertEqual(faults.manifest_puts, 0)
        self.assertNotEqual(tag.returncode, 0)

    def test_existence_checks_are_retried_honouring_retry_after(self):
        # The ping and a blob HEAD answered 503 (Retry-After: 1) and 429 once each: one throttle on a
        # HEAD used to fail the deploy.
        faults = Faults([], check_plan=["503-retry-after-1", "ok", "429"])
        r, tag = self.push_through(faults, "--jobs", "1")
        self.assert_pushed(r, tag)
        self.assertEqual(faults.injected, ["503-retry-after-1", "429"])

    def test_failed_blob_is_reported_as_failed_not_pushed(self):
        faults = Faults(["503"] * 50)
        r, _ = self.push_through(faults, "--jobs", "1", progress="lines")
        self.assertEqual(r.returncode, 75, r.stderr)
        self.assertRegex(r.stderr, r"failed sha256:[0-9a-f]{12}")
        self.assertNotIn("pushed sha256:", r.stderr)  # --jobs 1: the failing blob is the only one started
        self.assertIn("(gave up after 5 attempts)", r.stderr)

    def test_digest_invalid_is_retried(self):
        faults = Faults(["digest_invalid"])
        r, tag = self.push_through(faults, "--jobs", "1")
        self.assert_pushed(r, tag)
        self.assertEqual(faults.injected, ["digest_invalid"])

    def test_manifest_put_answered_with_another_digest_fails_naming_both(self):
        other = "sha256:" + "0" * 64
        faults = Faults([], manifest_digest=other)
        r, _ = self.push_through(faults)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"putting manifest v1: the registry stored digest {other} but the manifest sent is "
                      f"{self.digest}", r.stderr)


if __name__ == "__main__":
    harness.main()
