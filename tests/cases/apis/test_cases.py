"""The Protocolo REST API: every endpoint's happy path, with the exact payloads, and its refusals."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.utils import timezone

from tenant_apps.cases.models import Case, CaseEvent
from tenant_apps.cases.nup import nup_is_valid
from tenant_apps.cases.services import (
    case_close,
    case_dispatch,
    case_forward,
    case_request_information,
    deadline_compute,
    nup_digits,
)
from tenant_apps.documents.models import Attachment, Document
from tenant_apps.org.models import OrgUnit
from tests.api.conftest import FORM, case_state, local_iso, png, session_client

EMSURB = {"acronym": "EMSURB", "name": "Empresa Municipal de Serviços Urbanos"}
SEMA = {"acronym": "SEMA", "name": "Secretaria Municipal do Meio Ambiente"}
PODA = {"code": "poda-de-arvore", "name": "Poda de árvore"}


def event_json(event: CaseEvent) -> dict:
    return {
        "sequence": event.sequence,
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "occurred_at": local_iso(event.occurred_at),
        "actor_name": event.actor_name,
        "unit": event.unit.acronym if event.unit else None,
        "summary": event.summary,
        "payload": event.payload,
        "is_public": event.is_public,
        "hash": event.hash,
    }


def row_json(case: Case) -> dict:
    case.refresh_from_db()
    return {
        "nup": case.nup,
        "nup_digits": nup_digits(nup=case.nup),
        "subject": case.subject,
        "service": {"code": case.service.code, "name": case.service.name},
        "status": case.status,
        "status_label": case.get_status_display(),
        "unit": {"acronym": case.current_unit.acronym, "name": case.current_unit.name},
        "deadline": case.deadline.isoformat(),
        "is_overdue": False,
        "opened_at": local_iso(case.opened_at),
        "last_event_at": local_iso(case.last_event_at),
    }


# --- opening ----------------------------------------------------------------------------------------


def test_a_citizen_opens_a_case_with_json(aracaju, citizen, poda):
    client = session_client(citizen, aracaju)

    response = client.post(
        "/api/v1/cases/",
        {
            "service": "poda-de-arvore",
            "subject": "Galho caído na fiação",
            "description": "Em frente à escola.",
            "form_data": {**FORM, "referencia": ""},
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    case = Case.objects.get(subject="Galho caído na fiação")
    opened = case.events.get()
    assert response.json() == {
        "nup": case.nup,
        "nup_digits": nup_digits(nup=case.nup),
        "subject": "Galho caído na fiação",
        "service": PODA,
        "status": "novo",
        "status_label": "Novo",
        "unit": EMSURB,
        "deadline": deadline_compute(service=poda, start=timezone.localdate()).isoformat(),
        "is_overdue": False,
        "opened_at": local_iso(case.opened_at),
        "last_event_at": local_iso(case.last_event_at),
        "description": "Em frente à escola.",
        "form_data": {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"},
        "opening_unit": EMSURB,
        "paused_since": None,
        "closed_at": None,
        "final_answer": "",
        "pending_question": None,
        "assigned_to": None,
        "history": [
            {
                "sequence": 1,
                "kind": "opened",
                "kind_label": "Protocolo aberto",
                "occurred_at": local_iso(opened.occurred_at),
                "actor_name": "Maria da Silva Santos",
                "unit": "EMSURB",
                "summary": "Protocolo aberto: Poda de árvore. Encaminhado à EMSURB.",
                "payload": {
                    "service": "poda-de-arvore",
                    "unit": "EMSURB",
                    "deadline": case.deadline.isoformat(),
                    "request_document": opened.payload["request_document"],
                    "attachments": 0,
                },
                "is_public": True,
                "hash": opened.hash,
            }
        ],
    }
    assert nup_is_valid(case.nup)
    assert (case.channel, case.citizen, case.opened_by) == ("api", citizen, citizen)


def test_a_citizen_opens_a_case_with_files_in_multipart(aracaju, citizen):
    client = session_client(citizen, aracaju)

    response = client.post(
        "/api/v1/cases/",
        {
            "service": "certidao-negativa-de-debitos",
            "form_data": json.dumps({"cpf_contribuinte": "529.982.247-25", "finalidade": "Financiamento"}),
            "anexos": [png("rg.png"), png("comprovante.png")],
            "rotulos": ["Documento de identificação"],
        },
    )

    assert response.status_code == 201
    case = Case.objects.get(nup=response.json()["nup"])
    assert response.json()["subject"] == "Certidão negativa de débitos"
    assert response.json()["unit"] == {"acronym": "SEFAZ-TRIB", "name": "Coordenadoria de Tributos"}
    assert case.form_data == {"cpf_contribuinte": "52998224725", "finalidade": "Financiamento"}
    assert list(
        Attachment.objects.filter(document__case_links__case=case)
        .order_by("id")
        .values_list("original_name", "label", "content_type", "size")
    ) == [("rg.png", "Documento de identificação", "image/png", 72), ("comprovante.png", "", "image/png", 72)]
    assert response.json()["history"][0]["payload"]["attachments"] == 2


def test_form_answers_may_also_come_as_one_multipart_part_each(aracaju, citizen):
    client = session_client(citizen, aracaju)

    response = client.post(
        "/api/v1/cases/",
        {"service": "poda-de-arvore", "form_data.endereco": "Rua B, 2", "form_data.motivo": "Outro"},
    )

    assert response.status_code == 201
    assert response.json()["form_data"] == {"endereco": "Rua B, 2", "motivo": "Outro"}


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"service": ["Este campo é obrigatório."]}),
        (
            {"service": "nao-existe", "subject": "x" * 301},
            {
                "service": ["Serviço não encontrado na carta de serviços."],
                "subject": ["Certifique-se de que este campo não tenha mais de 300 caracteres."],
            },
        ),
        # another city's service is unknown here
        ({"service": "revisao-de-iptu"}, {"service": ["Serviço não encontrado na carta de serviços."]}),
        (
            {"service": "poda-de-arvore", "form_data": {"motivo": "Outro"}},
            {"form_data": {"endereco": ["Endereço da árvore: campo obrigatório."]}},
        ),
        (
            {"service": "poda-de-arvore", "form_data": {**FORM, "motivo": "Porque sim"}},
            {"form_data": {"motivo": ["Motivo: escolha uma das opções."]}},
        ),
        (
            {
                "service": "certidao-negativa-de-debitos",
                "form_data": {"cpf_contribuinte": "123.456.789-00", "finalidade": "Financiamento"},
            },
            {"form_data": {"cpf_contribuinte": ["CPF do contribuinte: CPF inválido."]}},
        ),
        (
            {
                "service": "certidao-negativa-de-debitos",
                "form_data": {"cpf_contribuinte": "529.982.247-25", "finalidade": "Financiamento"},
            },
            {"anexos": ["Anexe os documentos obrigatórios: Documento de identificação."]},
        ),
        (
            {"service": "poda-de-arvore", "form_data": "{endereco"},
            {"form_data": ["Envie um objeto JSON válido."]},
        ),
        (
            {"service": "poda-de-arvore", "form_data": ["Rua A"]},
            {"form_data": ['Esperava um dicionário de itens, mas recebeu tipo "list".']},
        ),
        (
            {"service": "poda-de-arvore", "form_data": FORM, "anexos": ["arvore.png"]},
            {"anexos": {"0": ["O valor enviado não é um arquivo: envie como multipart/form-data."]}},
        ),
    ],
)
def test_bad_requests_are_refused_field_by_field_in_portuguese(aracaju, citizen, payload, errors):
    client = session_client(citizen, aracaju)
    cases_before, documents_before = Case.objects.count(), Document.objects.count()

    response = client.post("/api/v1/cases/", payload, content_type="application/json")

    assert (response.status_code, response.json()) == (400, errors)
    assert (Case.objects.count(), Document.objects.count()) == (cases_before, documents_before)


@pytest.mark.parametrize(
    ("files", "labels", "errors"),
    [
        ([], ["Foto da árvore"], {"rotulos": ["Há mais rótulos do que arquivos."]}),
        (
            ["virus.exe"],
            [],
            {"anexos": ["O arquivo “virus.exe” não é de um tipo aceito (PDF, imagem, texto, DOCX ou ODT)."]},
        ),
        (["vazio.png"], [], {"anexos": {"0": ["O arquivo enviado está vazio."]}}),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(aracaju, citizen, files, labels, errors):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contents = {"virus.exe": b"MZ\x90\x00" + b"\x00" * 64, "vazio.png": b""}
    client = session_client(citizen, aracaju)
    attachments_before = Attachment.objects.count()

    response = client.post(
        "/api/v1/cases/",
        {
            "service": "poda-de-arvore",
            "form_data": json.dumps(FORM),
            "anexos": [SimpleUploadedFile(name, contents[name]) for name in files],
            "rotulos": labels,
        },
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert Attachment.objects.count() == attachments_before
    assert not Case.objects.filter(service__code="poda-de-arvore").exists()


def test_only_citizens_open_cases_here(aracaju, unit_staff):
    response = session_client(unit_staff, aracaju).post(
        "/api/v1/cases/", {"service": "poda-de-arvore", "form_data": FORM}, content_type="application/json"
    )

    assert (response.status_code, response.json()) == (403, {"detail": "Esta operação é só para cidadãos."})
    assert not Case.objects.exists()


# --- listing ----------------------------------------------------------------------------------------


def test_a_citizen_lists_their_own_cases_only(aracaju, clients, case):
    mine = clients["owner"].get("/api/v1/cases/")
    theirs = clients["other_citizen"].get("/api/v1/cases/")

    assert mine.json() == {"results": [row_json(case)], "next": None}
    assert theirs.json() == {"results": [], "next": None}


def test_staff_work_a_unit_inbox_with_filters_and_search(aracaju, clients, case, citizen, poda, unit_staff):
    from tenant_apps.cases.services import case_open

    other = case_open(
        service=poda,
        opened_by=citizen,
        form_data={**FORM, "motivo": "Risco de queda"},
        subject="Ipê inclinado",
    )
    case_dispatch(case=case, actor=unit_staff, text="Equipe agendada.")
    staff = clients["unit_staff"]

    inbox = staff.get("/api/v1/cases/?unidade=emsurb")
    started = staff.get("/api/v1/cases/?unidade=EMSURB&situacao=em_andamento")
    found = staff.get("/api/v1/cases/", {"unidade": "EMSURB", "q": "ipe inclinado"})

    assert inbox.json() == {"results": [row_json(case), row_json(other)], "next": None}
    assert started.json() == {"results": [row_json(case)], "next": None}
    assert found.json() == {"results": [row_json(other)], "next": None}
    assert clients["manager"].get("/api/v1/cases/?unidade=EMSURB&situacao=novo").json()["results"] == [
        row_json(other)
    ]


def test_an_inbox_of_someone_elses_unit_is_not_found(aracaju, clients, case):
    assert clients["unit_staff"].get("/api/v1/cases/?unidade=SEMA").status_code == 404
    assert clients["unit_staff"].get("/api/v1/cases/?unidade=NAO-EXISTE").status_code == 404
    assert clients["owner"].get("/api/v1/cases/?unidade=EMSURB").status_code == 404
    assert clients["unit_staff"].get("/api/v1/cases/?unidade=EMSURB&situacao=parado").json() == {
        "situacao": ['"parado" não é uma escolha válida.']
    }


def test_the_list_pages_with_a_cursor(aracaju, clients, citizen, poda):
    from tenant_apps.cases.services import case_open

    opened = [
        case_open(service=poda, opened_by=citizen, form_data=FORM, subject=f"Árvore {n}") for n in range(27)
    ]
    newest_first = [nup_digits(nup=case.nup) for case in reversed(opened)]

    first = clients["owner"].get("/api/v1/cases/").json()
    second = clients["owner"].get("/api/v1/cases/", {"cursor": first["next"]}).json()
    inbox_first = clients["unit_staff"].get("/api/v1/cases/?unidade=EMSURB").json()
    inbox_second = (
        clients["unit_staff"].get(f"/api/v1/cases/?unidade=EMSURB&cursor={inbox_first['next']}").json()
    )

    assert [row["nup_digits"] for row in first["results"]] == newest_first[:25]
    assert ([row["nup_digits"] for row in second["results"]], second["next"]) == (newest_first[25:], None)
    assert [row["nup_digits"] for row in inbox_first["results"] + inbox_second["results"]] == newest_first
    assert inbox_second["next"] is None


# --- one case ---------------------------------------------------------------------------------------


def test_the_citizen_sees_only_the_public_history_and_staff_see_it_all(
    aracaju, clients, case, digits, unit_staff
):
    case_dispatch(case=case, actor=unit_staff, text="Verificar se há fiação de alta tensão.", is_public=False)
    case_dispatch(case=case, actor=unit_staff, text="Vistoria marcada para segunda.")
    events = list(case.events.order_by("sequence"))

    citizen_view = clients["owner"].get(f"/api/v1/cases/{digits}/").json()
    staff_view = clients["unit_staff"].get(f"/api/v1/cases/{digits}/").json()

    assert citizen_view["history"] == [event_json(events[0]), event_json(events[2])]
    assert staff_view["history"] == [event_json(event) for event in events]
    assert [event["summary"] for event in staff_view["history"]] == [
        "Protocolo aberto: Poda de árvore. Encaminhado à EMSURB.",
        "Despacho da EMSURB",
        "Despacho da EMSURB",
    ]
    assert staff_view["history"][1]["payload"]["text"] == "Verificar se há fiação de alta tensão."
    assert {key: value for key, value in citizen_view.items() if key != "history"} == {
        key: value for key, value in staff_view.items() if key != "history"
    }
    assert citizen_view["status"] == "em_andamento"
    assert clients["owner"].get(f"/api/v1/cases/{digits}/history/").json() == citizen_view["history"]
    assert clients["unit_staff"].get(f"/api/v1/cases/{digits}/history/").json() == staff_view["history"]


def test_a_case_is_found_by_its_formatted_nup_too(aracaju, clients, case, digits):
    formatted = clients["owner"].get(f"/api/v1/cases/{quote(case.nup, safe='')}/")

    assert formatted.status_code == 200
    assert formatted.json() == clients["owner"].get(f"/api/v1/cases/{digits}/").json()


def test_unknown_cases_are_not_found(aracaju, clients, case, digits):
    unknown = digits[:-1] + str((int(digits[-1]) + 1) % 10)

    assert clients["owner"].get(f"/api/v1/cases/{unknown}/").json() == {"detail": "Não encontrado."}
    assert clients["owner"].get("/api/v1/cases/123/").status_code == 404


# --- actions ----------------------------------------------------------------------------------------


def test_staff_forward_a_case_to_another_unit(aracaju, clients, case, digits, unit_staff):
    response = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/forward/",
        {"to_unit": "SEMA", "note": "Árvore em área de preservação."},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["unit"], body["opening_unit"]) == ("em_andamento", SEMA, EMSURB)
    assert body["history"][-1] == event_json(case.events.get(sequence=2))
    assert body["history"][-1]["summary"] == "Tramitado da EMSURB para a SEMA"
    assert body["history"][-1]["payload"] == {
        "from": "EMSURB",
        "to": "SEMA",
        "note": "Árvore em área de preservação.",
    }
    move = case.moves.get()
    assert (move.from_unit.acronym, move.to_unit.acronym, move.moved_by) == ("EMSURB", "SEMA", unit_staff)


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"to_unit": ["Este campo é obrigatório."]}),
        ({"to_unit": " "}, {"to_unit": ["Este campo não pode ficar em branco."]}),
        ({"to_unit": "NASA"}, {"to_unit": ["Unidade não encontrada."]}),
        ({"to_unit": "EMSURB"}, {"to_unit": ["O protocolo já está nesta unidade."]}),
    ],
)
def test_a_bad_forward_changes_nothing(aracaju, clients, case, digits, payload, errors):
    before = case_state(case)

    response = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/forward/", payload, content_type="application/json"
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert case_state(case) == before


def test_staff_dispatch_publicly_or_internally(aracaju, clients, case, digits):
    public = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/dispatch/", {"text": "Vistoria marcada."}, content_type="application/json"
    )
    internal = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/dispatch/",
        {"text": "Cuidado: cão bravo.", "is_public": False},
        content_type="application/json",
    )

    assert public.status_code == internal.status_code == 200
    assert [
        (event["summary"], event["is_public"], event["payload"]["text"])
        for event in internal.json()["history"][1:]
    ] == [
        ("Despacho da EMSURB", True, "Vistoria marcada."),
        ("Despacho da EMSURB", False, "Cuidado: cão bravo."),
    ]
    assert list(case.dispatches.values_list("text", flat=True)) == [
        "Vistoria marcada.",
        "Cuidado: cão bravo.",
    ]
    assert [
        event["sequence"] for event in clients["owner"].get(f"/api/v1/cases/{digits}/history/").json()
    ] == [1, 2]


def test_a_dispatch_without_text_is_refused(aracaju, clients, case, digits):
    before = case_state(case)

    missing = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/dispatch/", {}, content_type="application/json"
    )
    blank = clients["unit_staff"].post(f"/api/v1/cases/{digits}/dispatch/", {"text": "  "})

    assert missing.json() == {"text": ["Este campo é obrigatório."]}
    assert blank.json() == {"text": ["Este campo não pode ficar em branco."]}
    assert case_state(case) == before


def test_staff_attach_files(aracaju, clients, case, digits):
    response = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/attachments/",
        {"anexos": [png("laudo.png"), png("foto2.png")], "rotulos": ["Laudo", "Foto"]},
    )

    assert response.status_code == 200
    attached = response.json()["history"][-1]
    assert (attached["kind"], attached["summary"], attached["is_public"]) == (
        "attached",
        "2 documento(s) juntado(s)",
        True,
    )
    assert attached["payload"]["files"] == ["laudo.png", "foto2.png"]
    assert list(
        Attachment.objects.filter(document__case_links__case=case, label__in=["Laudo", "Foto"])
        .order_by("id")
        .values_list("original_name", "label")
    ) == [("laudo.png", "Laudo"), ("foto2.png", "Foto")]


def test_attaching_nothing_is_refused(aracaju, clients, case, digits):
    before = case_state(case)

    response = clients["unit_staff"].post(f"/api/v1/cases/{digits}/attachments/", {"rotulos": []})

    assert (response.status_code, response.json()) == (400, {"anexos": ["Este campo é obrigatório."]})
    assert case_state(case) == before


def test_staff_ask_and_the_citizen_answers_with_a_file(aracaju, clients, case, digits, citizen):
    asked = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/request-information/",
        {"question": "Qual o número da casa em frente?"},
        content_type="application/json",
    )
    seen_by_citizen = clients["owner"].get(f"/api/v1/cases/{digits}/").json()
    answered = clients["owner"].post(
        f"/api/v1/cases/{digits}/answer/",
        {"answer": "Número 100.", "anexos": [png("fachada.png")], "rotulos": ["Fachada"]},
    )

    assert asked.status_code == 200
    assert (asked.json()["status"], asked.json()["pending_question"]) == (
        "aguardando_cidadao",
        "Qual o número da casa em frente?",
    )
    assert asked.json()["paused_since"] is not None
    assert seen_by_citizen["pending_question"] == "Qual o número da casa em frente?"
    assert answered.status_code == 200
    body = answered.json()
    assert (body["status"], body["pending_question"], body["paused_since"]) == ("em_andamento", None, None)
    assert body["history"][-1]["kind"] == "information_answered"
    assert body["history"][-1]["payload"]["answer"] == "Número 100."
    question = case.information_requests.get()
    assert (question.answer, question.answered_by) == ("Número 100.", citizen)
    assert Attachment.objects.filter(label="Fachada", document__case_links__case=case).count() == 1


def test_an_answer_without_a_pending_question_or_without_content_is_refused(
    aracaju, clients, case, digits, unit_staff
):
    nothing_pending = clients["owner"].post(f"/api/v1/cases/{digits}/answer/", {"answer": "Oi"})
    case_request_information(case=case, actor=unit_staff, question="Qual o número?")
    before = case_state(case)
    empty = clients["owner"].post(f"/api/v1/cases/{digits}/answer/", {"answer": ""})

    assert (nothing_pending.status_code, nothing_pending.json()) == (
        400,
        {"message": "Não há pedido de informações aguardando resposta neste protocolo.", "extra": {}},
    )
    assert (empty.status_code, empty.json()) == (
        400,
        {"answer": ["Escreva a resposta ou anexe um documento."]},
    )
    assert case_state(case) == before


def test_staff_close_and_reopen(aracaju, clients, case, digits):
    closed = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/close/",
        {"answer": "Poda realizada em 10/03."},
        content_type="application/json",
    )
    closed_at = Case.objects.get(pk=case.pk).closed_at
    closed_again = clients["unit_staff"].post(f"/api/v1/cases/{digits}/close/", {"answer": "De novo."})
    reopened = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/reopen/", {"reason": "Galhos voltaram a tocar a fiação."}
    )

    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["final_answer"]) == (
        "concluido",
        "Poda realizada em 10/03.",
    )
    assert closed.json()["closed_at"] == local_iso(closed_at)
    assert closed.json()["history"][-1]["summary"] == "Concluído pela EMSURB"
    assert closed_again.json() == {
        "message": "Este protocolo está concluído. Reabra-o para movimentar.",
        "extra": {},
    }
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["closed_at"]) == ("em_andamento", None)
    assert reopened.json()["history"][-1]["payload"]["reason"] == "Galhos voltaram a tocar a fiação."


def test_reopening_an_open_case_is_refused(aracaju, clients, case, digits):
    before = case_state(case)

    response = clients["unit_staff"].post(f"/api/v1/cases/{digits}/reopen/", {"reason": "Porque sim."})

    assert response.json() == {"message": "Só protocolos concluídos podem ser reabertos.", "extra": {}}
    assert case_state(case) == before


def test_the_manager_assigns_a_case(aracaju, clients, case, digits, unit_staff):
    response = clients["manager"].post(
        f"/api/v1/cases/{digits}/assign/",
        {"assignee": "EDNA@aracaju.se.gov.br"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["assigned_to"] == {"full_name": "Edna Emsurb", "email": "edna@aracaju.se.gov.br"}
    assert response.json()["history"][-1]["summary"] == "Atribuído a Edna Emsurb"
    assert Case.objects.get(pk=case.pk).assigned_to == unit_staff
    # the citizen does not see who works on it, nor the internal assignment entry
    citizen_view = clients["owner"].get(f"/api/v1/cases/{digits}/").json()
    assert citizen_view["assigned_to"] is None
    assert [event["kind"] for event in citizen_view["history"]] == ["opened"]


@pytest.mark.parametrize(
    ("assignee", "errors"),
    [
        ("sandro@aracaju.se.gov.br", {"assignee": ["O servidor escolhido não é lotado nesta unidade."]}),
        ("ninguem@aracaju.se.gov.br", {"assignee": ["Não há servidor ativo com este e-mail."]}),
        ("cidadao@exemplo.com.br", {"assignee": ["Não há servidor ativo com este e-mail."]}),
        ("nao-e-email", {"assignee": ["Insira um endereço de email válido."]}),
    ],
)
def test_a_bad_assignment_changes_nothing(aracaju, clients, case, digits, assignee, errors):
    before = case_state(case)

    response = clients["manager"].post(f"/api/v1/cases/{digits}/assign/", {"assignee": assignee})

    assert (response.status_code, response.json()) == (400, errors)
    assert case_state(case) == before


def test_a_case_forwarded_away_stays_visible_but_not_actionable(
    aracaju, clients, case, digits, unit_staff, other_staff
):
    case_forward(case=case, actor=unit_staff, to_unit=OrgUnit.objects.get(acronym="SEMA"))
    before = case_state(case)

    seen = clients["unit_staff"].get(f"/api/v1/cases/{digits}/")
    refused = clients["unit_staff"].post(
        f"/api/v1/cases/{digits}/dispatch/", {"text": "Ainda quero despachar."}
    )
    after_refusal = case_state(case)
    now_theirs = clients["other_staff"].post(
        f"/api/v1/cases/{digits}/dispatch/", {"text": "Recebido na SEMA."}
    )

    assert seen.status_code == 200
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "Só servidores da unidade onde o protocolo está podem movimentá-lo."},
    )
    assert after_refusal == before
    assert now_theirs.status_code == 200
    assert list(case.dispatches.values_list("author", "text")) == [(other_staff.pk, "Recebido na SEMA.")]


def test_closed_cases_refuse_staff_actions(aracaju, clients, case, digits, unit_staff):
    case_close(case=case, actor=unit_staff, answer="Feito.")
    before = case_state(case)

    response = clients["unit_staff"].post(f"/api/v1/cases/{digits}/forward/", {"to_unit": "SEMA"})

    assert response.json() == {
        "message": "Este protocolo está concluído. Reabra-o para movimentar.",
        "extra": {},
    }
    assert case_state(case) == before
