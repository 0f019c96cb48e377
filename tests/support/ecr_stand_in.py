"""An offline Amazon ECR: moto_server for the control plane (STS, ECR, IAM)
and docker-registry (CNCF distribution 2.8) for the registry API, joined so
they behave like one service, as far as shipctl can tell:

- the registry answers over TLS as <account>.dkr.ecr.<region>.amazonaws.com
  (a CA made here signs a certificate for that name), with basic auth for
  user AWS and moto's deterministic ECR password "<account>-auth-token";
- a request for a repository moto does not know gets ECR's
  NAME_UNKNOWN ("The repository with name 'X' does not exist in the registry
  with id 'N'"), although docker-registry would accept any name;
- a manifest PUT by tag is mirrored into moto (PutImage with the digest the
  registry computed), so DescribeImages sees what was pushed; moto's
  ImageTagAlreadyExistsException (immutable tags) becomes TAG_INVALID, and an
  immutable tag naming another image is refused before docker-registry sees
  the PUT, so the tag keeps naming its image, as on ECR.

The join is a small TLS proxy in this process in front of a plain-http
docker-registry on loopback; moto runs in this process too (moto_iam.py).
`env` holds what a shipctl subprocess needs: AWS_ENDPOINT_URL, credentials,
SHIPCTL_CONNECT_TO (host:443 to the proxy) and SHIPCTL_CA_FILE.

IAM enforcement (`enforce_iam()`, or POST /moto-api/reset-auth from another
process) makes it as strict as AWS: moto judges every control-plane call
against the caller's policies; `env` then carries an administrator user's
keys; GetAuthorizationToken gives each caller a password of its own; and the
proxy authenticates that password itself, maps each registry request to the
IAM action ECR documents for it ("IAM permissions for pushing an image to an
Amazon ECR private repository"; the API reference: "This operation is used
by the Amazon ECR proxy"), judges it with moto's policy engine and answers
403 DENIED in ECR's words when the caller may not, before docker-registry
(which knows only its own fixed password) sees it. Every call, with its
action and verdict, is appended to `calls_file` (JSON lines).

Standalone (the rehearsal): python3 ecr_stand_in.py WORKDIR prints the env as
JSON on one line and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import http.server
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import moto_iam  # noqa: E402

ACCOUNT = "123456789012"  # moto's default account
REGION = "ap-northeast-1"
PASSWORD = f"{ACCOUNT}-auth-token"  # moto/ecr/responses.py get_authorization_token
MANIFEST_PATH = re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<ref>[^/?]+)$")
REPO_PATH = re.compile(r"^/v2/(?P<name>.+)/(?:blobs|manifests|tags)/")
BLOB_PATH = re.compile(r"^/v2/(?P<name>.+)/blobs/(?P<digest>[^/]+)$")
UPLOAD_PATH = re.compile(r"^/v2/(?P<name>.+)/blobs/uploads/")
TAGS_PATH = re.compile(r"^/v2/(?P<name>.+)/tags/list$")
# The IAM action behind each registry API request (ECR's API reference: these
# actions are "used by the Amazon ECR proxy" when docker pushes and pulls).
UPLOAD_ACTIONS = {"POST": "ecr:InitiateLayerUpload", "PATCH": "ecr:UploadLayerPart", "GET": "ecr:UploadLayerPart",
                  "PUT": "ecr:CompleteLayerUpload", "DELETE": "ecr:UploadLayerPart"}
BLOB_ACTIONS = {"HEAD": "ecr:BatchCheckLayerAvailability", "GET": "ecr:GetDownloadUrlForLayer",
                "DELETE": "ecr:BatchDeleteImage"}
MANIFEST_ACTIONS = {"HEAD": "ecr:BatchGetImage", "GET": "ecr:BatchGetImage", "PUT": "ecr:PutImage",
                    "DELETE": "ecr:BatchDeleteImage"}


def registry_action(method: str, path: str) -> tuple[str, str] | None:
    """(IAM action, repository name) a registry request needs; None for the
    ping (/v2/), which only authenticates; ("ecr:DescribeRepositories", "")
    for the catalog."""
    for pattern, actions in ((UPLOAD_PATH, UPLOAD_ACTIONS), (MANIFEST_PATH, MANIFEST_ACTIONS),
                             (BLOB_PATH, BLOB_ACTIONS), (TAGS_PATH, {"GET": "ecr:ListImages"})):
        m = pattern.match(path)
        if m:
            return actions.get(method, "ecr:UnknownRegistryRequest"), m["name"]
    if path.startswith("/v2/_catalog"):
        return "ecr:DescribeRepositories", ""
    return None


def registry_host(account: str = ACCOUNT, region: str = REGION) -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


def _run(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True)


def make_certificate(directory: str, host: str) -> str:
    """A CA and a server certificate (server.crt/server.key) for `host`; returns the CA path."""
    harness.require_tool("openssl")
    ca_key, ca = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.crt")
    key, csr, cert = (os.path.join(directory, n) for n in ("server.key", "server.csr", "server.crt"))
    _run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ecr-stand-in-ca",
          "-keyout", ca_key, "-out", ca])
    _run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={host}", "-keyout", key, "-out", csr])
    ext = os.path.join(directory, "ext.cnf")
    with open(ext, "w") as f:
        f.write(f"subjectAltName=DNS:{host}\n")
    _run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
          "-extfile", ext, "-out", cert])
    certs = os.path.join(directory, "certs")  # skopeo/podman read *.crt from a directory
    os.makedirs(certs, exist_ok=True)
    with open(ca) as src, open(os.path.join(certs, "ca.crt"), "w") as dst:
        dst.write(src.read())
    return ca


@contextlib.contextmanager
def _docker_registry(workdir: str, password: str):
    exe = harness.require_tool("docker-registry")
    harness.require_tool("htpasswd")
    port = harness.free_port()
    root = tempfile.mkdtemp(dir=workdir, prefix="registry-")
    htpasswd = os.path.join(workdir, "htpasswd")
    with open(htpasswd, "w") as f:
        f.write(_run(["htpasswd", "-Bbn", "AWS", password]).stdout)
    config = os.path.join(root, "config.yml")
    with open(config, "w") as f:
        f.write("\n".join([
            "version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", f"    rootdirectory: {root}",
            "  delete:", "    enabled: true", "http:", f"  addr: 127.0.0.1:{port}",
            "auth:", "  htpasswd:", "    realm: basic-realm", f"    path: {htpasswd}", ""]))
    with harness.Process([exe, "serve", config]) as p:
        harness.wait_for_port(port, p.proc)
        yield port


class _Ecr:
    """moto's ECR backend, read and written directly: the proxy's own
    bookkeeping is no caller's call (nothing to judge or record)."""

    def __init__(self, account: str, region: str):
        self.account, self.region = account, region

    def backend(self):
        from moto.ecr.models import ecr_backends
        return ecr_backends[self.account][self.region]

    def exists(self, name: str) -> bool:
        return name in self.backend().repositories

    def refuses_tag(self, name: str, tag: str, digest: str) -> bool:
        """Whether ECR refuses to point `tag` at `digest`: the tag names
        another image and the repository's mutability (exclusion filters
        included) keeps it. moto decides that in a private helper of put_image
        (moto 5.2, ecr/models.py), asked here before anything is stored."""
        from moto.ecr.exceptions import ImageAlreadyExistsException
        repository = self.backend().repositories.get(name)
        if repository is None or any(tag in i.image_tags and i.get_image_digest() == digest
                                     for i in repository.images):
            return False
        try:
            self.backend()._resolve_image_tag_mutability(repository, tag)  # noqa: SLF001
        except ImageAlreadyExistsException:
            return True
        return False

    def put_image(self, name: str, tag: str, manifest: bytes, media_type: str, digest: str) -> str | None:
        """Mirrors a pushed manifest; returns an error code for the client, or None."""
        from moto.ecr.exceptions import ImageAlreadyExistsException
        backend = self.backend()
        try:
            backend.put_image(name, manifest.decode(), tag, media_type or None, digest)
        except ImageAlreadyExistsException:
            # moto 5.2 raises it for both: the same manifest under the same tag
            # (ECR accepts the re-push) and an immutable tag naming another one.
            images = backend.repositories[name].images
            if not any(tag in i.image_tags and i.get_image_digest() == digest for i in images):
                return "TAG_INVALID"
        return None


def _make_handler(upstream: int, ecr: _Ecr, account: str, password: str):
    judge = moto_iam.Judge(account)
    fixed = "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()
    refused = "Basic " + base64.b64encode(b"AWS:").decode()  # docker-registry answers 401 to it

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _error(self, status: int, code: str, message: str):
            body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            chunks, left = [], length
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)

        def _caller(self):
            """moto's access key object behind the Basic password, or None."""
            scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                user, _, secret = base64.b64decode(value).decode().partition(":")
            except ValueError:
                return None
            return judge.identity_of_password(secret) if user == "AWS" else None

        def _set_authorization(self, value: str) -> None:
            del self.headers["Authorization"]
            self.headers["Authorization"] = value

        def _judged(self, body: bytes) -> bool:
            """Whether the request may go on to docker-registry; answers it when not.
            Under enforcement: the caller is whoever GetAuthorizationToken gave
            the password to, and the request's IAM action must be allowed."""
            path = self.path.split("?")[0]
            need = registry_action(self.command, path)
            resource = "*"
            if need and need[1]:
                resource = f"arn:aws:ecr:{ecr.region}:{account}:repository/{need[1]}"
            detail = f"{self.command} {path}"
            if not moto_iam.enforcing():
                if need:
                    moto_iam.RECORDER.record("registry", need[0], resource, "", moto_iam.UNCHECKED, detail)
                return True
            if "Authorization" not in self.headers:
                return True  # docker-registry answers with its Basic challenge
            identity = self._caller()
            if identity is None:
                moto_iam.RECORDER.record("registry", need[0] if need else "", resource, "unknown ECR token",
                                         moto_iam.DENIED, detail)
                self._set_authorization(refused)
                return True
            self._set_authorization(fixed)
            if need is None:
                return True
            # A PUT that ends an upload may carry its last part: ECR's
            # UploadLayerPart carries data, CompleteLayerUpload only finishes.
            actions = [need[0]]
            if need[0] == "ecr:CompleteLayerUpload" and body:
                actions.insert(0, "ecr:UploadLayerPart")
            for action in actions:
                how = moto_iam.evaluate(identity, action, resource)
                verdict = moto_iam.ALLOWED if how == "allow" else moto_iam.DENIED
                moto_iam.RECORDER.record("registry", action, resource, identity.arn, verdict, detail)
                if how != "allow":
                    self._error(403, "DENIED", moto_iam.denial_message(identity.arn, action, resource, how))
                    return False
            return True

        def _missing_repository(self) -> bool:
            m = REPO_PATH.match(self.path.split("?")[0])
            if not m or "Authorization" not in self.headers or ecr.exists(m["name"]):
                return False
            self._error(404, "NAME_UNKNOWN", f"The repository with name '{m['name']}' does not exist in the "
                                             f"registry with id '{account}'")
            return True

        def _immutable_tag(self, body: bytes) -> bool:
            m = MANIFEST_PATH.match(self.path.split("?")[0])
            if self.command != "PUT" or not m or m["ref"].startswith("sha256:"):
                return False
            if not ecr.refuses_tag(m["name"], m["ref"], "sha256:" + hashlib.sha256(body).hexdigest()):
                return False
            self._tag_invalid(m["name"], m["ref"])
            return True

        def _tag_invalid(self, name: str, tag: str) -> None:
            self._error(400, "TAG_INVALID", f"The image tag '{tag}' already exists in the '{name}' repository "
                                            "and cannot be overwritten because the repository is immutable.")

        def _forward(self):
            body = self._body()  # read first: an answer before the body would break keep-alive
            if not self._judged(body) or self._missing_repository() or self._immutable_tag(body):
                return
            conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=120)
            # Repeated fields (podman sends several Accept lines) are joined, as
            # RFC 9110 section 5.3 allows; a dict would keep only the last one.
            headers: dict[str, str] = {}
            for k, v in self.headers.items():
                if k.lower() not in ("connection", "content-length"):
                    headers[k] = f"{headers[k]}, {v}" if k in headers else v
            headers["X-Forwarded-Proto"] = "https"
            if body or self.command in ("PUT", "POST", "PATCH"):
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body or None, headers=headers)
            r = conn.getresponse()
            data = r.read()
            m = MANIFEST_PATH.match(self.path.split("?")[0])
            if self.command == "PUT" and r.status == 201 and m and not m["ref"].startswith("sha256:"):
                code = ecr.put_image(m["name"], m["ref"], body, self.headers.get("Content-Type", ""),
                                     r.getheader("Docker-Content-Digest", ""))
                if code:
                    conn.close()
                    return self._tag_invalid(m["name"], m["ref"])
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", r.getheader("Content-Length", str(len(data)))
                             if self.command == "HEAD" else str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

    return Handler


class EcrStandIn:
    def __init__(self, workdir: str, endpoint: str, proxy_port: int, upstream: int, ca: str, account: str,
                 region: str):
        self.workdir, self.endpoint, self.port, self.ca = workdir, endpoint, proxy_port, ca
        self.upstream = f"127.0.0.1:{upstream}"  # docker-registry itself, plain http (for skopeo reads)
        self.account, self.region = account, region
        self.host = registry_host(account, region)
        self.password = f"{account}-auth-token"  # ECR's password while enforcement is off; docker-registry's always
        self.calls_file = moto_iam.RECORDER.path
        self.keys = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}  # moto's convention
        self.env = {
            "AWS_ENDPOINT_URL": endpoint, **self.keys,
            "SHIPCTL_CONNECT_TO": f"{self.host}:443:127.0.0.1:{proxy_port}", "SHIPCTL_CA_FILE": ca,
        }

    def enforce_iam(self) -> dict:
        """Switches IAM enforcement on; `env` and `client` then use an
        administrator user's keys (returned), the only ones moto knows."""
        self.keys = harness.enforce_iam(self.endpoint, self.region)
        self.env.update(self.keys)
        return dict(self.keys)

    def role_env(self, role_arn: str, session: str = "shipctl-test") -> dict:
        """`env` with the temporary credentials of `role_arn` (AssumeRoleWithWebIdentity) instead."""
        return {**self.env, **harness.assume_role_with_web_identity(self.endpoint, role_arn, session, self.region)}

    def caller_of(self, password: str) -> str | None:
        """The ARN GetAuthorizationToken gave `password` to (under enforcement), or None."""
        identity = moto_iam.Judge(self.account).identity_of_password(password)
        return identity.arn if identity else None

    def issued_passwords(self) -> list[str]:
        """Every password GetAuthorizationToken gave under enforcement (to check none leaks)."""
        with moto_iam._TOKENS_LOCK:
            return list(moto_iam._TOKENS)

    def registry_ids_sent(self) -> list[list[str]]:
        """The deprecated registryIds of every GetAuthorizationToken that named them."""
        with moto_iam._TOKENS_LOCK:
            return [list(ids) for ids in moto_iam.REGISTRY_IDS_SENT]

    def calls(self) -> list[dict]:
        """Every AWS and registry call so far: time, source, action, resource, principal, verdict."""
        with moto_iam.RECORDER.lock:
            return list(moto_iam.RECORDER.calls)

    def client(self, service: str):
        import boto3
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id=self.keys["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=self.keys["AWS_SECRET_ACCESS_KEY"])

    def create_repository(self, name: str, **kw) -> dict:
        return self.client("ecr").create_repository(repositoryName=name, **kw)["repository"]

    def skopeo_ref(self, repository_tag: str) -> list[str]:
        """skopeo arguments reading REPO:TAG straight from docker-registry."""
        return ["--tls-verify=false", f"--creds=AWS:{self.password}", f"docker://{self.upstream}/{repository_tag}"]


@contextlib.contextmanager
def _in_process_moto(workdir: str):
    moto = moto_iam.InProcessMoto()
    moto_iam.RECORDER.path = os.path.join(workdir, "calls.jsonl")
    try:
        yield moto.endpoint
    finally:
        moto.stop()
        moto_iam.RECORDER.path = None


@contextlib.contextmanager
def ecr_stand_in(workdir: str, account: str = ACCOUNT, region: str = REGION):
    """Yields an EcrStandIn; stops moto, the registry and the proxy on exit.
    moto runs in this process: one stand-in at a time per process."""
    host = registry_host(account, region)
    ca = make_certificate(workdir, host)
    password = f"{account}-auth-token"
    with _in_process_moto(workdir) as endpoint, _docker_registry(workdir, password) as upstream:
        handler = _make_handler(upstream, _Ecr(account, region), account, password)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(workdir, "server.crt"), os.path.join(workdir, "server.key"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield EcrStandIn(workdir, endpoint, server.server_address[1], upstream, ca, account, region)
        finally:
            server.shutdown()
            server.server_close()


def main() -> None:
    import signal
    workdir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="ecr-stand-in-")
    os.makedirs(workdir, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with ecr_stand_in(workdir) as ecr:
        print(json.dumps({**ecr.env, "REGISTRY_HOST": ecr.host, "REGISTRY_PORT": str(ecr.port)}), flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
