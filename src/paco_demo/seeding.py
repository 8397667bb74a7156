"""What `make demo` (and the test session) puts in each demo city, gathered from the modules.

Each installed app may have a `demo.py` with

    def seed(*, municipality: Municipality) -> None: ...          # required
    def logins(*, municipality: Municipality) -> list[tuple[str, str, str]]: ...  # optional

`seed` runs inside the city's schema for a tenant app and in `public` for a control-plane app, in
a transaction, once per demo city, in INSTALLED_APPS order (so a module's seed finds what the
modules it builds on seeded); it must be safe to run again (add only what is missing). `logins`
names the demo logins `make demo` prints. A new module adds its `demo.py`; nothing here changes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from tenants.models import Municipality
from tenants.services import municipality_provision, template_schema_sync

from .cities import DEMO_MUNICIPALITIES, demo_people_seed, demo_support_seed

DEMO_MODULE = "demo"


@dataclass(frozen=True)
class DemoModule:
    app_name: str
    module: ModuleType
    in_public: bool

    @property
    def seed(self) -> Callable[..., None]:
        return getattr(self.module, "seed")  # noqa: B009 - every demo module defines it

    def logins(self, municipality: Municipality) -> list[tuple[str, str, str]]:
        function: Callable[..., list[tuple[str, str, str]]] | None = getattr(self.module, "logins", None)
        return function(municipality=municipality) if function else []


def demo_modules() -> list[DemoModule]:
    """The `demo` module of every installed app that has one, in INSTALLED_APPS order."""
    tenant_apps = set(settings.TENANT_APPS)
    found = []
    for config in apps.get_app_configs():
        if config.name == __package__ or not module_has_submodule(config.module, DEMO_MODULE):
            continue
        module = import_module(f"{config.name}.{DEMO_MODULE}")
        found.append(DemoModule(config.name, module, in_public=config.name not in tenant_apps))
    return found


def demo_city_seed(municipality: Municipality, *, skip: Collection[str] = ()) -> None:
    """The demo people of the city, then every module's demo data (`skip`: app names to leave out)."""
    demo_people_seed(municipality)
    for demo in demo_modules():
        if demo.app_name in skip:
            continue
        context: Any = (
            schema_context(get_public_schema_name()) if demo.in_public else tenant_context(municipality)
        )
        with context, transaction.atomic():
            demo.seed(municipality=municipality)


def demo_setup(*, skip: Collection[str] = ()) -> list[Municipality]:
    """Both demo cities provisioned and seeded, and the vendor-support login (safe to run again)."""
    template_schema_sync()
    cities = []
    for spec in DEMO_MUNICIPALITIES:
        municipality = municipality_provision(spec=spec)
        demo_city_seed(municipality, skip=skip)
        cities.append(municipality)
    demo_support_seed()
    return cities
