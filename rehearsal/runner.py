"""Runs the rehearsal's steps in order, timing each, skipping those whose
prerequisites failed, and runs commands the way an Actions runner does
(workflow commands such as ::add-mask:: are honoured, not printed)."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field

from procs import Interrupted

PASS, FAIL, SKIP = "pass", "fail", "skip"
MARK = {PASS: "✔", FAIL: "✘", SKIP: "–"}


class StepFailed(Exception):
    """A step's failure; the message is the one-line reason users read."""


@dataclass
class StepResult:
    key: str
    title: str
    status: str = SKIP
    seconds: float = 0.0
    detail: str = ""
    started: float = 0.0  # wall clock (time.time()), to place the stand-in's calls in steps


class Masker:
    """Replaces every value announced with ::add-mask:: by *** (as the runner does)."""

    def __init__(self):
        self.values: list[str] = []

    def add(self, value: str) -> None:
        if value and value not in self.values:
            self.values.append(value)
            self.values.sort(key=len, reverse=True)

    def feed(self, text: str) -> str:
        """Learns the masks in `text`, drops those command lines, masks the rest."""
        kept = []
        for line in text.splitlines():
            if line.startswith("::add-mask::"):
                self.add(line[len("::add-mask::"):].strip())
            else:
                kept.append(line)
        return self.apply("\n".join(kept))

    def apply(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, "***")
        return text


@dataclass
class Runner:
    """Executes steps; `log` gets progress lines (stderr)."""

    verbose: bool = False
    results: list[StepResult] = field(default_factory=list)
    masker: Masker = field(default_factory=Masker)

    def log(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def passed(self, key: str) -> bool:
        return any(r.key == key and r.status == PASS for r in self.results)

    def step(self, key: str, title: str, fn, needs: tuple[str, ...] = ()) -> None:
        """Runs `fn()` (returns a detail line) unless a step in `needs` did not pass."""
        result = StepResult(key, title)
        self.results.append(result)
        missing = [r.title for r in self.results if r.key in needs and r.status != PASS]
        if missing:
            result.detail = "skipped: needs " + ", ".join(missing)
            self.log(f" {MARK[SKIP]} {title}: {result.detail}")
            return
        self.log(f" … {title}")
        start, result.started = time.monotonic(), time.time()
        try:
            result.detail = fn() or ""
            result.status = PASS
        except Interrupted:
            result.status, result.detail = FAIL, "interrupted"
            raise
        except StepFailed as e:
            result.status, result.detail = FAIL, self.masker.apply(str(e))
        except Exception as e:  # noqa: BLE001 - a stand-in or tool error fails this step only
            result.status, result.detail = FAIL, self.masker.apply(f"{type(e).__name__}: {e}")
        finally:
            result.seconds = time.monotonic() - start
        self.log(f" {MARK[result.status]} {title} ({result.seconds:.1f} s){': ' + result.detail if result.detail else ''}")

    def run(self, argv: list[str], env: dict, timeout: float = 600, stdin: str | None = None,
            label: str | None = None) -> subprocess.CompletedProcess:
        """Runs `argv`, capturing output with masks applied; never raises on exit codes."""
        shown = label or " ".join(argv)
        if self.verbose:
            self.log(f"   $ {shown}")
        try:
            r = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True,
                               timeout=timeout, check=False, start_new_session=False)
        except subprocess.TimeoutExpired as e:
            raise StepFailed(f"{shown}: no answer within {timeout:.0f} s") from e
        r.stdout, r.stderr = self.masker.feed(r.stdout), self.masker.feed(r.stderr)
        if self.verbose:
            for line in (r.stdout + "\n" + r.stderr).strip().splitlines():
                self.log(f"   | {line}")
        return r


def last_line(text: str) -> str:
    """The last non-empty line of `text` (where our tools put their error)."""
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1].strip() if lines else ""


def failure(what: str, r: subprocess.CompletedProcess) -> StepFailed:
    """`what` failed (exit N): the command's own last message."""
    message = last_line(r.stderr) or last_line(r.stdout) or "no output"
    return StepFailed(f"{what} failed (exit {r.returncode}): {message}")

