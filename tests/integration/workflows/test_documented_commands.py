"""Every shipctl command line in the workflows and the guides names a real command and real flags.

The guides and deploy.yml are written against the command contracts; this
test reads each `shipctl ...` line from them (code blocks of the guides, run
scripts of the workflow), asks the built shipctl for that command's --help,
and fails on a command or flag it does not know, naming file and line.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import unittest

import harness

SOURCES = [".github/workflows/deploy.yml", "docs/deploy-guide.md", "docs/deploy-guide.ja.md"]
# A shipctl invocation: at the start of a line (after indentation, `run:`, `- `,
# or `VAR=value` prefixes), up to the end of the line or a comment.
INVOCATION = re.compile(r"^\s*(?:run:\s*|-\s+)?(?:[A-Z_]+=\S*\s+)*(shipctl\s[^#\n]*)")
FLAG = re.compile(r"^--[a-z][a-z0-9-]*")
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


def invocations(relative: str) -> list[tuple[int, list[str]]]:
    """(line number, argv after `shipctl`) of each invocation in a workflow or in a
    guide's code blocks, continuation lines joined."""
    with open(os.path.join(harness.REPO, relative), encoding="utf-8") as f:
        lines = f.read().splitlines()
    found, number, in_code = [], 0, relative.endswith(".yml")
    while number < len(lines):
        start = number
        text = lines[number]
        while text.endswith("\\") and number + 1 < len(lines):
            number += 1
            text = text[:-1] + " " + lines[number]
        number += 1
        if text.startswith("```"):
            in_code = not in_code
            continue
        match = INVOCATION.match(text)
        if match and in_code:
            words = shlex.split(EXPRESSION.sub("X", match.group(1)), comments=True)
            found.append((start + 1, words[1:]))
    return found


class Shipctl:
    """Runs `shipctl ... --help` once per command path and caches the text."""

    def __init__(self, exe: str):
        self.exe = exe
        self.helps: dict[tuple[str, ...], str | None] = {}

    def help(self, path: tuple[str, ...]) -> str | None:
        if path not in self.helps:
            done = subprocess.run([self.exe, *path, "--help"], capture_output=True, text=True,
                                  timeout=30)
            self.helps[path] = done.stdout if done.returncode == 0 else None
        return self.helps[path]

    def command_path(self, argv: list[str]) -> tuple[str, ...]:
        """The longest prefix of plain words that shipctl knows as a (sub)command."""
        path: tuple[str, ...] = ()
        for word in argv:
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            text = self.help(path)
            if text is None or not re.search(rf"^  {re.escape(word)}\s", text, re.MULTILINE):
                break
            path += (word,)
        return path

    def problems(self, argv: list[str]) -> list[str]:
        path = self.command_path(argv)
        if not path:
            return [f"unknown command {argv[0] if argv else '(none)'!r}"]
        known = self.help(path) + self.help(())
        flags = [FLAG.match(word).group(0) for word in argv if FLAG.match(word)]
        return [f"shipctl {' '.join(path)}: unknown flag {flag}" for flag in flags
                if not re.search(rf"(^|[\s,]){re.escape(flag)}(?=[\s=,]|$)", known, re.MULTILINE)]


class DocumentedCommandsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shipctl = Shipctl(harness.binary("shipctl"))

    def test_sources_show_the_commands_of_every_step(self):
        for name in SOURCES:
            commands = {argv[0] for _, argv in invocations(name)}
            with self.subTest(name):
                want = {"credentials", "push", "verify", "doctor"}
                if name.endswith(".md"):
                    want |= {"bootstrap", "policy", "login", "audit"}
                self.assertLessEqual(want, commands)

    def test_every_command_and_flag_exists(self):
        for name in SOURCES:
            for line, argv in invocations(name):
                with self.subTest(f"{name}:{line}"):
                    self.assertEqual(self.shipctl.problems(argv), [], f"{name}:{line}: {argv}")

    def test_an_unknown_flag_and_command_are_reported(self):
        self.assertEqual(self.shipctl.problems(["push", "oci-archive:x.tar", "--repo", "x"]),
                         ["shipctl push: unknown flag --repo"])
        self.assertEqual(self.shipctl.problems(["deploy-everything"]),
                         ["unknown command 'deploy-everything'"])
        self.assertEqual(self.shipctl.problems(["policy", "lint", "t.json", "--json"]), [])


if __name__ == "__main__":
    harness.main()
