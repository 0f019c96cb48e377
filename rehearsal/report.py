"""The rehearsal's report: each step with ✔/✘/– and its time, the image
pushed, what /version answered, doctor's diagnosis, the total; or JSON."""

from __future__ import annotations

import json

from context import Context
from runner import FAIL, MARK, PASS, SKIP


def as_dict(ctx: Context, total: float, kept: dict | None) -> dict:
    steps = [{"step": r.key, "title": r.title, "status": r.status, "seconds": round(r.seconds, 2),
              "detail": r.detail} for r in ctx.runner.results]
    failed = [r.title for r in ctx.runner.results if r.status == FAIL]
    skipped = [r.title for r in ctx.runner.results if r.status == SKIP]
    doc = {"ok": all(r.status == PASS for r in ctx.runner.results), "failed": failed, "skipped": skipped,
           "total_seconds": round(total, 2), "commit": ctx.sha,
           "github_repository": ctx.opts.github_repo, "steps": steps,
           "image": {"uri": ctx.image_uri, "digest": ctx.digest}, "version": ctx.version,
           "doctor": ctx.doctor}
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
