"""Full-text search in Portuguese: accent-insensitive, ranked, only readable documents, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.accounts.models import User
from tenant_apps.documents.enums import AccessLevel
from tenant_apps.documents.search import document_search
from tenant_apps.org.models import OrgUnit
from tests.documents.conftest import client_as, make_document

ARACAJU = "aracaju.localhost"


def _titles(page) -> list[str]:
    return [document.title for document in page.results]


@pytest.fixture
def sema(in_aracaju) -> OrgUnit:
    return OrgUnit.objects.get(acronym="SEMA")


@pytest.mark.parametrize("query", ["arvore", "ÁRVORES", "árvore", "Arvores", "poda arvore"])
def test_accents_and_case_do_not_matter(in_aracaju, sema, staff, query):
    make_document(sema, title="Poda de árvore", body="Pedido de poda na praça.")
    make_document(sema, title="Iluminação pública", body="Troca de lâmpadas.")

    page = document_search(user=staff, query=query, limit=10)

    assert _titles(page) == ["Poda de árvore"]


def test_restricted_documents_of_other_units_are_not_found(
    in_aracaju, sema, author_unit, staff, other_unit_staff
):
    make_document(sema, title="Árvore pública da SEMA")
    make_document(sema, title="Árvore restrita da SEMA", access_level=AccessLevel.RESTRICTED)
    make_document(sema, title="Árvore sigilosa da SEMA", access_level=AccessLevel.SECRET)
    make_document(author_unit, title="Árvore restrita do Protocolo", access_level=AccessLevel.RESTRICTED)

    seen_by_protocol = sorted(_titles(document_search(user=staff, query="arvore")))
    seen_by_sema = sorted(_titles(document_search(user=other_unit_staff, query="arvore")))
    seen_by_citizen = _titles(
        document_search(user=User.objects.get(email="cidadao@exemplo.com.br"), query="arvore")
    )

    assert seen_by_protocol == ["Árvore pública da SEMA", "Árvore restrita do Protocolo"]
    assert seen_by_sema == ["Árvore pública da SEMA", "Árvore restrita da SEMA", "Árvore sigilosa da SEMA"]
    assert seen_by_citizen == ["Árvore pública da SEMA"]


def test_results_are_ranked_and_paged_by_keyset(in_aracaju, sema, staff):
    make_document(sema, title="Árvore", body="árvore árvore árvore árvore na calçada")
    for index in range(4):
        make_document(sema, title=f"Ofício {index}", body=f"Menciona uma árvore uma vez ({index}).")
    make_document(sema, title="Sem relação", body="Buraco na rua.")

    first = document_search(user=staff, query="arvore", limit=2)
    second = document_search(user=staff, query="arvore", limit=2, cursor=first.next_cursor)
    third = document_search(user=staff, query="arvore", limit=2, cursor=second.next_cursor)

    assert _titles(first)[0] == "Árvore"
    assert third.next_cursor is None
    every = _titles(first) + _titles(second) + _titles(third)
    assert sorted(every) == ["Ofício 0", "Ofício 1", "Ofício 2", "Ofício 3", "Árvore"]
    ranks = [document.rank for page in (first, second, third) for document in page.results]
    assert ranks == sorted(ranks, reverse=True)


def test_empty_or_stopword_queries_find_nothing(in_aracaju, sema, staff):
    make_document(sema, title="Poda de árvore")

    assert _titles(document_search(user=staff, query="   ")) == []
    assert _titles(document_search(user=staff, query="de")) == []
    assert document_search(user=staff, query="arvore", cursor="lixo").results[0].title == "Poda de árvore"


def _page_queries(client, query: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/staff/documentos/", {"q": query}, HTTP_HOST=ARACAJU)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_search_page_costs_the_same_queries_for_few_or_many_results(aracaju, django_assert_num_queries):
    with tenant_context(aracaju):
        sema = OrgUnit.objects.get(acronym="SEMA")
        staff = User.objects.get(email="servidor@aracaju.se.gov.br")
        for index in range(2):
            make_document(sema, title=f"Poda de árvore {index}", author=staff, attachments=1)
        for index in range(12):
            make_document(
                sema, title=f"Calçada {index}", body="Conserto de calçada.", author=staff, attachments=1
            )
    client = client_as("staff", aracaju)
    client.get("/staff/documentos/", {"q": "aquecimento"}, HTTP_HOST=ARACAJU)  # caches the host lookup

    few, few_html = _page_queries(client, "árvore")
    many, many_html = _page_queries(client, "calcada")

    # one SET search_path (TENANT_LIMIT_SET_CALLS), then session, user, second-factor device, search
    assert (few, many) == (5, 5)
    with django_assert_num_queries(5):
        client.get("/staff/documentos/", {"q": "calçada"}, HTTP_HOST=ARACAJU)
    assert few_html.count("Poda de árvore") == 2
    results = many_html.split("<main", 1)[1]  # the menu links to the search page too
    assert results.count('href="/staff/documentos/') == 12
    assert "Sérgio Servidor" in many_html
    assert "SEMA" in many_html or "Secretaria Municipal do Meio Ambiente" in many_html


def test_the_search_page_is_for_staff_only(aracaju):
    response = client_as("citizen", aracaju).get("/staff/documentos/", {"q": "arvore"}, HTTP_HOST=ARACAJU)

    assert response.status_code == 302
