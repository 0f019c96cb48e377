"""The local rehearsal end to end (rehearsal/rehearse.py with this build's
binaries): every step of the deploy workflow passes against the stand-ins, the
image that runs is the digest pushed and reports HEAD's commit, doctor names
the broken condition, and nothing the rehearsal started outlives it, also
when it is stopped with SIGTERM halfway."""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import unittest

import harness

REHEARSE = os.path.join(harness.REPO, "rehearsal", "rehearse.py")
STEPS = ["ecr", "issuer", "bootstrap", "enforce", "credentials", "build", "save", "push", "verify", "run", "probe",
         "doctor"]
ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/GitHubActionsECRRole/"
# What each step of the job must have been allowed under enforced IAM (the
# role's policy as bootstrap wrote it; registry requests judged by the stand-in).
NEEDED = {
    "credentials": {("aws", "sts:AssumeRoleWithWebIdentity")},
    "push": {("aws", "ecr:GetAuthorizationToken"), ("registry", "ecr:BatchCheckLayerAvailability"),
             ("registry", "ecr:InitiateLayerUpload"), ("registry", "ecr:UploadLayerPart"),
             ("registry", "ecr:CompleteLayerUpload"), ("registry", "ecr:PutImage")},
    "verify": {("aws", "ecr:DescribeRepositories"), ("aws", "ecr:DescribeImages")},
    "run": {("aws", "ecr:GetAuthorizationToken"), ("registry", "ecr:BatchGetImage"),
            ("registry", "ecr:GetDownloadUrlForLayer")},
}


def head() -> str:
    return subprocess.run(["git", "-C", harness.REPO, "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


def rehearse_argv(*extra: str) -> list[str]:
    return [sys.executable, REHEARSE, "--bin-dir", os.path.join(harness.build_dir(), "apps"), *extra]


def workdir_of(stderr: str) -> str:
    m = re.search(r"rehearse: working in (\S+) ", stderr)
    if not m:
        raise AssertionError(f"no working directory announced:\n{stderr[-3000:]}")
    return m.group(1)


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that contain `text`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            if text in cmdline and int(pid) != os.getpid():
                found.append(f"{pid}: {cmdline}")
    return found


def port_open(url: str) -> bool:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    with contextlib.suppress(OSError), socket.create_connection((host, int(port)), timeout=0.5):
        return True
    return False


class Rehearsal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("podman", "mmdebstrap", "moto_server", "docker-registry", "htpasswd", "openssl"):
            harness.require_tool(tool)

    def test_every_step_passes_and_the_pushed_image_reports_head(self):
        start = time.monotonic()
        r = subprocess.run(rehearse_argv("--json"), capture_output=True, text=True, timeout=1400, check=False)
        print(f"rehearsal took {time.monotonic() - start:.1f} s", flush=True)
        self.assertEqual(r.returncode, 0, f"stdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-6000:]}")
        doc = json.loads(r.stdout)
        self.assertEqual([s["step"] for s in doc["steps"]], STEPS)
        self.assertEqual({s["step"]: s["status"] for s in doc["steps"]}, {k: "pass" for k in STEPS})
        self.assertTrue(doc["ok"])
        self.assertEqual(doc["failed"], [])
        sha = head()
        self.assertEqual(doc["commit"], sha)
        self.assertEqual(doc["version"]["commit"], sha)
        self.assertEqual(doc["version"]["service"], "ecs-express-mode-api")
        self.assertEqual(doc["image"]["uri"].split("@")[0].split(":")[0],
                         "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api")
        self.assertRegex(doc["image"]["digest"], r"^sha256:[0-9a-f]{64}$")
        self.assertIn("StringEquals", doc["doctor"])
        calls = doc["aws_calls"]
        self.assertEqual([c for c in calls if c["verdict"] != "allowed"], [])
        for c in calls:
            self.assertTrue(c["principal"].startswith(ROLE_SESSION) or c["action"] == "sts:AssumeRoleWithWebIdentity", c)
        for step, needed in NEEDED.items():
            made = {(c["source"], c["action"]) for c in calls if c["step"] == step}
            self.assertLessEqual(needed, made, f"step {step}")
        run_detail = next(s["detail"] for s in doc["steps"] if s["step"] == "run")
        self.assertIn(f"/ecs-express-mode-api@{doc['image']['digest']} on ", run_detail)
        work = workdir_of(r.stderr)
        self.assertFalse(os.path.exists(work), f"{work} was left behind")
        self.assertEqual(processes_mentioning(work), [])

    def test_sigterm_stops_everything_it_started(self):
        p = subprocess.Popen(rehearse_argv("--verbose"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stderr = ""
        try:
            for line in p.stderr:
                stderr += line
                if line.startswith(" ✔ start moto_server") or line.startswith(" ✘ start moto_server"):
                    break
            self.assertIn(" ✔ start moto_server", stderr)
            moto = re.search(r"moto (http://127\.0\.0\.1:\d+);", stderr).group(1)
            self.assertTrue(port_open(moto))
            p.send_signal(signal.SIGTERM)
            _, rest = p.communicate(timeout=60)
            stderr += rest
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 143, stderr[-3000:])
        self.assertIn("rehearse: SIGTERM: stopping everything it started", stderr)
        work = workdir_of(stderr)
        self.assertFalse(os.path.exists(work), f"{work} was left behind")
        self.assertEqual(processes_mentioning(work), [])
        self.assertFalse(port_open(moto), f"moto_server still answers at {moto}")


if __name__ == "__main__":
    harness.main()
