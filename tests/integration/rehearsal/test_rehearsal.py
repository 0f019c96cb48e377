"""The local rehearsal end to end (rehearsal/rehearse.py with this build's
binaries): every step of the deploy workflow passes against the stand-ins, the
image that runs is the digest pushed and reports HEAD's commit, a re-run of
the job (a clean rebuild) pushes the same digest and passes, doctor names
the broken condition, the deploy job's steps (HEAD deployed, a second commit
rolled out with no failed request, a broken image rolled back with none
either; every ECS call judged under enforced IAM) report what they found,
and nothing the rehearsal started outlives it, also when it is stopped with
SIGTERM halfway: during the rolling update (no service container
stays), at several points of start-up, including between a child's fork and
its registration, no process that inherited the test's marker from the
rehearsal's environment survives."""

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
import uuid

import harness

REHEARSE = os.path.join(harness.REPO, "rehearsal", "rehearse.py")
STEPS = ["ecr", "ecs", "issuer", "bootstrap", "enforce", "credentials", "build", "save", "push", "verify", "rerun", "run",
         "probe", "doctor", "roles", "deploy", "push2", "rollout", "broken", "rollback"]
ENDPOINT = "https://ecs-express-mode-api.ecs.ap-northeast-1.on.aws"
ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/GitHubActionsECRRole/"
# What each step of the job must have been allowed under enforced IAM (the
# role's policy as bootstrap wrote it; registry requests judged by the stand-in).
NEEDED = {
    "credentials": {("aws", "sts:AssumeRoleWithWebIdentity")},
    "push": {("aws", "ecr:GetAuthorizationToken"), ("registry", "ecr:BatchCheckLayerAvailability"),
             ("registry", "ecr:InitiateLayerUpload"), ("registry", "ecr:UploadLayerPart"),
             ("registry", "ecr:CompleteLayerUpload"), ("registry", "ecr:PutImage")},
    "verify": {("aws", "ecr:DescribeRepositories"), ("aws", "ecr:DescribeImages")},
    # The re-run's own credentials, then push asks whether the tags name its digest.
    "rerun": {("aws", "sts:AssumeRoleWithWebIdentity"), ("registry", "ecr:BatchGetImage"),
              ("aws", "ecr:DescribeImages")},
    # The deploy job runs on a runner of its own: credentials again, same
    # role; the ECS stand-in has moto judge each call against the role's
    # ShipctlExpressDeploy policy (bootstrap --deploy's), PassRole included.
    "deploy": {("aws", "sts:AssumeRoleWithWebIdentity"), ("ecs", "ecs:DescribeExpressGatewayService"),
               ("ecs", "ecs:CreateExpressGatewayService"), ("ecs", "iam:PassRole"),
               ("ecs", "ecs:DescribeServiceDeployments"), ("ecs", "ecs:DescribeServiceRevisions")},
    "rollout": {("ecs", "ecs:DescribeExpressGatewayService"), ("ecs", "ecs:UpdateExpressGatewayService"),
                ("ecs", "iam:PassRole"), ("ecs", "ecs:DescribeServiceDeployments")},
    "rollback": {("ecs", "ecs:UpdateExpressGatewayService"), ("ecs", "iam:PassRole"),
                 ("ecs", "ecs:DescribeServiceDeployments")},
}
# The run step pulls as the ECS execution role would, not as the job: the
# workflow role may push but not download layers (no GetDownloadUrlForLayer).


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


# Put in the rehearsal's environment; every process it starts inherits it
# (whatever its session or command line), so /proc/*/environ finds them all.
MARKER = "EEM_REHEARSAL_TEST_RUN"


def survivors(marker: str, grace: float = 10.0) -> list[str]:
    """Processes whose environment holds `marker` ("NAME=VALUE"), once those
    still exiting (killed with their group a moment ago) had `grace` seconds."""
    deadline = time.monotonic() + grace
    while True:
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError):
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if marker.encode() not in f.read().split(b"\0"):
                        continue
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{pid}: {cmdline}")
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.2)


def service_containers() -> list[str]:
    """Containers the ECS stand-in runs for the rehearsal's service
    (named ecs-stand-in-<instance>-ecs-express-mode-api-<n>)."""
    r = subprocess.run(["podman", "ps", "--all", "--format", "{{.Names}}"], capture_output=True, text=True,
                       env=dict(os.environ, CONTAINERS_CONF=os.path.join(harness.REPO, "scripts", "containers.conf")),
                       timeout=60, check=False)
    return [n for n in r.stdout.split() if re.fullmatch(r"ecs-stand-in-[0-9a-f]+-ecs-express-mode-api-\d+", n)]


def port_open(url: str) -> bool:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    with contextlib.suppress(OSError), socket.create_connection((host, int(port)), timeout=0.5):
        return True
    return False


# What doctor reads of IAM (src/doctor/deploy_names.h and the push checks).
DIAGNOSIS_IAM_READS = {"iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider", "iam:GetRole",
                       "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:GetPolicy",
                       "iam:GetPolicyVersion"}


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
        # Every call is allowed, except the IAM reads of deploy.yml's diagnosis
        # step: after the rollback, doctor --deploy runs with the deploy job's
        # role, which reads no IAM, so those checks say "could not run".
        refused = [c for c in calls if c["verdict"] != "allowed"]
        self.assertEqual([c for c in refused if c["step"] != "rollback" or c["action"] not in DIAGNOSIS_IAM_READS], [])
        self.assertIn("iam:GetRole", {c["action"] for c in refused})
        for c in calls:
            self.assertTrue(c["principal"].startswith(ROLE_SESSION) or c["action"] == "sts:AssumeRoleWithWebIdentity", c)
        for step, needed in NEEDED.items():
            made = {(c["source"], c["action"]) for c in calls if c["step"] == step}
            self.assertLessEqual(needed, made, f"step {step}")
        # The job ran twice for HEAD (a clean rebuild the second time): the same
        # digest, and push found both tags already there and wrote nothing.
        rerun = doc["rerun"]
        self.assertEqual((rerun["digest"], rerun["digest_same"], rerun["push_exit"], rerun["already_there"]),
                         (doc["image"]["digest"], True, 0, True))
        self.assertNotIn(("registry", "ecr:PutImage"),
                         {(c["source"], c["action"]) for c in calls if c["step"] == "rerun"})
        self.check_deploy(doc["deploy"], sha, {s["step"]: s["seconds"] for s in doc["steps"]})
        run_detail = next(s["detail"] for s in doc["steps"] if s["step"] == "run")
        self.assertIn(f"/ecs-express-mode-api@{doc['image']['digest']} on ", run_detail)
        work = workdir_of(r.stderr)
        self.assertFalse(os.path.exists(work), f"{work} was left behind")
        self.assertEqual(processes_mentioning(work), [])
        self.assertEqual(service_containers(), [])

    def check_deploy(self, deploy: dict, sha: str, seconds: dict) -> None:
        """HEAD deployed and served; the second commit rolled with no failed
        request; the broken image rolled back (exit 12) with the second commit
        serving throughout, no request failed; every deploy stage timed."""
        print(f"deploy: {json.dumps(deploy)}", flush=True)
        self.assertEqual(deploy["endpoint"], ENDPOINT)
        rollout, rollback = deploy["rollout"], deploy["rollback"]
        self.assertGreater(rollout["requests"], 0)
        self.assertEqual((rollout["failed"], rollout["errors"], rollout["resets"]), (0, 0, 0))
        second = deploy["served_commit"]
        self.assertRegex(second, r"^[0-9a-f]{40}$")
        self.assertNotEqual(second, sha)
        # Both commits answered during the rolling update: the switch happened under load.
        self.assertEqual(set(rollout["commits"]), {sha[:12], second[:12]})
        self.assertEqual(rollback["exit_code"], 12)
        self.assertEqual(rollback["served_commit_after"], second)
        # The rollback under load too: no request failed, only the second commit answered.
        load = rollback["load"]
        self.assertGreater(load["requests"], 0)
        self.assertEqual((load["failed"], load["errors"], load["resets"]), (0, 0, 0))
        self.assertEqual(set(load["commits"]), {second[:12]})
        self.assertIn("failed and was rolled back (ROLLBACK_SUCCESSFUL)", rollback["reason"])
        self.assertIn("Task failed ELB health checks", rollback["reason"])
        self.assertIn('"address":"127.0.0.1"', rollback["reason"])
        # ...and doctor --deploy, run afterwards, names the rollout as the cause.
        self.assertEqual((rollback["doctor"]["exit_code"], rollback["doctor"]["root_cause"]), (6, "rollout"))
        # So does deploy.yml's diagnosis step with the deploy job's role, which
        # reads the cluster (ecs:DescribeClusters) but no IAM: the role checks
        # could not run, and say so instead of passing.
        in_job = rollback["doctor_in_job"]
        self.assertEqual((in_job["exit_code"], in_job["root_cause"]), (6, "rollout"))
        self.assertEqual(in_job["statuses"]["deploy-cluster"], "pass")
        self.assertEqual(in_job["statuses"]["execution-role"], "cannot-run")
        self.assertEqual(deploy["seconds"], {k: seconds[k] for k in
                                             ("ecs", "roles", "deploy", "push2", "rollout", "broken", "rollback")})

    def interrupt(self, at: str | None, **env) -> tuple[str, str]:
        """Runs the rehearsal with a marker in its environment, sends SIGTERM
        when a stderr line starts with `at` (None: it signals itself, see
        REHEARSAL_TEST_SIGTERM_AFTER_SPAWN), and checks that it cleaned up and
        that no process carrying the marker survives. Returns (stderr, marker)."""
        marker = f"{MARKER}={uuid.uuid4().hex}"
        env = dict(os.environ, **{MARKER: marker.split("=", 1)[1]}, **env)
        p = subprocess.Popen(rehearse_argv("--verbose"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        stderr = ""
        try:
            if at is not None:
                for line in p.stderr:
                    stderr += line
                    if line.startswith(at):
                        p.send_signal(signal.SIGTERM)
                        break
                self.assertIn(at, stderr)
            _, rest = p.communicate(timeout=120)
            stderr += rest
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 143, stderr[-3000:])
        self.assertIn("rehearse: SIGTERM: stopping everything it started", stderr)
        work = workdir_of(stderr)
        self.assertFalse(os.path.exists(work), f"{work} was left behind")
        self.assertEqual(survivors(marker), [], stderr[-3000:])
        return stderr, marker

    def test_sigterm_stops_everything_it_started(self):
        stderr, _ = self.interrupt(" ✔ start moto_server")
        moto = re.search(r"moto (http://127\.0\.0\.1:\d+);", stderr).group(1)
        self.assertFalse(port_open(moto), f"moto_server still answers at {moto}")

    def test_sigterm_during_the_rolling_update_removes_the_service_containers(self):
        self.interrupt(" … rolling update under keep-alive load")
        self.assertEqual(service_containers(), [])

    def test_sigterm_at_any_point_of_start_up_leaves_no_process(self):
        # While the image build and the ECR stand-in start, then the issuer.
        for at in ("rehearse: working in", " … start moto_server", " … start actions-oidc-issuer"):
            with self.subTest(at=at):
                self.interrupt(at)
        # Between the fork of a child and its registration (the window that
        # leaked an actions-oidc-issuer): the supervisor signals itself there.
        steps = {"ecr-stand-in": "moto_server", "ecs-stand-in": "the ECS Express Mode stand-in",
                 "actions-oidc-issuer": "actions-oidc-issuer"}
        for child, step in steps.items():
            with self.subTest(after_spawn=child):
                stderr, _ = self.interrupt(None, REHEARSAL_TEST_SIGTERM_AFTER_SPAWN=child)
                # the signal landed while that child's step was starting it
                self.assertTrue(stderr.splitlines()[-2].startswith(" … start " + step), stderr)


if __name__ == "__main__":
    harness.main()
