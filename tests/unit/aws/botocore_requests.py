"""Captures the HTTP requests botocore sends for request_cases.json.

Usage: botocore_requests.py CASES.json OUT.json
Each case is run through a real botocore client (region ap-northeast-1,
fixed temporary credentials) whose 'before-send' hook records the request
and aborts it, so nothing leaves the process. One process runs every case.
"""

import json
import sys

import botocore.session
import botocore.auth
import datetime


class Captured(Exception):
    pass


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    session = botocore.session.get_session()
    botocore.auth.get_current_datetime = lambda: datetime.datetime(2026, 11, 25, 12, 0, 0)
    clients, out = {}, {}
    for case in cases:
        service = case["service"]
        if service not in clients:
            client = session.create_client(
                service, region_name="ap-northeast-1", endpoint_url="http://capture.invalid",
                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", aws_session_token="TOKEN")

            def capture(request, **_):
                body = request.body
                if isinstance(body, bytes):
                    body = body.decode("utf-8")
                out[current["name"]] = {"method": request.method, "url": request.url,
                                         "headers": [[k, v.decode() if isinstance(v, bytes) else v]
                                                     for k, v in request.headers.items()],
                                         "body": body or ""}
                raise Captured()
            client.meta.events.register("before-send", capture)
            clients[service] = client
        current = case
        method = getattr(clients[service], botocore.xform_name(case["operation"]))
        try:
            method(**case["params"])
        except Captured:
            pass
    json.dump(out, open(sys.argv[2], "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
