"""The guides quote deploy.yml as it is: an excerpt that drifts from the file fails.

A guide marks an excerpt with an HTML comment on the line before its code block:

    <!-- excerpt: .github/workflows/deploy.yml -->
    ```yaml
    ...
    ```

A line of only `# ...` (any indentation) stands for the lines left out. Every
other line of the block must be in the named file, verbatim and in order, each
run of lines between two `# ...` contiguous there. The guides that the reader
checks their workflow against must carry such an excerpt.
"""

from __future__ import annotations

import os
import re
import unittest

import harness

GUIDES = ["docs/deploy-guide.md", "docs/deploy-guide.ja.md"]
MARKER = re.compile(r"^<!--\s*excerpt:\s*(\S+)\s*-->\s*$")
ELISION = re.compile(r"^\s*# \.\.\.\s*$")


def read_lines(relative: str) -> list[str]:
    with open(os.path.join(harness.REPO, relative), encoding="utf-8") as f:
        return f.read().splitlines()


def excerpts(lines: list[str]) -> list[tuple[int, str, list[list[str]]]]:
    """(line number of the marker, quoted file, the runs of quoted lines) of each
    marked code block."""
    found = []
    for number, line in enumerate(lines):
        match = MARKER.match(line)
        if not match:
            continue
        if number + 1 >= len(lines) or not lines[number + 1].startswith("```"):
            found.append((number + 1, match.group(1), []))
            continue
        end = number + 2
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        runs: list[list[str]] = [[]]
        for text in lines[number + 2:end]:
            if ELISION.match(text):
                runs.append([])
            else:
                runs[-1].append(text)
        found.append((number + 1, match.group(1), [run for run in runs if run]))
    return found


def drift(quoted: list[list[str]], original: list[str]) -> str | None:
    """Why `quoted` is not `original` excerpted in order, or None when it is."""
    if not quoted:
        return "the marker is not followed by a code block with lines in it"
    start = 0
    for run in quoted:
        for at in range(start, len(original) - len(run) + 1):
            if original[at:at + len(run)] == run:
                start = at + len(run)
                break
        else:
            near = [line for line in run if line not in original[start:]]
            return f"not in the file verbatim after line {start}: {near[:1] or run[:1]}"
    return None


class GuideExcerptTest(unittest.TestCase):
    def test_each_guide_quotes_the_workflow(self):
        for guide in GUIDES:
            with self.subTest(guide):
                named = [path for _, path, _ in excerpts(read_lines(guide))]
                self.assertIn(".github/workflows/deploy.yml", named)

    def test_every_excerpt_matches_its_file(self):
        for guide in GUIDES:
            for line, path, runs in excerpts(read_lines(guide)):
                with self.subTest(f"{guide}:{line}"):
                    self.assertIsNone(drift(runs, read_lines(path)), f"{guide}:{line} quotes {path}")

    def test_a_drifted_excerpt_is_reported(self):
        original = ["a:", "  b: 1", "  c: 2", "d: 3"]
        self.assertIsNone(drift([["  b: 1"], ["d: 3"]], original))
        self.assertIsNotNone(drift([["  b: 1", "d: 3"]], original))  # not contiguous
        self.assertIsNotNone(drift([["d: 3"], ["a:"]], original))  # out of order
        self.assertIsNotNone(drift([["  b: 2"]], original))
        self.assertIsNotNone(drift([], original))
        doc = ["<!-- excerpt: x.yml -->", "```yaml", "a:", "  # ...", "d: 3", "```"]
        self.assertEqual(excerpts(doc), [(1, "x.yml", [["a:"], ["d: 3"]])])


if __name__ == "__main__":
    harness.main()
