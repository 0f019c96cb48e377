"""The shipctl steps of the workflow, run as the Actions job runs them:
bootstrap (once, with administrator credentials), then moto's IAM
enforcement switched on, credentials (OIDC token to STS), push and verify
(with only the job's temporary credentials: every AWS and registry call is
judged against the policy bootstrap wrote), and doctor on a deliberately
wrong trust policy."""

from __future__ import annotations

import json
import os
import sys

import report
from context import Context
from runner import StepFailed, failure
from stand_ins import REGION


def json_or_empty(text: str) -> dict:
    try:
        doc = json.loads(text)
        return doc if isinstance(doc, dict) else {}
    except ValueError:
        return {}


def bootstrap(ctx: Context) -> str:
    """The one-time setup: OIDC provider, role, trust and push policy, repository."""
    ctx.require_command("bootstrap")
    o = ctx.opts
    r = ctx.runner.run([ctx.shipctl, "bootstrap", "--github-repo", o.github_repo, "--role-name", o.role_name,
                        "--repository", o.repository, "--region", REGION, "--apply", "--json"],
                       env=ctx.admin_env())
    if r.returncode != 0:
        raise failure("shipctl bootstrap --apply", r)
    doc = json_or_empty(r.stdout)
    ctx.role_arn = doc.get("role_arn") or doc.get("roleArn") or ctx.role_arn_default()
    return f"role {ctx.role_arn}"


def enforce_iam(ctx: Context) -> str:
    """From here on moto judges every call against the caller's policies, as
    AWS does. Administrator steps use an IAM user created just before (moto
    then knows no other keys); the stand-in's call log joins the report."""
    sys.path.insert(0, os.path.join(ctx.opts.repo_root, "tests", "support"))
    import harness  # noqa: PLC0415 - the test suite's moto helpers, shared

    ctx.sup.on_cleanup(lambda: report.load_calls(ctx))  # before the stand-in's directory goes
    ctx.admin_keys = harness.enforce_iam(ctx.moto_url, REGION)
    return "moto judges every AWS call; the registry judges each request with moto's policy engine"


def credentials(ctx: Context) -> str:
    return job_credentials(ctx, ctx.job)


def job_credentials(ctx: Context, job) -> str:
    """Like aws-actions/configure-aws-credentials in `job` (actions.Job); the
    variables it writes to $GITHUB_ENV become the next steps' environment, as
    on a runner."""
    ctx.require_command("credentials")
    r = ctx.runner.run([ctx.shipctl, "credentials", "--role-arn", ctx.role_arn, "--region", REGION],
                       env=ctx.job_env(job))
    if r.returncode != 0:
        raise failure("shipctl credentials", r)
    written = job.absorb_env_file()
    wanted = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION")
    missing = [name for name in wanted if not written.get(name)]
    if missing:
        raise StepFailed(f"shipctl credentials wrote no {', '.join(missing)} to $GITHUB_ENV")
    unmasked = [n for n in wanted[1:3] if written[n] not in ctx.runner.masker.values]
    if unmasked:
        raise StepFailed(f"shipctl credentials did not ::add-mask:: {', '.join(unmasked)}")
    account = job.outputs().get("aws-account-id", "?")
    return f"temporary credentials for account {account} in $GITHUB_ENV (masked)"


def push(ctx: Context) -> str:
    """Daemonless push of the saved archive, tags SHA and latest by default."""
    ctx.require_command("push")
    r = ctx.runner.run([ctx.shipctl, "push", f"oci-archive:{ctx.archive}", "--repository", ctx.opts.repository,
                        "--region", REGION, "--progress", "none"], env=ctx.job_env())
    if r.returncode != 0:
        raise failure("shipctl push", r)
    out = ctx.job.outputs()
    missing = [k for k in ("image-uri", "digest", "registry") if not out.get(k)]
    if missing:
        raise StepFailed(f"shipctl push wrote no {', '.join(missing)} to $GITHUB_OUTPUT")
    if out["registry"] != ctx.ecr.host:
        raise StepFailed(f"shipctl push wrote registry={out['registry']}, expected {ctx.ecr.host}")
    ctx.image_uri, ctx.digest = out["image-uri"], out["digest"]
    if "## " not in ctx.job.summary():
        raise StepFailed("shipctl push wrote no Markdown summary to $GITHUB_STEP_SUMMARY")
    return f"{ctx.image_uri} {ctx.digest}"


def verify(ctx: Context) -> str:
    """Both tags (SHA and latest) resolve to the digest push reported."""
    ctx.require_command("verify")
    for tag in (ctx.sha, "latest"):
        r = ctx.runner.run([ctx.shipctl, "verify", "--repository", ctx.opts.repository, "--tag", tag,
                            "--digest", ctx.digest, "--region", REGION], env=ctx.job_env())
        if r.returncode != 0:
            raise failure(f"shipctl verify --tag {tag}", r)
    return f"{ctx.sha[:12]} and latest are {ctx.digest[:19]}…"
