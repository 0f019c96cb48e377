"""Pushes the real ecs-express-mode-api image (the repository's Dockerfile,
built by scripts/container) to the ECR stand-in with the seed's tags, then
verifies it: what the deploy workflow does, offline, under IAM enforcement
with only the temporary credentials of the role `shipctl bootstrap` writes. Reuses the image
scripts/container build left in podman's storage (localhost/
ecs-express-mode-api:latest); builds it only when it is missing."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import ecr_stand_in
import ecr_support as es
import harness

SCRIPT = os.path.join(harness.REPO, "scripts", "container")
IMAGE = "localhost/ecs-express-mode-api:latest"
REPO = "ecs-express-mode-api"


def podman_has(image: str) -> bool:
    env = dict(os.environ, CONTAINERS_CONF=os.path.join(harness.REPO, "scripts", "containers.conf"))
    return subprocess.run(["podman", "image", "exists", image], env=env, timeout=60).returncode == 0


class ServiceImagePushTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("podman", "skopeo"):
            harness.require_tool(tool)
        cls.work = tempfile.mkdtemp(prefix="eem-ecr-image-")
        if not podman_has(IMAGE):
            subprocess.run([SCRIPT, "build", "--tag", IMAGE], check=True, timeout=1400)
        cls.archive = os.path.join(cls.work, "image.tar")
        subprocess.run([SCRIPT, "save", "--tag", IMAGE, "--format", "docker-archive", "--output", cls.archive],
                       check=True, timeout=300)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_push_and_verify_the_service_image(self):
        raw = subprocess.run(["skopeo", "inspect", "--raw", f"docker-archive:{self.archive}"],
                             check=True, capture_output=True).stdout
        with ecr_stand_in.ecr_stand_in(self.work) as ecr:
            home = es.Home(os.path.join(self.work, "home"))
            role = es.enforce_bootstrapped_role(ecr, home)  # creates REPO
            env = dict(role, GITHUB_SHA=es.COMMIT, GITHUB_OUTPUT=home.output)
            start = time.monotonic()
            r = es.shipctl("push", f"docker-archive:{self.archive}", "--repository", REPO, "--json", env=env)
            elapsed = time.monotonic() - start
            self.assertEqual(r.returncode, 0, r.stderr)
            summary = es.registry_support.json_line(r.stdout)
            print(f"pushed {summary['bytes_uploaded']} bytes in {elapsed:.2f} s (shipctl process)", flush=True)
            self.assertEqual(summary["digest"], es.registry_support.sha256(raw))
            self.assertEqual(summary["tags"], [es.COMMIT, "latest"])
            v = es.shipctl("verify", "--repository", REPO, "--tag", es.COMMIT, "--digest", summary["digest"], env=env)
            self.assertEqual(v.returncode, 0, v.stderr)
            self.assertTrue(v.stdout.endswith(f"ok: {es.COMMIT} points at {summary['digest']} as expected\n"))
            pulled = subprocess.run(["skopeo", "inspect", "--raw", *ecr.skopeo_ref(f"{REPO}:latest")],
                                    check=True, capture_output=True).stdout
            self.assertEqual(pulled, raw)


if __name__ == "__main__":
    harness.main()
