from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open, nup_digits
from tenant_apps.catalog.models import Service
from tenant_apps.org.models import OrgUnit
from tests.cases.conftest import PNG
from tests.conftest import client_for

FORM = {"endereco": "Rua Laranjeiras, 100", "motivo": "Risco de queda"}


def _open_via_portal(client, **extra):
    service = Service.objects.get(code="poda-de-arvore")
    requirement = service.required_attachments.get()
    data = {
        **FORM,
        "subject": "Árvore inclinada",
        f"anexo_{requirement.pk}": SimpleUploadedFile("a.png", PNG),
        **extra,
    }
    return client.post("/servicos/poda-de-arvore/", data)


def test_citizen_opens_a_case_from_the_catalogue_and_follows_it(aracaju):
    client = client_for("citizen", aracaju)

    catalogue = client.get("/servicos/")
    form = client.get("/servicos/poda-de-arvore/")
    with tenant_context(aracaju):
        response = _open_via_portal(client)
        case = Case.objects.get(subject="Árvore inclinada")
    page = client.get(response["Location"])
    mine = client.get("/meus-pedidos/")

    assert "Poda de árvore" in catalogue.text
    assert 'name="endereco"' in form.text
    assert response.status_code == 302
    assert response["Location"] == f"/protocolos/{nup_digits(nup=case.nup)}/"
    assert case.nup in page.text
    assert "Encaminhado à Empresa Municipal de Serviços Urbanos." in page.text
    assert "O que você enviou" in page.text
    assert case.nup in mine.text


def test_portal_form_errors_are_in_portuguese_and_save_nothing(aracaju):
    client = client_for("citizen", aracaju)
    with tenant_context(aracaju):
        before = Case.objects.count()
        response = _open_via_portal(client, motivo="")
        bad_file = _open_via_portal(
            client,
            **{
                f"anexo_{Service.objects.get(code='poda-de-arvore').required_attachments.get().pk}": (
                    SimpleUploadedFile("a.png", b"MZ\x90\x00 not an image")
                )
            },
        )
        after = Case.objects.count()

    assert response.status_code == 400
    assert "Este campo é obrigatório." in response.text
    assert bad_file.status_code == 400
    assert "não é de um tipo aceito" in bad_file.text
    assert after == before


def test_anonymous_must_log_in_to_submit(aracaju):
    from django.test import Client

    response = Client(HTTP_HOST="aracaju.localhost").post("/servicos/poda-de-arvore/", FORM)

    assert response.status_code == 302
    assert response["Location"].startswith("/entrar/?next=")


def test_staff_works_the_case_from_the_inbox(aracaju):
    citizen = client_for("citizen", aracaju)
    staff = client_for("staff", aracaju)  # Protocolo Geral and EMSURB, where "Poda de árvore" lands
    with tenant_context(aracaju):
        _open_via_portal(citizen)
        case = Case.objects.get(subject="Árvore inclinada")
        digits = nup_digits(nup=case.nup)

        inbox = staff.get("/staff/protocolos/?unidade=EMSURB")
        dispatch = staff.post(
            f"/staff/protocolos/{digits}/despachar/", {"text": "Recebido.", "is_public": "on"}
        )
        ask = staff.post(
            f"/staff/protocolos/{digits}/solicitar-informacoes/", {"question": "Qual o número da casa?"}
        )
        waiting = staff.get("/staff/protocolos/?unidade=EMSURB&filtro=aguardando_cidadao")
        answer = citizen.post(f"/protocolos/{digits}/responder/", {"answer": "Número 100."})
        empty_close = staff.post(f"/staff/protocolos/{digits}/concluir/", {"answer": ""})
        close = staff.post(
            f"/staff/protocolos/{digits}/concluir/", {"answer": "Vistoria feita, poda agendada."}
        )
        case.refresh_from_db()

    assert case.nup in inbox.text
    assert (dispatch.status_code, ask.status_code, answer.status_code, close.status_code) == (
        302,
        302,
        302,
        302,
    )
    assert case.nup in waiting.text
    assert empty_close.status_code == 400
    assert "Este campo é obrigatório." in empty_close.text
    assert case.status == CaseStatus.CLOSED
    assert case.final_answer == "Vistoria feita, poda agendada."


def test_staff_of_another_unit_can_neither_see_nor_move_it(aracaju):
    citizen = client_for("citizen", aracaju)
    staff = client_for("manager", aracaju)  # manages SEPLOG-PROT only; the case stays in EMSURB
    with tenant_context(aracaju):
        _open_via_portal(citizen)
        case = Case.objects.get(subject="Árvore inclinada")
    digits = nup_digits(nup=case.nup)

    page = staff.get(f"/staff/protocolos/{digits}/")
    move = staff.post(f"/staff/protocolos/{digits}/despachar/", {"text": "Intruso"})

    assert page.status_code == 404
    assert move.status_code == 404
    with tenant_context(aracaju):
        assert case.dispatches.count() == 0


def test_another_citizen_cannot_see_the_case(aracaju):
    owner = client_for("citizen", aracaju)
    with tenant_context(aracaju):
        _open_via_portal(owner)
        case = Case.objects.get(subject="Árvore inclinada")
        from tenant_apps.accounts.models import User

        other = User.objects.create_user("outra@exemplo.com.br", "Senha#Outra2026", full_name="Outra Pessoa")
    from django.test import Client

    client = Client(HTTP_HOST="aracaju.localhost")
    with tenant_context(aracaju):
        client.force_login(other)
    response = client.get(f"/protocolos/{nup_digits(nup=case.nup)}/")

    assert response.status_code == 404


def _bulk_cases(municipality, count):
    with tenant_context(municipality):
        from tenant_apps.accounts.models import User

        citizen = User.objects.get(email="cidadao@exemplo.com.br")
        service = Service.objects.get(code="poda-de-arvore")
        service.required_attachments.update(is_required=False)
        for _ in range(count):
            case = case_open(service=service, opened_by=citizen, form_data=FORM)
        Case.objects.update(current_unit=OrgUnit.objects.get(acronym="SEPLOG-PROT"))
        return case


def test_inbox_and_case_pages_do_not_issue_more_queries_with_more_rows(aracaju):
    staff = client_for("staff", aracaju)

    def count(path):
        staff.get(path)  # warm the host -> tenant cache, counted separately by the bench
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(path).status_code == 200
        return len(queries)

    case = _bulk_cases(aracaju, 3)
    few_inbox = count("/staff/protocolos/")
    few_case = count(f"/staff/protocolos/{nup_digits(nup=case.nup)}/")
    case = _bulk_cases(aracaju, 20)
    many_inbox = count("/staff/protocolos/")
    many_case = count(f"/staff/protocolos/{nup_digits(nup=case.nup)}/")

    assert many_inbox == few_inbox
    assert many_case == few_case


def test_the_requester_downloads_the_receipt_pdf_but_not_internal_dispatches(aracaju):
    from tenant_apps.cases.services import case_dispatch
    from tenant_apps.documents.enums import AccessAction, DocumentKind
    from tenant_apps.documents.models import DocumentAccessLog

    citizen = client_for("citizen", aracaju)
    with tenant_context(aracaju):
        _open_via_portal(citizen)
        case = Case.objects.get(subject="Árvore inclinada")
        from tenant_apps.accounts.models import User

        sergio = User.objects.get(email="servidor@aracaju.se.gov.br")
        internal = case_dispatch(
            case=case, actor=sergio, text="Nota interna: conferir cadastro.", is_public=False
        )
        receipt = case.case_documents.get(document__kind=DocumentKind.REQUEST).document
    digits = nup_digits(nup=case.nup)

    page = citizen.get(f"/protocolos/{digits}/")
    pdf = citizen.get(f"/protocolos/{digits}/documentos/{receipt.pk}.pdf")
    hidden = citizen.get(f"/protocolos/{digits}/documentos/{internal.document.pk}.pdf")

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert receipt.verification_code in page.text
    assert internal.document.verification_code not in page.text
    assert "Nota interna" not in page.text
    assert hidden.status_code == 404
    with tenant_context(aracaju):
        assert list(DocumentAccessLog.objects.filter(document=receipt).values_list("action", flat=True)) == [
            AccessAction.DOWNLOAD
        ]


def test_internal_forwarding_notes_are_not_shown_to_the_requester(aracaju):
    from tenant_apps.accounts.models import User
    from tenant_apps.cases.services import case_forward

    citizen = client_for("citizen", aracaju)
    with tenant_context(aracaju):
        _open_via_portal(citizen)
        case = Case.objects.get(subject="Árvore inclinada")
        sergio = User.objects.get(email="servidor@aracaju.se.gov.br")
        case_forward(
            case=case, actor=sergio, to_unit=OrgUnit.objects.get(acronym="SEMA"), note="Nota só da equipe"
        )
    digits = nup_digits(nup=case.nup)

    page = citizen.get(f"/protocolos/{digits}/")
    api = citizen.get(f"/api/v1/cases/{digits}/history/")
    staff_page = client_for("staff", aracaju).get(f"/staff/protocolos/{digits}/")

    # the citizen reads the units' names, not their acronyms
    assert (
        "Tramitado da Empresa Municipal de Serviços Urbanos para a Secretaria Municipal do Meio Ambiente"
        in page.text
    )
    assert "Nota só da equipe" not in page.text
    assert api.status_code == 200
    assert "Nota só da equipe" not in api.content.decode()
    assert "Nota só da equipe" in staff_page.text


def test_staff_open_a_case_at_the_counter_for_a_new_requester(aracaju):
    from tenant_apps.cases.enums import CaseChannel

    staff = client_for("staff", aracaju)
    service_form = {**FORM, "subject": "Atendimento no balcão"}
    requester = {
        "requerente-cpf": "390.533.447-05",
        "requerente-full_name": "José do Balcão",
        "requerente-email": "jose.balcao@exemplo.com.br",
    }
    with tenant_context(aracaju):
        before = Case.objects.count()
        bad_cpf = staff.post(
            "/staff/protocolos/novo/poda-de-arvore/", {**service_form, **requester, "requerente-cpf": "123"}
        )
        no_cpf = staff.post("/staff/protocolos/novo/poda-de-arvore/", service_form)
        unchanged = Case.objects.count()
        ok = staff.post("/staff/protocolos/novo/poda-de-arvore/", {**service_form, **requester})
        case = Case.objects.get(subject="Atendimento no balcão")
        from tenant_apps.accounts.models import User

        jose = User.objects.get(cpf="39053344705")
        opener = case.opened_by.email

    assert (bad_cpf.status_code, no_cpf.status_code) == (400, 400)
    assert "CPF inválido: confira os números digitados." in bad_cpf.text
    assert "Informe o CPF do requerente." in no_cpf.text
    assert unchanged == before
    assert ok.status_code == 302
    assert ok["Location"] == f"/staff/protocolos/{nup_digits(nup=case.nup)}/"
    assert (case.channel, case.citizen_id, opener) == (
        CaseChannel.STAFF,
        jose.pk,
        "servidor@aracaju.se.gov.br",
    )
    assert (jose.full_name, jose.email, jose.has_usable_password()) == (
        "José do Balcão",
        "jose.balcao@exemplo.com.br",
        False,
    )


def test_staff_open_an_internal_request_without_a_requester(gravatai):
    staff = client_for("staff", gravatai)
    with tenant_context(gravatai):
        from tenant_apps.catalog.models import Service

        sesmt = Service.objects.get(code="avaliacao-sesmt")
        public_page = client_for("citizen", gravatai).get("/servicos/avaliacao-sesmt/")
        response = staff.post("/staff/protocolos/novo/avaliacao-sesmt/", {"local": "Almoxarifado central"})
        case = Case.objects.get(service=sesmt)

    assert public_page.status_code == 404  # internal services are not in the citizens' catalogue
    assert response.status_code == 302
    assert (case.citizen, case.form_data) == (None, {"local": "Almoxarifado central"})
