"""State and rollouts of the ECS stand-in: services, service revisions and
service deployments, and the thread that moves one deployment through its
lifecycle stages with real containers (ecs_podman) behind the TLS proxy
(ecs_proxy).

A deployment: PENDING; IN_PROGRESS through RECONCILE_SERVICE, PRE_SCALE_UP,
SCALE_UP (start the container, PORT=containerPort), POST_SCALE_UP (probe
healthCheckPath until it answers 200, as an ALB target group's default
matcher), PRODUCTION_TRAFFIC_SHIFT (the proxy switches), BAKE_TIME (the
shortened bake, probing on), CLEAN_UP (drain the old container, stop it);
then SUCCESSFUL. A target that never becomes healthy, or fails during the
bake, is rolled back: ROLLBACK_IN_PROGRESS, the proxy back on (or still on)
the old container, the new one stopped, ROLLBACK_SUCCESSFUL. With no earlier
revision to return to (a first deployment) it ends ROLLBACK_FAILED: the real
service's choice there is not documented, this one is a failure either way.
A newer deployment stops the one in progress (STOPPED), as ECS does.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import urllib.error
import urllib.request

from ecs_podman import Podman, PodmanError
from ecs_proxy import Router, Upstream

STAGES = ("RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "PRODUCTION_TRAFFIC_SHIFT",
          "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP")
DONE = ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")
# ECS's text for a circuit-breaker rollback (service events and deployment statusReason).
BREAKER = "Service deployment rolled back because the circuit breaker threshold was exceeded."
# A task's stopped reason when its execution role may not read ECR (the Fargate message users report).
PULL_DENIED = ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
               "failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): "
               "AccessDeniedException: User: arn:aws:sts::{account}:assumed-role/{role}/ecs-task is not authorized "
               "to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the "
               "ecr:GetAuthorizationToken action")


def now() -> float:
    """Epoch seconds with millisecond precision: what both SDKs parse back exactly."""
    return round(time.time(), 3)


@dataclasses.dataclass
class Revision:
    arn: str
    config: dict  # ExpressGatewayServiceConfiguration members as sent (defaults filled)
    created_at: float
    image_digest: str | None = None
    container: str | None = None
    upstream: Upstream | None = None


@dataclasses.dataclass
class Deployment:
    arn: str
    service: "Service"
    target: Revision
    created_at: float
    status: str = "PENDING"
    stage: str | None = None
    status_reason: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    stopped_at: float | None = None
    updated_at: float | None = None
    source: Revision | None = None
    rollback: dict | None = None
    breaker_status: str = "MONITORING"
    failures: int = 0
    history: list = dataclasses.field(default_factory=list)  # (status, stage) in order
    superseded: threading.Event = dataclasses.field(default_factory=threading.Event)
    stop_reason: str = ""
    thread: threading.Thread | None = None

    def stop(self, reason: str) -> None:
        """Asks the rollout to end as STOPPED with `reason` at its next step."""
        if not self.superseded.is_set():
            self.stop_reason = reason
            self.superseded.set()


@dataclasses.dataclass
class Service:
    name: str
    cluster: str
    arn: str
    host: str
    infrastructure_role: str
    tags: list
    created_at: float
    updated_at: float
    status: str = "ACTIVE"
    revisions: list = dataclasses.field(default_factory=list)
    deployments: list = dataclasses.field(default_factory=list)
    serving: Revision | None = None


@dataclasses.dataclass
class Settings:
    bake_seconds: float = 1.0
    health_timeout: float = 15.0
    health_interval: float = 0.2
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3
    drain_seconds: float = 5.0
    stage_seconds: float = 0.0


class Faults:
    """Fault switches, read by the rollouts and the API under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.values: dict = {}
        self.resumed = threading.Condition(self.lock)

    def set(self, **values) -> None:
        with self.lock:
            for key, value in values.items():
                if value is None:
                    self.values.pop(key, None)
                else:
                    self.values[key] = value
            self.resumed.notify_all()

    def get(self, key, default=None):
        with self.lock:
            return self.values.get(key, default)

    def take(self, key: str) -> bool:
        """Consumes one of a counted fault (propagation_errors, server_errors)."""
        with self.lock:
            left = int(self.values.get(key, 0))
            if left <= 0:
                return False
            self.values[key] = left - 1
            return True

    def wait_while_stalled(self, stage: str, *stops: threading.Event) -> None:
        """Blocks while the stall switch names `stage`, until it is cleared or a `stops` event is set."""
        with self.lock:
            while self.values.get("stall") == stage and not any(e.is_set() for e in stops):
                self.resumed.wait(0.2)


class Rollouts:
    """Runs deployments; owns the containers and the proxy routes."""

    def __init__(self, podman: Podman, router: Router, settings: Settings, faults: Faults, log, lock):
        self.podman, self.router, self.settings, self.faults, self.log = podman, router, settings, faults, log
        self.lock = lock  # the stand-in's: guards every Service/Deployment/Revision field
        self.stopping = threading.Event()

    def start(self, deployment: Deployment) -> None:
        previous = [d for d in deployment.service.deployments if d is not deployment and d.status not in DONE]
        for d in previous:
            d.stop("Service deployment stopped: a newer deployment replaced it.")
        deployment.thread = threading.Thread(target=self._run, args=(deployment, previous), daemon=True)
        deployment.thread.start()

    def join_all(self, services) -> None:
        self.stopping.set()
        self.faults.set()  # wakes stalled rollouts
        for service in services:
            for d in service.deployments:
                if d.thread is not None:
                    d.thread.join(timeout=60)

    # ---- one deployment ---------------------------------------------------
    def _run(self, d: Deployment, previous: list) -> None:
        for p in previous:
            p.thread.join()
        try:
            self._progress(d)
        except _Stopped:
            self._stop(d, d.stop_reason or "The ECS stand-in stopped.")
        except _TaskFailed as e:
            self.log(f"deployment {d.arn}: {e}")
            with self.lock:
                d.failures += 1
            self._roll_back(d, str(e))

    def _set(self, d: Deployment, status: str | None = None, stage: str | None = None, reason: str | None = None):
        with self.lock:
            d.status = status or d.status
            d.stage = stage or d.stage
            d.status_reason = reason if reason is not None else d.status_reason
            d.updated_at = now()
            if d.status in DONE:
                d.finished_at = d.updated_at
            d.history.append((d.status, d.stage))
        self.log(f"deployment {d.arn.rsplit('/', 1)[1]}: {d.status} {d.stage or ''} {reason or ''}".rstrip())

    def _stage(self, d: Deployment, stage: str, status: str | None = None) -> None:
        if d.superseded.is_set() or self.stopping.is_set():
            raise _Stopped()
        self._set(d, status=status, stage=stage)
        self.faults.wait_while_stalled(stage, self.stopping, d.superseded)
        if d.superseded.is_set() or self.stopping.is_set():
            raise _Stopped()
        time.sleep(self.settings.stage_seconds)

    def _progress(self, d: Deployment) -> None:
        with self.lock:
            d.source = d.service.serving
            d.started_at = now()
        self._stage(d, "RECONCILE_SERVICE", status="IN_PROGRESS")
        self._stage(d, "PRE_SCALE_UP")
        self._stage(d, "SCALE_UP")
        self._start_container(d)
        self._stage(d, "POST_SCALE_UP")
        problem = self._wait_healthy(d)
        if problem:
            return self._roll_back(d, problem)
        self._stage(d, "PRODUCTION_TRAFFIC_SHIFT")
        with self.lock:
            self.router.switch(d.service.host, d.target.upstream)
            d.service.serving = d.target
        self._stage(d, "POST_PRODUCTION_TRAFFIC_SHIFT")
        self._stage(d, "BAKE_TIME")
        problem = self._bake(d)
        if problem:
            return self._roll_back(d, problem)
        self._stage(d, "CLEAN_UP")
        with self.lock:
            d.breaker_status = "MONITORING_COMPLETE"
        if d.source is not None and d.source is not d.target:
            self._retire(d.source)
        self._set(d, status="SUCCESSFUL")

    def _start_container(self, d: Deployment) -> None:
        """Pulls and starts the target; a failure raises _TaskFailed with the stopped reason ECS gives."""
        container = d.target.config["primaryContainer"]
        if self.faults.get("pull_denied"):
            raise _TaskFailed(PULL_DENIED.format(account=d.service.arn.split(":")[4],
                                                 role=d.target.config.get("executionRoleArn", "").rsplit("/", 1)[-1]))
        try:
            ref = self.podman.local_ref(container["image"])
            digest = self.podman.digest(ref)
        except PodmanError as e:
            raise _TaskFailed(f"CannotPullContainerError: pull image manifest has been retried 1 time(s): {e}") from e
        env = [(e.get("name", ""), e.get("value", "")) for e in container.get("environment", [])]
        try:
            name, port = self.podman.start(ref, d.service.name, container["containerPort"], env,
                                           container.get("command", []))
        except PodmanError as e:
            raise _TaskFailed(f"CannotStartContainerError: {e}") from e
        with self.lock:
            d.target.image_digest, d.target.container = digest, name
            d.target.upstream = Upstream(port, name)

    def _probe(self, d: Deployment) -> str | None:
        """None when the target answers 200 on its health check path, else why not."""
        if self.faults.get("unhealthy"):
            return "the health check was failed by the stand-in's unhealthy switch"
        url = f"http://127.0.0.1:{d.target.upstream.port}{d.target.config['healthCheckPath']}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return None if r.status == 200 else f"GET {d.target.config['healthCheckPath']} answered {r.status}"
        except urllib.error.HTTPError as e:
            return f"GET {d.target.config['healthCheckPath']} answered {e.code}"
        except OSError as e:
            return f"GET {d.target.config['healthCheckPath']} failed: {getattr(e, 'reason', e)}"

    def _wait_healthy(self, d: Deployment) -> str | None:
        deadline, streak, problem = time.monotonic() + self.settings.health_timeout, 0, "no answer"
        while time.monotonic() < deadline:
            if d.superseded.is_set() or self.stopping.is_set():
                raise _Stopped()
            problem = self._probe(d)
            streak = 0 if problem else streak + 1
            if streak >= self.settings.healthy_threshold:
                return None
            time.sleep(self.settings.health_interval)
        return self._unhealthy(d, problem)

    def _bake(self, d: Deployment) -> str | None:
        deadline, misses, problem = time.monotonic() + self.settings.bake_seconds, 0, None
        while time.monotonic() < deadline:
            if d.superseded.is_set() or self.stopping.is_set():
                raise _Stopped()
            problem = self._probe(d)
            misses = misses + 1 if problem else 0
            if misses >= self.settings.unhealthy_threshold:
                return self._unhealthy(d, problem)
            time.sleep(self.settings.health_interval)
        return None

    def _unhealthy(self, d: Deployment, problem: str) -> str:
        with self.lock:
            d.failures += 1
        logs = self.podman.logs(d.target.container, 5) if d.target.container else ""
        tail = f"; container output: {logs.splitlines()[-1]}" if logs.strip() else ""
        return (f"Task failed ELB health checks in (target-group {_target_group(d.service)}): {problem}"
                f"{tail}")

    def _roll_back(self, d: Deployment, reason: str) -> None:
        with self.lock:
            d.breaker_status = "TRIGGERED"
            d.rollback = {"reason": reason, "startedAt": now()}
            if d.source is not None:
                d.rollback["serviceRevisionArn"] = d.source.arn
        self._set(d, status="ROLLBACK_IN_PROGRESS", reason=BREAKER)
        with self.lock:
            if d.source is not None and d.source.upstream is not None:
                self.router.switch(d.service.host, d.source.upstream)
            elif self.router.current(d.service.host) is d.target.upstream:
                self.router.switch(d.service.host, None)
            d.service.serving = d.source
        self._retire(d.target)
        if d.source is None:
            return self._set(d, status="ROLLBACK_FAILED", reason=f"{BREAKER} There is no earlier service revision "
                                                                   "to roll back to.")
        self._set(d, status="ROLLBACK_SUCCESSFUL")

    def _stop(self, d: Deployment, reason: str) -> None:
        """Ends a superseded deployment: whichever of its target and source no longer serves is stopped."""
        with self.lock:
            serving = d.service.serving is d.target
            d.stopped_at = now()
        if not serving:
            self._retire(d.target)
        elif d.source is not None and d.source is not d.target:
            self._retire(d.source)
        self._set(d, status="STOPPED", reason=reason)

    def _retire(self, revision: Revision) -> None:
        """Waits for the revision's in-flight requests (the drain), then stops its container."""
        if revision.upstream is not None:
            revision.upstream.wait_idle(self.settings.drain_seconds)
        if revision.container is not None:
            self.podman.stop(revision.container)
        with self.lock:
            revision.container, revision.upstream = None, None

    def delete(self, service: Service) -> None:
        """Stops the service's deployments and containers (DeleteExpressGatewayService), then
        INACTIVE; the stall switch "DRAINING" holds it DRAINING until cleared."""
        def drain():
            for d in list(service.deployments):
                d.stop("Service deployment stopped: the service was deleted.")
                if d.thread is not None:
                    d.thread.join()
            self.router.switch(service.host, None)
            for revision in service.revisions:
                self._retire(revision)
            self.faults.wait_while_stalled("DRAINING", self.stopping)
            with self.lock:
                service.status, service.serving, service.updated_at = "INACTIVE", None, now()
        threading.Thread(target=drain, daemon=True).start()


def _target_group(service: Service) -> str:
    region, account = service.arn.split(":")[3:5]
    return (f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/"
            f"ecs-gateway-{service.name[:12]}/0123456789abcdef")


class _Stopped(Exception):
    pass


class _TaskFailed(Exception):
    """The task did not start; the message is its stopped reason."""
