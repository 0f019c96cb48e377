"""SigV4 checks of the ECS stand-in (and the ECR Public one, service
`ecr-public`): the Authorization header must name service `ecs` (`service`)
and the stand-in's region in its credential scope; when the
access key is one the stand-in knows, the signature is recomputed with
botocore's signer over exactly the headers the client signed.

A request signed more than 5 minutes off the clock, or whose
x-amz-content-sha256 header is not the hash of its body, is refused too
(botocore's signer would trust that header).

Keys the stand-in does not know (moto's STS hands out fresh ones in the
rehearsal) pass on the scope checks alone, unless `strict` is set.
Error codes and texts are those AWS JSON services answer (AWS docs, "Signature
Version 4 signing process" troubleshooting, and common responses of the API
reference: MissingAuthenticationTokenException, IncompleteSignatureException,
InvalidSignatureException, UnrecognizedClientException).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from ecs_model import ApiError

_AUTH = re.compile(r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
                   r"(?P<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),\s*"
                   r"Signature=(?P<signature>[0-9a-f]{64})$")
_MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
             "Secret Access Key and signing method. Consult the service documentation for details.")


def check(headers, body: bytes, host: str, region: str, secrets, strict: bool, service: str = "ecs") -> str:
    """Returns the access key id of a properly signed request; raises ApiError otherwise.
    `headers` is the request's email.message.Message (case-insensitive);
    `secrets.get(access key id)` gives the key's secret, or None."""
    value = headers.get("Authorization")
    if not value:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    m = _AUTH.match(value.strip())
    if not m:
        raise ApiError("IncompleteSignatureException", f"Authorization header requires 'Credential', "
                       f"'Signature' and 'SignedHeaders' parameters. Authorization={value.split(' ')[0]}")
    if m["service"] != service:
        raise ApiError("InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'. ")
    if m["region"] != region:
        raise ApiError("InvalidSignatureException", f"Credential should be scoped to a valid region, not "
                       f"'{m['region']}'. ")
    amz_date = headers.get("X-Amz-Date", "")
    if not amz_date.startswith(m["date"]):
        raise ApiError("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                       "version of date from HTTP")
    _check_time(amz_date)
    content_hash = headers.get("X-Amz-Content-SHA256")
    if content_hash is not None and content_hash != hashlib.sha256(body).hexdigest():
        # botocore's signer would trust the header; AWS compares it with the body.
        raise ApiError("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match "
                       "what was computed.")
    signed = m["signed"].split(";")
    if "host" not in signed:
        raise ApiError("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    secret = secrets.get(m["key"])
    if secret is None:
        if strict:
            raise ApiError("UnrecognizedClientException", "The security token included in the request is invalid.")
        return m["key"]
    expected = _signature(headers, body, host, region, service, signed, m["key"], secret, amz_date)
    if not hmac.compare_digest(expected, m["signature"]):
        raise ApiError("InvalidSignatureException", _MISMATCH)
    return m["key"]


def _check_time(amz_date: str) -> None:
    """AWS refuses a request signed more than 5 minutes before or after its clock."""
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise ApiError("IncompleteSignatureException", f"Date must be in ISO-8601 'basic format'. Got "
                       f"'{amz_date}'.") from None
    now = datetime.datetime.now(datetime.timezone.utc)
    skew = datetime.timedelta(minutes=5)
    stamp = "%Y%m%dT%H%M%SZ"
    if signed_at < now - skew:
        raise ApiError("InvalidSignatureException", f"Signature expired: {amz_date} is now earlier than "
                       f"{(now - skew).strftime(stamp)} ({now.strftime(stamp)} - 5 min.)")
    if signed_at > now + skew:
        raise ApiError("InvalidSignatureException", f"Signature not yet current: {amz_date} is still later than "
                       f"{(now + skew).strftime(stamp)} ({now.strftime(stamp)} + 5 min.)")


def _signature(headers, body, host, region, service, signed, key, secret, amz_date) -> str:
    """botocore's SigV4Auth over a copy of the request holding only the signed headers."""
    signer = SigV4Auth(Credentials(key, secret, headers.get("X-Amz-Security-Token")), service, region)
    request = AWSRequest(method="POST", url=f"http://{host}/", data=body)
    for name in signed:
        request.headers[name] = headers.get(name, "")
    request.context["timestamp"] = amz_date
    signer.headers_to_sign = lambda r: _only(r, signed)
    canonical = signer.canonical_request(request)
    return signer.signature(signer.string_to_sign(request, canonical), request)


def _only(request, signed) -> HTTPHeaders:
    out = HTTPHeaders()
    for name in signed:
        out[name] = request.headers.get(name, "")
    return out
