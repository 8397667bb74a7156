import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.utils import DatabaseError
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.cases.enums import CaseStatus, EventKind
from tenant_apps.cases.history import history_verify
from tenant_apps.cases.models import CaseEvent
from tenant_apps.cases.nup import nup_is_valid
from tenant_apps.cases.services import (
    case_answer_information,
    case_close,
    case_dispatch,
    case_forward,
    case_open,
    case_reopen,
    case_request_information,
)
from tenant_apps.documents.models import Attachment
from tenant_apps.notifications.models import Notification
from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures.models import Signature
from tenant_apps.signatures.selectors import signatures_verified
from tenant_apps.signatures.services import kind_policy_set
from tests.cases.conftest import png_upload

FORM = {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}


def test_a_citizen_opens_a_case_with_an_attachment(citizen, poda, emsurb_staff):
    case = case_open(service=poda, opened_by=citizen, form_data=FORM, uploads=[png_upload()])

    assert nup_is_valid(case.nup)
    assert case.nup.startswith("10005.")
    assert case.status == CaseStatus.NEW
    assert case.current_unit.acronym == "EMSURB"
    assert case.citizen == citizen
    assert case.form_data == {"endereco": "Rua Laranjeiras, 100, Centro", "motivo": "Galhos na fiação"}
    assert case.deadline > timezone.localdate()
    attachment = Attachment.objects.get(document__case_links__case=case)
    assert (attachment.content_type, attachment.label, attachment.size) == ("image/png", "Foto da árvore", 72)
    assert [event.kind for event in case.events.all()] == [EventKind.OPENED]
    sergio = User.objects.get(email="servidor@aracaju.se.gov.br")  # the demo clerk also serves EMSURB
    sent = Notification.objects.filter(subject_kind="case", subject_id=case.pk).values_list(
        "channel", "address", "recipient"
    )
    assert sorted(sent) == [
        ("email", "cidadao@exemplo.com.br", citizen.pk),
        ("inbox", "", sergio.pk),
        ("inbox", "", emsurb_staff.pk),
    ]


def test_bad_form_data_is_refused_and_nothing_is_saved(citizen, poda):
    with pytest.raises(ApplicationError, match="Motivo: escolha uma das opções."):
        case_open(service=poda, opened_by=citizen, form_data={**FORM, "motivo": "Porque sim"})

    assert not poda.cases.exists()


def test_missing_required_attachment_is_refused(in_aracaju, citizen):
    from tenant_apps.catalog.models import Service

    certidao = Service.objects.get(code="certidao-negativa-de-debitos")
    with pytest.raises(ApplicationError, match="Documento de identificação"):
        case_open(
            service=certidao,
            opened_by=citizen,
            form_data={"cpf_contribuinte": "529.982.247-25", "finalidade": "Financiamento"},
        )


def test_the_whole_flow_keeps_a_verifiable_history(citizen, poda, emsurb_staff, sema_staff):
    case = case_open(service=poda, opened_by=citizen, form_data=FORM)

    case_dispatch(case=case, actor=emsurb_staff, text="Vistoria agendada.")
    case_forward(
        case=case, actor=emsurb_staff, to_unit=OrgUnit.objects.get(acronym="SEMA"), note="Avaliar árvore"
    )
    with pytest.raises(PermissionDenied):
        case_dispatch(case=case, actor=emsurb_staff, text="Já não está na minha unidade")
    case_request_information(case=case, actor=sema_staff, question="A árvore fica em frente ao número 100?")
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CITIZEN
    case_answer_information(
        case=case, citizen=citizen, answer="Sim, em frente ao 100.", uploads=[png_upload()]
    )
    case_close(case=case, actor=sema_staff, answer="Poda realizada em 20/11.")
    case_reopen(case=case, actor=sema_staff, reason="Galho voltou a tocar a fiação")

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.current_unit.acronym == "SEMA"
    assert [event.kind for event in case.events.order_by("sequence")] == [
        EventKind.OPENED,
        EventKind.DISPATCHED,
        EventKind.FORWARDED,
        EventKind.INFORMATION_REQUESTED,
        EventKind.INFORMATION_ANSWERED,
        EventKind.CLOSED,
        EventKind.REOPENED,
    ]
    report = history_verify(case)
    assert (report.is_valid, report.events) == (True, 7)
    # the dispatch and the final answer are PAdES signatures of their authors (tenant_apps.signatures)
    signed = Signature.objects.filter(document__case_links__case=case).select_related("document")
    assert sorted((s.document.kind, s.signer_id, s.level, s.is_certification) for s in signed) == [
        ("DESP", emsurb_staff.pk, "simples", True),
        ("RESP", sema_staff.pk, "simples", True),
    ]
    for signature in signed:
        verified, intact = signatures_verified(document=signature.document)
        assert intact
        assert [row.is_valid for row in verified] == [True]


def test_with_the_second_factor_the_dispatch_and_answer_are_advanced_signatures(citizen, poda, emsurb_staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.signatures.conftest import otp_now

    TOTPDevice.objects.create(user=emsurb_staff, name="default", confirmed=True)
    case = case_open(service=poda, opened_by=citizen, form_data=FORM)

    case_dispatch(case=case, actor=emsurb_staff, text="Vistoria agendada.", otp_token=otp_now(emsurb_staff))
    case_close(case=case, actor=emsurb_staff, answer="Poda feita.", otp_token=otp_now(emsurb_staff, drift=1))

    signed = Signature.objects.filter(document__case_links__case=case).select_related("document")
    assert sorted((s.document.kind, s.level) for s in signed) == [("DESP", "avancada"), ("RESP", "avancada")]


def test_a_dispatch_below_the_minimum_level_is_refused_and_nothing_is_saved(citizen, poda, emsurb_staff):
    case = case_open(service=poda, opened_by=citizen, form_data=FORM)
    kind_policy_set(kind="DESP", minimum_level="avancada")
    events_before = case.events.count()

    with pytest.raises(ApplicationError, match="exige assinatura avançada"):
        case_dispatch(case=case, actor=emsurb_staff, text="Vistoria agendada.")
    with pytest.raises(ApplicationError, match="segundo fator"):
        case_dispatch(case=case, actor=emsurb_staff, text="Vistoria agendada.", otp_token="000000")

    assert case.events.count() == events_before
    assert not case.case_documents.filter(document__kind="DESP").exists()


def test_history_is_append_only_in_the_database(citizen, poda):
    case = case_open(service=poda, opened_by=citizen, form_data=FORM)
    event = case.events.get()

    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET summary = 'adulterado' WHERE id = %s", [event.pk])


def test_tampering_is_found_by_the_verifier(citizen, poda, emsurb_staff):
    case = case_open(service=poda, opened_by=citizen, form_data=FORM)
    case_dispatch(case=case, actor=emsurb_staff, text="Vistoria agendada.")
    with connection.cursor() as cursor:
        # a database superuser bypassing the trigger, as an attacker with full access would
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE cases_caseevent SET summary = 'adulterado' WHERE case_id = %s AND sequence = 1", [case.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")

    report = history_verify(case)

    assert (report.is_valid, report.first_broken_sequence) == (False, 1)
    assert report.reason == "conteúdo alterado depois de registrado"
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_verify_command_reports_intact_and_tampered_histories(citizen, poda, emsurb_staff):
    from io import StringIO

    from django.core.management import CommandError, call_command

    case = case_open(service=poda, opened_by=citizen, form_data=FORM)
    case_dispatch(case=case, actor=emsurb_staff, text="Vistoria agendada.")
    output = StringIO()

    call_command("verify_case_history", "--schema", "aracaju", "--nup", case.nup, stdout=output)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE cases_caseevent SET payload = '{}' WHERE case_id = %s AND sequence = 2", [case.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    tampered = StringIO()
    with pytest.raises(CommandError, match="1 protocolo"):
        call_command("verify_case_history", "--schema", "aracaju", "--nup", case.nup, stdout=tampered)

    assert output.getvalue() == f"{case.nup}: íntegro (2 registros)\n"
    assert (
        f"{case.nup}: ADULTERADO no registro 2: conteúdo alterado depois de registrado" in tampered.getvalue()
    )
