"""Structural checks on GitHub Actions workflows that actionlint does not make.

Each check takes the workflow's text (and its parsed form) and returns a list
of findings, one readable line each; an empty list means the check passes.
The tests run them on the real workflows (expecting none) and on broken
copies (expecting the exact finding), so every check is shown able to fail.
"""

from __future__ import annotations

import re

import yaml

# `uses: owner/repo[/path]@<40 hex> # vMAJOR[.MINOR[.PATCH]]`: a full commit SHA
# (a tag or branch can be moved to other code; a SHA cannot), and the release
# it is, so a reader and an update tool know the version.
PINNED_USES = re.compile(
    r"^\s*(?:- )?uses: [A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v\d+(?:\.\d+){0,2}$")
# A local action (`uses: ./`, `./actions/push`) is the checked-out commit itself.
LOCAL_USES = re.compile(r"^\s*(?:- )?uses: \./[A-Za-z0-9_./-]*$")
USES_LINE = re.compile(r"^\s*(?:- )?uses:\s*(\S+)")

# AWS key material that must never be in a workflow: access key ids (AKIA long
# term, ASIA temporary; 20 characters, IAM "Unique identifiers" reference),
# the credential file's key names, and configure-aws-credentials' inputs for
# static keys.
KEY_MATERIAL = [
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"aws_secret_access_key", re.IGNORECASE), "aws_secret_access_key"),
    (re.compile(r"aws-secret-access-key", re.IGNORECASE), "the aws-secret-access-key input"),
    (re.compile(r"aws-access-key-id", re.IGNORECASE), "the aws-access-key-id input"),
    (re.compile(r"arn:aws:iam::\d{12}:role/"), "a hard-coded role ARN (use secrets.AWS_ROLE_ARN)"),
]


def parse(text: str) -> dict:
    """Parses a workflow. YAML 1.1 reads the key `on` as True; give it back its name."""
    doc = yaml.safe_load(text)
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def unpinned_uses(text: str) -> list[str]:
    """Every `uses:` line that is not pinned to a commit SHA with a version comment."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES_LINE.match(line)
        if match and not PINNED_USES.match(line) and not LOCAL_USES.match(line):
            findings.append(f"line {number}: {match.group(1)} is not pinned to a commit SHA "
                            "with the version in a comment")
    return findings


def pins(text: str) -> dict[str, str]:
    """Maps each pinned action (owner/repo) to its `<sha> # <version>`."""
    found = {}
    for line in text.splitlines():
        if PINNED_USES.match(line):
            action, rest = line.split("uses: ", 1)[1].split("@", 1)
            found[action] = rest
    return found


def key_material(text: str) -> list[str]:
    """AWS key material or hard-coded role ARNs anywhere in the text."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what in KEY_MATERIAL:
            if pattern.search(line):
                findings.append(f"line {number}: {what}")
    return findings


def secrets_in_scripts(doc: dict) -> list[str]:
    """`${{ secrets.X }}` written into a run script (it belongs in `env:`)."""
    findings = []
    for job_id, job in doc.get("jobs", {}).items():
        for index, step in enumerate(job.get("steps", [])):
            if "${{ secrets." in step.get("run", ""):
                findings.append(f"jobs.{job_id}.steps[{index}]: a secret is interpolated into run")
    return findings


def deploy_contract(doc: dict) -> list[str]:
    """The seed's contract: triggers, env names and values, and minimal permissions."""
    findings = []
    want_on = {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    if doc.get("on") != want_on:
        findings.append(f"on: {doc.get('on')!r}, want {want_on!r}")
    want_env = {"AWS_REGION": "ap-northeast-1", "ECR_REPOSITORY": "ecs-express-mode-api"}
    if doc.get("env") != want_env:
        findings.append(f"env: {doc.get('env')!r}, want {want_env!r}")
    want_permissions = {"id-token": "write", "contents": "read"}
    if doc.get("permissions") != want_permissions:
        findings.append(f"permissions: {doc.get('permissions')!r}, want {want_permissions!r}")
    for job_id, job in doc.get("jobs", {}).items():
        if "permissions" in job:
            findings.append(f"jobs.{job_id}.permissions overrides the workflow's permissions")
    return findings


def step_index(steps: list[dict], predicate) -> int:
    """Index of the first step for which `predicate(step)` holds, or -1."""
    return next((i for i, step in enumerate(steps) if predicate(step)), -1)


def runs(fragment: str):
    """A step predicate: its run script contains `fragment`."""
    return lambda step: fragment in step.get("run", "")


def uses(action: str):
    """A step predicate: it uses `action` (owner/repo)."""
    return lambda step: step.get("uses", "").split("@")[0] == action


def ordered_steps(steps: list[dict], expected: list[tuple[str, object]]) -> list[str]:
    """Checks that each (description, predicate) matches a step, in this order."""
    findings, last = [], -1
    for description, predicate in expected:
        index = step_index(steps, predicate)
        if index < 0:
            findings.append(f"no step {description}")
        elif index < last:
            findings.append(f"step {description} comes too early (step {index})")
        last = max(last, index)
    return findings
