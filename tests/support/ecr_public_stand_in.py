"""An offline Amazon ECR Public token service: GetAuthorizationToken, the one
ECR Public call `shipctl login --public` makes (moto 5.2 has no ecr-public
backend).

- API: POST / with X-Amz-Target `SpencerFrontendService.GetAuthorizationToken`
  and Content-Type application/x-amz-json-1.1, SigV4-signed for service
  `ecr-public` in us-east-1 (ecs_auth.check: scope, clock, body hash and the
  signature recomputed with botocore's signer). The secret of the access key
  is moto's (an IAM user's key, or an assumed role's with its session token);
  a key moto does not know is UnrecognizedClientException (before
  enforcement, the ECR stand-in's "testing" key passes, as moto lets it).
- Requests pass botocore's ParamValidator against the ecr-public model
  (GetAuthorizationTokenRequest has no members: ECR's registryIds is an
  InvalidParameterException here); every answer is checked against botocore's
  output shape before it leaves (a break is a 500 recorded in `bugs`).
- IAM: ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken, both
  on "*" ("This API requires the ecr-public:GetAuthorizationToken and
  sts:GetServiceBearerToken permissions", ECR Public API reference), are
  judged in that order by moto's policy engine (moto_iam.judge) once moto's
  enforcement is on, and recorded with the other stand-ins' calls; the first
  denial is the answer, AccessDeniedException in AWS's words.
- Each token is "AWS:<random password>", 12 hours, remembered with the ARN of
  the caller (`caller_of`).

It runs in the process of the ECR stand-in (moto in-process), on plain http
on loopback; `env` has AWS_ENDPOINT_URL_ECR_PUBLIC for shipctl.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import secrets
import threading
import time
import traceback
import uuid

import botocore.session
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

import ecs_auth
import moto_iam
from ecs_model import ApiError, error_body, wire_problems

TARGET_PREFIX = "SpencerFrontendService."
CONTENT_TYPE = "application/x-amz-json-1.1"
REGION = "us-east-1"  # GetAuthorizationToken is answered only there
PERMISSIONS = ("ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken")
TOKEN_SECONDS = 12 * 3600


@functools.cache
def model() -> ServiceModel:
    loader = botocore.session.get_session().get_component("data_loader")
    return ServiceModel(loader.load_service_model("ecr-public", "service-2"), service_name="ecr-public")


def _status_of(code: str) -> int:
    shape = model().shape_for(code) if code in model().shape_names else None
    return 500 if shape is not None and shape.metadata.get("fault") else 400


class _MotoSecrets:
    """`get(key id)`: the secret moto holds for the key, checking an assumed
    role's session token against the request's; None for a key moto lacks.
    Until enforcement is on, moto takes any key, as the ECR stand-in's
    "testing" one: that one is known here too, with its secret "testing"."""

    def __init__(self, account: str, headers):
        self.account, self.headers = account, headers

    def get(self, key_id: str):
        from moto.iam.access_control import AssumedRoleAccessKey, CreateAccessKeyFailure, IAMUserAccessKey
        token = {"X-Amz-Security-Token": self.headers["X-Amz-Security-Token"]} \
            if self.headers.get("X-Amz-Security-Token") else {}
        for kind in (AssumedRoleAccessKey, IAMUserAccessKey):
            try:
                return kind(self.account, "aws", key_id, token)._secret_access_key  # noqa: SLF001
            except (CreateAccessKeyFailure, KeyError):
                continue
        return "testing" if key_id == "testing" and not moto_iam.enforcing() else None


class EcrPublicStandIn:
    def __init__(self, account: str):
        self.account = account
        self.lock = threading.Lock()
        self.bugs: list[str] = []
        self.requests: list[dict] = []
        self._tokens: dict[str, str] = {}  # password -> caller ARN
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.stand_in = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.env = {"AWS_ENDPOINT_URL_ECR_PUBLIC": self.url}
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def caller_of(self, password: str) -> str | None:
        with self.lock:
            return self._tokens.get(password)

    def handle(self, headers, body: bytes) -> tuple[int, bytes]:
        operation, params = None, None
        try:
            key, operation, params = self._parse(headers, body)
            answer = self._get_authorization_token(key)
            problems = wire_problems(answer, model().operation_model(operation).output_shape, "", response=True)
            if problems:
                raise AssertionError(f"{operation} response breaks botocore's output shape: " + "; ".join(problems))
            status, out = 200, json.dumps(answer).encode()
        except ApiError as e:
            status, out = _status_of(e.code), error_body(e.code, e.message)
        except Exception as e:  # noqa: BLE001 - a stand-in bug: loud, recorded, answered 500
            with self.lock:
                self.bugs.append(f"{operation}: {e!r}\n{traceback.format_exc()}")
            status, out = 500, error_body("ServerException", f"ecr-public stand-in bug: {e!r}")
        with self.lock:
            self.requests.append({"operation": operation, "status": status, "request": params})
        return status, out

    def _parse(self, headers, body: bytes) -> tuple[str, str, dict]:
        key = ecs_auth.check(headers, body, headers.get("Host", ""), REGION, _MotoSecrets(self.account, headers),
                             strict=True, service="ecr-public")
        target = headers.get("X-Amz-Target", "")
        operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else ""
        if operation != "GetAuthorizationToken":
            raise ApiError("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}")
        if not (headers.get("Content-Type") or "").startswith(CONTENT_TYPE):
            raise ApiError("SerializationException", f"Content-Type must be {CONTENT_TYPE}")
        try:
            params = json.loads(body or b"{}")
        except ValueError as e:
            raise ApiError("SerializationException", f"Request body is not JSON: {e}") from None
        if not isinstance(params, dict):
            raise ApiError("SerializationException", "Request body must be a JSON object")
        report = ParamValidator().validate(params, model().operation_model(operation).input_shape)
        if report.has_errors():
            raise ApiError("InvalidParameterException",
                           "; ".join(line.strip() for line in report.generate_report().splitlines()))
        return key, operation, params

    def _get_authorization_token(self, key: str) -> dict:
        for action in PERMISSIONS:
            error = moto_iam.judge(self.account, "ecr-public", key, action, "*")
            if error is not None:
                raise ApiError(*error)
        password = secrets.token_urlsafe(32)
        with self.lock:
            self._tokens[password] = moto_iam.principal_of(self.account, key)
        return {"authorizationData": {"authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
                                      "expiresAt": round(time.time() + TOKEN_SECONDS, 3)}}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > 1 << 16:
            self.close_connection = True
            return self._send(400, error_body("SerializationException", "Content-Length must be a small number"))
        body = self.rfile.read(int(length))
        if self.path != "/":
            return self._send(404, error_body("UnknownOperationException", f"Unknown path {self.path}"))
        self._send(*self.server.stand_in.handle(self.headers, body))

    def _send(self, status: int, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        if status >= 400:
            self.send_header("x-amzn-ErrorType", f"{json.loads(body)['__type']}:")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def ecr_public_stand_in(account: str):
    """Yields a running EcrPublicStandIn (moto must run in this process: ecr_stand_in)."""
    stand_in = EcrPublicStandIn(account)
    try:
        yield stand_in
    finally:
        stand_in.close()
