#!/usr/bin/env python3
"""The local rehearsal of the deploy workflow (DESIGN.md section 6).

Starts the stand-ins on free loopback ports (moto as IAM/STS/ECR,
docker-registry over TLS as the ECR registry, the ECS Express Mode stand-in,
actions-oidc-issuer as GitHub's token service), runs what the workflow's two
jobs run as Actions jobs would, under IAM enforcement after bootstrap (the
deploy job: a deploy, a rolling update under load, a rollback;
steps_deploy.py), prints a report (with every AWS call the job made, its IAM
action and the verdict), and stops everything it started, also on failure,
Ctrl-C and SIGTERM.
Usually run through scripts/rehearse, which builds the binaries first.

examples:
  scripts/rehearse                       # the whole pipeline, then a report
  scripts/rehearse --verbose             # also every command and its output
  scripts/rehearse --json > report.json  # the report as JSON (progress on stderr)
  scripts/rehearse --keep                # leave moto, registry and issuer running after the report

exit codes: 0 every step passed; 1 a step failed (the report names it);
2 usage; 130/143 interrupted (Ctrl-C / SIGTERM), after cleaning up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import report  # noqa: E402
import stand_ins  # noqa: E402
import steps_aws  # noqa: E402
import steps_deploy  # noqa: E402
import steps_doctor  # noqa: E402
import steps_image  # noqa: E402
import steps_rerun  # noqa: E402
from actions import Job, clean_base_env  # noqa: E402
from context import Context, Options  # noqa: E402
from procs import Interrupted, Supervisor, install_signal_handlers, signals_held  # noqa: E402
from runner import PASS, Runner  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The stand-ins --keep leaves running (the service container always stops).
KEPT = {"ecr-stand-in", "actions-oidc-issuer"}


def git(*args: str) -> str:
    r = subprocess.run(["git", "-C", REPO, *args], capture_output=True, text=True, check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


def default_github_repo() -> str:
    """OWNER/REPO of the origin remote when it is on GitHub, else an example."""
    url = git("remote", "get-url", "origin").removesuffix(".git")
    for prefix in ("https://github.com/", "git@github.com:", "ssh://git@github.com/"):
        if url.startswith(prefix) and url[len(prefix):].count("/") == 1:
            return url[len(prefix):]
    return "example/ecs-express-mode-api"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="scripts/rehearse", description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keep", action="store_true", help="leave the stand-ins running and print how to reach them")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.add_argument("--verbose", action="store_true", help="show every command and its (masked) output")
    p.add_argument("--bin-dir", default=os.environ.get("SHIPCTL_REHEARSAL_BIN_DIR",
                                                       os.path.join(REPO, "build", "release", "apps")),
                   help="where shipctl and actions-oidc-issuer are (default: build/release/apps)")
    p.add_argument("--github-repo", default=None, metavar="OWNER/REPO",
                   help="the repository the job runs for (default: the origin remote, else example/...)")
    p.add_argument("--wait-for-issuer", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for actions-oidc-issuer to be built")
    args = p.parse_args(argv)
    args.github_repo = args.github_repo or default_github_repo()
    if args.github_repo.count("/") != 1 or args.github_repo.startswith("/") or args.github_repo.endswith("/"):
        p.error(f"--github-repo must be OWNER/REPO, got {args.github_repo!r}")
    return args


def start_issuer(ctx: Context) -> str:
    exe = os.path.join(ctx.opts.bin_dir, "actions-oidc-issuer")
    ctx.issuer = stand_ins.start_issuer(ctx.sup, exe, ctx.opts.github_repo, "refs/heads/main", "push",
                                        ctx.sha, ctx.opts.wait_for_issuer)
    return ctx.issuer.url


def start_ecr(ctx: Context) -> str:
    ctx.ecr = stand_ins.start_ecr(ctx.sup)
    return f"moto {ctx.ecr.endpoint}; https://{ctx.ecr.host} at 127.0.0.1:{ctx.ecr.port}"


def run_steps(ctx: Context) -> None:
    """The workflow, step by step; a step runs only when those it needs passed."""
    s = ctx.runner.step
    steps_image.start_build(ctx)
    s("ecr", "start moto_server + docker-registry (AWS)", lambda: start_ecr(ctx))
    s("ecs", "start the ECS Express Mode stand-in", lambda: steps_deploy.start_ecs(ctx), needs=("ecr",))
    s("issuer", "start actions-oidc-issuer (GitHub OIDC)", lambda: start_issuer(ctx))
    ctx.job = Job(ctx.sup.path("job"), ctx.base_env, ctx.opts.github_repo, ctx.sha, ctx.issuer)
    s("bootstrap", "shipctl bootstrap --apply", lambda: steps_aws.bootstrap(ctx), needs=("ecr",))
    s("enforce", "switch IAM enforcement on", lambda: steps_aws.enforce_iam(ctx), needs=("bootstrap",))
    s("credentials", "shipctl credentials (OIDC -> STS)", lambda: steps_aws.credentials(ctx),
      needs=("enforce", "issuer"))
    s("build", "build the image (scripts/container)", lambda: steps_image.build(ctx))
    if ctx.runner.passed("build"):
        steps_deploy.start_second_build(ctx)  # in the background, while the next steps run
    s("save", "save it as an oci-archive", lambda: steps_image.save(ctx), needs=("build",))
    if ctx.runner.passed("save"):
        steps_rerun.start_build(ctx)
    s("push", "shipctl push (SHA + latest)", lambda: steps_aws.push(ctx), needs=("credentials", "save", "ecr"))
    s("verify", "shipctl verify", lambda: steps_aws.verify(ctx), needs=("push",))
    s("rerun", "re-run the job: clean build, push, verify", lambda: steps_rerun.rerun(ctx), needs=("verify",))
    s("run", "pull the pushed digest and run it", lambda: steps_image.run_pushed(ctx), needs=("push",))
    s("probe", "probe /ping and /version", lambda: steps_image.probe(ctx), needs=("run",))
    s("doctor", "shipctl doctor on a wrong trust policy", lambda: steps_doctor.doctor(ctx), needs=("enforce",))
    run_deploy_steps(ctx)


def run_deploy_steps(ctx: Context) -> None:
    """The deploy job (issue 14): after verify, with the job's credentials."""
    s = ctx.runner.step
    s("roles", "the service's roles and the deploy policy (bootstrap --deploy)", lambda: steps_deploy.roles(ctx),
      needs=("enforce",))
    s("deploy", "shipctl deploy (create, /version)", lambda: steps_deploy.deploy(ctx),
      needs=("ecs", "roles", "verify"))
    s("push2", "build and push a second commit", lambda: steps_deploy.build_and_push_second(ctx),
      needs=("build", "credentials", "ecr"))
    s("rollout", "rolling update under keep-alive load", lambda: steps_deploy.rollout(ctx), needs=("deploy", "push2"))
    s("broken", "build and push an unhealthy image", lambda: steps_deploy.build_broken(ctx),
      needs=("build", "credentials", "ecr"))
    s("rollback", "shipctl deploy of it is rolled back", lambda: steps_deploy.rollback(ctx),
      needs=("rollout", "broken"))


def kept_info(ctx: Context) -> dict:
    """How to reach what --keep leaves running, and how to stop it."""
    info = {}
    if ctx.ecr:
        info["env"] = (f"AWS_ENDPOINT_URL={ctx.ecr.endpoint} SHIPCTL_CONNECT_TO={ctx.ecr.connect_to} "
                       f"SHIPCTL_CA_FILE={ctx.ecr.ca_file}")
        info["registry"] = f"{ctx.ecr.host} (user AWS) at 127.0.0.1:{ctx.ecr.port}; plain http: {ctx.ecr.upstream}"
    if ctx.issuer:
        info["issuer"] = f"{ctx.issuer.url} (ACTIONS_ID_TOKEN_REQUEST_URL={ctx.issuer.request_url})"
    groups = " ".join(f"-{c.proc.pid}" for c in ctx.sup.children if c.running() and c.name in KEPT)
    info["stop with"] = f"kill -TERM -- {groups}; rm -rf {ctx.sup.tmp}" if groups else f"rm -rf {ctx.sup.tmp}"
    return info


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sha = git("rev-parse", "HEAD")
    if not sha:
        print(f"rehearse: {REPO} is not a git checkout with a commit (the image reports HEAD)", file=sys.stderr)
        return 2
    sup, ctx = None, None
    install_signal_handlers()
    start, code, kept = time.monotonic(), 1, None
    try:
        # Inside the try, so a signal at any point of start-up is cleaned up.
        with signals_held():
            sup = Supervisor()
        print(f"rehearse: working in {sup.tmp} (removed at the end)", file=sys.stderr, flush=True)
        opts = Options(repo_root=REPO, bin_dir=os.path.abspath(args.bin_dir), github_repo=args.github_repo,
                       wait_for_issuer=args.wait_for_issuer)
        ctx = Context(opts=opts, sup=sup, runner=Runner(verbose=args.verbose), sha=sha,
                      base_env=clean_base_env(sup.path("home")))
        run_steps(ctx)
        code = 0 if all(r.status == PASS for r in ctx.runner.results) else 1
        if args.keep:
            kept = kept_info(ctx)
    except Interrupted as e:
        print(f"rehearse: {e}: stopping everything it started", file=sys.stderr)
        code = 130 if e.signum == 2 else 143
    finally:
        if sup is not None:
            keep_names = KEPT if kept else set()
            kept_children = [c for c in sup.children if c.name in keep_names]
            sup.children = [c for c in sup.children if c.name not in keep_names]
            sup.stop_all(keep_tmp=bool(kept))
            sup.children = kept_children
    total = time.monotonic() - start
    if ctx is not None and code in (0, 1):
        out = json.dumps(report.as_dict(ctx, total, kept), indent=2) if args.json else report.as_text(ctx, total, kept)
        print(out, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
