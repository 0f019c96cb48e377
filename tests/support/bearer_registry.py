"""A registry that demands Bearer tokens, as public.ecr.aws does: the real
docker-registry (CNCF distribution 2.8) over TLS as `host`, configured with
`auth: token`, and a token service (distribution's token auth spec) in this
process over TLS as the same host on another port.

- docker-registry answers 401 with `WWW-Authenticate: Bearer
  realm="https://HOST:PORT/token/",service="HOST"` (public.ecr.aws adds
  scope="aws", which docker-registry does not: the client's joining of a
  challenge's scope is covered by tests/unit/oci/auth_test.cpp only) and accepts only JWTs
  signed with a key whose certificate is its rootcertbundle, for its issuer
  and service (it checks the signature, x5c chain, iss, aud, exp and nbf).
- The token service gives such a JWT (RS256, the certificate in x5c) only to
  Basic credentials `accepts(user, password)` approves, and answers 401
  otherwise, as public.ecr.aws's token endpoint does. Every request is kept
  in `requests`: the query as sent, service, scopes, user, whether it was
  accepted.

A client that follows the challenge with the right credentials gets 200 from
GET /v2/; one that sends Basic to the registry, skips the token service or
sends it other credentials does not. `env` holds SHIPCTL_CONNECT_TO (both
ports of `host` to loopback) and SHIPCTL_CA_FILE.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import http.server
import json
import os
import secrets
import ssl
import tempfile
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

import ecr_stand_in
import harness

ISSUER = "bearer-registry-token-service"
TOKEN_PORT = 8443  # the realm's port on `host`; SHIPCTL_CONNECT_TO sends it to the token service


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _SigningKey:
    """An RSA key and its self-signed certificate (docker-registry's rootcertbundle)."""

    def __init__(self, directory: str):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(minutes=5))
                     .not_valid_after(now + datetime.timedelta(days=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.bundle = os.path.join(directory, "token-signing.crt")
        with open(self.bundle, "wb") as f:
            f.write(self.cert.public_bytes(serialization.Encoding.PEM))

    def jwt(self, claims: dict) -> str:
        der = self.cert.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"


def _access(scopes: list[str]) -> list[dict]:
    """Every scope granted as asked ("repository:NAME:pull,push")."""
    out = []
    for scope in scopes:
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        out.append({"type": kind, "name": name, "actions": [a for a in actions.split(",") if a]})
    return out


class BearerRegistry:
    def __init__(self, host: str, accepts, signing: _SigningKey, ca: str, registry_port: int):
        self.host, self.accepts, self.signing = host, accepts, signing
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenHandler)
        self.server.daemon_threads = True
        self.server.registry = self
        self.realm = f"https://{host}:{TOKEN_PORT}/token/"
        self.env = {
            "SHIPCTL_CONNECT_TO": f"{host}:443:127.0.0.1:{registry_port},"
                                  f"{host}:{TOKEN_PORT}:127.0.0.1:{self.server.server_address[1]}",
            "SHIPCTL_CA_FILE": ca,
        }

    def token_for(self, authorization: str, raw_query: str) -> tuple[int, dict]:
        query = urllib.parse.parse_qs(raw_query)
        user, password = "", ""
        if authorization.startswith("Basic "):
            with contextlib.suppress(ValueError):
                user, _, password = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
        service = query.get("service", [""])[0]
        scopes = query.get("scope", [])
        accepted = bool(user) and service == self.host and self.accepts(user, password)
        with self.lock:
            self.requests.append({"query": raw_query, "service": service, "scopes": scopes, "user": user,
                                  "accepted": accepted})
        if not accepted:
            return 401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user, "aud": service, "iat": now, "nbf": now - 10, "exp": now + 300,
                  "jti": secrets.token_hex(8), "access": _access(scopes)}
        return 200, {"token": self.signing.jwt(claims), "expires_in": 300}


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token/":
            status, answer = 404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]}
        else:
            status, answer = self.server.registry.token_for(self.headers.get("Authorization", ""), url.query)
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if status == 401:
            self.send_header("WWW-Authenticate", f'Basic realm="{self.server.registry.host}"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _docker_registry_config(root: str, port: int, realm: str, service: str, bundle: str) -> str:
    config = os.path.join(root, "config.yml")
    with open(config, "w") as f:
        f.write("\n".join([
            "version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", f"    rootdirectory: {root}",
            "http:", f"  addr: 127.0.0.1:{port}", "  tls:",
            f"    certificate: {os.path.join(os.path.dirname(root), 'server.crt')}",
            f"    key: {os.path.join(os.path.dirname(root), 'server.key')}",
            "auth:", "  token:", f"    realm: {realm}", f"    service: {service}", f"    issuer: {ISSUER}",
            f"    rootcertbundle: {bundle}", ""]))
    return config


@contextlib.contextmanager
def bearer_registry(workdir: str, accepts, host: str = "public.ecr.aws"):
    """Yields a running BearerRegistry for `host`; `accepts(user, password)`
    decides who gets a token."""
    exe = harness.require_tool("docker-registry")
    directory = tempfile.mkdtemp(dir=workdir, prefix="bearer-")
    ca = ecr_stand_in.make_certificate(directory, host)
    signing = _SigningKey(directory)
    port = harness.free_port()
    root = os.path.join(directory, "registry")
    os.makedirs(root)
    registry = BearerRegistry(host, accepts, signing, ca, port)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(directory, "server.crt"), os.path.join(directory, "server.key"))
    registry.server.socket = context.wrap_socket(registry.server.socket, server_side=True)
    threading.Thread(target=registry.server.serve_forever, daemon=True).start()
    config = _docker_registry_config(root, port, registry.realm, host, signing.bundle)
    try:
        with harness.Process([exe, "serve", config]) as p:
            harness.wait_for_port(port, p.proc)
            yield registry
    finally:
        registry.server.shutdown()
        registry.server.server_close()
