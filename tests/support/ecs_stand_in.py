"""An offline Amazon ECS Express Mode: the awsJson1_1 API of the Express
operations and of the service-deployment reads, with real containers behind
a TLS load balancer named `<service>.ecs.<region>.on.aws`.

- API: POST / with X-Amz-Target `AmazonEC2ContainerServiceV20141113.<Op>` and
  Content-Type application/x-amz-json-1.1, SigV4-signed for service `ecs`
  (ecs_auth): Create/Update/Describe/DeleteExpressGatewayService,
  ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions,
  DescribeServices. Errors as {"__type", "message"}, 400 (500 for
  ServerException).
- Every accepted request passed botocore's ParamValidator (ecs_model: the
  botocore model widened by the JS model's members) and every response is
  checked against botocore's output shape before it is sent: a response that
  breaks it is answered 500 and recorded in `bugs` (tests assert it is empty).
- Each Create or Update makes a service revision and a service deployment,
  rolled out with podman behind the proxy (ecs_rollout, ecs_proxy).
- Fault switches (constructor `faults=` or POST /_stand_in/faults with a JSON
  object; null clears one): access_denied (list of operations, or "*"),
  pass_role_denied, propagation_errors (count) with propagation_kind "role" or
  "credentials", server_errors (count), unhealthy (every health check
  fails), pull_denied (the execution role may not pull ECR images), stall
  (a lifecycle stage name: rollouts halt there until cleared; "DRAINING"
  holds a deleted service DRAINING), wrong_commit ({"service": name,
  "commit": sha}: /version reports it), failed_resource ({"resource":
  "loadBalancer"|"certificate"|"targetGroups", "reason": text}: new
  revisions' managed resource is FAILED with that statusReason, and their
  deployment rolls back).
  GET /_stand_in/state shows services, deployments and the stage history.
- IAM (constructor `authorize=`, standalone --judge-url): ecs:<operation> on
  each resource the call names, and iam:PassRole on each role it passes,
  are judged before the operation runs (ecs_api._authorize).

`env` holds what a client needs: AWS_ENDPOINT_URL_ECS, test credentials,
SHIPCTL_CA_FILE, and `connect_to(name)` gives the SHIPCTL_CONNECT_TO entry of
a service endpoint. Standalone (the rehearsal): python3 ecs_stand_in.py
WORKDIR [options] prints the env as one JSON line (plus ECS_CONTROL_URL,
ECS_PROXY_PORT, ECS_ENDPOINT_SUFFIX, ECS_LOG) and serves until SIGTERM or
SIGINT; every container it started is removed on the way out. Options (see
--help): --ca-cert/--ca-key (sign the endpoint certificate with the ECR
stand-in's CA: one SHIPCTL_CA_FILE for both), --registry HOST=UPSTREAM and
--registry-password (pull ECR images from docker-registry), --bake-seconds,
--health-timeout, --stage-seconds, --service-name (SHIPCTL_CONNECT_TO entries),
--faults JSON, --judge-url (IAM: every call judged there, see `authorize`).
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ecs_api  # noqa: E402
import harness  # noqa: E402
from ecs_api import endpoint_host  # noqa: E402
from ecs_model import CONTENT_TYPE, ApiError, error_body  # noqa: E402
from ecs_podman import Podman, Registry  # noqa: E402
from ecs_proxy import Proxy  # noqa: E402
from ecs_rollout import Deployment, Faults, Revision, Rollouts, Service, Settings, now  # noqa: E402

ACCOUNT = "123456789012"  # moto's default account, as the ECR stand-in
REGION = "ap-northeast-1"
CREDENTIALS = {"testing": "testing"}  # the ECR stand-in's test credentials
FAULTS = {"access_denied", "pass_role_denied", "propagation_errors", "propagation_kind", "server_errors",
          "unhealthy", "pull_denied", "stall", "wrong_commit", "failed_resource"}
MANAGED = ("loadBalancer", "certificate", "targetGroups")  # the failed_resource choices
MAX_BODY = 1 << 20  # far above any Express request; a bigger one is refused unread


def _openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, text=True)


def make_certificate(directory: str, region: str, ca: tuple[str, str] | None) -> tuple[str, str, str]:
    """A certificate for `*.ecs.<region>.on.aws` signed by `ca` (cert, key), or by a CA
    made here; returns (CA certificate, server certificate, server key)."""
    harness.require_tool("openssl")
    if ca is None:
        ca = (os.path.join(directory, "ecs-ca.crt"), os.path.join(directory, "ecs-ca.key"))
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ecs-stand-in-ca",
                 "-keyout", ca[1], "-out", ca[0])
    key, csr, cert = (os.path.join(directory, n) for n in ("ecs-server.key", "ecs-server.csr", "ecs-server.crt"))
    wildcard = f"*.ecs.{region}.on.aws"
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={wildcard}", "-keyout", key, "-out", csr)
    ext = os.path.join(directory, "ecs-ext.cnf")
    with open(ext, "w") as f:
        f.write(f"subjectAltName=DNS:{wildcard}\n")
    _openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial", "-days", "2",
             "-extfile", ext, "-out", cert)
    return ca[0], cert, key


def _check_fault_names(values: dict) -> None:
    unknown = sorted(set(values) - FAULTS)
    if unknown:
        raise ValueError(f"unknown fault switch {', '.join(unknown)} (known: {', '.join(sorted(FAULTS))})")
    failed = values.get("failed_resource")
    if failed is not None and (not isinstance(failed, dict) or failed.get("resource") not in MANAGED
                               or not isinstance(failed.get("reason"), str)):
        raise ValueError(f"failed_resource must be {{\"resource\": one of {', '.join(MANAGED)}, \"reason\": text}}")


class EcsStandIn:
    """The API server (plain http on loopback), the proxy and the rollouts."""

    def __init__(self, workdir: str, *, region: str = REGION, account: str = ACCOUNT, ca=None,
                 registries: list[Registry] = (), settings: Settings | None = None, faults: dict | None = None,
                 credentials: dict[str, str] | None = None, strict_credentials: bool = False,
                 clusters=("default",), principal: str | None = None, authorize=None):
        self.workdir, self.region, self.account = workdir, region, account
        # IAM: authorize(access key id, action, resource) -> None (allowed) or
        # (error code, message); None: no IAM, only the fault switches deny.
        self.authorize = authorize
        self.credentials = dict(CREDENTIALS if credentials is None else credentials)
        self.strict_credentials = strict_credentials
        self.clusters = set(clusters)
        self.principal = principal or f"arn:aws:sts::{account}:assumed-role/github-actions-deploy/shipctl"
        self.lock = threading.RLock()
        self.services: dict[str, Service] = {}  # by ARN
        self.deployments: dict[str, Deployment] = {}
        self.revisions: dict[str, Revision] = {}
        self.requests: list[dict] = []
        self.bugs: list[str] = []
        self.faults = Faults()
        _check_fault_names(faults or {})
        self.log_path = os.path.join(workdir, "ecs-stand-in.log")
        self.podman = Podman(secrets.token_hex(4), workdir, registries)
        self.ca, cert, key = make_certificate(workdir, region, ca)
        self.proxy = Proxy(cert, key)
        self.rollouts = Rollouts(self.podman, self.proxy.router, settings or Settings(), self.faults, self.log,
                                 self.lock, self.bugs)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ApiHandler)
        self.server.daemon_threads = True
        self.server.stand_in = self
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.set_faults(**(faults or {}))
        self.env = {"AWS_ENDPOINT_URL_ECS": self.url, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
                    "SHIPCTL_CA_FILE": self.ca}

    def log(self, line: str) -> None:
        with self.lock, open(self.log_path, "a") as f:
            f.write(f"{now():.3f} {line}\n")

    def connect_to(self, service_name: str) -> str:
        """The SHIPCTL_CONNECT_TO entry that reaches `service_name`'s endpoint."""
        return f"{endpoint_host(service_name, self.region)}:443:127.0.0.1:{self.proxy.port}"

    def set_faults(self, **values) -> None:
        """Sets fault switches (see the module doc); None clears one. ValueError names an unknown one."""
        _check_fault_names(values)
        self.faults.set(**values)
        commit = values.get("wrong_commit", ...)
        if commit is not ...:
            self._apply_wrong_commit(commit)

    def _apply_wrong_commit(self, value) -> None:
        router = self.proxy.router
        router.version_commit.clear()
        if value:
            router.version_commit[endpoint_host(value["service"], self.region)] = value["commit"]

    def close(self) -> None:
        """Stops the API, the rollouts, every container and the proxy; safe to call twice."""
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            services = list(self.services.values())
        try:
            self.rollouts.join_all(services)
        finally:
            self.podman.remove_all()
            self.proxy.close()

    # ---- names --------------------------------------------------------------
    def arn(self, kind: str, path: str) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account}:{kind}/{path}"

    def cluster_name(self, value: str | None) -> str:
        name = (value or "default").rsplit("/", 1)[-1]
        if name not in self.clusters:
            raise ApiError("ClusterNotFoundException", "Cluster not found.")
        return name

    def find_service(self, ref: str, cluster: str | None = None, missing: str = "ServiceNotFoundException") -> Service:
        with self.lock:
            if ref.startswith("arn:"):
                service = self.services.get(ref)
            else:
                service = self.services.get(self.arn("service", f"{self.cluster_name(cluster)}/{ref}"))
        if service is None:
            raise ApiError(missing, "Service not found.")
        return service


class _ApiHandler(http.server.BaseHTTPRequestHandler):
    """The API and the control endpoints of `self.server.stand_in`."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # a client that stops sending loses its thread after a minute

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str = CONTENT_TYPE):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status >= 400 and content_type == CONTENT_TYPE:
            # AWS JSON services also name the error in X-Amzn-Errortype (Smithy awsJson1_1, error responses).
            self.send_header("x-amzn-ErrorType", f"{json.loads(body)['__type']}:")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes | None:
        """The request body; None (after answering 400/413) when its length is unusable."""
        value = self.headers.get("Content-Length") or "0"
        if not value.isdigit() or "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._send(400, error_body("SerializationException", "Content-Length must be a decimal number"))
            return None
        if int(value) > MAX_BODY:
            self.close_connection = True
            self._send(413, error_body("SerializationException", f"Request body is over {MAX_BODY} bytes"))
            return None
        return self.rfile.read(int(value))

    def do_GET(self):
        if self.path == "/_stand_in/state":
            return self._send(200, json.dumps(ecs_api.state(self.server.stand_in)).encode(), "application/json")
        if self.path == "/_stand_in/requests":
            with self.server.stand_in.lock:
                return self._send(200, json.dumps(self.server.stand_in.requests).encode(), "application/json")
        self._send(404, error_body("UnknownOperationException", "GET is not an operation"))

    def do_POST(self):
        body = self._body()
        if body is None:
            return
        if self.path == "/_stand_in/faults":
            try:
                self.server.stand_in.set_faults(**json.loads(body or b"{}"))
            except (ValueError, TypeError) as e:
                return self._send(400, json.dumps({"error": str(e)}).encode(), "application/json")
            return self._send(204, b"", "application/json")
        status, answer = ecs_api.handle(self.server.stand_in, self.path, self.headers, body)
        self._send(status, answer)


@contextlib.contextmanager
def ecs_stand_in(workdir: str, **kw):
    """Yields a running EcsStandIn; stops it (and every container) on exit."""
    stand_in = EcsStandIn(workdir, **kw)
    try:
        yield stand_in
    finally:
        stand_in.close()


def remote_judge(url: str):
    """An `authorize` asking the judge at `url` (POST {"source": "ecs", "key",
    "action", "resource"} -> {"error": null | [code, message]})."""
    import urllib.request

    def authorize(key: str, action: str, resource: str):
        call = json.dumps({"source": "ecs", "key": key, "action": action, "resource": resource}).encode()
        request = urllib.request.Request(url, data=call, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            error = json.loads(r.read())["error"]
        return tuple(error) if error else None

    return authorize


def _parse_args(argv):
    p = argparse.ArgumentParser(description="offline Amazon ECS Express Mode (see the module doc)")
    p.add_argument("workdir", nargs="?")
    p.add_argument("--region", default=REGION)
    p.add_argument("--ca-cert", help="CA certificate to sign the endpoint certificate with (with --ca-key)")
    p.add_argument("--ca-key")
    p.add_argument("--registry", action="append", default=[], metavar="HOST=UPSTREAM",
                   help="pull images named HOST/... from plain-http UPSTREAM (user AWS, --registry-password)")
    p.add_argument("--registry-password", default=f"{ACCOUNT}-auth-token")
    p.add_argument("--bake-seconds", type=float, default=1.0)
    p.add_argument("--health-timeout", type=float, default=15.0)
    p.add_argument("--stage-seconds", type=float, default=0.0)
    p.add_argument("--service-name", action="append", default=[],
                   help="adds the service's endpoint to SHIPCTL_CONNECT_TO in the printed env")
    p.add_argument("--judge-url", help="have every call judged by IAM there (rehearsal/ecr_serve.py's judge, "
                   "moto's policy engine)")
    p.add_argument("--faults", type=json.loads, default={}, metavar="JSON",
                   help='fault switches to start with, e.g. {"propagation_errors": 2}')
    return p.parse_args(argv)


def main(argv=None) -> None:
    import signal
    args = _parse_args(argv if argv is not None else sys.argv[1:])
    workdir = args.workdir or tempfile.mkdtemp(prefix="ecs-stand-in-")
    os.makedirs(workdir, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    registries = [Registry(h, u, "AWS", args.registry_password) for h, u in (r.split("=", 1) for r in args.registry)]
    settings = Settings(bake_seconds=args.bake_seconds, health_timeout=args.health_timeout,
                        stage_seconds=args.stage_seconds)
    ca = (args.ca_cert, args.ca_key) if args.ca_cert else None
    authorize = remote_judge(args.judge_url) if args.judge_url else None
    with ecs_stand_in(workdir, region=args.region, ca=ca, registries=registries, settings=settings,
                      faults=args.faults, authorize=authorize) as ecs:
        env = dict(ecs.env, ECS_CONTROL_URL=ecs.url, ECS_PROXY_PORT=str(ecs.proxy.port),
                   ECS_ENDPOINT_SUFFIX=f".ecs.{args.region}.on.aws", ECS_LOG=ecs.log_path)
        if args.service_name:
            env["SHIPCTL_CONNECT_TO"] = ",".join(ecs.connect_to(n) for n in args.service_name)
        print(json.dumps(env), flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
