"""scripts/release's packaging: reproducible archives, the .deb's contents, shell
completions that match the CLI, and the actions' structure.

The assets come from `scripts/release --package` on a launcher of the shipctl
under test (release_support.py; the static build itself is checked by hand:
docs/releasing.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import tarfile
import tempfile
import unittest

import harness
import release_support
import yaml

VERSION = "0.9.1"
ACTIONS = ["action.yml", "actions/credentials/action.yml", "actions/push/action.yml",
           "actions/verify/action.yml"]


def release(out: str) -> subprocess.CompletedProcess:
    return release_support.package(PackageTest.shipctl, out, VERSION)


def digests(directory: str) -> dict[str, str]:
    return {name: hashlib.sha256(pathlib.Path(directory, name).read_bytes()).hexdigest()
            for name in sorted(os.listdir(directory))}


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ["help2man", "dpkg-deb", "zsh"]:
            harness.require_tool(tool)
        cls.tmp = tempfile.mkdtemp(prefix="release-package-")
        cls.shipctl = release_support.launcher(cls.tmp)
        cls.out = os.path.join(cls.tmp, "a")
        done = release(cls.out)
        assert done.returncode == 0, done.stderr
        cls.deb = os.path.join(cls.out, f"shipctl_{VERSION}_amd64.deb")
        cls.root = os.path.join(cls.tmp, "root")
        subprocess.run(["dpkg-deb", "-x", cls.deb, cls.root], check=True)
        cls.commands = subprocess.run(
            [os.path.join(harness.REPO, "scripts", "shell-completions"), "commands",
             cls.shipctl], capture_output=True, text=True, check=True).stdout.split()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_the_same_input_gives_the_same_bytes(self):
        again = os.path.join(self.tmp, "b")
        done = release(again)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(digests(self.out), digests(again))

    def test_checksums_list_every_asset(self):
        lines = pathlib.Path(self.out, "checksums.txt").read_text().splitlines()
        assets = sorted(n for n in os.listdir(self.out) if n.startswith("shipctl_"))
        self.assertEqual([line.split("  ")[1] for line in lines], assets)
        for line in lines:
            digest, name = line.split("  ")
            self.assertEqual(digests(self.out)[name], digest)

    def test_archive_holds_only_the_binary_owned_by_root_at_the_commit_time(self):
        epoch = int(subprocess.run(["git", "-C", harness.REPO, "log", "-1", "--format=%ct"],
                                   capture_output=True, text=True, check=True).stdout)
        with tarfile.open(os.path.join(self.out, f"shipctl_{VERSION}_linux_amd64.tar.gz")) as tar:
            members = tar.getmembers()
        self.assertEqual([(m.name, m.uid, m.gid, m.mtime) for m in members],
                         [(".", 0, 0, epoch), ("./shipctl", 0, 0, epoch)])
        self.assertEqual(members[1].mode, 0o755)

    def test_deb_declares_the_package_and_its_glibc_floor(self):
        fields = subprocess.run(["dpkg-deb", "-f", self.deb, "Package", "Version", "Architecture",
                                 "Depends"], capture_output=True, text=True, check=True).stdout
        self.assertRegex(fields, r"^Package: shipctl\nVersion: 0\.9\.1\nArchitecture: amd64\n"
                                 r"Depends: libc6 \(>= 2\.\d+\)\n$")

    def test_deb_has_a_man_page_per_command_and_both_completions(self):
        files = subprocess.run(["dpkg-deb", "-c", self.deb], capture_output=True, text=True,
                               check=True).stdout
        names = set(re.findall(r"\./(usr/\S*[^/\s])$", files, re.M))
        want = {"usr/bin/shipctl", "usr/share/man/man1/shipctl.1.gz",
                "usr/share/bash-completion/completions/shipctl",
                "usr/share/zsh/vendor-completions/_shipctl", "usr/share/doc/shipctl/README"}
        want |= {f"usr/share/man/man1/shipctl-{c}.1.gz" for c in self.commands}
        self.assertEqual(names, want)
        self.assertIn("push", self.commands)
        self.assertIn("root/root", files)

    def test_apt_installs_the_deb_in_a_minimal_bookworm(self):
        """apt-get install ./shipctl_….deb in the mmdebstrap minbase bookworm image
        scripts/container makes (offline: libc6, the one dependency, is there)."""
        harness.require_tool("podman")
        harness.require_tool("mmdebstrap")
        subprocess.run([os.path.join(harness.REPO, "scripts", "container"), "base"], check=True,
                       capture_output=True, timeout=600)
        script = (f"apt-get install -y -qq /dist/{os.path.basename(self.deb)} >&2 || exit 9; "
                  "dpkg-query -W -f='${Status} ${Version}\\n' shipctl; command -v shipctl; dpkg -L shipctl")
        env = {**os.environ, "CONTAINERS_CONF": os.path.join(harness.REPO, "scripts", "containers.conf")}
        done = subprocess.run(["podman", "run", "--rm", "--network", "none", "-v", f"{self.out}:/dist:ro",
                               "docker.io/library/debian:bookworm-slim", "bash", "-c", script],
                              capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertEqual(lines[:2], [f"install ok installed {VERSION}", "/usr/bin/shipctl"])
        for path in ["/usr/share/man/man1/shipctl-push.1.gz",
                     "/usr/share/bash-completion/completions/shipctl",
                     "/usr/share/zsh/vendor-completions/_shipctl"]:
            self.assertIn(path, lines[2:])

    def test_man_page_of_a_command_is_its_help(self):
        page = subprocess.run(["zcat", os.path.join(self.root, "usr/share/man/man1/shipctl-push.1.gz")],
                              capture_output=True, text=True, check=True).stdout
        self.assertIn('.TH SHIPCTL-PUSH "1"', page)
        self.assertIn("\\-\\-repository", page)

    def complete_bash(self, *words: str) -> list[str]:
        script = os.path.join(self.root, "usr/share/bash-completion/completions/shipctl")
        words_list = " ".join(f"'{w}'" for w in words)
        done = subprocess.run(["bash", "-c", f'source "{script}"; COMP_WORDS=({words_list}); '
                               f'COMP_CWORD={len(words) - 1}; _shipctl; printf "%s\\n" "${{COMPREPLY[@]}}"'],
                              capture_output=True, text=True, check=True)
        return done.stdout.split()

    def complete_zsh(self, *words: str) -> list[str]:
        """Runs the zsh function with compadd replaced by a printer (no zle needed)."""
        script = os.path.join(self.root, "usr/share/zsh/vendor-completions/_shipctl")
        words_list = " ".join(f"'{w}'" for w in words)
        prefix = words[-1]
        program = (f'compadd() {{ [[ $1 == -- ]] && shift; print -l -- ${{(M)@:#{prefix}*}}; }}; '
                   f'_files() {{ print FILES; }}; words=({words_list}); CURRENT={len(words)}; '
                   f'PREFIX="{prefix}"; source "{script}"')
        return subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True,
                              check=True).stdout.split()

    def test_completions_offer_every_command_and_a_commands_flags(self):
        for complete in [self.complete_bash, self.complete_zsh]:
            with self.subTest(complete.__name__):
                self.assertEqual(complete("shipctl", ""), self.commands)
                self.assertEqual(complete("shipctl", "policy", ""),
                                 ["eval", "lint", "trust", "role", "permissions"])
                self.assertEqual(complete("shipctl", "push", "--ca"), ["--ca-file"])
                self.assertEqual(complete("shipctl", "push", "--progress", ""),
                                 ["auto", "bars", "lines", "none"])

    def test_completions_know_each_flag_the_help_shows(self):
        for command in ["push", "verify", "credentials"]:
            with self.subTest(command):
                help_text = subprocess.run([harness.binary("shipctl"), command, "--help"],
                                           capture_output=True, text=True, check=True).stdout
                flags = sorted(set(re.findall(r"^  (?:-\w,)?(--[\w-]+)", help_text, re.M)))
                self.assertGreater(len(flags), 3)
                self.assertEqual(sorted(f for f in self.complete_bash("shipctl", command, "--")
                                        if f in flags), flags)


class ScriptsTest(unittest.TestCase):
    def test_release_refuses_a_version_that_is_not_semantic(self):
        done = subprocess.run([os.path.join(harness.REPO, "scripts", "release"), "--package",
                               "/bin/true", "--out", "/nonexistent", "../1.0"],
                              capture_output=True, text=True)
        self.assertEqual((done.returncode, done.stderr), (1, "release: error: version '../1.0' "
                         "is not X.Y.Z[-suffix]: give a semantic version\n"))

    def test_release_deps_are_in_the_debian_package_list(self):
        listed = pathlib.Path(harness.REPO, "scripts", "debian-packages.txt").read_text().split()
        deps = subprocess.run([os.path.join(harness.REPO, "scripts", "release"), "--deps"],
                              capture_output=True, text=True, check=True).stdout.split()
        self.assertIn("libcurl4-openssl-dev", deps)
        self.assertEqual([d for d in deps if d not in listed], [])


class SbomTest(unittest.TestCase):
    """scripts/release-sbom on a link line like the release-static build's."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="release-sbom-")
        multiarch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True,
                                   check=True).stdout.strip()
        cls.lib = f"/usr/lib/{multiarch}"
        cls.binary = shutil.which("true")  # needs glibc alone, as the static shipctl does

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def sbom(self, libraries: str, *extra: str) -> subprocess.CompletedProcess:
        ninja = os.path.join(self.tmp, "build.ninja")
        with open(ninja, "w") as f:
            f.write("build src/cli/libeem_cli.a: CXX_STATIC_LIBRARY_LINKER__eem_cli_Release x.o\n"
                    "  LINK_LIBRARIES = /usr/lib/not-this.a\n"
                    "build apps/shipctl: CXX_EXECUTABLE_LINKER__shipctl_Release main.o\n"
                    "  FLAGS = -O2\n"
                    f"  LINK_LIBRARIES = src/cli/libeem_cli.a {libraries} -ldl\n"
                    "build all: phony apps/shipctl\n")
        return subprocess.run([os.path.join(harness.REPO, "scripts", "release-sbom"), "--binary",
                               self.binary, "--version", VERSION, "--arch", "amd64", "--epoch",
                               "1700000000", "--build-ninja", ninja, *extra],
                              capture_output=True, text=True, timeout=60)

    def dpkg_version(self, package: str) -> str:
        return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                              capture_output=True, text=True, check=True).stdout

    def test_names_each_linked_debian_package_with_its_version_and_link_kind(self):
        done = self.sbom(f"{self.lib}/libcurl.a -Wl,--start-group {self.lib}/libssl.a "
                         f"{self.lib}/libcrypto.a -Wl,--end-group {self.lib}/libsodium.a")
        self.assertEqual(done.returncode, 0, done.stderr)
        document = json.loads(done.stdout)
        self.assertEqual((document["spdxVersion"], document["creationInfo"]["created"]),
                         ("SPDX-2.3", "2023-11-14T22:13:20Z"))
        packages = {p["name"]: p for p in document["packages"]}
        kinds = {r["relatedSpdxElement"]: r["relationshipType"] for r in document["relationships"]
                 if r["spdxElementId"] == "SPDXRef-shipctl"}
        gcc = subprocess.run(["gcc", "-dumpversion"], capture_output=True, text=True,
                             check=True).stdout.strip().split(".")[0]
        want = {"libcurl4-openssl-dev": "STATIC_LINK", "libssl-dev": "STATIC_LINK",
                "libsodium-dev": "STATIC_LINK", f"libstdc++-{gcc}-dev": "STATIC_LINK",
                f"libgcc-{gcc}-dev": "STATIC_LINK", "libc6": "DYNAMIC_LINK",
                "nlohmann-json3-dev": "CONTAINS", "libcli11-dev": "CONTAINS"}
        for name, kind in want.items():
            with self.subTest(name):
                self.assertEqual(packages[name]["versionInfo"], self.dpkg_version(name))
                self.assertEqual(kinds[packages[name]["SPDXID"]], kind)
        self.assertEqual(set(packages) - set(want) - {"shipctl"},
                         {p for p in packages if p.startswith("libboost")})
        self.assertEqual(packages["shipctl"]["checksums"], [{
            "algorithm": "SHA256",
            "checksumValue": hashlib.sha256(pathlib.Path(self.binary).read_bytes()).hexdigest()}])
        self.assertEqual(self.sbom(f"{self.lib}/libcurl.a -Wl,--start-group {self.lib}/libssl.a "
                                   f"{self.lib}/libcrypto.a -Wl,--end-group "
                                   f"{self.lib}/libsodium.a").stdout, done.stdout)

    def fake_root(self, packages: dict[str, tuple[str, list[str]]]) -> str:
        """A Debian root whose dpkg database lists `packages` (name: (version,
        files)), each file present, as `scripts/release --arch arm64` makes one."""
        root = tempfile.mkdtemp(dir=self.tmp)
        info = pathlib.Path(root, "var/lib/dpkg/info")
        info.mkdir(parents=True)
        status = []
        for name, (version, files) in packages.items():
            status.append(f"Package: {name}\nStatus: install ok installed\nArchitecture: all\n"
                          f"Version: {version}\nMaintainer: Root <root@example.org>\nDescription: x\n")
            info.joinpath(f"{name}.list").write_text("".join(f"{f}\n" for f in files))
            for f in files:
                pathlib.Path(root + f).parent.mkdir(parents=True, exist_ok=True)
                pathlib.Path(root + f).write_bytes(b"")
        pathlib.Path(root, "var/lib/dpkg/status").write_text("\n".join(status))
        return root

    def test_a_cross_builds_root_is_named_by_its_own_dpkg_database(self):
        """--sysroot: the libraries, headers and glibc under the root come with the
        root's versions (not the host's), the compiler's archives with the host's."""
        root = self.fake_root({
            "libcurl4-openssl-dev": ("7.88.1-10+root1", [f"{self.lib}/libcurl.a"]),
            "libc6": ("2.36-9+root1", [f"{self.lib}/libc.so.6"]),
            "nlohmann-json3-dev": ("3.11.2-2+root1", ["/usr/include/nlohmann/json.hpp"]),
            "libcli11-dev": ("2.1.2+ds-1+root1", ["/usr/include/CLI/CLI.hpp"]),
            "libboost1.74-dev": ("1.74.0+root1", ["/usr/include/boost/version.hpp"])})
        done = self.sbom(f"{root}{self.lib}/libcurl.a", "--sysroot", root)
        self.assertEqual(done.returncode, 0, done.stderr)
        versions = {p["name"]: p["versionInfo"] for p in json.loads(done.stdout)["packages"]}
        gcc = subprocess.run(["gcc", "-dumpversion"], capture_output=True, text=True,
                             check=True).stdout.strip().split(".")[0]
        self.assertEqual(versions, {
            "shipctl": VERSION, "libcurl4-openssl-dev": "7.88.1-10+root1", "libc6": "2.36-9+root1",
            "nlohmann-json3-dev": "3.11.2-2+root1", "libcli11-dev": "2.1.2+ds-1+root1",
            "libboost1.74-dev": "1.74.0+root1",
            f"libstdc++-{gcc}-dev": self.dpkg_version(f"libstdc++-{gcc}-dev"),
            f"libgcc-{gcc}-dev": self.dpkg_version(f"libgcc-{gcc}-dev")})
        missing = self.sbom(f"{root}{self.lib}/libsodium.a", "--sysroot", root)
        self.assertEqual((missing.returncode, missing.stderr), (1, f"release-sbom: no Debian package "
                         f"owns {root}{self.lib}/libsodium.a: install it from Debian\n"))

    def test_a_shared_library_on_the_link_line_is_refused(self):
        done = self.sbom(f"{self.lib}/libcurl.so")
        self.assertEqual((done.returncode, done.stderr), (1, f"release-sbom: {self.lib}/libcurl.so "
                         "is linked dynamically: build with preset release-static\n"))


class ActionsTest(unittest.TestCase):
    """What actionlint cannot check (it lints workflows, not action metadata)."""

    def load(self, name: str) -> dict:
        return yaml.safe_load(pathlib.Path(harness.REPO, name).read_text())

    def test_actions_are_composite_bash_with_no_nested_actions(self):
        for name in ACTIONS:
            with self.subTest(name):
                runs = self.load(name)["runs"]
                self.assertEqual(runs["using"], "composite")
                for step in runs["steps"]:
                    self.assertNotIn("uses", step)
                    self.assertEqual(step["shell"], "bash")

    def test_inputs_reach_scripts_through_env_only(self):
        for name in ACTIONS:
            with self.subTest(name):
                for step in self.load(name)["runs"]["steps"]:
                    self.assertNotIn("${{", step["run"])

    def test_task_actions_keep_the_official_input_names(self):
        credentials = self.load("actions/credentials/action.yml")
        self.assertLessEqual({"role-to-assume", "aws-region", "role-duration-seconds", "audience"},
                             set(credentials["inputs"]))
        self.assertEqual(set(credentials["outputs"]), {"aws-account-id"})
        self.assertEqual(set(self.load("actions/push/action.yml")["outputs"]),
                         {"registry", "image-uri", "digest"})

    def test_action_has_version_and_release_repository_inputs_and_path_and_version_outputs(self):
        action = self.load("action.yml")
        self.assertEqual(set(action["inputs"]), {"version", "release-repository"})
        # Where the assets come from may change; what is installed may not:
        # no input switches the sha256 check off.
        self.assertEqual(action["inputs"]["release-repository"]["default"], "")
        env = action["runs"]["steps"][0]["env"]
        self.assertEqual(env["SHIPCTL_REPOSITORY"],
                         "${{ inputs.release-repository || github.action_repository || github.repository }}")
        self.assertEqual(set(action["outputs"]), {"path", "version"})

    def test_task_actions_install_as_the_root_action_does(self):
        # The root action's version and release-repository, under the task actions' shipctl- prefix.
        for name in ACTIONS[1:]:
            with self.subTest(name):
                action = self.load(name)
                for suffix in ["version", "release-repository"]:
                    self.assertEqual(action["inputs"][f"shipctl-{suffix}"]["default"], "")
                install = action["runs"]["steps"][0]
                self.assertEqual(install["env"], {
                    "SHIPCTL_VERSION": "${{ inputs.shipctl-version }}",
                    "SHIPCTL_REPOSITORY": "${{ inputs.shipctl-release-repository || github.action_repository || "
                                          "github.repository }}"})
                self.assertEqual(install["run"], 'command -v shipctl >/dev/null || '
                                                 '"$GITHUB_ACTION_PATH/../../scripts/install-shipctl.sh"')


if __name__ == "__main__":
    harness.main()
