"""Demo data of Open311 (`paco_demo.seeding`): the services each city publishes and a demo API client.

The others stay off: Aracaju's alvará and certidão need documents, which Open311 cannot carry;
Gravataí's video service is kept to the portal. The published demo key lets curl file a request.
"""

from __future__ import annotations

from typing import Any

from tenant_apps.catalog.models import Service
from tenants.models import Municipality

from .selectors import api_client_get_by_key
from .services import api_client_create, service_publish

DEMO_OPEN311: dict[str, dict[str, Any]] = {
    "aracaju": {
        "services": ["poda-de-arvore"],
        "client": "App Zeladoria (demonstração)",
        "key": "demo-open311-aracaju-2026",
    },
    "gravatai": {
        "services": ["duvidas-sobre-iss", "revisao-de-iptu"],
        "client": "App Gravataí (demonstração)",
        "key": "demo-open311-gravatai-2026",
    },
}


def seed(*, municipality: Municipality) -> None:
    spec = DEMO_OPEN311.get(municipality.slug)
    if spec is None:
        return
    for code in spec["services"]:
        service_publish(service=Service.objects.get(code=code))
    if api_client_get_by_key(key=spec["key"]) is None:
        api_client_create(name=spec["client"], key=spec["key"])
