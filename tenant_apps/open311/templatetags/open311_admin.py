"""`{% open311_service_panel service %}`: the Open311 part of a service's admin page.

A template tag rather than an import, so the Carta de Serviços never imports the Open311 app.
"""

from __future__ import annotations

from typing import Any

from django import template

from tenant_apps.catalog.models import Service
from tenant_apps.open311.selectors import open311_service_is_published, open311_service_refusal

register = template.Library()


@register.inclusion_tag("open311/partials/service_panel.html", takes_context=True)
def open311_service_panel(context: Any, service: Service) -> dict[str, Any]:
    refusal = open311_service_refusal(service)
    return {
        "service": service,
        "is_published": open311_service_is_published(service),
        "refusal": refusal,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
