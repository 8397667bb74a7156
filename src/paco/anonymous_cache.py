"""A city's pages as anonymous visitors see them, cached whole, per city, language and host.

The portal home, the Carta de Serviços and the `/verificar/` form are the same HTML for every
visitor without a session: rendering them (templates, the org chart, the catalogue) was most of
their cost. `AnonymousPageCacheMiddleware`, right after the tenant middleware, answers them from
the cache when the request carries no session and no messages cookie, has no query string and is
a GET or HEAD to one of ANONYMOUS_CACHE_PATHS; otherwise the request goes on as before (signed-in
pages are never cached, nor served from the cache). The response is stored as the middleware below
made it (security headers, Vary, Content-Language) unless it sets a cookie or is not a 200.

Each city has a version token in the cache; the key includes it. Saving or deleting a row of the
models in ANONYMOUS_CACHE_MODELS (the catalogue, the org chart, the municipality's branding row)
replaces the city's token, at once and again after the commit, so the next visitor gets a fresh
page. The visitor's language is part of the key. ANONYMOUS_CACHE_SECONDS bounds anything else
(a change made with a bulk UPDATE, which sends no signal).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django_tenants.utils import schema_context

VERSION_KEY = "anon-page-version:{schema}"


def _version(schema: str) -> str:
    key = VERSION_KEY.format(schema=schema)
    value = cache.get(key)
    if value is None:
        value = uuid.uuid4().hex
        cache.add(key, value, None)
        value = cache.get(key) or value
    return str(value)


def anonymous_cache_invalidate(schema: str) -> None:
    """Forget every cached anonymous page of the city (a new version token), now and after commit."""

    def bump() -> None:
        # cache keys carry the current schema (django-tenants' key function): write it as the
        # city's own requests read it
        with schema_context(schema):
            cache.set(VERSION_KEY.format(schema=schema), uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)


def _page_key(request: HttpRequest) -> str | None:
    if request.method not in ("GET", "HEAD") or request.GET:
        return None
    if request.path not in settings.ANONYMOUS_CACHE_PATHS:
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    tenant = getattr(request, "tenant", None)
    schema = getattr(tenant, "schema_name", "")
    if not schema or schema == "public":
        return None
    language = translation.get_language_from_request(request)
    return f"anon-page:{schema}:{_version(schema)}:{language}:{request.get_host()}:{request.path}"


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = _page_key(request)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            hit = HttpResponse(content if request.method == "GET" else b"")
            for name, value in headers:
                hit[name] = value
            return hit
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
            and not response.has_header("Set-Cookie")
            and isinstance(response, HttpResponse)
            and request.method == "GET"
        ):
            headers = [(name, value) for name, value in response.items() if name.lower() != "content-length"]
            cache.set(key, (response.content, headers), settings.ANONYMOUS_CACHE_SECONDS)
        return response


def _invalidate_on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    tenant_model = apps.get_model(settings.TENANT_MODEL)
    if isinstance(instance, tenant_model):
        schema = instance.schema_name
    elif apps.get_model(settings.TENANT_DOMAIN_MODEL) is sender:
        schema = instance.tenant.schema_name
    else:
        schema = getattr(connection, "schema_name", "")
    if schema and schema != "public":
        anonymous_cache_invalidate(schema)


def anonymous_cache_signals_connect() -> None:
    """Called from PacoConfig.ready(): every model of ANONYMOUS_CACHE_MODELS invalidates its city."""
    for label in settings.ANONYMOUS_CACHE_MODELS:
        models = [apps.get_model(label)] if "." in label else list(apps.get_app_config(label).get_models())
        for model in models:
            uid = f"anonymous-cache:{model._meta.label}"
            post_save.connect(_invalidate_on_change, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(_invalidate_on_change, sender=model, weak=False, dispatch_uid=uid + ":delete")
