"""A local HTTP server standing in for api.stripe.com, and signed webhook deliveries.

The real `stripe` library talks to it over HTTP; the server records every request (method, path,
headers, form-encoded parameters) so tests assert exactly what we sent, and answers with
Stripe-shaped JSON. Like Stripe, it replays the first answer for a repeated Idempotency-Key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.test import Client

API_KEY = "sk_test_paco"
WEBHOOK_SECRET = "whsec_test_paco"  # noqa: S105 - a test secret
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_paco"
PORTAL_URL = "https://billing.stripe.com/p/session/test_paco"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]


@dataclass
class StripeStub:
    base_url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    fail_next: dict[str, Any] | None = None
    # True: answer 500 to everything, before the idempotency layer (nothing is remembered).
    down: bool = False
    # Billing meter events counted, per (customer, event_name); like Stripe, an identifier
    # already seen is accepted again but not counted again.
    meter_totals: dict[tuple[str, str], int] = field(default_factory=dict)
    meter_identifiers: set[str] = field(default_factory=set)
    _meter_params_by_key: dict[str, dict[str, str]] = field(default_factory=dict)
    _by_key: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _counter: int = 0

    def answer(
        self, method: str, path: str, headers: dict[str, str], params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        self.requests.append(RecordedRequest(method, path, headers, params))
        if self.down:
            return 500, {"error": {"type": "api_error", "message": "Stripe is down (test stub)."}}
        key = headers.get("idempotency-key")
        if key and key in self._by_key:
            if path == "/v1/billing/meter_events" and self._meter_params_by_key.get(key) != params:
                # Stripe refuses a key reused with other parameters (checked here for meter events)
                return 400, {
                    "error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests"
                        " can only be used with the same parameters they were first used with.",
                    }
                }
            return self._by_key[key]
        reply = self._reply(method, path, params)
        if key:
            self._by_key[key] = reply
            self._meter_params_by_key[key] = params
        return reply

    def _reply(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            return 400, {"error": error}
        self._counter += 1
        n = self._counter
        if (method, path) == ("POST", "/v1/customers"):
            return 200, {
                "id": f"cus_test_{n}",
                "object": "customer",
                "email": params.get("email"),
                "name": params.get("name"),
            }
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            return 200, {
                "id": f"cs_test_{n}",
                "object": "checkout.session",
                "mode": "subscription",
                "customer": params.get("customer"),
                "url": CHECKOUT_URL,
                "status": "open",
            }
        if (method, path) == ("POST", "/v1/subscriptions"):
            return 200, {
                "id": f"sub_test_{n}",
                "object": "subscription",
                "status": "active",
                "customer": params.get("customer"),
            }
        if (method, path) == ("POST", "/v1/billing/meter_events"):
            identifier = params.get("identifier") or f"gen_{n}"
            customer, event_name = params["payload[stripe_customer_id]"], params["event_name"]
            if identifier not in self.meter_identifiers:
                self.meter_identifiers.add(identifier)
                total = self.meter_totals.get((customer, event_name), 0)
                self.meter_totals[(customer, event_name)] = total + int(params["payload[value]"])
            return 200, {
                "object": "billing.meter_event",
                "event_name": event_name,
                "identifier": identifier,
                "payload": {"stripe_customer_id": customer, "value": params["payload[value]"]},
                "timestamp": int(params.get("timestamp") or 0),
                "livemode": False,
            }
        if method == "POST" and path.startswith("/v1/subscriptions/"):
            return 200, {
                "id": path.rsplit("/", 1)[1],
                "object": "subscription",
                "status": "trialing",
                "trial_end": int(params["trial_end"]) if params.get("trial_end") else None,
            }
        if (method, path) == ("POST", "/v1/billing_portal/sessions"):
            return 200, {"id": f"bps_test_{n}", "object": "billing_portal.session", "url": PORTAL_URL}
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({method}: {path}).",
            }
        }


def _handler(stub: StripeStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            params = dict(parse_qsl(body or query, keep_blank_values=True))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, payload = stub.answer(self.command, path, headers, params)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_test_{len(stub.requests)}")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


@pytest.fixture(scope="session")
def _stripe_server() -> Iterator[tuple[ThreadingHTTPServer, StripeStub]]:
    stub = StripeStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, stub
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_server(_stripe_server: tuple[ThreadingHTTPServer, StripeStub], settings: Any) -> StripeStub:
    _server, stub = _stripe_server
    stub.requests.clear()
    stub._by_key.clear()
    stub.fail_next = None
    stub.down = False
    stub.meter_totals.clear()
    stub.meter_identifiers.clear()
    stub._meter_params_by_key.clear()
    stub._counter = 0
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_API_BASE = stub.base_url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return stub


def stripe_signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe-Signature as Stripe computes it: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def stripe_event(event_id: str, event_type: str, data: dict[str, Any], *, created: int) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created,
        "type": event_type,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": data},
    }


def webhook_post(event: dict[str, Any], *, signature: str | None = None, secret: str = WEBHOOK_SECRET) -> Any:
    payload = json.dumps(event).encode()
    return Client(HTTP_HOST="localhost").post(
        "/billing/webhooks/stripe/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature
        if signature is not None
        else stripe_signature(payload, secret=secret),
    )
