"""`shipctl doctor` shown on a broken setup: the role's trust policy is
changed to the most common mistake (a wildcard `sub` under StringEquals,
DESIGN.md section 3), doctor diagnoses it, and the policy is restored."""

from __future__ import annotations

import json
import subprocess
import urllib.parse

from context import Context
from runner import StepFailed, failure
from stand_ins import REGION


def _iam(ctx: Context):
    import boto3  # noqa: PLC0415 - the machine's Python has it with moto

    keys = ctx.admin_keys_or_default()
    return boto3.client("iam", region_name="us-east-1", endpoint_url=ctx.moto_url,
                        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"], aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"])


def wildcard_under_string_equals(policy: dict, github_repo: str) -> dict:
    """`policy` with every statement's condition replaced by StringEquals on
    aud and `repo:OWNER/REPO:*` as sub: `*` is literal there, so no token matches."""
    broken = json.loads(json.dumps(policy))
    for statement in broken.get("Statement", []):
        federated = statement.get("Principal", {}).get("Federated", "")
        host = federated.split("oidc-provider/", 1)[-1] or "token.actions.githubusercontent.com"
        statement["Condition"] = {"StringEquals": {f"{host}:aud": "sts.amazonaws.com",
                                                   f"{host}:sub": f"repo:{github_repo}:*"}}
    return broken


def _doctor(ctx: Context) -> subprocess.CompletedProcess:
    """shipctl doctor as on a laptop: claims of a push to main, admin credentials."""
    o = ctx.opts
    return ctx.runner.run([ctx.shipctl, "doctor", "--role-name", o.role_name, "--github-repo", o.github_repo,
                           "--ref", "refs/heads/main", "--event", "push", "--repository", o.repository,
                           "--region", REGION], env=ctx.admin_env())


def _excerpt(text: str, lines: int = 8) -> str:
    kept = [l.rstrip() for l in text.strip().splitlines() if l.strip()]
    return "\n".join(kept[:lines])


def doctor(ctx: Context) -> str:
    """doctor passes on the bootstrapped role, then names the broken condition."""
    ctx.require_command("doctor")
    good = _doctor(ctx)
    if good.returncode != 0:
        raise failure("shipctl doctor on the bootstrapped setup", good)
    iam = _iam(ctx)
    document = iam.get_role(RoleName=ctx.opts.role_name)["Role"]["AssumeRolePolicyDocument"]
    original = json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document
    broken = wildcard_under_string_equals(original, ctx.opts.github_repo)
    iam.update_assume_role_policy(RoleName=ctx.opts.role_name, PolicyDocument=json.dumps(broken))
    try:
        bad = _doctor(ctx)
    finally:
        iam.update_assume_role_policy(RoleName=ctx.opts.role_name, PolicyDocument=json.dumps(original))
    ctx.doctor = _excerpt(bad.stdout + "\n" + bad.stderr)
    if bad.returncode == 0:
        raise StepFailed("shipctl doctor found nothing wrong with a wildcard sub under StringEquals")
    if "StringEquals" not in ctx.doctor:
        raise StepFailed(f"shipctl doctor did not name the StringEquals condition: {ctx.doctor.splitlines()[0]}")
    return f"healthy setup: exit 0; wildcard under StringEquals: exit {bad.returncode}, diagnosed"
