"""A plain clone tests itself (issue 18): no test, script, rehearsal or
benchmark reads a path outside the source tree.

Two checks. The cheap one reads every tracked file of tests/, scripts/,
rehearsal/, bench/, .ci/, cmake/ and .github/ and the CMake files for the
spellings that lead outside the tree (../shared, /work/, the parent of
EEM_SOURCE_DIR or of harness.REPO, the user's home). The strong one copies the
tracked files into a fresh temporary directory with nothing beside them and
runs, against that copy, every GoogleTest suite whose source reads the tree
(source_dir()) and a few Python tests that read it through harness.REPO:
a test that reads ../shared, or anything else beside the clone, fails there."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import harness

SCANNED = ("tests", "scripts", "rehearsal", "bench", ".ci", "cmake", ".github")
# Third-party data (the SigV4 suite's request files name paths of their own).
NOT_SCANNED = ("tests/testdata/",)
SELF = os.path.relpath(os.path.abspath(__file__), harness.REPO)

# (pattern, what it reaches) for paths outside the tree.
OUTSIDE = [
    (re.compile(r"\.\./shared\b|\bshared/testdata"), "the shared/ directory beside a checkout"),
    (re.compile(r"(?<![\w.~-])/work/"), "this machine's work area"),
    (re.compile(r"source_dir\(\)\)?\s*\.parent_path\(\)|source_dir\(\)\)?\s*/\s*\"\.\.[\"/]"),
     "the parent of the source tree"),
    (re.compile(r"dirname\((harness\.)?REPO\)|join\((harness\.)?REPO,\s*[\"']\.\.[\"']"),
     "the parent of the source tree"),
    (re.compile(r"(EEM_SOURCE_DIR|PROJECT_SOURCE_DIR|CMAKE_SOURCE_DIR)\}?/\.\.(/|\b)"),
     "the parent of the source tree"),
    (re.compile(r"expanduser\(|Path\.home\(\)"), "the user's home (give the test a HOME of its own)"),
]

# Python tests that read the tree through harness.REPO and need no server.
PYTHON_SAMPLE = ["tests/integration/workflows/test_workflow_structure.py",
                 "tests/integration/workflows/test_documented_commands.py"]
TEST_MACRO = re.compile(r"^\s*TEST(?:_F|_P)?\(\s*(\w+)\s*,", re.M)


def tracked_files(root: str) -> list[str]:
    """Paths (relative to `root`) git tracks; every file but build/, .git and
    node_modules when `root` is not a git checkout (an unpacked archive)."""
    r = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=False)
    if r.returncode == 0 and r.stdout:
        return [p for p in r.stdout.decode().split("\0") if p]
    found = []
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not (top == root and d in ("build", ".git", "node_modules"))]
        found += [os.path.relpath(os.path.join(top, f), root) for f in files]
    return found


def scanned(path: str) -> bool:
    in_scope = path.startswith(tuple(p + "/" for p in SCANNED)) or os.path.basename(path) in (
        "CMakeLists.txt", "CMakePresets.json")
    return in_scope and not path.startswith(NOT_SCANNED) and path != SELF


def references_outside(root: str, paths: list[str]) -> list[str]:
    """"file:line: what (the text)" for every spelling in OUTSIDE."""
    found = []
    for rel in filter(scanned, paths):
        try:
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue  # binary files, submodules, a symlink to nothing
        for number, line in enumerate(lines, 1):
            found += [f"{rel}:{number}: {what}: {line.strip()}" for pattern, what in OUTSIDE if pattern.search(line)]
    return found


def copy_alone(root: str, paths: list[str]) -> tuple[str, str]:
    """Copies `paths` of `root` to <fresh temporary>/clone, the only entry of
    its directory; returns (temporary, clone)."""
    tmp = tempfile.mkdtemp(prefix="eem-clone-")
    clone = os.path.join(tmp, "clone")
    for rel in paths:
        source, target = os.path.join(root, rel), os.path.join(clone, rel)
        if os.path.isdir(source) and not os.path.islink(source):
            continue  # a submodule: not part of this repository's own files
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return tmp, clone


def suites_reading_the_tree(clone: str) -> dict[str, list[str]]:
    """tests/unit/<dir> -> the GoogleTest suites of its sources that call source_dir()."""
    suites: dict[str, list[str]] = {}
    unit = os.path.join(clone, "tests", "unit")
    for top, _, files in os.walk(unit):
        for name in sorted(files):
            if not name.endswith(".cpp"):
                continue
            with open(os.path.join(top, name), encoding="utf-8") as f:
                text = f.read()
            if "source_dir()" in text:
                area = os.path.relpath(top, unit).split(os.sep)[0]
                suites.setdefault(area, []).extend(sorted(set(TEST_MACRO.findall(text))))
    return suites


class SelfContained(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.paths = tracked_files(harness.REPO)
        cls.tmp, cls.clone = copy_alone(harness.REPO, cls.paths)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def env(self) -> dict:
        return dict(os.environ, EEM_SOURCE_DIR=self.clone, EEM_BUILD_DIR=harness.build_dir(),
                    PYTHONPATH=os.path.join(self.clone, "tests", "support"))

    def test_no_file_names_a_path_outside_the_tree(self):
        self.assertEqual(references_outside(harness.REPO, self.paths), [])

    def test_the_scan_finds_what_the_suite_once_read(self):
        # the line tests/unit/aws/sigv4_suite_test.cpp had before the suite was copied in
        old = ('      fs::path(testing::source_dir()).parent_path() / '
               '"shared/testdata/aws-sigv4-test-suite/v4";\n'
               'REPO_PARENT = os.path.dirname(harness.REPO)\n')
        with tempfile.TemporaryDirectory() as probe:  # not beside the clone
            os.makedirs(os.path.join(probe, "tests"))
            with open(os.path.join(probe, "tests", "x_test.cpp"), "w") as f:
                f.write(old)
            found = references_outside(probe, ["tests/x_test.cpp"])
        self.assertEqual([f.split(": ")[1] for f in found],
                         ["the shared/ directory beside a checkout", "the parent of the source tree",
                          "the parent of the source tree"])

    def test_unit_suites_that_read_the_tree_pass_in_a_lone_copy(self):
        suites = suites_reading_the_tree(self.clone)
        self.assertIn("aws", suites)  # the SigV4 suite's own files at least
        for area, names in sorted(suites.items()):
            binary = os.path.join(harness.build_dir(), "tests", "unit", area, f"{area}_tests")
            self.assertTrue(os.access(binary, os.X_OK), f"{binary} is not built")
            pattern = ":".join(f"{n}.*:*/{n}.*" for n in names)
            with self.subTest(area=area):
                r = subprocess.run([binary, f"--gtest_filter={pattern}", "--gtest_brief=1"], env=self.env(),
                                   cwd=self.tmp, capture_output=True, text=True, timeout=600, check=False)
                self.assertEqual(r.returncode, 0, (r.stdout + r.stderr)[-4000:])
                self.assertRegex(r.stdout, r"\[  PASSED  \] [1-9]\d* tests?\.")

    def test_python_tests_that_read_the_tree_pass_in_a_lone_copy(self):
        for rel in PYTHON_SAMPLE:
            with self.subTest(test=rel):
                r = subprocess.run([sys.executable, os.path.join(self.clone, rel)], env=self.env(), cwd=self.tmp,
                                   capture_output=True, text=True, timeout=600, check=False)
                self.assertEqual(r.returncode, 0, r.stderr[-4000:])


if __name__ == "__main__":
    harness.main()
