"""shipctl push against a real docker-registry (distribution 2.8): TLS with a
CA made here, htpasswd basic auth for user AWS, and without auth. After each
push, skopeo reads the image back: same manifest digest, identical blobs."""

import os
import shutil
import subprocess
import tempfile
import unittest

import harness
import registry_support as rs


class PushTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("skopeo")
        cls.shipctl = harness.binary("shipctl")
        cls.work = tempfile.mkdtemp(prefix="eem-push-")
        cls.ca = rs.make_ca(cls.work)
        files = {"random.bin": os.urandom(300_000), "text.txt": b"compressible " * 20_000}
        cls.layout = rs.umoci_image(cls.work, "lay", files)
        cls.oci_archive = os.path.join(cls.work, "img-oci.tar")
        rs.run(["skopeo", "copy", f"oci:{cls.layout}:t", f"oci-archive:{cls.oci_archive}:t"])
        cls.docker_archive = os.path.join(cls.work, "img-docker.tar")
        rs.run(["skopeo", "copy", f"oci:{cls.layout}:t", f"docker-archive:{cls.docker_archive}:test/app:t"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def push(self, *args, password=None, env=None, debug=False):
        argv = [self.shipctl, *(["--debug"] if debug else []), "push", *args, "--progress", "lines"]
        full_env = dict(os.environ, HOME=self.work, DOCKER_CONFIG=os.path.join(self.work, "nodocker"))
        full_env.pop("REGISTRY_AUTH_FILE", None)
        full_env.pop("XDG_RUNTIME_DIR", None)
        full_env.update(env or {})
        return subprocess.run(argv, input=password, capture_output=True, text=True, timeout=120, env=full_env)

    def assert_same_as_source(self, reg, repo_tag, source_layout, tls, auth):
        """skopeo copies the pushed image back: every blob and the manifest match."""
        out = tempfile.mkdtemp(dir=self.work)
        argv = ["skopeo", "copy", *rs.skopeo_args(tls, self.work, auth), f"docker://{reg}/{repo_tag}", f"oci:{out}:t"]
        rs.run(argv)
        source = rs.layout_blobs(source_layout)
        copied = rs.layout_blobs(out)
        for digest, content_hash in copied.items():
            self.assertEqual(digest, content_hash, "a blob read back does not match its digest")
        self.assertTrue(set(copied) <= set(source), f"blobs differ: {set(copied) - set(source)}")

    def test_oci_layout_to_tls_registry_with_basic_auth(self):
        with rs.registry(self.work, tls=True, auth=True) as reg:
            r = self.push(f"oci:{self.layout}:t", f"{reg}/team/app:v1", "--tag", "latest", "--ca-file", self.ca,
                          "--username", "AWS", "--password-stdin", "--json", password=rs.PASSWORD + "\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            summary = rs.json_line(r.stdout)
            expected = rs.sha256(subprocess.run(["skopeo", "inspect", "--raw", f"oci:{self.layout}:t"],
                                                check=True, capture_output=True).stdout)
            self.assertEqual(summary["digest"], expected)
            self.assertEqual(summary["tags"], ["v1", "latest"])
            self.assertEqual(summary["blobs_uploaded"], 3)
            for tag in ("v1", "latest"):
                self.assertEqual(rs.manifest_digest_from_registry(f"{reg}/team/app:{tag}", True, self.work, True),
                                 expected)
            self.assert_same_as_source(reg, "team/app:v1", self.layout, tls=True, auth=True)
            # warm: everything is there, nothing is uploaded
            again = self.push(f"oci:{self.layout}:t", f"{reg}/team/app:v1", "--ca-file", self.ca,
                              "--username", "AWS", "--password-stdin", "--json", password=rs.PASSWORD + "\n")
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertEqual(rs.json_line(again.stdout)["blobs_skipped"], 3)
            self.assertEqual(rs.json_line(again.stdout)["blobs_uploaded"], 0)
            # the tag already names this manifest: not rewritten
            self.assertEqual(rs.json_line(again.stdout)["manifests_skipped"], 1)
            # a new tag on present blobs: only that tag is written
            more = self.push(f"oci:{self.layout}:t", f"{reg}/team/app:v1", "--tag", "v2", "--ca-file", self.ca,
                             "--username", "AWS", "--password-stdin", "--json", password=rs.PASSWORD + "\n")
            self.assertEqual(more.returncode, 0, more.stderr)
            self.assertEqual(rs.json_line(more.stdout)["manifests_skipped"], 1)
            self.assertEqual(rs.manifest_digest_from_registry(f"{reg}/team/app:v2", True, self.work, True), expected)

    def test_wrong_password_is_denied_with_exit_77(self):
        with rs.registry(self.work, tls=True, auth=True) as reg:
            r = self.push(f"oci:{self.layout}:t", f"{reg}/team/app:v1", "--ca-file", self.ca,
                          "--username", "AWS", "--password-stdin", password="wrong\n")
            self.assertEqual(r.returncode, 77, r.stderr)
            self.assertIn(f"registry {reg} rejected the credentials", r.stderr)
            self.assertNotIn("wrong", r.stderr)

    def test_credentials_from_docker_config(self):
        import base64
        import json
        cfg = os.path.join(self.work, "dockercfg")
        os.makedirs(cfg, exist_ok=True)
        with rs.registry(self.work, tls=True, auth=True) as reg:
            with open(os.path.join(cfg, "config.json"), "w") as f:
                json.dump({"auths": {reg: {"auth": base64.b64encode(f"AWS:{rs.PASSWORD}".encode()).decode()}}}, f)
            r = self.push(f"oci-archive:{self.oci_archive}:t", f"{reg}/app:cfg", "--ca-file", self.ca,
                          env={"DOCKER_CONFIG": cfg})
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_untrusted_certificate_fails_without_ca_file(self):
        # Not "retry later" (75): the certificate stays untrusted; exit 77 naming the fix, at the first try.
        with rs.registry(self.work, tls=True, auth=False) as reg:
            r = self.push(f"oci:{self.layout}:t", f"{reg}/app:v1")
            self.assertEqual(r.returncode, 77, r.stderr)
            self.assertIn("pushing to " + reg + "/app", r.stderr)
            self.assertIn("the server's TLS certificate is not trusted (not retried): trust its CA (for a registry: "
                          "--ca-file or SHIPCTL_CA_FILE)", r.stderr)
            self.assertNotIn("gave up", r.stderr)

    def test_garbage_ca_file_is_bad_input_before_any_request(self):
        garbage = os.path.join(self.work, "garbage.pem")
        with open(garbage, "w") as f:
            f.write("not a certificate\n")
        r = self.push(f"oci:{self.layout}:t", "127.0.0.1:1/app:v1", "--ca-file", garbage)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, f"shipctl: error: --ca-file {garbage}: no PEM certificate in the file (expected "
                                   "\"-----BEGIN CERTIFICATE-----\"): give the registry's CA certificate in PEM\n")

    def test_port_out_of_range_is_bad_input_naming_the_port(self):
        r = self.push(f"oci:{self.layout}:t", "127.0.0.1:99999/app:v1")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("https://127.0.0.1:99999: the URL is not usable (", r.stderr)
        self.assertNotIn("unparsable", r.stderr)

    def test_chunk_size_out_of_range_is_refused_before_any_request(self):
        # 2^44 MiB << 20 wraps to 0 in 64 bits: it sent empty PATCHes forever.
        r = self.push(f"oci:{self.layout}:t", "127.0.0.1:1/app:v1", "--chunk-size", "17592186044416")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, "shipctl: error: --chunk-size 17592186044416 is out of range: give 0 (one request "
                                   "per blob) to 4096 (MiB)\n")

    def test_platform_of_a_single_platform_image_must_match(self):
        r = self.push(f"oci:{self.layout}:t", "127.0.0.1:1/app:v1", "--platform", "linux/arm64")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--platform linux/arm64: the image is a single-platform linux/amd64 image; build it for "
                      "linux/arm64 or drop --platform", r.stderr)

    def test_debug_traces_registry_traffic_with_secrets_masked(self):
        with rs.registry(self.work, tls=True, auth=True) as reg:
            r = self.push(f"oci:{self.layout}:t", f"{reg}/team/app:dbg", "--ca-file", self.ca, "--username", "AWS",
                          "--password-stdin", password=rs.PASSWORD + "\n", env={}, debug=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"> GET https://{reg}/v2/\n", r.stderr)
            self.assertIn(f"> HEAD https://{reg}/v2/team/app/blobs/sha256:", r.stderr)
            self.assertIn(f"> PUT https://{reg}/v2/team/app/manifests/dbg\n", r.stderr)
            self.assertIn("  Authorization: <redacted>\n", r.stderr)
            import base64
            self.assertNotIn(rs.PASSWORD, r.stderr)
            self.assertNotIn(base64.b64encode(f"AWS:{rs.PASSWORD}".encode()).decode(), r.stderr)
            self.assertNotIn("Authorization: Basic", r.stderr)

    def test_oci_archive_to_plain_registry_without_auth(self):
        with rs.registry(self.work, tls=False, auth=False) as reg:
            r = self.push(f"oci-archive:{self.oci_archive}:t", f"{reg}/app:v1", "--insecure", "--jobs", "2")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("digest: sha256:", r.stdout)
            self.assert_same_as_source(reg, "app:v1", self.layout, tls=False, auth=False)

    def test_docker_archive_digest_agrees_with_skopeo(self):
        raw = subprocess.run(["skopeo", "inspect", "--raw", f"docker-archive:{self.docker_archive}"],
                             check=True, capture_output=True).stdout
        with rs.registry(self.work, tls=True, auth=False) as reg:
            gh_output = os.path.join(self.work, "github_output")
            r = self.push(f"docker-archive:{self.docker_archive}", f"{reg}/app:docker", "--ca-file", self.ca, "--json",
                          env={"GITHUB_OUTPUT": gh_output})
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(gh_output) as f:
                self.assertEqual(f.read(), f"image={reg}/app:docker\ndigest={rs.sha256(raw)}\n"
                                           f"image-uri={reg}/app@{rs.sha256(raw)}\nregistry={reg}\n")
            self.assertEqual(rs.json_line(r.stdout)["digest"], rs.sha256(raw))
            self.assertEqual(rs.manifest_digest_from_registry(f"{reg}/app:docker", True, self.work, False),
                             rs.sha256(raw))

    def test_corrupt_blob_pushes_nothing(self):
        bad = os.path.join(self.work, "corrupt")
        shutil.copytree(self.layout, bad)
        blobs = os.path.join(bad, "blobs", "sha256")
        biggest = max(os.listdir(blobs), key=lambda n: os.path.getsize(os.path.join(blobs, n)))
        path = os.path.join(blobs, biggest)
        with open(path, "r+b") as f:
            f.seek(10)
            f.write(b"X")
        with rs.registry(self.work, tls=True, auth=False) as reg:
            r = self.push(f"oci:{bad}:t", f"{reg}/app:bad", "--ca-file", self.ca)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(f"nothing was pushed: blob sha256:{biggest} ({path}) is corrupt", r.stderr)
            gone = subprocess.run(["skopeo", "inspect", "--raw", f"--cert-dir={self.work}/certs",
                                   f"docker://{reg}/app:bad"], capture_output=True)
            self.assertNotEqual(gone.returncode, 0)

    def test_multi_platform_index_whole_or_one_platform(self):
        layout, digests = rs.multi_platform_layout(self.work)
        with rs.registry(self.work, tls=True, auth=False) as reg:
            r = self.push(f"oci:{layout}:multi", f"{reg}/multi:all", "--ca-file", self.ca, "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(rs.json_line(r.stdout)["digest"], digests["index"])
            self.assertEqual(rs.manifest_digest_from_registry(f"{reg}/multi:all", True, self.work, False),
                             digests["index"])
            for arch in ("amd64", "arm64"):
                self.assertEqual(rs.manifest_digest_from_registry(f"{reg}/multi@{digests[arch]}", True, self.work,
                                                                  False), digests[arch])
            one = self.push(f"oci:{layout}:multi", f"{reg}/one:arm", "--ca-file", self.ca, "--json",
                            "--platform", "linux/arm64")
            self.assertEqual(one.returncode, 0, one.stderr)
            self.assertEqual(rs.json_line(one.stdout)["digest"], digests["arm64"])
            self.assertEqual(rs.json_line(one.stdout)["blobs_uploaded"], 2)
            none = self.push(f"oci:{layout}:multi", f"{reg}/one:x", "--ca-file", self.ca, "--platform", "linux/s390x")
            self.assertEqual(none.returncode, 3, none.stderr)
            self.assertIn("no manifest for platform linux/s390x in the index (platforms: linux/amd64, linux/arm64/v8)",
                          none.stderr)

    def test_mount_from_another_repository_uploads_nothing(self):
        with rs.registry(self.work, tls=True, auth=True) as reg:
            auth = ["--ca-file", self.ca, "--username", "AWS", "--password-stdin", "--json"]
            first = self.push(f"oci:{self.layout}:t", f"{reg}/base/app:v1", *auth, password=rs.PASSWORD + "\n")
            self.assertEqual(first.returncode, 0, first.stderr)
            r = self.push(f"oci:{self.layout}:t", f"{reg}/other/app:v1", "--mount-from", "base/app", *auth,
                          password=rs.PASSWORD + "\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            summary = rs.json_line(r.stdout)
            self.assertEqual((summary["blobs_mounted"], summary["blobs_uploaded"]), (3, 0))
            self.assert_same_as_source(reg, "other/app:v1", self.layout, tls=True, auth=True)

    def test_bearer_token_service_with_repository_scope(self):
        from token_server import TokenService
        with TokenService("AWS", rs.PASSWORD, "test-registry", "test-issuer") as ts:
            bundle = os.path.join(self.work, "token-root.pem")
            with open(bundle, "wb") as f:
                f.write(ts.cert_pem())
            token = {"realm": f"http://127.0.0.1:{ts.port}/token", "service": "test-registry",
                     "issuer": "test-issuer", "rootcertbundle": bundle}
            with rs.registry(self.work, tls=False, auth=False, token=token) as reg:
                r = self.push(f"oci:{self.layout}:t", f"{reg}/team/app:v1", "--insecure", "--username", "AWS",
                              "--password-stdin", "--json", password=rs.PASSWORD + "\n", debug=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(rs.json_line(r.stdout)["blobs_uploaded"], 3)
                # --debug traces the token endpoint too, its bearer tokens masked
                self.assertIn(f"> GET http://127.0.0.1:{ts.port}/token?", r.stderr)
                self.assertIn('"token":"<redacted>"', r.stderr.replace(" ", ""))
                self.assertNotRegex(r.stderr, r"ey[A-Za-z0-9_-]{10,}\.ey")
                self.assertNotIn(rs.PASSWORD, r.stderr)
                self.assertTrue(ts.requests)
                self.assertTrue(all(q["authenticated"] for q in ts.requests))
                self.assertEqual(ts.requests[0]["scopes"], ["repository:team/app:pull,push"])
                self.assertEqual(ts.requests[0]["service"], ["test-registry"])

    def test_invalid_destination_is_explained(self):
        r = self.push(f"oci:{self.layout}:t", "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1")
        self.assertEqual(r.returncode, 2)
        self.assertIn("remove the scheme \"https://\"", r.stderr)


    def test_bare_tar_paths_are_read_as_what_they_hold_and_digestfile_is_written(self):
        """crane's bare path (either archive kind) and skopeo's --digestfile."""
        with rs.registry(self.work, tls=True, auth=False) as reg:
            for name, archive in (("oci", self.oci_archive), ("docker", self.docker_archive)):
                digestfile = os.path.join(self.work, f"{name}.digest")
                r = self.push(archive, f"{reg}/bare:{name}", "--ca-file", self.ca, "--json",
                              "--digestfile", digestfile)
                self.assertEqual(r.returncode, 0, r.stderr)
                digest = rs.json_line(r.stdout)["digest"]
                with open(digestfile) as f:
                    self.assertEqual(f.read(), digest)
                self.assertEqual(rs.manifest_digest_from_registry(f"{reg}/bare:{name}", True, self.work, False), digest)

    def test_a_bad_source_is_named_before_credentials_or_network(self):
        # No AWS credentials and an unreachable STS: the source is still the error.
        env = {"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
               "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
        missing = os.path.join(self.work, "missing.tar")
        for source in (missing, f"oci-archive:{missing}"):
            r = self.push(source, "--repository", "app", env=env)
            self.assertEqual(r.returncode, 3, r.stderr)  # not found
            self.assertIn(f"no such file: {missing}", r.stderr)
            self.assertNotIn("credentials", r.stderr)
        not_an_image = os.path.join(self.work, "not-an-image.tar")
        subprocess.run(["tar", "-cf", not_an_image, "-C", self.work, "lay"], check=True)
        r = self.push(not_an_image, "--repository", "app", env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"{not_an_image} holds neither an OCI layout (index.json) nor a docker save (manifest.json)",
                      r.stderr)
        r = self.push("docker://alpine", "--repository", "app", env=env)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn('unknown source "docker://alpine"', r.stderr)

    def test_debug_after_the_command_name_traces_too(self):
        with rs.registry(self.work, tls=True, auth=False) as reg:
            r = self.push(f"oci:{self.layout}:t", f"{reg}/team/app:dbg2", "--ca-file", self.ca, "--debug")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"> GET https://{reg}/v2/\n", r.stderr)


class BuildahPodmanTest(unittest.TestCase):
    """Images made by buildah (oci-archive, docker-archive) and podman save."""

    @classmethod
    def setUpClass(cls):
        harness.require_tool("skopeo")
        cls.shipctl = harness.binary("shipctl")
        cls.work = tempfile.mkdtemp(prefix="eem-push-bp-")
        cls.images = rs.buildah_podman_images(cls.work)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_pushed_digest_equals_skopeo_view_of_each_archive(self):
        with rs.registry(self.work, tls=False, auth=False) as reg:
            for kind, path in self.images.items():
                with self.subTest(kind=kind):
                    transport = "oci-archive" if kind.endswith("oci") else "docker-archive"
                    source = f"{transport}:{path}" + (":t" if transport == "oci-archive" else "")
                    raw = subprocess.run(["skopeo", "inspect", "--raw", source], check=True, capture_output=True).stdout
                    r = subprocess.run([self.shipctl, "push", source, f"{reg}/{kind}:v1", "--insecure", "--json"],
                                       capture_output=True, text=True, timeout=120,
                                       env=dict(os.environ, HOME=self.work, DOCKER_CONFIG=self.work))
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(rs.json_line(r.stdout)["digest"], rs.sha256(raw))
                    self.assertEqual(rs.manifest_digest_from_registry(f"{reg}/{kind}:v1", False, self.work, False),
                                     rs.sha256(raw))
                    out = os.path.join(self.work, f"copy-{kind}")
                    rs.run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{reg}/{kind}:v1", f"oci:{out}:t"])
                    for digest, content in rs.layout_blobs(out).items():
                        self.assertEqual(digest, content)


if __name__ == "__main__":
    harness.main()
