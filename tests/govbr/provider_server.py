"""The local OpenID provider the tests start: paco_demo.govbr_provider behind a real HTTP server."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from paco_demo.govbr_provider import Answer, OpenIdProvider


class ProviderServer:
    def __init__(self, provider: OpenIdProvider) -> None:
        self.provider = provider
        self.next_cpf = ""  # the person who "signs in" at the authorization endpoint
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _send(self, answer: Answer) -> None:
                self.send_response(answer.status)
                if answer.location:
                    self.send_header("Location", answer.location)
                body = b""
                if answer.json is not None:
                    body = json.dumps(answer.json).encode()
                    self.send_header("Content-Type", "application/json")
                elif answer.text:
                    body = answer.text.encode()
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _headers(self) -> dict[str, str]:
                return {"authorization": self.headers.get("Authorization", "")}

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query))
                provider = outer.provider
                if parts.path == "/.well-known/openid-configuration":
                    self._send(Answer(200, json=provider.discovery()))
                elif parts.path == "/jwk":
                    self._send(Answer(200, json=provider.jwks()))
                elif parts.path == "/authorize":
                    self._send(provider.authorize(params, cpf=outer.next_cpf))
                elif parts.path == "/userinfo":
                    self._send(provider.userinfo(self._headers()))
                elif match := re.fullmatch(r"/confiabilidades/v3/contas/(\d{11})/niveis", parts.path):
                    self._send(provider.reliability_levels(self._headers(), match.group(1)))
                elif parts.path == "/logout":
                    self._send(provider.end_session(params))
                else:
                    self._send(Answer(404, text="not found"))

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                if urlsplit(self.path).path == "/token":
                    self._send(outer.provider.token(self._headers(), form))
                else:
                    self._send(Answer(404, text="not found"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> ProviderServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
