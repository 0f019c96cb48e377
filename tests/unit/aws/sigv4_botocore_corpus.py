"""Generates random requests and signs them with botocore (the oracle).

Usage: sigv4_botocore_corpus.py OUT.json [COUNT] [SEED]

Writes a JSON list; each case holds the request as our signer receives it
(method, url, headers, body in hex, credentials, region,
service, unix time, mode) and botocore's results: canonical request, string
to sign, signature, and the headers or URL after signing. Modes:
  header  - botocore.auth.SigV4Auth (every service but S3)
  s3      - botocore.auth.S3SigV4Auth (no path normalisation, content hash header)
  presign - botocore.auth.SigV4QueryAuth (empty body, unique query keys)
One process signs the whole corpus, so the C++ test pays Python's start-up once.
"""

import datetime
import json
import random
import sys
import urllib.parse

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SEGMENT_ALPHABET = list("abcXYZ019-_.~ !$&'()*+,;=:@%") + ["\u1234", "\u00e9", "\u65e5\u672c", "/"]
QUERY_ALPHABET = list("abcXYZ019-_.~ !$'()*+,;:@/?%=&") + ["\u1234", "\u00e9"]
HEADER_NAMES = ["X-Custom", "x-custom", "My-Header1", "Content-Type", "X-Amz-Target", "x-amz-meta-a",
                "Accept", "User-Agent", "X-Amzn-Trace-Id", "Expect", "Zeta", "aaa", "X-Amz-Content-SHA256"]
HEADER_VALUE_ALPHABET = list("abcXYZ019-_.~!$&'()*+,;=:@/\"") + [" ", " ", "\t", "  "]
HOSTS = ["example.amazonaws.com", "sts.ap-northeast-1.amazonaws.com", "127.0.0.1:5000",
         "Ecr.Us-East-1.AmazonAWS.com", "example.com:443", "example.com:80", "localhost:8443"]
SERVICES = ["sts", "iam", "ecr", "ecs", "service", "s3"]
REGIONS = ["us-east-1", "ap-northeast-1", "cn-north-1", "us-gov-west-1"]


def rand_text(rng, alphabet, low, high):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def quote(text):
    return urllib.parse.quote(text, safe="-_.~")


def make_path(rng):
    segments = []
    for _ in range(rng.randint(0, 4)):
        kind = rng.random()
        if kind < 0.1:
            segments.append(".")
        elif kind < 0.2:
            segments.append("..")
        elif kind < 0.3:
            segments.append("")
        else:
            segments.append(quote(rand_text(rng, SEGMENT_ALPHABET, 1, 8)))
    path = "/" + "/".join(segments)
    if rng.random() < 0.2:
        path += "/"
    return path


def make_query(rng, unique_keys):
    keys = ["a", "B", "b", "Param", "x-amz-meta", "\u1234", "key with space", "k=v"]
    pairs, used = [], set()
    for _ in range(rng.randint(0, 5)):
        key = rng.choice(keys) if rng.random() < 0.6 else rand_text(rng, QUERY_ALPHABET, 1, 6)
        if unique_keys and key in used:
            continue
        used.add(key)
        if rng.random() < 0.1 and not unique_keys:
            pairs.append(quote(key))
        else:
            pairs.append(quote(key) + "=" + quote(rand_text(rng, QUERY_ALPHABET, 0, 8)))
    return "&".join(pairs)


def make_headers(rng, mode):
    headers = []
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(HEADER_NAMES)
        if mode != "header" and name.lower() == "x-amz-content-sha256":
            continue
        value = rand_text(rng, HEADER_VALUE_ALPHABET, 0, 12)
        if mode == "presign" and value.strip() == "" and rng.random() < 0.5:
            value = "v"
        headers.append([name, value])
    return headers


def make_case(rng, index):
    mode = ["header", "header", "s3", "presign"][index % 4]
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
    scheme = "https" if rng.random() < 0.8 else "http"
    host = rng.choice(HOSTS)
    query = make_query(rng, unique_keys=(mode == "presign"))
    url = f"{scheme}://{host}{make_path(rng)}" + (f"?{query}" if query else "")
    body = b""
    if mode != "presign" and method in ("POST", "PUT", "PATCH") and rng.random() < 0.8:
        body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    token = rand_text(rng, list("ABCxyz019+/="), 10, 40) if rng.random() < 0.5 else None
    return {
        "mode": mode, "method": method, "url": url, "headers": make_headers(rng, mode),
        "body_hex": body.hex(), "access_key": "AKID" + rand_text(rng, list("ABCDEF0123"), 8, 16),
        "secret_key": rand_text(rng, list("abcdefABCDEF0123456789/+"), 20, 40), "token": token,
        "region": rng.choice(REGIONS), "service": rng.choice(SERVICES),
        "time": rng.randint(1_400_000_000, 2_000_000_000), "expires": rng.choice([60, 900, 3600, 604800]),
    }


def sign(case):
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"])
    moment = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda: moment
    if case["mode"] == "header":
        auth = botocore.auth.SigV4Auth(credentials, case["service"], case["region"])
    elif case["mode"] == "s3":
        auth = botocore.auth.S3SigV4Auth(credentials, case["service"], case["region"])
    else:
        auth = botocore.auth.SigV4QueryAuth(credentials, case["service"], case["region"],
                                            expires=case["expires"])
    captured = {}
    for name in ("canonical_request", "string_to_sign", "signature"):
        original = getattr(auth, name)

        def wrapper(*args, _original=original, _name=name):
            value = _original(*args)
            captured[_name] = value
            return value
        setattr(auth, name, wrapper)
    request = AWSRequest(method=case["method"], url=case["url"], data=bytes.fromhex(case["body_hex"]))
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeats are kept
    auth.add_auth(request)
    case["expected"] = {
        "canonical_request": captured["canonical_request"],
        "string_to_sign": captured["string_to_sign"],
        "signature": captured["signature"],
        "headers": [[k, v] for k, v in request.headers.items()],
        "url": request.url,
    }
    return case


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261125
    rng = random.Random(seed)
    cases = [sign(make_case(rng, i)) for i in range(count)]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
