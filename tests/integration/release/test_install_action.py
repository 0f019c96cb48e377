"""The action's installer (scripts/install-shipctl.sh) against a local release.

scripts/release --package makes the release assets from a launcher of the
shipctl under test (release_support.py: the static build would take minutes,
the packaging is the same), scripts/release --pin-action writes their sha256 into a copy of
action.yml, and a loopback HTTP server serves them at the GitHub release path
(release_support.ServedRelease).
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import unittest

import harness
import release_support

VERSION = "1.2.3"


def run(argv, env=None, cwd=None):
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=240)


class InstallActionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="install-action-")
        release = release_support.ServedRelease(cls.tmp, VERSION)
        cls.action, cls.serve, cls.shipctl, cls.asset = release.action, release.serve, release.shipctl, release.asset
        cls.server = release.server

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.tmp)

    def install(self, **overrides):
        runner = tempfile.mkdtemp(dir=self.tmp)
        env = {"PATH": os.environ["PATH"], "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
               "RUNNER_TEMP": runner, "GITHUB_PATH": os.path.join(runner, "path"),
               "GITHUB_OUTPUT": os.path.join(runner, "output"),
               "SHIPCTL_REPOSITORY": "owner/repo", "SHIPCTL_VERSION": "",
               "SHIPCTL_DOWNLOAD_BASE_URL": self.server.url}
        env.update(overrides)
        for name in ["GITHUB_PATH", "GITHUB_OUTPUT"]:
            open(env[name], "w").close()
        done = run([os.path.join(self.action, "scripts", "install-shipctl.sh")], env=env)
        return done, runner

    def sha256(self, path):
        return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()

    def test_pinned_action_defaults_to_the_release_and_lists_its_sha256(self):
        text = pathlib.Path(self.action, "action.yml").read_text()
        self.assertIn(f'default: "{VERSION}" # shipctl-release', text)
        self.assertIn(f"      # {self.sha256(os.path.join(self.serve, self.asset))}  {self.asset}\n",
                      text)

    def test_good_checksum_installs_on_path_with_outputs(self):
        done, runner = self.install()
        self.assertEqual(done.returncode, 0, done.stderr)
        where = os.path.join(runner, f"shipctl-{VERSION}-amd64")
        self.assertEqual(pathlib.Path(runner, "path").read_text(), where + "\n")
        self.assertEqual(pathlib.Path(runner, "output").read_text(),
                         f"path={where}/shipctl\nversion={VERSION}\n")
        self.assertEqual(self.sha256(os.path.join(where, "shipctl")),
                         self.sha256(self.shipctl))
        self.assertEqual(os.listdir(where), ["shipctl"])

    def test_v_prefixed_version_input_is_the_same_release(self):
        done, runner = self.install(SHIPCTL_VERSION=f"v{VERSION}")
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_bad_checksum_is_refused_and_nothing_is_installed(self):
        good = os.path.join(self.serve, self.asset)
        original = pathlib.Path(good).read_bytes()
        want = self.sha256(good)
        try:
            with open(good, "ab") as f:
                f.write(b"\0")  # a replaced asset: one byte more
            got = self.sha256(good)
            done, runner = self.install()
        finally:
            with open(good, "wb") as f:
                f.write(original)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stderr,
                         f"::error title=shipctl install::{self.asset} has sha256 {got}, but this "
                         f"action pins {want}: refusing to install it (a replaced or corrupted "
                         "release asset)\n")
        self.assertEqual(pathlib.Path(runner, "path").read_text(), "")
        self.assertEqual(os.listdir(os.path.join(runner, f"shipctl-{VERSION}-amd64")), [])

    def test_unknown_version_names_the_known_ones(self):
        done, _ = self.install(SHIPCTL_VERSION="9.9.9")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stderr,
                         "::error title=shipctl install::shipctl 9.9.9 (amd64) is not in this "
                         f"action's checksum table (known: {VERSION}): use a known version, or "
                         "pin a newer commit of the action\n")

    def test_action_without_any_pinned_release_says_so(self):
        bare = os.path.join(self.tmp, "bare")
        shutil.copytree(self.action, bare)
        pinned = pathlib.Path(bare, "action.yml").read_text()
        pathlib.Path(bare, "action.yml").write_text(
            re.sub(r"^ *# [0-9a-f]{64}  shipctl_\S+\n", "", pinned, flags=re.M))
        runner = tempfile.mkdtemp(dir=self.tmp)
        done = run([os.path.join(bare, "scripts", "install-shipctl.sh")], env={
            "PATH": os.environ["PATH"], "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": runner, "SHIPCTL_REPOSITORY": "owner/repo"})
        self.assertEqual((done.returncode, done.stderr), (1, "::error title=shipctl install::this "
                         "action's checksum table lists no release yet: pin a commit of the action "
                         "made after a release (scripts/release --pin-action, docs/releasing.md)\n"))

    def test_version_that_is_not_a_release_number_is_refused(self):
        for hostile in ["../../etc", "1.2", "1.2.3/../x", "latest"]:
            with self.subTest(hostile):
                done, _ = self.install(SHIPCTL_VERSION=hostile)
                self.assertEqual(done.returncode, 1)
                self.assertEqual(done.stderr, f"::error title=shipctl install::version "
                                 f"'{hostile.removeprefix('v')}' is not a release number "
                                 "(X.Y.Z): set the action's version input to one\n")

    def test_unknown_architecture_is_refused(self):
        done, _ = self.install(RUNNER_ARCH="X86")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stderr, "::error title=shipctl install::shipctl has no release "
                         "for RUNNER_ARCH='X86': use a Linux runner with X64 or ARM64\n")

    def test_known_architecture_without_a_pinned_asset_is_refused(self):
        done, _ = self.install(RUNNER_ARCH="ARM64")
        self.assertEqual(done.returncode, 1)
        self.assertIn(f"shipctl {VERSION} (arm64) is not in this action's checksum table",
                      done.stderr)

    def test_other_operating_systems_are_refused(self):
        done, _ = self.install(RUNNER_OS="macOS")
        self.assertEqual((done.returncode, done.stderr), (1, "::error title=shipctl install::"
                         "shipctl releases are for Linux runners, not RUNNER_OS=macOS\n"))

    def test_missing_asset_is_a_download_error(self):
        asset = os.path.join(self.serve, self.asset)
        os.rename(asset, asset + ".away")
        try:
            done, _ = self.install()
        finally:
            os.rename(asset + ".away", asset)
        self.assertEqual(done.returncode, 1)
        self.assertIn("The requested URL returned error: 404", done.stderr)
        self.assertTrue(done.stderr.endswith(
            f"::error title=shipctl install::downloading {self.server.url}/v{VERSION}/"
            f"{self.asset} failed (see above): check that owner/repo has release v{VERSION} with this asset; a "
            "fork without releases sets the action's release-repository input to the repository that published "
            "it (this action's sha256 table still decides what is installed)\n"),
            done.stderr)


if __name__ == "__main__":
    harness.main()
