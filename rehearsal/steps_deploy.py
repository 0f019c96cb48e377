"""The deploy steps (issue 14): `shipctl deploy` to the ECS Express Mode
stand-in with the job's credentials, as the workflow's deploy job runs it.

1. the pushed digest is deployed (created) and /version must report the commit;
2. a second commit's image is built, pushed and rolled out while a load
   generator (load.py) keeps keep-alive HTTPS requests going through the
   stand-in's proxy: zero errors and zero connection resets;
3. an image that fails its health check (the first image with
   LISTEN_ADDRESS=127.0.0.1: it answers only inside its container, as a
   service bound to loopback does on ECS) is rolled back under the same
   load: deploy exits 12 naming the cause, no request fails and the second
   commit keeps serving.

The ECS stand-in has every call judged by moto's policy engine (IAM
enforced): the job's role may deploy only through DEPLOY_POLICY."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time

import stand_ins
import steps_aws
import steps_image
from actions import Job
from context import Context
from load import EndpointConnection, Load
from runner import StepFailed, failure
from stand_ins import REGION

SERVICE = "ecs-express-mode-api"
# Exit code of a deployment rolled back (util::kind_info, "rolled_back").
ROLLED_BACK = 12
# The broken image's configuration: our service then listens on the
# container's loopback only, so the load balancer's /ping never reaches it.
BROKEN_ENV = "LISTEN_ADDRESS=127.0.0.1"


def start_ecs(ctx: Context) -> str:
    ctx.ecs = stand_ins.start_ecs(ctx.sup, ctx.ecr, SERVICE)
    ctx.sup.on_cleanup(lambda: remove_pulled(ctx))
    return f"API {ctx.ecs.endpoint}; https://{ctx.ecs.host} at 127.0.0.1:{ctx.ecs.proxy_port}"


def remove_pulled(ctx: Context) -> None:
    """The images the stand-in pulled from the registry's upstream (by digest)."""
    refs = [f"{ctx.ecr.upstream}/{ctx.opts.repository}@{d}" for d in ctx.deployed_digests]
    if refs:
        subprocess.run(["podman", "rmi", "--ignore", *refs], env=steps_image.podman_env(ctx), capture_output=True,
                       check=False, timeout=120)


# The workflow role's deploy permissions, as bootstrap --deploy writes them
# (the permission table's deploy rows). The ECS stand-in has moto's policy
# engine judge every call against it (stand_ins.start_ecs), as the ECR calls are.
DEPLOY_POLICY = "ShipctlExpressDeploy"


def ensure_deploy_roles(ctx: Context) -> tuple[str, str]:
    """`shipctl bootstrap --deploy SERVICE --apply` with the administrator's
    credentials: the execution and infrastructure roles (their trusts and
    managed policies) and the workflow role's inline policy ShipctlExpressDeploy.
    Returns (execution ARN, infrastructure ARN) from its --json. The deploy
    steps are judged under enforced IAM, so they fail if bootstrap grants
    less than they use."""
    o = ctx.opts
    r = ctx.runner.run([ctx.shipctl, "bootstrap", "--github-repo", o.github_repo, "--role-name", o.role_name,
                        "--repository", o.repository, "--region", REGION, "--deploy", SERVICE, "--apply", "--json"],
                       env=ctx.admin_env())
    if r.returncode != 0:
        raise failure("shipctl bootstrap --deploy --apply", r)
    deploy = steps_aws.json_or_empty(r.stdout).get("deploy") or {}
    arns = (deploy.get("execution_role_arn", ""), deploy.get("infrastructure_role_arn", ""))
    if not all(arns):
        raise StepFailed(f"shipctl bootstrap --deploy --json named no role ARNs: {r.stdout.strip()[-400:]}")
    return arns


def roles(ctx: Context) -> str:
    ctx.deploy_roles = ensure_deploy_roles(ctx)
    names = ", ".join(arn.rsplit("/", 1)[-1] for arn in ctx.deploy_roles)
    return f"{names}; {DEPLOY_POLICY} on {ctx.opts.role_name}"


def deploy_env(ctx: Context) -> dict:
    """The deploy job's environment (its role's temporary credentials) with
    the ECS API at the stand-in and its endpoint reached through the same CA."""
    env = ctx.job_env(ctx.deploy_job)
    env["AWS_ENDPOINT_URL_ECS"] = ctx.ecs.endpoint
    env["SHIPCTL_CONNECT_TO"] = f"{env['SHIPCTL_CONNECT_TO']},{ctx.ecs.connect_to}"
    return env


def shipctl_deploy(ctx: Context, digest: str, commit: str) -> subprocess.CompletedProcess:
    """The workflow's deploy step: the pushed image by digest (REGISTRY/REPOSITORY@DIGEST,
    as deploy.yml builds it from build-and-push's outputs), the commit /version must report."""
    ctx.require_command("deploy")
    image = f"{ctx.ecr.host}/{ctx.opts.repository}@{digest}"
    execution, infrastructure = ctx.deploy_roles
    ctx.deployed_digests.append(digest)
    return ctx.runner.run([ctx.shipctl, "deploy", "--service", SERVICE, "--image", image, "--commit", commit,
                           "--execution-role-arn", execution, "--infrastructure-role-arn", infrastructure,
                           "--region", REGION, "--poll-interval", "1", "--timeout", "180", "--json"],
                          env=deploy_env(ctx), timeout=300)


def _json(r: subprocess.CompletedProcess) -> dict:
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}


def served_commit(ctx: Context) -> str:
    """The commit GET https://<endpoint>/version reports now, through the proxy."""
    conn = EndpointConnection(ctx.ecs.host, ctx.ecs.proxy_port, ctx.ecr.ca_file)
    try:
        conn.request("GET", "/version")
        r = conn.getresponse()
        body = r.read().decode(errors="replace")
    finally:
        conn.close()
    if r.status != 200:
        raise StepFailed(f"GET https://{ctx.ecs.host}/version answered {r.status}, expected 200")
    return json.loads(body).get("commit", "")


def start_deploy_job(ctx: Context) -> str:
    """The workflow's deploy job: a runner of its own, so credentials again
    (the same role); returns the digest from build-and-push's outputs."""
    ctx.deploy_job = Job(ctx.sup.path("deploy-job"), ctx.base_env, ctx.opts.github_repo, ctx.sha, ctx.issuer)
    steps_aws.job_credentials(ctx, ctx.deploy_job)
    pushed = ctx.job.outputs()
    if pushed.get("registry") != ctx.ecr.host or not pushed.get("digest"):
        raise StepFailed(f"build-and-push's outputs name no image to deploy: {pushed}")
    return pushed["digest"]


def deploy(ctx: Context) -> str:
    """The pushed digest, created as a new service; /version reports the commit."""
    r = shipctl_deploy(ctx, start_deploy_job(ctx), ctx.sha)
    if r.returncode != 0:
        raise failure("shipctl deploy", r)
    out, written = _json(r), ctx.deploy_job.outputs()
    if written.get("endpoint") != f"https://{ctx.ecs.host}":
        raise StepFailed(f"shipctl deploy wrote endpoint={written.get('endpoint')!r} to $GITHUB_OUTPUT, "
                         f"expected https://{ctx.ecs.host}")
    ctx.deploy["endpoint"] = written["endpoint"]
    ctx.deploy["served_commit"] = served_commit(ctx)
    if ctx.deploy["served_commit"] != ctx.sha:
        raise StepFailed(f"/version reports {ctx.deploy['served_commit']!r} after the deploy, expected {ctx.sha}")
    return f"{out.get('action', '?')} {out.get('status', '?')}; {written['endpoint']} serves {ctx.sha[:12]}"


def second_commit(sha: str) -> str:
    """A commit value for the second image, distinct from `sha` (the rehearsal
    rolls a second build of the same tree, stamped as another commit)."""
    return hashlib.sha1(f"rehearsal second commit after {sha}".encode()).hexdigest()


def start_second_build(ctx: Context) -> None:
    """scripts/container build for the second commit, in the background (only
    the commit-stamping layer differs: podman's cache has the rest)."""
    ctx.sha2 = second_commit(ctx.sha)
    ctx.image_tag2 = f"{steps_image.IMAGE}:rehearsal-{ctx.sha2[:12]}"
    ctx.build2 = steps_image.start_image_build(ctx, "image-build-2", ctx.image_tag2, ctx.sha2)


def build_and_push_second(ctx: Context) -> str:
    """Waits for the second build, saves it and pushes it as the second
    workflow run would ($GITHUB_SHA is the second commit: tags it and latest)."""
    steps_image.wait_build(ctx, ctx.build2, ctx.image_tag2)
    archive = steps_image.save_archive(ctx, ctx.image_tag2, "image-2.oci.tar")
    ctx.digest2 = push_archive(ctx, archive, dict(ctx.job_env(), GITHUB_SHA=ctx.sha2))
    return f"{ctx.sha2[:12]} pushed as {ctx.digest2[:19]}…"


def push_archive(ctx: Context, archive: str, env: dict, *tags: str) -> str:
    """shipctl push of `archive` with the job's credentials; returns the digest."""
    argv = [ctx.shipctl, "push", f"oci-archive:{archive}", "--repository", ctx.opts.repository, "--region", REGION,
            "--progress", "none", "--json"]
    for tag in tags:
        argv += ["--tag", tag]
    r = ctx.runner.run(argv, env=env)
    if r.returncode != 0:
        raise failure("shipctl push", r)
    digest = ctx.job.outputs().get("digest", "")
    if not digest.startswith("sha256:"):
        raise StepFailed("shipctl push wrote no digest to $GITHUB_OUTPUT")
    return digest


def under_load(ctx: Context, digest: str, commit: str) -> tuple[subprocess.CompletedProcess, Load]:
    """shipctl deploy of `digest` while keep-alive clients send requests to the endpoint."""
    load = Load(ctx.ecs.host, ctx.ecs.proxy_port, ctx.ecr.ca_file)
    load.start()
    try:
        r = shipctl_deploy(ctx, digest, commit)
    finally:
        load.stop()
    return r, load


def _require_no_failure(load: Load, what: str) -> None:
    if load.requests == 0 or load.failed:
        raise StepFailed(f"{what} under load: {load.requests} requests, {load.errors} errors, "
                         f"{load.resets} connection resets (0 of both required){_first(load.problems)}")


def rollout(ctx: Context) -> str:
    """The second commit rolled out while keep-alive clients send requests."""
    r, load = under_load(ctx, ctx.digest2, ctx.sha2)
    ctx.deploy["rollout"] = load.summary()
    if r.returncode != 0:
        raise failure("shipctl deploy (rolling update)", r)
    _require_no_failure(load, "rolling update")
    ctx.deploy["served_commit"] = served_commit(ctx)
    if ctx.deploy["served_commit"] != ctx.sha2:
        raise StepFailed(f"/version reports {ctx.deploy['served_commit']!r} after the update, expected {ctx.sha2}")
    return (f"{load.requests} requests on {load.workers} keep-alive connections, 0 errors, 0 resets "
            f"(slowest {load.slowest * 1000:.0f} ms); now serving {ctx.sha2[:12]}")


def _first(problems: list) -> str:
    return f"; first: {problems[0]}" if problems else ""


def build_broken(ctx: Context) -> str:
    """The first image with BROKEN_ENV baked in (a new image, not a deploy
    setting: what deploys is what was built and pushed), pushed under its own tag."""
    tag = f"{steps_image.IMAGE}:rehearsal-broken-{ctx.sha[:12]}"
    directory = ctx.sup.path("broken")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "Containerfile"), "w") as f:
        f.write(f"FROM {ctx.image_tag}\nENV {BROKEN_ENV}\n")
    r = ctx.runner.run(["podman", "build", "--pull=never", "--quiet", "--tag", tag, directory],
                       env=steps_image.podman_env(ctx), timeout=300)
    ctx.sup.on_cleanup(lambda: subprocess.run(["podman", "rmi", "--ignore", tag], env=steps_image.podman_env(ctx),
                                              capture_output=True, check=False, timeout=60))
    if r.returncode != 0:
        raise failure("podman build (broken image)", r)
    archive = steps_image.save_archive(ctx, tag, "image-broken.oci.tar")
    ctx.digest_broken = push_archive(ctx, archive, ctx.job_env(), f"broken-{ctx.sha[:12]}")
    return f"{BROKEN_ENV} baked into {tag}, pushed as {ctx.digest_broken[:19]}…"


def rollback(ctx: Context) -> str:
    """The broken image is rolled back while keep-alive clients send requests:
    exit 12, no failed request, the second commit keeps serving, and deploy's
    output names the cause."""
    start = time.monotonic()
    r, load = under_load(ctx, ctx.digest_broken, ctx.sha)
    after = served_commit(ctx)
    ctx.deploy["rollback"] = {"exit_code": r.returncode, "served_commit_after": after,
                              "reason": _json(r).get("error", ""), "load": load.summary()}
    if r.returncode != ROLLED_BACK:
        raise failure(f"shipctl deploy of the broken image (expected exit {ROLLED_BACK}, rolled back)", r)
    _require_no_failure(load, "rollback")
    if set(load.commits) != {ctx.sha2}:
        raise StepFailed(f"during the rollback /version reported {dict(load.commits)}, expected only {ctx.sha2}")
    if after != ctx.sha2:
        raise StepFailed(f"/version reports {after!r} after the rollback, expected the previous commit {ctx.sha2}")
    require_cause_named(r)
    cause = doctor_names_rollback(ctx)
    return (f"exit {r.returncode} after {time.monotonic() - start:.1f} s; {ctx.sha2[:12]} kept serving "
            f"{load.requests} requests, 0 failed; doctor --deploy: {cause}")


def doctor_names_rollback(ctx: Context) -> str:
    """`shipctl doctor --deploy` on the rolled-back service, twice: as the
    guide says to run it on a laptop with administrator credentials, and as
    deploy.yml's "Diagnose the failed deploy" step runs it, with the deploy
    job's role (ShipctlExpressDeploy reads ECS, not IAM: the role checks may
    not run, the cluster check must). Each time the rollout check must be the
    root cause and quote ECS's reason. Returns its summary."""
    ctx.require_command("doctor")
    env = {k: v for k, v in ctx.admin_env().items() if not k.startswith(("GITHUB_", "ACTIONS_"))}
    env.update(AWS_ENDPOINT_URL_ECS=ctx.ecs.endpoint, SHIPCTL_CA_FILE=ctx.ecr.ca_file)
    o = ctx.opts
    admin = _doctor_rollout(ctx, "doctor --deploy with administrator credentials", env,
                            "--role-name", o.role_name, "--github-repo", o.github_repo, "--ref", "refs/heads/main",
                            "--event", "push", "--subject-format", "name")
    execution, infrastructure = (arn.rsplit("/", 1)[-1] for arn in ctx.deploy_roles)
    job = _doctor_rollout(ctx, "doctor --deploy in deploy.yml's diagnosis step", deploy_env(ctx),
                          "--role-arn", ctx.role_arn_default(), "--execution-role-name", execution,
                          "--infrastructure-role-name", infrastructure)
    if job["checks"].get("deploy-cluster", {}).get("status") != "pass":
        raise StepFailed("doctor --deploy with the deploy job's role could not check the cluster: "
                         f"{json.dumps(job['checks'].get('deploy-cluster'))[:400]}")
    ctx.deploy["rollback"]["doctor"] = admin["summary"]
    ctx.deploy["rollback"]["doctor_in_job"] = job["summary"]
    return admin["summary"]["summary"]


def _doctor_rollout(ctx: Context, what: str, env: dict, *flags: str) -> dict:
    r = ctx.runner.run([ctx.shipctl, "doctor", *flags, "--repository", ctx.opts.repository, "--region", REGION,
                        "--deploy", SERVICE, "--json"], env=env)
    doc = steps_aws.json_or_empty(r.stdout)
    checks = {c.get("id"): c for c in doc.get("checks", [])}
    if doc.get("root_cause") != "rollout":
        raise failure(f"shipctl {what} after the rollback (root cause {doc.get('root_cause')!r}, expected rollout)", r)
    rollout = json.dumps(checks["rollout"])
    for needed in ROLLBACK_NAMED[1:]:
        if needed not in rollout:
            raise StepFailed(f"shipctl {what}: the rollout check does not quote {needed!r}: {rollout[:400]}")
    summary = {"exit_code": r.returncode, "root_cause": doc.get("root_cause"),
               "summary": checks["rollout"].get("summary", ""),
               "statuses": {k: c.get("status") for k, c in checks.items()}}
    return {"checks": checks, "summary": summary}


# What deploy must say about the rollback: the outcome, and the cause ECS gave
# (the failed health check of the new tasks), so the log alone explains it.
ROLLBACK_NAMED = ("rolled back (ROLLBACK_SUCCESSFUL)", "Task failed ELB health checks")


def require_cause_named(report: subprocess.CompletedProcess) -> None:
    said = report.stderr + report.stdout
    for needed in ROLLBACK_NAMED:
        if needed not in said:
            raise StepFailed(f"shipctl deploy's output does not name the rollback's cause ({needed!r} missing)")
