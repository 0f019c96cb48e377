"""moto (IAM, STS, ECR) in this process, with its IAM enforcement made as
strict as AWS for the calls the workflow makes, and every call recorded.

moto 5.2 alone cannot judge the workflow: its ECR responses name no resource
(every ECR call is judged against "*", so a policy scoped to the repository
ARN, as bootstrap writes it, never matches); an unsigned
AssumeRoleWithWebIdentity (the OIDC exchange, which AWS takes without a
signature) fails with a KeyError once enforcement is on; and its ECR
password is the same "<account>-auth-token" for every caller, so a registry
cannot tell who pushes. Running moto in-process (ThreadedMotoServer) lets
this module fix the three at the class level:

- ECRResponse gets the `_determine_resource` moto gives IAM, STS and SQS:
  the repository ARN from repositoryName/registryId;
- an unsigned AssumeRoleWithWebIdentity passes authorization (moto checks
  neither the token nor the trust policy; DESIGN.md section 4);
- GetAuthorizationToken, while enforcement is on, issues a random password
  per call and remembers whose access key asked (`Judge.identity_of_password`);
  a request naming the deprecated registryIds is remembered in
  `REGISTRY_IDS_SENT` (AWS still accepts it; shipctl must not send it).

`Judge.allowed` evaluates an identity's policies (inline and attached, read
from moto's IAM backend) with moto's own policy engine (IAMPolicy), as
moto's authorization does for its own calls. Every call is appended to a
JSON-lines file: time, service, IAM action, resource, principal, verdict.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import threading
import time

import harness

ALLOWED, DENIED, UNCHECKED = "allowed", "denied", "unchecked"
UNSIGNED = "unsigned (web identity token)"


class Recorder:
    """The call log: JSON lines appended to `path` (None: memory only)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.path: str | None = None
        self.calls: list[dict] = []

    def record(self, source: str, action: str, resource: str, principal: str, verdict: str, detail: str = ""):
        call = {"time": round(time.time(), 3), "source": source, "action": action, "resource": resource,
                "principal": principal, "verdict": verdict}
        if detail:
            call["detail"] = detail
        with self.lock:
            self.calls.append(call)
            if self.path:
                with open(self.path, "a") as f:
                    f.write(json.dumps(call) + "\n")


RECORDER = Recorder()
_TOKENS: dict[str, str] = {}  # ECR password -> access key id of the caller who got it
_TOKENS_LOCK = threading.Lock()
REGISTRY_IDS_SENT: list[list[str]] = []  # registryIds of each GetAuthorizationToken naming them


def enforcing() -> bool:
    """True once moto judges calls (POST /moto-api/reset-auth with a count, and that many calls made)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def _access_key(account: str, key_id: str):
    """moto's own view of an access key (user or assumed role), or None."""
    from moto.iam.access_control import AssumedRoleAccessKey, CreateAccessKeyFailure, IAMUserAccessKey
    from moto.sts.models import sts_backends
    for role in sts_backends[account]["aws"].assumed_roles:
        if role.access_key_id == key_id:
            return AssumedRoleAccessKey(account, "aws", key_id, {"X-Amz-Security-Token": role.session_token})
    try:
        return IAMUserAccessKey(account, "aws", key_id, {})
    except CreateAccessKeyFailure:
        return None


def principal_of(account: str, key_id: str) -> str:
    key = _access_key(account, key_id) if key_id else None
    return key.arn if key else f"unknown access key {key_id or '(none)'}"


class Judge:
    """Finds the identity behind an ECR password (for the registry proxy)."""

    def __init__(self, account: str):
        self.account = account

    def identity_of_password(self, password: str):
        """moto's access key object for the caller who was given `password`, or None."""
        with _TOKENS_LOCK:
            key_id = _TOKENS.get(password)
        return _access_key(self.account, key_id) if key_id else None


def evaluate(identity, action: str, resource: str) -> str:
    """"allow", "explicit" (a Deny matched) or "implicit" (nothing allowed),
    with moto's policy engine over `identity`'s policies, as moto's
    IAMRequestBase.check_action_permitted decides its own calls."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    permitted = False
    for policy in identity.collect_policies():
        result = IAMPolicy(policy).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return "explicit"
        permitted = permitted or result == PermissionResult.PERMITTED
    return "allow" if permitted else "implicit"


def judge(account: str, source: str, key_id: str, action: str, resource: str) -> tuple[str, str] | None:
    """A call another stand-in received (the ECS one), judged as moto judges
    its own once enforcement is on, and recorded: None when allowed (or
    enforcement is off), else the error a JSON service answers, (code,
    message): AccessDeniedException in AWS's words, or, for a key moto does
    not know, UnrecognizedClientException."""
    if not enforcing():
        RECORDER.record(source, action, resource, "", UNCHECKED)
        return None
    identity = _access_key(account, key_id)
    if identity is None:
        RECORDER.record(source, action, resource, principal_of(account, key_id), DENIED, "UnrecognizedClient")
        return "UnrecognizedClientException", "The security token included in the request is invalid."
    how = evaluate(identity, action, resource)
    RECORDER.record(source, action, resource, identity.arn, ALLOWED if how == "allow" else DENIED)
    if how == "allow":
        return None
    return "AccessDeniedException", denial_message(identity.arn, action, resource, how)


def denial_message(principal: str, action: str, resource: str, how: str) -> str:
    """AWS's AccessDenied text (the service's, and ECR's registry "denied: ...")."""
    why = ("with an explicit deny in an identity-based policy" if how == "explicit"
           else f"because no identity-based policy allows the {action} action")
    return f"User: {principal} is not authorized to perform: {action} on resource: {resource} {why}"


def _aws_access_denied(response, action: str, resource: str):
    """moto's AccessDenied in the shape AWS answers it: for a JSON service
    (ECR: X-Amz-Target) {"__type": "AccessDeniedException", "message": ...},
    for a Query one (IAM, STS) the XML AccessDenied; with the resource and the
    reason, which moto's message leaves out."""
    from moto.core.exceptions import JsonRESTError, _RESTError
    key = _access_key(response.current_account, response.get_access_key())
    how = evaluate(key, action, resource) if key else "implicit"
    message = denial_message(key.arn if key else "", action, resource, how)
    if response.headers.get("X-Amz-Target"):
        error = JsonRESTError("AccessDeniedException", message)
    else:
        error = _RESTError("AccessDenied", message)
    error.code = 403
    return error


def _repository_resource(response) -> str:
    """The repository ARN an ECR call acts on ("*" for calls on none), for
    ECR's "Actions defined by Amazon Elastic Container Registry" resource types."""
    try:
        body = json.loads(response.body or "{}")
    except (TypeError, ValueError):
        return "*"
    name = body.get("repositoryName") or next(iter(body.get("repositoryNames") or []), None)
    if not name:
        return "*"
    account = body.get("registryId") or response.current_account
    return f"arn:aws:ecr:{response.region}:{account}:repository/{name}"


def _json_shaped(response, error):
    """moto answers a bad key or signature in XML whatever the protocol; a
    JSON service (ECR) answers it in JSON with these codes."""
    from moto.core.exceptions import JsonRESTError
    if not response.headers.get("X-Amz-Target"):
        return error
    code = {"InvalidClientTokenId": "UnrecognizedClientException",
            "SignatureDoesNotMatch": "InvalidSignatureException"}[error.error_type]
    shaped = JsonRESTError(code, error.message)
    shaped.code = error.code
    return shaped


def _install_patches() -> None:
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import AccessDeniedError, InvalidClientTokenIdError, SignatureDoesNotMatchError
    from moto.ecr.responses import ECRResponse
    if getattr(ActionAuthenticatorMixin, "_eem_patched", False):
        return
    original_check = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action
    original_token = ECRResponse.get_authorization_token

    def check(self, resource: str = "*") -> None:
        action = f"{self.service_name}:{self._get_action()}"
        judged = enforcing()
        if "Authorization" not in self.headers and action == "sts:AssumeRoleWithWebIdentity":
            RECORDER.record("aws", action, resource, UNSIGNED, ALLOWED if judged else UNCHECKED)
            return
        principal = principal_of(self.current_account, self.get_access_key()) if judged else ""
        try:
            original_check(self, resource)
        except AccessDeniedError as e:
            RECORDER.record("aws", action, resource, principal, DENIED, "AccessDenied")
            raise _aws_access_denied(self, action, resource) from e
        except (InvalidClientTokenIdError, SignatureDoesNotMatchError) as e:
            RECORDER.record("aws", action, resource, principal, DENIED, e.error_type)
            raise _json_shaped(self, e) from e
        RECORDER.record("aws", action, resource, principal, ALLOWED if judged else UNCHECKED)

    def get_authorization_token(self):
        if self._get_param("registryIds"):
            with _TOKENS_LOCK:
                REGISTRY_IDS_SENT.append(list(self._get_param("registryIds")))
        result = original_token(self)
        if enforcing():
            for data in result.result["authorizationData"]:
                password = secrets.token_urlsafe(32)
                with _TOKENS_LOCK:
                    _TOKENS[password] = self.get_access_key()
                data["authorizationToken"] = base64.b64encode(f"AWS:{password}".encode()).decode()
        return result

    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = check
    ECRResponse._determine_resource = _repository_resource
    ECRResponse.get_authorization_token = get_authorization_token
    ActionAuthenticatorMixin._eem_patched = True


class InProcessMoto:
    """ThreadedMotoServer on a free loopback port, reset to empty, enforcement off."""

    def __init__(self):
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on stderr
        _install_patches()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        self.endpoint = "http://127.0.0.1:%d" % self.server.get_host_and_port()[1]
        harness.moto_post(self.endpoint, "/moto-api/reset", b"")  # moto's state is per process: start empty
        harness.moto_post(self.endpoint, "/moto-api/reset-auth", b"inf")
        with _TOKENS_LOCK:
            _TOKENS.clear()
            REGISTRY_IDS_SENT.clear()
        with RECORDER.lock:
            RECORDER.calls.clear()

    def stop(self) -> None:
        harness.moto_post(self.endpoint, "/moto-api/reset-auth", b"inf")
        self.server.stop()

