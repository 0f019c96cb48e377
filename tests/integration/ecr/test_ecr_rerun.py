"""Re-running a commit's job (issue 15, "Safe re-runs") against the ECR
stand-in, with the repository `shipctl bootstrap` creates (SHA tags
immutable, latest excluded) and the bootstrapped role's credentials: pushing
the image the tags already name is a success that says so ("already there",
exit 0, outputs written as usual); pushing another image under the same SHA
tag fails with exit 4 naming the cause (immutable tags, a build that is not
reproducible) and the fixes, and leaves both tags on the first image."""

import os
import shutil
import subprocess
import tempfile
import unittest

import ecr_stand_in
import ecr_support as es
import harness

rs = es.registry_support
REPO = es.REPOSITORY


class EcrRerunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require_tool("skopeo")
        cls.work = tempfile.mkdtemp(prefix="eem-ecr-rerun-")
        cls.first_build = rs.umoci_image(cls.work, "first", {"app": b"first build " * 1000})
        cls.other_build = rs.umoci_image(cls.work, "other", {"app": b"another build " * 1000})
        cls.stack = ecr_stand_in.ecr_stand_in(cls.work)
        cls.ecr = cls.stack.__enter__()
        cls.home = es.Home(os.path.join(cls.work, "home"))
        es.enforce_bootstrapped_role(cls.ecr, cls.home)
        cls.env = cls.home.env(cls.ecr, GITHUB_SHA=es.COMMIT, GITHUB_OUTPUT=cls.home.output,
                               GITHUB_STEP_SUMMARY=cls.home.summary, **es.role_keys(cls.ecr))
        first = cls.push(cls.first_build, "--json")
        if first.returncode != 0:
            raise AssertionError(f"first push failed ({first.returncode}): {first.stderr}")
        cls.digest = rs.json_line(first.stdout)["digest"]

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)
        shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def push(cls, layout: str, *args: str) -> subprocess.CompletedProcess:
        for path in (cls.home.output, cls.home.summary):
            open(path, "w").close()
        return es.shipctl("push", f"oci:{layout}:t", "--repository", REPO, "--progress", "none", *args, env=cls.env)

    def tag_digest(self, tag: str) -> str:
        raw = subprocess.run(["skopeo", "inspect", "--raw", *self.ecr.skopeo_ref(f"{REPO}:{tag}")],
                             check=True, capture_output=True).stdout
        return rs.sha256(raw)

    def test_rerun_of_the_same_image_is_already_there(self):
        r = self.push(self.first_build)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("already there: every tag already named this image (a re-run of the same build); "
                      "nothing was written\n", r.stdout)
        name = f"{self.ecr.host}/{REPO}"
        self.assertEqual(self.home.read(self.home.output),
                         f"image={name}:{es.COMMIT}\ndigest={self.digest}\nimage-uri={name}@{self.digest}\n"
                         f"registry={self.ecr.host}\n")
        self.assertTrue(self.home.read(self.home.summary).startswith(f"### Already there: `{name}`"))
        again = self.push(self.first_build, "--json")
        self.assertEqual(again.returncode, 0, again.stderr)
        summary = rs.json_line(again.stdout)
        self.assertEqual((summary["already_there"], summary["digest"], summary["blobs_uploaded"]),
                         (True, self.digest, 0))

    def test_rerun_after_latest_moved_on_writes_latest_only(self):
        # A newer commit's run moved latest (mutable); re-running this
        # commit's job moves it back and leaves the immutable SHA tag alone.
        moved = self.push(self.other_build, "--tag", "latest")
        self.assertEqual(moved.returncode, 0, moved.stderr)
        self.assertNotEqual(self.tag_digest("latest"), self.digest)
        r = self.push(self.first_build, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        summary = rs.json_line(r.stdout)
        self.assertEqual((summary["already_there"], summary["manifests_skipped"], summary["blobs_uploaded"]),
                         (False, 1, 0))
        self.assertEqual((self.tag_digest(es.COMMIT), self.tag_digest("latest")), (self.digest, self.digest))

    def test_rerun_with_another_image_names_the_cause_and_the_fixes(self):
        r = self.push(self.other_build)
        self.assertEqual(r.returncode, 4, r.stderr)
        other = rs.sha256(subprocess.run(["skopeo", "inspect", "--raw", f"oci:{self.other_build}:t"],
                                         check=True, capture_output=True).stdout)
        self.assertEqual(
            r.stderr,
            f"shipctl: error: pushing to {self.ecr.host}/{REPO}: putting manifest {es.COMMIT}: tag {es.COMMIT} "
            f"already names {self.digest}, not this image ({other}), and the registry refused to move it: the "
            "repository's tags are immutable. A re-run of a commit's job gets here when the build is not "
            "reproducible (the commit was built before with a different result): build with "
            "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) so the same commit gives the same digest "
            "(docs/deploy-guide.md, \"Re-running a job\"), or push under a new tag (--tag), or delete the old "
            f"image first if you mean to replace it (aws ecr batch-delete-image --repository-name {REPO} "
            f"--image-ids imageTag={es.COMMIT} --region ap-northeast-1)\n")
        # Nothing moved: the SHA tag was refused, and latest (mutable) was not reached.
        self.assertEqual(self.tag_digest(es.COMMIT), self.digest)
        self.assertEqual(self.tag_digest("latest"), self.digest)
        self.assertEqual(self.home.read(self.home.output), "")


if __name__ == "__main__":
    harness.main()
