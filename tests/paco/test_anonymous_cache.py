"""Anonymous visitors' pages come from a per-city cache, renewed when what they show changes."""

from django.db import connection
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.catalog.models import Service
from tenant_apps.catalog.services import service_ensure
from tenant_apps.org.models import OrgUnit
from tenants.services import municipality_branding_update


def _get(path: str, host: str = "aracaju.localhost", **extra: str) -> tuple[str, int]:
    client = Client(HTTP_HOST=host, **extra)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    connection.set_schema_to_public()
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_portal_home_is_served_from_the_cache_and_renewed_when_the_catalogue_changes(aracaju):
    first, _ = _get("/")
    again, queries = _get("/")
    assert again == first
    assert queries <= 1  # the host's city at most; no template, catalogue or org chart query

    with tenant_context(aracaju):
        unit = OrgUnit.objects.order_by("pk").first()
        service_ensure(code="cache-novo", name="Serviço novo do cache", unit=unit, is_public=True)
    fresh, _ = _get("/")
    assert "Serviço novo do cache" in fresh
    servicos, _ = _get("/servicos/")
    assert "Serviço novo do cache" in servicos

    with tenant_context(aracaju):
        Service.objects.get(code="cache-novo").delete()
    assert "Serviço novo do cache" not in _get("/")[0]


def test_branding_and_language_change_what_is_served(aracaju, gravatai, django_capture_on_commit_callbacks):
    before, _ = _get("/")
    with django_capture_on_commit_callbacks(execute=True):  # the host -> city cache forgets it on commit
        municipality_branding_update(
            municipality=aracaju,
            display_name="Prefeitura de Aracaju (cache)",
            primary_color="#123456",
            secondary_color="#ffcc00",
        )
    after, _ = _get("/")
    assert "Prefeitura de Aracaju (cache)" in after
    assert before != after
    # each city and each language its own page
    assert "Prefeitura de Aracaju (cache)" not in _get("/", host="gravatai.localhost")[0]
    english, _ = _get("/verificar/", HTTP_ACCEPT_LANGUAGE="en")
    portuguese, _ = _get("/verificar/", HTTP_ACCEPT_LANGUAGE="pt-br")
    assert english != portuguese


def test_signed_in_visitors_never_get_the_cached_page(aracaju, login_as):
    anonymous, _ = _get("/")
    client = login_as("citizen", aracaju)
    signed_in = client.get("/").content.decode()
    connection.set_schema_to_public()
    assert signed_in != anonymous
    assert "Sair" in signed_in
    assert "Sair" not in _get("/")[0]


def test_templates_are_loaded_once_per_process():
    loaders = engines["django"].engine.template_loaders
    assert [type(loader) for loader in loaders] == [CachedLoader]
