"""The rehearsal's report: each step with ✔/✘/– and its time, the image
pushed, what /version answered, the AWS calls the job made (control plane
and registry, each with its IAM action and the verdict of moto's policy
engine), doctor's diagnosis, the total; or JSON."""

from __future__ import annotations

import contextlib
import json
from collections import Counter

from context import Context
from runner import FAIL, MARK, PASS, SKIP


def load_calls(ctx: Context) -> None:
    """Reads the stand-in's call log (JSON lines) into ctx.calls."""
    if not (ctx.ecr and ctx.ecr.calls):
        return
    with contextlib.suppress(OSError), open(ctx.ecr.calls) as f:
        ctx.calls = [json.loads(line) for line in f if line.strip()]


def _step_of(ctx: Context, when: float) -> str:
    for r in ctx.runner.results:
        if r.started and r.started <= when <= r.started + r.seconds:
            return r.key
    return ""


def job_calls(ctx: Context) -> list[dict]:
    """The calls made with the job's identity once enforcement was on
    (neither unjudged set-up calls nor the administrator's), merged per
    step, source, action, resource and verdict, in order of first call."""
    counts: Counter = Counter()
    for call in ctx.calls:
        if call["verdict"] == "unchecked" or ":user/" in call["principal"]:
            continue
        key = (_step_of(ctx, call["time"]), call["source"], call["action"], call["resource"], call["principal"],
               call["verdict"])
        counts[key] += 1
    return [{"step": k[0], "source": k[1], "action": k[2], "resource": k[3], "principal": k[4], "verdict": k[5],
             "count": n} for k, n in counts.items()]


def _calls_text(ctx: Context) -> list[str]:
    calls = job_calls(ctx)
    if not calls:
        return []
    lines = ["", "AWS calls of the job (IAM enforced; registry requests judged by the stand-in with moto's engine):"]
    principals = sorted({c["principal"] for c in calls})
    lines.append(f"  as {', '.join(principals)}")
    for c in calls:
        resource = "" if c["resource"] == "*" else f" on {c['resource'].rsplit(':', 1)[-1]}"
        lines.append(f"  {c['step']:<11} {c['source']:<8} {c['action']:<34} {c['verdict']:<7} x{c['count']}{resource}")
    return lines


# The steps of the deploy job (rehearse.run_deploy_steps) and the stand-in's start.
DEPLOY_STEPS = ("ecs", "roles", "deploy", "push2", "rollout", "broken", "rollback")


def deploy_section(ctx: Context) -> dict:
    """What the deploy steps found, and how long each took (seconds)."""
    doc = {"endpoint": "", "served_commit": "", "rollout": {"requests": 0, "failed": 0},
           "rollback": {"exit_code": None, "served_commit_after": ""}}
    doc.update(ctx.deploy)
    doc["seconds"] = {r.key: round(r.seconds, 2) for r in ctx.runner.results
                      if r.key in DEPLOY_STEPS and r.status != SKIP}
    return doc


def _deploy_text(ctx: Context) -> list[str]:
    d = deploy_section(ctx)
    if not d["endpoint"]:
        return []
    lines = ["", f"deploy:   {d['endpoint']} serves {d['served_commit'][:12]}"]
    r = d["rollout"]
    if r["requests"]:
        lines.append(f"rollout:  {r['requests']} keep-alive requests during the update, {r['failed']} failed "
                     f"(slowest {r.get('slowest_ms', 0)} ms)")
    b = d["rollback"]
    if b["exit_code"] is not None:
        during = b.get("load", {})
        lines.append(f"rollback: deploy exit {b['exit_code']}, then /version reports "
                     f"{b['served_commit_after'][:12]}; {during.get('requests', 0)} requests during it, "
                     f"{during.get('failed', 0)} failed")
    return lines


def as_dict(ctx: Context, total: float, kept: dict | None) -> dict:
    steps = [{"step": r.key, "title": r.title, "status": r.status, "seconds": round(r.seconds, 2),
              "detail": r.detail} for r in ctx.runner.results]
    failed = [r.title for r in ctx.runner.results if r.status == FAIL]
    skipped = [r.title for r in ctx.runner.results if r.status == SKIP]
    doc = {"ok": all(r.status == PASS for r in ctx.runner.results), "failed": failed, "skipped": skipped,
           "total_seconds": round(total, 2), "commit": ctx.sha,
           "github_repository": ctx.opts.github_repo, "steps": steps,
           "image": {"uri": ctx.image_uri, "digest": ctx.digest}, "version": ctx.version,
           "rerun": ctx.rerun, "doctor": ctx.doctor, "aws_calls": job_calls(ctx), "deploy": deploy_section(ctx)}
    if kept:
        doc["kept"] = kept
    return doc


def as_text(ctx: Context, total: float, kept: dict | None) -> str:
    width = max(len(r.title) for r in ctx.runner.results)
    lines = ["", f"Rehearsal of the deploy workflow for {ctx.opts.github_repo} at {ctx.sha[:12]}:"]
    for r in ctx.runner.results:
        time = f"{r.seconds:6.1f} s" if r.status != SKIP else "        "
        lines.append(f" {MARK[r.status]} {r.title:<{width}} {time}  {r.detail}".rstrip())
    if ctx.image_uri:
        lines += ["", f"image:    {ctx.image_uri}", f"digest:   {ctx.digest}"]
    if ctx.version:
        lines.append(f"/version: {json.dumps(ctx.version)}")
    if ctx.rerun:
        lines.append(f"re-run:   {'same digest' if ctx.rerun['digest_same'] else ctx.rerun['digest'] or 'no digest'}, "
                     f"push exit {ctx.rerun['push_exit']}")
    lines += _deploy_text(ctx)
    lines += _calls_text(ctx)
    if ctx.doctor:
        lines += ["", "shipctl doctor on a wildcard sub under StringEquals said:"]
        lines += [f"  {l}" for l in ctx.doctor.splitlines()]
    if kept:
        lines += ["", "Left running (--keep):"] + [f"  {k}: {v}" for k, v in kept.items()]
    failed = [r.title for r in ctx.runner.results if r.status == FAIL]
    skipped = sum(r.status == SKIP for r in ctx.runner.results)
    verdict = "all steps passed" if not failed and not skipped else (
        f"FAILED: {', '.join(failed)}" + (f" ({skipped} skipped)" if skipped else ""))
    lines += ["", f"{verdict}; total {total:.1f} s"]
    return "\n".join(lines)
