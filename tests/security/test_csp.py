"""Issue 10, finding 8 (CSP): a Content-Security-Policy on every page; the few inline scripts carry
the request's nonce; no template has an inline event handler or an inline script without it."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = ("src", "tenant_apps", "shared_apps", "tenants")
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_kind_of_page_has_the_policy(aracaju):
    pages = [
        (Client(HTTP_HOST="aracaju.localhost"), "/"),
        (Client(HTTP_HOST="aracaju.localhost"), "/entrar/"),
        (Client(HTTP_HOST="aracaju.localhost"), "/nao-existe/"),
        (client_for("staff", aracaju), "/staff/"),
        (client_for("admin", aracaju), "/admin-municipal/encerramento/"),
        (Client(HTTP_HOST="localhost"), "/"),
        (client_for("citizen", aracaju), "/api/v1/cases/"),
    ]
    for client, path in pages:
        response = client.get(path)
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"][0] == "'self'", path
        assert "'unsafe-inline'" not in policy["script-src"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path


def test_the_branding_page_s_inline_script_carries_the_nonce_of_its_header(aracaju):
    response = client_for("admin", aracaju).get("/admin-municipal/marca/")
    assert response.status_code == 200
    body = response.content.decode()
    nonces = [value for value in _policy(response)["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    assert f'<script nonce="{nonce}">' in body


def test_no_template_has_an_inline_handler_or_an_inline_script_without_nonce():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.html")):
            text = path.read_text()
            if INLINE_HANDLER.search(text) or INLINE_SCRIPT.search(text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
