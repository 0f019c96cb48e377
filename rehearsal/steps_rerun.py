"""Re-run jobs (issue 15, "Safe re-runs"): GitHub's "Re-run jobs" after a
late failure runs the same commit's job again on a fresh runner: a new OIDC
token and credentials, a build with no layer cache, a push to the tags the
first run wrote. bootstrap makes the SHA tag immutable, so that run passes
only when the build is reproducible (scripts/container: every time in the
image comes from the commit, SOURCE_DATE_EPOCH) and push takes "the tags
already name this digest" as a success."""

from __future__ import annotations

import time
from dataclasses import replace

import steps_aws
import steps_image
from actions import Job
from context import Context
from runner import StepFailed, failure
from stand_ins import REGION


def start_build(ctx: Context) -> None:
    """Starts the re-run's build once the first one is saved, in the
    background (it overlaps push and verify): --no-cache, because a fresh
    runner has no layer cache, and a cached build would match trivially."""
    ctx.rerun_tag = f"{steps_image.IMAGE}:rehearsal-{ctx.sha[:12]}-rerun"
    argv = [steps_image._container(ctx), "build", "--no-cache", "--tag", ctx.rerun_tag, "--commit", ctx.sha]
    ctx.rerun_build = ctx.sup.start("image-rebuild", argv, dict(ctx.base_env, GITHUB_REPOSITORY=ctx.opts.github_repo))
    ctx.rerun_build.started = time.monotonic()


def _second_job(ctx: Context) -> Context:
    """The same commit's job, attempt 2: its own $GITHUB_* files and no AWS
    credentials until its own `shipctl credentials`."""
    job = Job(ctx.sup.path("job-rerun"), ctx.base_env, ctx.opts.github_repo, ctx.sha, ctx.issuer)
    job.env["GITHUB_RUN_ATTEMPT"] = "2"
    return replace(ctx, job=job, image_uri="", digest="")


def rerun(ctx: Context) -> str:
    """Attempt 2: credentials, the clean build, save, push, verify. Passes
    when push exits 0 with the first run's digest, saying it was already there."""
    if ctx.rerun_build is None:
        raise StepFailed("the re-run's build did not start (the first build was not saved)")
    took = steps_image.wait_build(ctx, ctx.rerun_build, ctx.rerun_tag)
    again = _second_job(ctx)
    again.archive = steps_image.save_archive(ctx, ctx.rerun_tag, "image-rerun.oci.tar")
    steps_aws.credentials(again)
    r = ctx.runner.run([ctx.shipctl, "push", f"oci-archive:{again.archive}", "--repository", ctx.opts.repository,
                        "--region", REGION, "--progress", "none"], env=again.job_env())
    digest = again.job.outputs().get("digest", "")
    ctx.rerun = {"digest": digest, "digest_same": digest == ctx.digest, "push_exit": r.returncode,
                 "already_there": "already there:" in r.stdout, "build_seconds": round(took, 1)}
    if r.returncode != 0:
        raise failure("shipctl push (re-run)", r)
    if digest != ctx.digest:
        raise StepFailed(f"the re-run pushed {digest}, the first run {ctx.digest}: the build is not reproducible")
    if not ctx.rerun["already_there"]:
        raise StepFailed(f"shipctl push (re-run) did not say the image was already there: {r.stdout.strip()}")
    again.digest = digest
    steps_aws.verify(again)
    return f"rebuilt without cache in {took:.1f} s: same digest {digest[:19]}…, push exit 0 (already there)"
