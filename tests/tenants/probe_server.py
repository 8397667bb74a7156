"""A local HTTP server standing in for "the city's domain as the ingress serves it": it answers
/healthz with Paço's health JSON naming `schema`, and records each request's path and Host."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ProbeServer:
    def __init__(self) -> None:
        self.schema = ""  # "" answers an nginx-like HTML page instead of Paço's JSON
        self.requests: list[tuple[str, str, str]] = []  # (method, path, Host)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.requests.append(("GET", self.path, self.headers.get("Host", "")))
                if outer.schema:
                    body = json.dumps({"status": "ok", "schema": outer.schema, "checks": {}}).encode()
                    content_type = "application/json"
                else:
                    body = b"<html><body>Welcome to nginx!</body></html>"
                    content_type = "text/html"
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def start(self) -> ProbeServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.schema = ""
        self.requests.clear()
