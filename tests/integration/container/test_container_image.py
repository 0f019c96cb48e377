"""The real Dockerfile, built offline and run with podman through scripts/container.

Builds the image once (scripts/container build: mmdebstrap base image, podman
build --pull=never) with a known commit and build time, then checks the image
configuration, its contents and size, and runs scripts/container smoke against
it (GET /ping, GET /version, HEALTHCHECK, SIGTERM exits 0), and that every time
in the image is the build time. The commit and build time are constants, so a
re-run with unchanged sources is a layer-cache hit.
"""

import datetime
import json
import os
import subprocess
import tarfile
import tempfile
import time
import unittest

import harness

SCRIPT = os.path.join(harness.REPO, "scripts", "container")
CONF = os.path.join(harness.REPO, "scripts", "containers.conf")
COMMIT = "0123456789abcdef0123456789abcdef01234567"
BUILD_TIME = "2026-01-02T03:04:05Z"
SOURCE_URL = "https://github.com/example/ecs-express-mode-api"
TAG = f"localhost/ecs-express-mode-api:ctest-{os.getpid()}"
MAX_IMAGE_BYTES = 10_000_000


def container(*args, timeout=1100):
    """Runs scripts/container; returns (exit code, stdout + stderr)."""
    r = subprocess.run([SCRIPT, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, check=False)
    return r.returncode, r.stdout.decode(errors="replace")


def podman(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, CONTAINERS_CONF=CONF)
    return subprocess.run(["podman", *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120, check=False)


class ContainerImage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("podman", "mmdebstrap", "curl"):
            harness.require_tool(tool)
        start = time.monotonic()
        rc, out = container("build", "--tag", TAG, "--commit", COMMIT,
                            "--build-time", BUILD_TIME, "--source-url", SOURCE_URL)
        if rc != 0:
            raise AssertionError(f"scripts/container build failed ({rc}):\n{out[-6000:]}")
        print(f"image {TAG} built in {time.monotonic() - start:.1f} s", flush=True)
        r = podman("image", "inspect", TAG)
        cls.inspect = json.loads(r.stdout)[0]

    @classmethod
    def tearDownClass(cls):
        container("rmi", "--tag", TAG, timeout=120)

    def test_config_runs_the_binary_as_non_root_on_port_8080(self):
        config = self.inspect["Config"]
        self.assertEqual(config["User"], "65532:65532")
        self.assertEqual(config["Entrypoint"], ["/ecs-express-mode-api"])
        self.assertEqual(list(config["ExposedPorts"]), ["8080/tcp"])
        self.assertIn("PORT=8080", config["Env"])
        self.assertEqual(self.inspect["Healthcheck"]["Test"],
                         ["CMD", "/ecs-express-mode-api", "--healthcheck"])
        self.assertEqual((self.inspect["Os"], self.inspect["Architecture"]), ("linux", "amd64"))

    def test_labels_carry_the_build_arguments(self):
        labels = self.inspect["Labels"]
        self.assertEqual(labels["org.opencontainers.image.revision"], COMMIT)
        self.assertEqual(labels["org.opencontainers.image.created"], BUILD_TIME)
        self.assertEqual(labels["org.opencontainers.image.source"], SOURCE_URL)
        self.assertEqual(labels["org.opencontainers.image.title"], "ecs-express-mode-api")
        self.assertRegex(labels["org.opencontainers.image.version"], r"^\d+\.\d+\.\d+$")

    def test_image_holds_only_the_static_binary_in_one_small_layer(self):
        self.assertEqual(len(self.inspect["RootFS"]["Layers"]), 1)
        created = podman("create", TAG)
        self.assertEqual(created.returncode, 0, created.stderr.decode())
        name = created.stdout.decode().strip()
        try:
            with tempfile.TemporaryFile() as tar:
                subprocess.run(["podman", "export", name], stdout=tar, check=True,
                               env=dict(os.environ, CONTAINERS_CONF=CONF))
                tar.seek(0)
                with tarfile.open(fileobj=tar) as archive:
                    files = sorted(m.name for m in archive.getmembers() if not m.isdir())
        finally:
            podman("rm", "--force", name)
        self.assertEqual(files, ["ecs-express-mode-api"])
        rc, out = container("size", "--tag", TAG, "--max-bytes", str(MAX_IMAGE_BYTES), timeout=120)
        self.assertEqual(rc, 0, out)
        print(out.strip(), flush=True)

    def test_every_time_in_the_image_is_the_build_time(self):
        # Reproducible (issue 15, "Safe re-runs"): no clock in the config, its
        # history or the layer's file times, so one commit builds one digest.
        self.assertTrue(self.inspect["Created"].startswith(BUILD_TIME.rstrip("Z")), self.inspect["Created"])
        self.assertEqual(self.inspect.get("History") or [], [])
        self.assertNotIn("io.buildah.version", self.inspect["Labels"])
        epoch = int(datetime.datetime.fromisoformat(BUILD_TIME.replace("Z", "+00:00")).timestamp())
        with tempfile.TemporaryDirectory() as out:
            layout = os.path.join(out, "layout")
            rc, text = container("save", "--tag", TAG, "--format", "oci-dir", "--output", layout, timeout=120)
            self.assertEqual(rc, 0, text)
            with open(os.path.join(layout, "index.json")) as f:
                manifest_digest = json.load(f)["manifests"][0]["digest"]
            with open(os.path.join(layout, "blobs", *manifest_digest.split(":"))) as f:
                layers = json.load(f)["layers"]
            times = set()
            for layer in layers:
                with tarfile.open(os.path.join(layout, "blobs", *layer["digest"].split(":"))) as archive:
                    times |= {m.mtime for m in archive.getmembers()}
        self.assertEqual(times, {epoch})

    def test_smoke_passes_for_the_commit_given_at_build_time(self):
        rc, out = container("smoke", "--tag", TAG, "--commit", COMMIT, timeout=120)
        self.assertEqual(rc, 0, out)
        self.assertIn(f'"commit":"{COMMIT}"', out.replace(" ", ""))
        self.assertIn(f'"build_time":"{BUILD_TIME}"', out.replace(" ", ""))
        self.assertIn("SIGTERM: exit code 0", out)
        self.assertIn("smoke: ok", out)

    def test_smoke_fails_on_another_commit_and_removes_its_container(self):
        name = f"eem-ctest-smoke-{os.getpid()}"
        other = "f" * 40
        rc, out = container("smoke", "--tag", TAG, "--commit", other, "--name", name, timeout=120)
        self.assertNotEqual(rc, 0, out)
        self.assertIn(f"commit is '{COMMIT}', expected '{other}'", out)
        self.assertEqual(podman("container", "exists", name).returncode, 1,
                         f"container {name} was left behind")


if __name__ == "__main__":
    harness.main()
