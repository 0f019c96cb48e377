"""A stand-in for GitHub's OIDC subject customization endpoints
(GET /repos/{owner}/{repo}/actions/oidc/customization/sub and the
organization's), answering as GitHub documents them: docs.github.com/en/rest/
actions/oidc, with the use_immutable_subject and sub_claim_prefix fields of
the 2026 immutable-subject rollout. Everything else is a 404.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SubjectCustomization:
    """Serves `answer` (status, body) for every repository's customization, to bearer `token` only.
    Use as a context manager; `env` holds GITHUB_TOKEN and GITHUB_API_URL for shipctl; `seen` the paths asked."""

    def __init__(self, answer, token="test-token"):
        self.answer, self.token, self.seen = answer, token, []
        self.server = None

    def __enter__(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server API
                outer.seen.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {outer.token}":
                    status, body = 401, {"message": "Bad credentials"}
                elif self.path.startswith("/repos/") and self.path.endswith("/actions/oidc/customization/sub"):
                    status, body = outer.answer
                else:
                    status, body = 404, {"message": "Not Found"}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def env(self):
        return {"GITHUB_TOKEN": self.token, "GITHUB_API_URL": f"http://127.0.0.1:{self.server.server_address[1]}"}
