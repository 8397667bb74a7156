"""Document templates: merge fields checked at save, sandboxed rendering, versions, preview, generate."""

from __future__ import annotations

from typing import Any

import pytest

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import CaseShare
from tenant_apps.doctemplates.engine import html_to_text, render_html, template_body_check
from tenant_apps.doctemplates.models import DocumentTemplate, GeneratedDocument, TemplateVersion
from tenant_apps.doctemplates.services import (
    document_from_template,
    template_create,
    template_preview,
    template_update,
)
from tenant_apps.documents.enums import DocumentKind
from tests.conftest import ROLE_EMAILS, client_for

BODY = (
    "<p>Ofício referente ao processo {{ caso.nup }}.</p>"
    "<p>Requerente: <strong>{{ requerente.nome }}</strong>, CPF {{ requerente.documento }},"
    " {{ requerente.endereco }}.</p>"
    "<p>{{ municipio.nome }}, {{ data.hoje_extenso }}.</p>"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<p>{{ caso.senha }}</p>", "Campo de mesclagem desconhecido: “caso.senha”"),
        ("<p>{{ caso.nup.__class__ }}</p>", "Campo de mesclagem não permitido: “Getattr”"),
        ("<p>{{ caso }}</p>", "Campo de mesclagem não permitido: “caso”"),
        ("<p>{{ caso['nup'] }}</p>", "Campo de mesclagem não permitido: “Getitem”"),
        ("<p>{{ caso.nup|upper }}</p>", "Campo de mesclagem não permitido: “Filter”"),
        ("<p>{{ lipsum() }}</p>", "Campo de mesclagem não permitido: “Call”"),
        ("{% for x in caso %}{% endfor %}", "Comandos de modelo"),
        ("<p>{{ caso.nup </p>", "Marcação de campo incompleta"),
        ("<p><strong>texto</p></strong>", "Marcação desbalanceada: </p> fecha <strong>."),
        ("<p>texto", "Marcação desbalanceada: <p> não foi fechada."),
        ("<p>a</p><script>alert(1)</script>", "A marcação <script> não é permitida"),
        ('<p onclick="x()">a</p>', "A marcação <p> não pode ter atributos (onclick)."),
    ],
)
def test_a_body_with_a_bad_field_or_markup_is_refused_naming_it(body: str, message: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        template_body_check(body)
    assert message in caught.value.message


def test_rendering_fills_only_the_listed_fields_escaped_and_sanitised() -> None:
    html = render_html(
        "<p>{{ requerente.nome }} — {{ caso.nup }}</p>",
        {"requerente": {"nome": "<b onclick=x>Ana</b> & Cia"}, "caso": {"nup": "1"}, "outro": {"x": "y"}},
    )
    assert html == "<p>&lt;b onclick=x&gt;Ana&lt;/b&gt; &amp; Cia — 1</p>"
    assert html_to_text("<p>Um &amp; dois</p><ul><li>a</li><li>b</li></ul><p>fim<br>linha</p>") == (
        "Um & dois\n\n• a\n• b\n\nfim\nlinha"
    )


def test_saving_a_template_with_an_unknown_field_changes_nothing(admin: Any) -> None:
    before = DocumentTemplate.objects.count()
    with pytest.raises(ApplicationError, match="caso.inexistente"):
        template_create(
            name="Ofício",
            kind=DocumentKind.OFFICIAL_LETTER,
            body="<p>{{ caso.inexistente }}</p>",
            created_by=admin,
        )
    assert DocumentTemplate.objects.count() == before


def test_editing_makes_a_new_version_and_a_generated_document_keeps_its_own(
    admin: Any, clerk: Any, case: Any
) -> None:
    template = template_create(
        name="Ofício padrão",
        kind=DocumentKind.OFFICIAL_LETTER,
        body=BODY,
        created_by=admin,
        is_published=True,
    )
    document = document_from_template(template=template, case=case, author=clerk)
    template_update(
        template=template,
        name="Ofício padrão",
        kind=DocumentKind.OFFICIAL_LETTER,
        body=BODY + "<p>Atenciosamente.</p>",
        updated_by=admin,
        is_published=True,
    )
    assert list(TemplateVersion.objects.filter(template=template).values_list("number", flat=True)) == [2, 1]
    generated = GeneratedDocument.objects.get(document=document)
    assert generated.template_version.number == 1
    assert generated.case_id == case.pk
    body = document.versions.get().body
    assert body.startswith(
        f"Ofício referente ao processo {case.nup}.\n\n"
        "Requerente: Maria da Silva Santos, CPF ***.982.247-**, Rua das Flores, 100."
    )
    assert document.kind == DocumentKind.OFFICIAL_LETTER
    assert case.case_documents.filter(document=document).exists()


def test_a_unit_manager_manages_only_their_units_templates(manager: Any, unit: Any) -> None:
    with pytest.raises(ApplicationError, match="Só a administração municipal"):
        template_create(name="Geral", kind=DocumentKind.DISPATCH, body="<p>x</p>", created_by=manager)
    template = template_create(
        name="Da unidade", kind=DocumentKind.DISPATCH, body="<p>x</p>", created_by=manager, unit=unit
    )
    assert template.unit_id == unit.pk


def test_staff_of_another_unit_cannot_generate_on_a_case_not_in_their_unit(
    admin: Any, other_unit_staff: Any, case: Any
) -> None:
    template = template_create(
        name="Despacho", kind=DocumentKind.DISPATCH, body=BODY, created_by=admin, is_published=True
    )
    with pytest.raises(ApplicationError, match="não está na sua unidade"):
        document_from_template(template=template, case=case, author=other_unit_staff)
    assert not GeneratedDocument.objects.exists()


def test_preview_renders_on_a_real_case(admin: Any, clerk: Any, case: Any) -> None:
    template = template_create(name="Certidão", kind=DocumentKind.CERTIFICATE, body=BODY, created_by=admin)
    html = template_preview(template=template, case=case, user=clerk)
    assert f"processo {case.nup}." in html
    assert "<strong>Maria da Silva Santos</strong>" in html


def test_pages_build_preview_and_generate(aracaju: Any, case: Any, clerk: Any) -> None:
    admin_client = client_for("admin", aracaju)
    response = admin_client.post(
        "/admin-municipal/modelos/novo/",
        {
            "name": "Ofício",
            "kind": "OFIC",
            "unit": "",
            "body": "<p>{{ caso.desconhecido }}</p>",
            "is_published": "on",
        },
    )
    assert response.status_code == 400
    assert "Campo de mesclagem desconhecido: “caso.desconhecido”" in response.content.decode()
    response = admin_client.post(
        "/admin-municipal/modelos/novo/",
        {"name": "Ofício", "kind": "OFIC", "unit": "", "body": BODY, "is_published": "on"},
    )
    assert response.status_code == 302
    template = DocumentTemplate.objects.get(name="Ofício")
    CaseShare.objects.create(
        case=case, user=User.objects.get(email=ROLE_EMAILS["admin"]("aracaju")), shared_by=clerk
    )
    preview = admin_client.get(f"/admin-municipal/modelos/{template.pk}/previa/", {"nup": case.nup})
    assert "Maria da Silva Santos" in preview.content.decode()
    staff_client = client_for("staff", aracaju)
    response = staff_client.post(
        "/staff/modelos/gerar/", {"nup": case.nup, "template": template.pk, "title": ""}
    )
    assert response.status_code == 302
    assert GeneratedDocument.objects.filter(template_version__template=template, case=case).count() == 1
    assert client_for("staff", aracaju).get("/admin-municipal/modelos/").status_code == 404


def test_api_refuses_a_bad_field_and_generates(aracaju: Any, case: Any, clerk: Any) -> None:
    admin_client = client_for("admin", aracaju)
    bad = admin_client.post(
        "/api/v1/templates/",
        {"name": "X", "kind": "OFIC", "body": "<p>{{ requerente.senha }}</p>"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "requerente.senha" in bad.json()["body"][0]
    created = admin_client.post(
        "/api/v1/templates/",
        {"name": "Ofício API", "kind": "OFIC", "body": BODY, "is_published": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["version"] == 1
    staff_client = client_for("staff", aracaju)
    generated = staff_client.post(
        f"/api/v1/templates/{created.json()['id']}/generate/",
        {"nup": case.nup},
        content_type="application/json",
    )
    assert generated.status_code == 201
    assert generated.json()["number"].startswith("OFIC ")
    assert staff_client.get("/api/v1/templates/fields/").json()[0]["key"] == "caso.nup"
