"""Publishing on Open311 is explicit: the service's admin page says whether it is published and
what that exposes, and the municipal admin publishes or withdraws it there."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from tenant_apps.catalog.models import Service
from tenant_apps.open311.models import PublishedService
from tenant_apps.open311.services import service_publish


def _service(municipality: Any, code: str) -> Service:
    with tenant_context(municipality):
        return Service.objects.get(code=code)


def _is_published(municipality: Any, code: str) -> bool:
    with tenant_context(municipality):
        return PublishedService.objects.filter(service__code=code).exists()


def _edit_page(client: Any, service: Service) -> str:
    response = client.get(f"/admin-municipal/servicos/{service.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _publication(client: Any, service: Service, action: str) -> Any:
    return client.post(f"/admin-municipal/servicos/{service.pk}/open311/", {"action": action})


def test_the_admin_page_shows_the_publication_and_what_it_exposes(login_as, aracaju):
    client = login_as("admin", aracaju)
    service = _service(aracaju, "poda-de-arvore")
    with tenant_context(aracaju):
        service_publish(service=service, published=False)

    before = _edit_page(client, service)
    published = _publication(client, service, "publish")
    after = _edit_page(client, service)

    assert "Não publicado no Open311" in before
    assert "Publicar no Open311" in before
    assert published.status_code == 302
    assert published["Location"] == f"/admin-municipal/servicos/{service.pk}/#open311"
    assert _is_published(aracaju, "poda-de-arvore")
    assert "Publicado no Open311" in after
    assert "Serviço publicado no Open311." in after
    assert "Deixar de publicar" in after
    # what that exposes, and what never is
    for text in (
        "/open311/v2/services.json",
        "situação (aberto ou fechado)",
        "endereço e coordenadas",
        "nunca aparecem nome, e-mail, CPF, telefone",
        "protocolos sigilosos nunca aparecem",
        "os pedidos que ele mesmo abriu",
    ):
        assert text in after, text


def test_the_admin_withdraws_a_service(login_as, aracaju):
    client = login_as("admin", aracaju)
    service = _service(aracaju, "poda-de-arvore")
    with tenant_context(aracaju):
        service_publish(service=service)

    response = _publication(client, service, "unpublish")

    assert response.status_code == 302
    assert not _is_published(aracaju, "poda-de-arvore")
    assert "Serviço retirado do Open311." in _edit_page(client, service)


def test_a_service_that_needs_documents_cannot_be_published(login_as, aracaju):
    client = login_as("admin", aracaju)
    service = _service(aracaju, "alvara-de-funcionamento")

    page = _edit_page(client, service)
    response = _publication(client, service, "publish")

    assert "Não pode ser publicado no Open311" in page
    assert "exige documentos anexos (Contrato social, Comprovante de endereço)" in page
    assert "Publicar no Open311" not in page
    assert response.status_code == 302
    assert not _is_published(aracaju, "alvara-de-funcionamento")
    assert "que o Open311 não tem como receber" in _edit_page(client, service)
    with tenant_context(aracaju), pytest.raises(ApplicationError):
        service_publish(service=Service.objects.get(code="alvara-de-funcionamento"))


def test_an_internal_service_cannot_be_published(login_as, gravatai):
    client = login_as("admin", gravatai)
    service = _service(gravatai, "avaliacao-sesmt")

    page = _edit_page(client, service)
    _publication(client, service, "publish")

    assert "é interno (não aparece na Carta de Serviços)" in page
    assert not _is_published(gravatai, "avaliacao-sesmt")


@pytest.mark.parametrize("role", ["anonymous", "citizen", "staff", "manager"])
def test_only_the_municipal_admin_publishes(login_as, aracaju, role):
    service = _service(aracaju, "poda-de-arvore")
    with tenant_context(aracaju):
        service_publish(service=service, published=False)

    response = _publication(login_as(role, aracaju), service, "publish")

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "/staff/entrar/" in response["Location"]
    assert not _is_published(aracaju, "poda-de-arvore")


def test_an_unknown_action_changes_nothing(login_as, aracaju):
    client = login_as("admin", aracaju)
    service = _service(aracaju, "poda-de-arvore")
    with tenant_context(aracaju):
        service_publish(service=service, published=False)

    response = _publication(client, service, "talvez")

    assert response.status_code == 400
    assert not _is_published(aracaju, "poda-de-arvore")
