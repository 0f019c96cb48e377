"""The image steps: build the repository's Dockerfile and save it as an OCI
archive (scripts/container: podman's layer cache makes a second run fast),
then pull what was pushed from the registry by digest (the job's role pulls), run it
(scripts/container run) and probe /ping and /version."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time

from context import Context
from procs import free_port, http_get, wait_for_http_ok
from runner import StepFailed, failure
from stand_ins import REGION

IMAGE = "localhost/ecs-express-mode-api"


def _container(ctx: Context) -> str:
    return os.path.join(ctx.opts.repo_root, "scripts", "container")


def _podman_env(ctx: Context) -> dict:
    # The settings file scripts/container uses for every podman call.
    return dict(ctx.base_env, CONTAINERS_CONF=os.path.join(ctx.opts.repo_root, "scripts", "containers.conf"))


def start_build(ctx: Context) -> None:
    """Starts scripts/container build of ./Dockerfile stamped with $GITHUB_SHA,
    in the background: it needs no stand-in, so it overlaps their start."""
    ctx.image_tag = f"{IMAGE}:rehearsal-{ctx.sha[:12]}"
    argv = [_container(ctx), "build", "--tag", ctx.image_tag, "--commit", ctx.sha]
    env = dict(ctx.base_env, GITHUB_REPOSITORY=ctx.opts.github_repo)
    ctx.build = ctx.sup.start("image-build", argv, env)
    ctx.build_started = time.monotonic()


def wait_for_build(ctx: Context, child, started: float, tag: str) -> float:
    """Waits for the scripts/container build `child` of `tag`; a cold one
    (toolchain image, full compile) takes minutes, so a progress line appears
    every 30 s. Removes the tag at the end. Returns the seconds it took."""
    while True:
        try:
            child.proc.wait(timeout=30)
            break
        except subprocess.TimeoutExpired:
            ctx.runner.log(f"   still building ({time.monotonic() - started:.0f} s so far; "
                           "a cold build takes about 5 min)")
    if ctx.runner.verbose:
        ctx.runner.log("\n".join(f"   | {l}" for l in child.tail(10_000).splitlines()))
    ctx.sup.on_cleanup(lambda: subprocess.run([_container(ctx), "rmi", "--tag", tag], env=ctx.base_env,
                                              capture_output=True, check=False, timeout=120))
    if child.proc.returncode != 0:
        raise StepFailed(f"scripts/container build failed (exit {child.proc.returncode}): {child.tail(1)}")
    return time.monotonic() - started


def build(ctx: Context) -> str:
    took = wait_for_build(ctx, ctx.build, ctx.build_started, ctx.image_tag)
    return f"{ctx.image_tag}, built in {took:.1f} s (alongside the stand-ins' start)"


def save_archive(ctx: Context, tag: str, name: str) -> str:
    """Image `tag` as the workflow hands it to push: an OCI archive `name`
    in the working directory. Returns its path."""
    archive = ctx.sup.path(name)
    r = ctx.runner.run([_container(ctx), "save", "--tag", tag, "--format", "oci-archive", "--output", archive],
                       env=ctx.base_env)
    if r.returncode != 0:
        raise failure("scripts/container save", r)
    return archive


def save(ctx: Context) -> str:
    ctx.archive = save_archive(ctx, ctx.image_tag, "image.oci.tar")
    return f"{os.path.getsize(ctx.archive) / 1e6:.1f} MB oci-archive"


def _ecr_password(ctx: Context) -> str:
    """`aws ecr get-login-password` (botocore) with the administrator's
    credentials, standing in for the ECS execution role that pulls on AWS:
    the job's role may push, not download layers (no GetDownloadUrlForLayer)."""
    import boto3  # noqa: PLC0415 - the machine's Python has it with moto

    env = ctx.admin_keys_or_default()
    client = boto3.client("ecr", region_name=REGION, endpoint_url=ctx.moto_url,
                          aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                          aws_session_token=env.get("AWS_SESSION_TOKEN"))
    token = client.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().split(":", 1)[1]
    ctx.runner.masker.add(password)
    return password


def _pull(ctx: Context, ref: str) -> None:
    """podman pull `ref` with an auth file (0600) holding an ECR password for
    the puller (_ecr_password): through the stand-in's registry proxy on
    127.0.0.1 (podman has no --connect-to to reach the TLS name, so
    --tls-verify=false: a test registry), which judges the pull
    (BatchGetImage, GetDownloadUrlForLayer); pinning the digest proves the
    content is what was pushed."""
    auth = ctx.sup.path("pull-auth.json")
    secret = base64.b64encode(f"AWS:{_ecr_password(ctx)}".encode()).decode()
    fd = os.open(auth, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"auths": {ref.split("/", 1)[0]: {"auth": secret}}}, f)
    r = ctx.runner.run(["podman", "pull", "--quiet", "--tls-verify=false", "--authfile", auth,
                        f"docker://{ref}"], env=_podman_env(ctx), timeout=300)
    os.unlink(auth)
    if r.returncode != 0:
        raise failure(f"podman pull {ref}", r)


def run_pushed(ctx: Context) -> str:
    """Pulls the pushed manifest by digest and runs it (scripts/container run)."""
    ref = f"127.0.0.1:{ctx.ecr.port}/{ctx.opts.repository}@{ctx.digest}"
    _pull(ctx, ref)
    port, name = free_port(), f"eem-rehearsal-{os.getpid()}"
    child = ctx.sup.start("container", [_container(ctx), "run", "--tag", ref, "--port", str(port),
                                        "--name", name], env=ctx.base_env)
    ctx.sup.on_cleanup(lambda: subprocess.run(["podman", "rmi", "--ignore", ref], env=_podman_env(ctx),
                                              capture_output=True, check=False, timeout=60))
    ctx.service_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http_ok(f"{ctx.service_url}/ping", timeout=30)
    except RuntimeError as e:
        raise StepFailed(f"{e}; container output: {child.tail(5)}") from e
    return f"{ref} on {ctx.service_url}"


def probe(ctx: Context) -> str:
    """GET /ping and /version of the running pushed image; the commit must be $GITHUB_SHA."""
    status, _ = http_get(f"{ctx.service_url}/ping")
    if status != 200:
        raise StepFailed(f"GET /ping answered {status}, expected 200")
    status, body = http_get(f"{ctx.service_url}/version")
    if status != 200:
        raise StepFailed(f"GET /version answered {status}, expected 200")
    ctx.version = json.loads(body)
    if ctx.version.get("commit") != ctx.sha:
        raise StepFailed(f"GET /version reports commit {ctx.version.get('commit')!r}, expected {ctx.sha}")
    return f"/ping 200, /version {body.strip()}"
