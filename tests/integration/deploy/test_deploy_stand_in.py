"""shipctl deploy against the ECS Express Mode stand-in (tests/support/
ecs_stand_in.py): real containers of the tiny test image behind the stand-in's
TLS proxy, reached through SHIPCTL_CONNECT_TO and SHIPCTL_CA_FILE as the
rehearsal reaches them. Create, update, an unhealthy image rolled back
(exit 12), a wrong served commit (exit 14) and IAM-propagation retries."""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ecs"))

import ecs_support as S  # noqa: E402
import harness  # noqa: E402
from ecs_rollout import Settings  # noqa: E402


class DeployStandIn(S.StandInCase):
    settings = Settings(bake_seconds=0.2, health_timeout=4.0, drain_seconds=0.5)

    def shipctl(self, name, image, *args, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "SHIPCTL_"))}
        env.update(self.ecs.env, SHIPCTL_CONNECT_TO=self.ecs.connect_to(name), AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                   GITHUB_OUTPUT=os.path.join(self.workdir, f"{name}.out"))
        env.update(extra)
        argv = [harness.binary("shipctl"), "deploy", "--service", name, "--image", image, "--allow-tag",
                "--execution-role-arn", S.EXECUTION_ROLE, "--infrastructure-role-arn", S.INFRASTRUCTURE_ROLE,
                "--poll-interval", "1", "--verify-count", "2", "--verify-timeout", "10", "--timeout", "120",
                "--json", *args]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)

    def operations(self):
        return [r["operation"] for r in self.ecs.requests]

    def test_create_then_update(self):
        image_a, image_b = self.images.image(S.COMMIT_A), self.images.image(S.COMMIT_B)
        r = self.shipctl("web", image_a, "--commit", S.COMMIT_A)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        host = "web.ecs.ap-northeast-1.on.aws"
        self.assertEqual((out["action"], out["status"], out["endpoint"], out["commit"]),
                         ("created", "SUCCESSFUL", f"https://{host}", S.COMMIT_A))
        self.assertTrue(out["image_digest"].startswith("sha256:"), out)
        with open(os.path.join(self.workdir, "web.out")) as f:
            outputs = dict(line.rstrip("\n").split("=", 1) for line in f)
        self.assertEqual(outputs["endpoint"], f"https://{host}")
        self.assertEqual(outputs["deployment-arn"], out["deployment_arn"])

        # A tag (--allow-tag) may have moved: deploying it again updates.
        r = self.shipctl("web", image_a, "--commit", S.COMMIT_A)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["action"], "updated")

        r = self.shipctl("web", image_b, "--commit", S.COMMIT_B)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out["action"], out["differences"], out["commit"]), ("updated", ["image"], S.COMMIT_B))
        self.assertEqual(self.get(host)[0], 200)

    def test_the_first_service_makes_the_default_cluster_another_cluster_must_exist(self):
        with self.ecs.lock:
            self.ecs.clusters.discard("default")
        self.addCleanup(self.ecs.clusters.add, "default")
        r = self.shipctl("first", self.images.image(S.COMMIT_A), "--commit", S.COMMIT_A)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["action"], "created")
        self.assertIn("default", self.ecs.clusters)
        self.ecs.requests.clear()
        r = self.shipctl("elsewhere", self.images.image(S.COMMIT_A), "--commit", S.COMMIT_A, "--cluster", "prod")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("cluster prod does not exist (", r.stderr)
        self.assertIn("create it with aws ecs create-cluster --cluster-name prod, or deploy without --cluster", r.stderr)
        self.assertEqual(self.operations(), ["DescribeExpressGatewayService"])

    def test_an_unhealthy_image_is_rolled_back_exit_12_and_the_old_commit_keeps_serving(self):
        r = self.shipctl("sick", self.images.image(S.COMMIT_A), "--commit", S.COMMIT_A)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.shipctl("sick", self.images.image(S.COMMIT_B, ping_status=503), "--commit", S.COMMIT_B)
        self.assertEqual(r.returncode, 12, r.stderr)
        self.assertIn("failed and was rolled back (ROLLBACK_SUCCESSFUL)", r.stderr)
        self.assertEqual(json.loads(self.get("sick.ecs.ap-northeast-1.on.aws")[1])["commit"], S.COMMIT_A)

    def test_a_wrong_served_commit_fails_verification_exit_14(self):
        r = self.shipctl("stale", self.images.image(S.COMMIT_A), "--commit", S.COMMIT_B)
        self.assertEqual(r.returncode, 14, r.stderr)
        self.assertIn(f"/version did not report commit {S.COMMIT_B} 2 times in a row within 10 s; last answer: "
                      f"commit {S.COMMIT_A}", r.stderr)

    def test_iam_propagation_errors_are_retried(self):
        self.ecs.requests.clear()
        self.ecs.set_faults(propagation_errors=1, propagation_kind="credentials")
        r = self.shipctl("fresh", self.images.image(S.COMMIT_A), "--commit", S.COMMIT_A)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("deploy: IAM has not propagated the roles yet (Cannot assume role", r.stderr)
        self.assertEqual(self.operations().count("CreateExpressGatewayService"), 2)


if __name__ == "__main__":
    harness.main()
