"""What actionlint does not check: the seed's contract, pinning, key material, step order.

Each check (workflow_checks.py) runs on the real files, expecting no findings,
and on a broken copy, expecting the exact finding.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness
import workflow_checks as checks

DEPLOY = ".github/workflows/deploy.yml"
CI = ".github/workflows/ci.yml"
OFFICIAL = "docs/examples/deploy-official-actions.yml"
RELEASE = ".github/workflows/release.yml"
BUILD = ".github/actions/build-shipctl/action.yml"
FILES = [DEPLOY, CI, OFFICIAL, RELEASE, BUILD]
BUILD_USES = "./" + BUILD.removesuffix("/action.yml")


def read(relative: str) -> str:
    with open(os.path.join(harness.REPO, relative), encoding="utf-8") as f:
        return f.read()


def steps(relative: str) -> list[dict]:
    return checks.parse(read(relative))["jobs"]["build-and-push"]["steps"]


class ContractTest(unittest.TestCase):
    def test_deploy_workflows_keep_the_seeds_triggers_env_and_permissions(self):
        for name in [DEPLOY, OFFICIAL]:
            with self.subTest(name):
                self.assertEqual(checks.deploy_contract(checks.parse(read(name))), [])

    def test_extra_permission_is_reported(self):
        doc = checks.parse(read(DEPLOY))
        doc["permissions"]["packages"] = "write"
        doc["jobs"]["build-and-push"]["permissions"] = "write-all"
        self.assertEqual(checks.deploy_contract(doc), [
            "permissions: {'id-token': 'write', 'contents': 'read', 'packages': 'write'}, "
            "want {'id-token': 'write', 'contents': 'read'}",
            "jobs.build-and-push.permissions overrides the workflow's permissions"])

    def test_changed_trigger_and_env_are_reported(self):
        doc = checks.parse(read(DEPLOY).replace("  workflow_dispatch:\n", "  pull_request:\n")
                           .replace("ECR_REPOSITORY:", "REPOSITORY:"))
        self.assertEqual(checks.deploy_contract(doc), [
            "on: {'push': {'branches': ['main']}, 'pull_request': None}, "
            "want {'push': {'branches': ['main']}, 'workflow_dispatch': None}",
            "env: {'AWS_REGION': 'ap-northeast-1', 'REPOSITORY': 'ecs-express-mode-api'}, "
            "want {'AWS_REGION': 'ap-northeast-1', 'ECR_REPOSITORY': 'ecs-express-mode-api'}"])


class PinningTest(unittest.TestCase):
    def test_every_action_is_pinned_to_a_sha_with_its_version(self):
        for name in FILES:
            with self.subTest(name):
                self.assertGreater(len(checks.pins(read(name))), 0)
                self.assertEqual(checks.unpinned_uses(read(name)), [])

    def test_tags_branches_and_missing_comments_are_reported(self):
        text = "\n".join([
            "      - uses: actions/checkout@v4",
            "      - uses: docker/setup-buildx-action@master",
            "      - uses: actions/cache@5a3ec84eff668545956fd18022155c47e93e2684",
            "      - uses: actions/cache@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3"])
        self.assertEqual(checks.unpinned_uses(text), [
            "line 1: actions/checkout@v4 is not pinned to a commit SHA with the version in a comment",
            "line 2: docker/setup-buildx-action@master is not pinned to a commit SHA with the "
            "version in a comment",
            "line 3: actions/cache@5a3ec84eff668545956fd18022155c47e93e2684 is not pinned to a "
            "commit SHA with the version in a comment"])

    def test_an_action_has_one_pin_across_all_files(self):
        seen: dict[str, tuple[str, str]] = {}
        for name in FILES:
            for action, pin in checks.pins(read(name)).items():
                first = seen.setdefault(action, (pin, name))
                self.assertEqual(pin, first[0], f"{action} in {name} and {first[1]}")


class SecretsTest(unittest.TestCase):
    def test_no_key_material_or_role_arn_in_workflows(self):
        for name in FILES:
            with self.subTest(name):
                self.assertEqual(checks.key_material(read(name)), [])
        for name in [DEPLOY, OFFICIAL]:
            self.assertIn("${{ secrets.AWS_ROLE_ARN }}", read(name))

    def test_key_material_is_reported(self):
        # Split so that this file itself holds no key-shaped string.
        key_id = "AKIA" + "IOSFODNN7EXAMPLE"
        text = "\n".join([
            f"          aws-access-key-id: {key_id}",
            "          echo aws_secret_access_key=x >> ~/.aws/credentials",
            "          role-to-assume: arn:aws:iam::123456789012:role/GitHubActionsECRRole"])
        self.assertEqual(checks.key_material(text), [
            "line 1: an AWS access key id",
            "line 1: the aws-access-key-id input",
            "line 2: aws_secret_access_key",
            "line 3: a hard-coded role ARN (use secrets.AWS_ROLE_ARN)"])

    def test_secrets_reach_scripts_through_env_only(self):
        for name in FILES:
            with self.subTest(name):
                self.assertEqual(checks.secrets_in_scripts(checks.parse(read(name))), [])
        doc = checks.parse(read(DEPLOY).replace(
            'run: shipctl credentials --role-arn "$AWS_ROLE_ARN"',
            "run: shipctl credentials --role-arn ${{ secrets.AWS_ROLE_ARN }}"))
        findings = checks.secrets_in_scripts(doc)
        self.assertEqual([f.split(".steps[")[0] for f in findings], ["jobs.build-and-push", "jobs.deploy"])
        for finding in findings:
            self.assertRegex(finding, r"^jobs\.[a-z-]+\.steps\[\d+\]: a secret is interpolated into run$")


class StepsTest(unittest.TestCase):
    def test_deploy_runs_the_seeds_pipeline_with_shipctl_in_order(self):
        self.assertEqual(checks.ordered_steps(steps(DEPLOY), [
            ("checking out", checks.uses("actions/checkout")),
            ("deciding how to set up shipctl", checks.runs("action.yml")),
            ("installing the pinned shipctl", checks.uses("./")),
            ("building shipctl", checks.uses(BUILD_USES)),
            ("getting credentials", checks.runs('shipctl credentials --role-arn "$AWS_ROLE_ARN"')),
            ("setting up buildx", checks.uses("docker/setup-buildx-action")),
            ("building for linux/amd64", checks.runs("--platform linux/amd64")),
            ("pushing", checks.runs(
                'shipctl push oci-archive:image.tar --repository "$ECR_REPOSITORY"')),
            ("verifying the SHA tag", checks.runs('--tag "$GITHUB_SHA" --digest "$DIGEST"')),
            ("verifying latest", checks.runs("--tag latest --digest")),
            ("diagnosing", checks.runs("shipctl doctor")),
        ]), [])

    def test_deploy_job_deploys_the_pushed_digest_after_build_and_push(self):
        doc = checks.parse(read(DEPLOY))
        job = doc["jobs"]["deploy"]
        self.assertEqual(job["needs"], "build-and-push")
        self.assertEqual(doc["jobs"]["build-and-push"]["outputs"]["digest"], "${{ steps.push.outputs.digest }}")
        self.assertEqual(checks.ordered_steps(job["steps"], [
            ("checking out", checks.uses("actions/checkout")),
            ("installing the pinned shipctl", checks.uses("./")),
            ("building shipctl", checks.uses(BUILD_USES)),
            ("getting credentials", checks.runs('shipctl credentials --role-arn "$AWS_ROLE_ARN"')),
            ("deploying", checks.runs('shipctl deploy --service "$ECS_SERVICE" --image "$IMAGE" '
                                      '--commit "$GITHUB_SHA"')),
        ]), [])
        deploy = job["steps"][checks.step_index(job["steps"], checks.runs("shipctl deploy"))]
        self.assertEqual(deploy["env"]["IMAGE"], "${{ needs.build-and-push.outputs.registry }}/"
                         "${{ env.ECR_REPOSITORY }}@${{ needs.build-and-push.outputs.digest }}")
        self.assertEqual(job["outputs"]["endpoint"], "${{ steps.deploy.outputs.endpoint }}")

    def test_a_failed_deploy_runs_doctor_on_the_service(self):
        job = checks.parse(read(DEPLOY))["jobs"]["deploy"]
        steps_ = job["steps"]
        doctor = checks.step_index(steps_, checks.runs("shipctl doctor"))
        self.assertGreater(doctor, checks.step_index(steps_, checks.runs("shipctl deploy")))
        self.assertEqual(steps_[doctor]["if"], "failure() && steps.credentials.outcome == 'success'")
        self.assertIn('--deploy "$ECS_SERVICE" --execution-role-name "$execution" --infrastructure-role-name '
                      '"$infrastructure"', steps_[doctor]["run"])
        # The role names doctor checks are the ones deploy passes.
        self.assertEqual(steps_[doctor]["env"]["EXECUTION_ROLE_ARN"], "${{ vars.ECS_EXECUTION_ROLE_ARN }}")
        self.assertEqual(steps_[doctor]["env"]["INFRASTRUCTURE_ROLE_ARN"], "${{ vars.ECS_INFRASTRUCTURE_ROLE_ARN }}")

    def test_a_missing_or_misplaced_step_is_reported(self):
        swapped = [{"run": "shipctl push oci-archive:image.tar"},
                   {"uses": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"}]
        self.assertEqual(checks.ordered_steps(swapped, [
            ("checking out", checks.uses("actions/checkout")),
            ("pushing", checks.runs("shipctl push")),
            ("deploying to ECS", checks.runs("shipctl deploy")),
        ]), ["step pushing comes too early (step 0)", "no step deploying to ECS"])

    def test_image_is_built_as_an_oci_archive_from_the_repository(self):
        build = steps(DEPLOY)[checks.step_index(steps(DEPLOY), checks.runs("buildx build"))]
        self.assertIn("--output type=oci,dest=image.tar,rewrite-timestamp=true \\\n  .\n", build["run"])
        self.assertIn('--build-arg GIT_COMMIT="$GITHUB_SHA"', build["run"])
        self.assertIn("--provenance=false", build["run"])

    def test_image_is_reproducible_from_the_commit_time(self):
        # A re-run of the job must build the digest the first run pushed
        # (the SHA tag is immutable): no clock anywhere in the image.
        build = steps(DEPLOY)[checks.step_index(steps(DEPLOY), checks.runs("buildx build"))]
        self.assertTrue(build["run"].startswith('export SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"\n'), build["run"])
        self.assertIn('--build-arg BUILD_TIME="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"', build["run"])
        self.assertIn("rewrite-timestamp=true", build["run"])

    def test_doctor_runs_only_on_failure_once_shipctl_exists(self):
        doctor = steps(DEPLOY)[checks.step_index(steps(DEPLOY), checks.runs("shipctl doctor"))]
        self.assertEqual(doctor["if"], "failure() && (steps.shipctl.outcome == 'success' || "
                                       "steps.shipctl-build.outcome == 'success')")

    def test_shipctl_is_the_pinned_release_else_a_build_in_both_jobs(self):
        doc = checks.parse(read(DEPLOY))
        self.assertEqual(doc["jobs"]["build-and-push"]["outputs"]["shipctl-release"],
                         "${{ steps.release.outputs.pinned }}")
        pinned = {"build-and-push": "steps.release.outputs.pinned",
                  "deploy": "needs.build-and-push.outputs.shipctl-release"}
        for job, answer in pinned.items():
            with self.subTest(job):
                job_steps = doc["jobs"][job]["steps"]
                release = job_steps[checks.step_index(job_steps, checks.uses("./"))]
                build = job_steps[checks.step_index(job_steps, checks.uses(BUILD_USES))]
                self.assertEqual((release["id"], release["if"]), ("shipctl", f"{answer} == 'true'"))
                self.assertEqual((build["id"], build["if"]), ("shipctl-build", f"{answer} != 'true'"))
        # The compiler and the cache live in the build action alone: a pinned
        # release runs none of them.
        for compiling in ["apt-get", "cmake", "actions/cache", "g++"]:
            self.assertNotIn(compiling, read(DEPLOY))
        action = [step.get("uses", step.get("run", "")) for step in checks.parse(read(BUILD))["runs"]["steps"]]
        self.assertEqual([fragment for fragment in ["apt-get install", "actions/cache@",
                                                    "cmake --preset release", "GITHUB_PATH"]
                          if not any(fragment in text for text in action)], [])

    def test_the_decision_step_reads_the_checksum_rows_of_action_yml(self):
        job_steps = steps(DEPLOY)
        script = next(step["run"] for step in job_steps if step.get("id") == "release")
        with tempfile.TemporaryDirectory() as tmp:
            # action.yml as `scripts/release --pin-action` finds it before the
            # first release: the rows between the markers removed.
            os.makedirs(os.path.join(tmp, "scripts"))
            shutil.copy(os.path.join(harness.REPO, "scripts", "release"), os.path.join(tmp, "scripts"))
            unpinned = re.sub(r"(# shipctl-checksums-begin\n).*?( *# shipctl-checksums-end)", r"\1\2",
                              read("action.yml"), flags=re.S)
            self.assertEqual(unpinned.count("# shipctl-checksums-end"), 1)
            with open(os.path.join(tmp, "action.yml"), "w", encoding="utf-8") as f:
                f.write(unpinned)
            self.assertEqual(self.decide(script, tmp), "pinned=false\n")
            # Then pinned by the release tool from a release's checksums.txt.
            assets = os.path.join(tmp, "assets")
            os.makedirs(assets)
            with open(os.path.join(assets, "checksums.txt"), "w", encoding="utf-8") as f:
                for n, arch in enumerate(["amd64", "arm64"]):
                    f.write(f"{n:064x}  shipctl_1.2.3_linux_{arch}.tar.gz\n")
            done = subprocess.run([os.path.join(tmp, "scripts", "release"), "--pin-action", assets, "1.2.3"],
                                  env={**os.environ, "GIT_DIR": os.path.join(harness.REPO, ".git")},
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(self.decide(script, tmp), "pinned=true\n")

    def decide(self, script: str, directory: str) -> str:
        """Runs the step's script in `directory`; returns what it wrote to $GITHUB_OUTPUT."""
        output = os.path.join(directory, "github-output")
        open(output, "w").close()
        done = subprocess.run(["bash", "-e", "-c", script], cwd=directory, capture_output=True, text=True,
                              env={**os.environ, "GITHUB_OUTPUT": output}, timeout=30)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(output, encoding="utf-8") as f:
            return f.read()

    def test_official_example_pushes_the_sha_and_latest_for_linux_amd64(self):
        build = steps(OFFICIAL)[checks.step_index(
            steps(OFFICIAL), checks.uses("docker/build-push-action"))]["with"]
        self.assertEqual((build["platforms"], build["push"]), ("linux/amd64", True))
        registry = "${{ steps.login-ecr.outputs.registry }}/${{ env.ECR_REPOSITORY }}"
        self.assertEqual(build["tags"].splitlines(), [f"{registry}:${{{{ github.sha }}}}",
                                                 f"{registry}:latest"])

    def test_ci_runs_the_readme_test_command_on_pushes_and_pull_requests(self):
        doc = checks.parse(read(CI))
        self.assertEqual(doc["on"], {"push": None, "pull_request": None})
        self.assertEqual(doc["permissions"], {"contents": "read"})
        job = doc["jobs"]["test"]
        self.assertEqual(job["container"]["image"], "debian:bookworm")
        self.assertEqual(job["steps"][-1]["run"], "scripts/test")


if __name__ == "__main__":
    harness.main()
