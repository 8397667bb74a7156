"""`/verificar/`: anyone checks a code; público documents show their content, others only that they exist."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import tenant_context

from tenant_apps.documents import throttling
from tenant_apps.documents.models import DocumentVersion
from tenant_apps.documents.services import document_pdf_ensure
from tests.documents.conftest import make_document

ARACAJU = "aracaju.localhost"
GRAVATAI = "gravatai.localhost"


def _verify(code: str, host: str = ARACAJU, client: Client | None = None):
    return (client or Client()).get("/verificar/", {"codigo": code}, HTTP_HOST=host)


def test_the_form_is_shown_without_a_code(aracaju):
    response = Client().get("/verificar/", HTTP_HOST=ARACAJU)

    assert response.status_code == 200
    assert "Código de verificação" in response.content.decode()
    assert "Documento não encontrado" not in response.content.decode()


def test_a_public_document_shows_its_content_and_pdf_link(public_document, aracaju):
    code = public_document.verification_code

    response = _verify(code)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Documento autêntico." in html
    assert public_document.number in html
    assert "Ofício sobre a poda de árvores" in html
    assert "Solicitamos a poda das árvores da Rua Laranjeiras.<br>Urgente." in html
    assert "Protocolo Geral (SEPLOG-PROT)" in html
    assert "Público" in html
    assert f'href="/verificar/{code}/documento.pdf"' in html
    assert "Sérgio Servidor" not in html  # the author's name is on the PDF, not on the page


@pytest.mark.parametrize("typed", ["{code}", "{compact}", "{lower}", "  {spaced}  "])
def test_the_code_is_accepted_with_or_without_dashes_in_any_case(public_document, aracaju, typed):
    code = public_document.verification_code
    compact = code.replace("-", "")
    entry = typed.format(code=code, compact=compact, lower=code.lower(), spaced=" ".join(code.split("-")))

    response = _verify(entry)

    assert response.status_code == 200
    assert public_document.number in response.content.decode()


@pytest.mark.parametrize("fixture", ["restricted_document", "secret_document"])
def test_a_restricted_document_is_authentic_but_its_content_is_not_shown(request, aracaju, fixture):
    document = request.getfixturevalue(fixture)

    response = _verify(document.verification_code)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Documento autêntico." in html
    assert document.number in html
    assert document.get_access_level_display() in html
    assert "Protocolo Geral (SEPLOG-PROT)" in html
    assert document.title not in html
    assert document.versions.get().body not in html
    assert "documento.pdf" not in html
    assert "não é exibido aqui" in html


@pytest.mark.parametrize("fixture", ["restricted_document", "secret_document"])
def test_a_restricted_document_pdf_is_not_downloadable(request, aracaju, fixture):
    document = request.getfixturevalue(fixture)

    response = Client().get(f"/verificar/{document.verification_code}/documento.pdf", HTTP_HOST=ARACAJU)

    assert response.status_code == 404
    with tenant_context(aracaju):
        assert DocumentVersion.objects.get(document=document).pdf_name == ""


def test_a_public_document_pdf_is_downloadable_by_its_code(public_document, aracaju):
    response = Client().get(
        f"/verificar/{public_document.verification_code}/documento.pdf", HTTP_HOST=ARACAJU
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    with tenant_context(aracaju):
        assert DocumentVersion.objects.get(document=public_document).pdf_name != ""


def test_an_unknown_code_is_a_clear_404(aracaju):
    response = _verify("ZZZZ-ZZZZ-ZZZZ")

    assert response.status_code == 404
    assert "Documento não encontrado." in response.content.decode()
    assert "Nenhum documento de Prefeitura Municipal de Aracaju tem este código." in response.content.decode()


def test_a_code_of_another_city_is_not_found(public_document, aracaju, gravatai):
    code = public_document.verification_code

    on_gravatai = _verify(code, host=GRAVATAI)
    pdf_on_gravatai = Client().get(f"/verificar/{code}/documento.pdf", HTTP_HOST=GRAVATAI)

    assert on_gravatai.status_code == 404
    assert (
        "Nenhum documento de Prefeitura Municipal de Gravataí tem este código."
        in on_gravatai.content.decode()
    )
    assert "Ofício sobre a poda de árvores" not in on_gravatai.content.decode()
    assert pdf_on_gravatai.status_code == 404
    assert _verify(code).status_code == 200


def test_a_tampered_pdf_raises_the_alarm(public_document, aracaju):
    with tenant_context(aracaju):
        name = document_pdf_ensure(version=public_document.versions.get())
        default_storage.delete(name)
        default_storage.save(name, ContentFile(b"%PDF-1.7 outro conteudo"))

    page = _verify(public_document.verification_code)
    pdf = Client().get(f"/verificar/{public_document.verification_code}/documento.pdf", HTTP_HOST=ARACAJU)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Atenção: integridade comprometida." in html
    assert "Documento autêntico." not in html
    assert pdf.status_code == 409
    assert "não confere com o registrado (SHA-256 diferente)" in pdf.content.decode()


def test_an_altered_text_raises_the_alarm(restricted_document, aracaju):
    with tenant_context(aracaju):
        DocumentVersion.objects.filter(document=restricted_document).update(body="Texto trocado no banco")

    html = _verify(restricted_document.verification_code).content.decode()

    assert "Atenção: integridade comprometida." in html
    assert "Texto trocado no banco" not in html


def test_guessing_codes_is_limited_per_address_and_city(public_document, aracaju, gravatai):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(throttling.VERIFY_LOOKUPS_PER_WINDOW):
        assert _verify(f"AAAA-AAAA-{attempt:04d}", client=client).status_code == 404

    blocked = _verify(public_document.verification_code, client=client)
    blocked_pdf = client.get(
        f"/verificar/{public_document.verification_code}/documento.pdf", HTTP_HOST=ARACAJU
    )

    assert blocked.status_code == 429
    assert "Muitas consultas a partir da sua conexão. Aguarde 10 minutos" in blocked.content.decode()
    assert public_document.title not in blocked.content.decode()
    assert blocked_pdf.status_code == 429
    assert (
        _verify(public_document.verification_code, client=Client(REMOTE_ADDR="203.0.113.8")).status_code
        == 200
    )
    assert _verify("AAAA-AAAA-AAAA", host=GRAVATAI, client=client).status_code == 404


def test_the_form_alone_does_not_count_as_a_lookup(aracaju):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(throttling.VERIFY_LOOKUPS_PER_WINDOW + 5):
        assert client.get("/verificar/", HTTP_HOST=ARACAJU).status_code == 200


@pytest.mark.parametrize(
    "typed", ["ZZZZ-ZZZZ-ZZZZ", "../../etc/passwd", "ABCD-EFGH", "ÁBCD-EFGH-JKLM", "x" * 500]
)
def test_anything_that_is_not_a_known_code_is_not_found(aracaju, typed):
    response = _verify(typed)

    assert response.status_code == 404
    assert "Documento não encontrado." in response.content.decode()


def test_the_text_of_a_public_document_is_shown_escaped(aracaju, author_unit):
    with tenant_context(aracaju):
        document = make_document(
            author_unit, body='<script>alert("x")</script>\n<img src=x onerror=alert(1)>'
        )

    html = _verify(document.verification_code).content.decode()

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in html
