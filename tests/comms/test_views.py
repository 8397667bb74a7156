"""Staff pages of memos and circulars: forms, thread actions, ciência, live list, reminder, exports."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from paco_demo import cities as demo
from tenant_apps.comms.fanout import circular_fanout
from tenant_apps.comms.models import Circular, CircularReceipt, Memo
from tenant_apps.comms.services import circular_send, memo_send
from tenant_apps.org.models import Membership
from tests.comms.conftest import memo_signed
from tests.factories import staff_in

HOST = "aracaju.localhost"


def client_as(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True, key=demo.DEMO_TOTP_KEY_HEX)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def clients(org):
    return {
        "manager": client_as(org.manager),
        "child": client_as(org.child_staff),
        "grandchild": client_as(org.grandchild_staff),
        "other": client_as(org.other_staff),
    }


def _circular(org, unit_ids):
    circular = circular_send(
        author=org.manager, sender_unit=org.root, subject="Vacinação", body="Campanha.", unit_ids=unit_ids
    )
    circular_fanout(circular_id=circular.pk)
    return circular


def test_staff_write_a_memo_and_the_addressee_replies(org, clients):
    response = clients["child"].get("/staff/memorandos/novo/")
    assert response.status_code == 200
    response = clients["child"].post(
        "/staff/memorandos/novo/",
        {
            "sender_unit": org.child.pk,
            "subject": "Conserto",
            "body": "A impressora quebrou.",
            "to_units": [org.other.pk],
        },
    )
    memo = Memo.objects.get(subject="Conserto")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/memorandos/{memo.pk}/"
    inbox = clients["other"].get(f"/staff/memorandos/?unidade={org.other.acronym}")
    assert memo.document.number in inbox.content.decode()

    response = clients["other"].post(
        f"/staff/memorandos/{memo.pk}/responder/", {"body": "Técnico a caminho."}
    )
    reply = Memo.objects.get(parent=memo)
    assert response["Location"] == f"/staff/memorandos/{reply.pk}/"
    page = clients["child"].get(f"/staff/memorandos/{reply.pk}/").content.decode()
    assert "A impressora quebrou." in page
    assert "Técnico a caminho." in page
    assert clients["grandchild"].get(f"/staff/memorandos/{memo.pk}/").status_code == 404


def test_an_empty_memo_form_is_refused_and_saves_nothing(org, clients):
    response = clients["child"].post(
        "/staff/memorandos/novo/", {"sender_unit": org.child.pk, "subject": "X", "body": "Y"}
    )
    assert response.status_code == 400
    assert "Escolha ao menos um destinatário" in response.content.decode()
    assert Memo.objects.count() == 0


def test_only_managers_open_the_circular_form(org, clients):
    assert clients["child"].get("/staff/circulares/nova/").status_code == 403
    assert clients["manager"].get("/staff/circulares/nova/").status_code == 200
    response = clients["manager"].post(
        "/staff/circulares/nova/",
        {
            "sender_unit": org.root.pk,
            "subject": "Recesso",
            "body": "Recesso dia 24.",
            "units": [org.child.pk],
        },
    )
    circular = Circular.objects.get(subject="Recesso")
    assert response["Location"] == f"/staff/circulares/{circular.pk}/"


def test_a_recipient_opens_then_acknowledges_and_the_sender_sees_it(org, clients):
    circular = _circular(org, [org.child.pk, org.grandchild.pk])

    page = clients["child"].get(f"/staff/circulares/{circular.pk}/").content.decode()
    assert "Ciente" in page
    receipt = CircularReceipt.objects.get(circular=circular, user=org.child_staff)
    assert receipt.opened_at is not None
    assert receipt.acknowledged_at is None

    response = clients["child"].post(f"/staff/circulares/{circular.pk}/ciente/")
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None
    assert clients["other"].post(f"/staff/circulares/{circular.pk}/ciente/").status_code == 404

    partial = clients["manager"].get(f"/staff/circulares/{circular.pk}/ciencias/").content.decode()
    assert "1 de 2 deram ciência" in partial
    pending = (
        clients["manager"]
        .get(f"/staff/circulares/{circular.pk}/ciencias/?situacao=pendente")
        .content.decode()
    )
    assert "Nelo Neto" in pending
    assert "Fabi Filha" not in pending
    assert clients["child"].get(f"/staff/circulares/{circular.pk}/ciencias/").status_code == 404


def test_reminder_is_sent_once_per_click(org, clients):
    circular = _circular(org, [org.child.pk, org.grandchild.pk])
    page = clients["manager"].get(f"/staff/circulares/{circular.pk}/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    for _click in range(2):
        response = clients["manager"].post(f"/staff/circulares/{circular.pk}/lembrete/", {"token": token})
        assert response.status_code == 302
    assert circular.reminders.get().recipient_count == 2
    assert CircularReceipt.objects.filter(circular=circular, reminder_count=1).count() == 2
    assert (
        clients["child"].post(f"/staff/circulares/{circular.pk}/lembrete/", {"token": "x"}).status_code == 404
    )


def test_csv_and_pdf_exports_for_the_sender_only(org, clients):
    circular = _circular(org, [org.child.pk])
    response = clients["manager"].get(f"/staff/circulares/{circular.pk}/ciencias.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.content.decode("utf-8-sig").splitlines()[1]
        == f"Fabi Filha;{org.child_staff.email};Não abriu;;;"
    )
    pdf = clients["manager"].get(f"/staff/circulares/{circular.pk}/ciencias.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert clients["child"].get(f"/staff/circulares/{circular.pk}/ciencias.csv").status_code == 404


def test_the_acknowledgement_page_queries_do_not_grow_with_recipients(org, clients):
    def page_queries(count: int) -> int:
        for index in range(count):
            staff_in(org.other, email=f"lote{count}-{index}@teste.gov.br", full_name=f"Lote {index}")
        circular = _circular(org, [org.other.pk])
        CircularReceipt.objects.filter(circular=circular).update(opened_at=circular.created_at)
        client = clients["manager"]
        client.get(f"/staff/circulares/{circular.pk}/")  # warm the session and tenant caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/staff/circulares/{circular.pk}/")
        assert response.status_code == 200
        Membership.objects.filter(unit=org.other, user__email__startswith=f"lote{count}-").delete()
        return len(queries)

    assert page_queries(3) == page_queries(40)


def test_unit_activity_lists_own_units_only(org, clients):
    memo_send(
        author=org.child_staff, sender_unit=org.child, subject="Ofício", body="Texto", to_units=[org.other]
    )
    page = (
        clients["other"].get(f"/staff/comunicacoes/atividade/?unidade={org.other.acronym}").content.decode()
    )
    assert "Memorando recebido" in page
    assert "Ofício" in page
    # a unit that is not one's own falls back to one's own
    page = (
        clients["other"].get(f"/staff/comunicacoes/atividade/?unidade={org.child.acronym}").content.decode()
    )
    assert "T-OUTRA — Outra" in page


def test_replies_and_forwards_are_advanced_signatures_when_the_second_factor_code_is_typed(org, clients):
    from tenant_apps.signatures.models import Signature
    from tests.signatures.conftest import otp_now

    memo = memo_send(
        author=org.child_staff,
        sender_unit=org.child,
        subject="Conserto",
        body="Quebrou.",
        to_units=[org.other],
    )
    page = clients["other"].get(f"/staff/memorandos/{memo.pk}/").content.decode()
    assert page.count('name="otp_token"') == 2  # the reply form and the forward form

    wrong = clients["other"].post(
        f"/staff/memorandos/{memo.pk}/responder/", {"body": "Técnico a caminho.", "otp_token": "000000"}
    )
    assert wrong.status_code == 400
    assert not Memo.objects.filter(parent=memo).exists()

    replied = clients["other"].post(
        f"/staff/memorandos/{memo.pk}/responder/",
        {"body": "Técnico a caminho.", "otp_token": otp_now(org.other_staff)},
    )
    reply = Memo.objects.get(parent=memo, kind="resposta")
    assert replied["Location"] == f"/staff/memorandos/{reply.pk}/"
    assert Signature.objects.get(document=memo_signed(reply).document).level == "avancada"

    forwarded = clients["other"].post(
        f"/staff/memorandos/{memo.pk}/encaminhar/",
        {"note": "Para ciência.", "to_units": [org.root.pk], "otp_token": otp_now(org.other_staff, drift=1)},
    )
    forward = Memo.objects.get(parent=memo, kind="encaminhamento")
    assert forwarded["Location"] == f"/staff/memorandos/{forward.pk}/"
    signature = Signature.objects.get(document=memo_signed(forward).document)
    assert (signature.level, signature.signer) == ("avancada", org.other_staff)
    # without a code: a simple signature, as before
    clients["other"].post(f"/staff/memorandos/{memo.pk}/responder/", {"body": "Chegou."})
    plain = Memo.objects.filter(parent=memo, kind="resposta").latest("pk")
    assert Signature.objects.get(document=memo_signed(plain).document).level == "simples"


def test_a_failed_memo_signature_is_visible_retried_and_then_signed_when_asked_again(org, clients, settings):
    from tenant_apps.signatures.models import Signature
    from tenant_apps.signatures.services import SignatureJobRetry, authority_ensure, signature_request_run
    from tenant_apps.signatures.tasks import SIGNATURE_JOB_ATTEMPTS

    authority_ensure()
    memo = memo_send(
        author=org.child_staff,
        sender_unit=org.child,
        subject="Conserto",
        body="Quebrou.",
        to_units=[org.other],
    )
    request = memo.document.signature_requests.get()
    page = clients["other"].get(f"/staff/memorandos/{memo.pk}/").content.decode()
    assert "Assinatura em processamento" in page  # the recipient sees it is on its way

    # the city's signing key cannot be opened (a wrong passphrase in the settings): each attempt fails
    passphrase = settings.SIGNATURES_KEY_PASSPHRASE
    settings.SIGNATURES_KEY_PASSPHRASE = "não-é-a-senha"
    with pytest.raises(SignatureJobRetry):
        signature_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("pendente", 1)
    assert request.last_error == "Erro ao gerar o PDF assinado (ValueError)."
    page = clients["other"].get(f"/staff/memorandos/{memo.pk}/").content.decode()
    assert "1 tentativa sem sucesso, nova tentativa automática" in page
    for _attempt in range(SIGNATURE_JOB_ATTEMPTS - 2):
        with pytest.raises(SignatureJobRetry):
            signature_request_run(request_id=request.pk)
    signature_request_run(request_id=request.pk)  # the last attempt gives up without raising
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("falhou", SIGNATURE_JOB_ATTEMPTS)
    assert not Signature.objects.filter(document=memo.document).exists()
    assert "A assinatura falhou" in clients["other"].get(f"/staff/memorandos/{memo.pk}/").content.decode()
    verification = (
        Client(HTTP_HOST=HOST).get(f"/verificar/{memo.document.verification_code}/").content.decode()
    )
    assert "falhou depois de várias tentativas" in verification

    assert clients["other"].get(f"/api/v1/memos/{memo.pk}/").json()["signature_status"] == "falhou"

    # "Tentar de novo" is the signer's: the recipient does not see it, and their POST changes nothing
    retry_url = f"/staff/documentos/{memo.document_id}/assinatura/tentar-de-novo/"
    assert "Tentar de novo" not in clients["other"].get(f"/staff/memorandos/{memo.pk}/").content.decode()
    refused = clients["other"].post(retry_url, {"back": "memorando"}, follow=True)
    assert "Não há assinatura sua que tenha falhado neste documento" in refused.content.decode()
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("falhou", SIGNATURE_JOB_ATTEMPTS)
    author_page = clients["child"].get(f"/staff/memorandos/{memo.pk}/").content.decode()
    assert "Tentar de novo" in author_page
    assert (
        "Tentar de novo"
        in clients["child"].get(f"/staff/documentos/{memo.document_id}/assinar/").content.decode()
    )

    # fixed, the author presses "Tentar de novo": a fresh set of attempts, then the job signs
    settings.SIGNATURES_KEY_PASSPHRASE = passphrase
    answer = clients["child"].post(retry_url, {"back": "memorando"})
    assert answer["Location"] == f"/staff/memorandos/{memo.pk}/"
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("pendente", 0)
    assert clients["other"].get(f"/api/v1/memos/{memo.pk}/").json()["signature_status"] == "processando"
    signature_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == "assinado"
    signature = Signature.objects.get(document=memo.document)
    assert signature.signer == org.child_staff
    page = clients["other"].get(f"/staff/memorandos/{memo.pk}/").content.decode()
    assert "Assinatura em processamento" not in page
    # the page says when it was sent and when it was signed (the signature's own time, never backdated)
    local = timezone.localtime
    assert f'enviado em <time datetime="{local(memo.created_at).isoformat()}">' in page
    assert local(signature.signed_at).strftime("%d/%m/%Y %H:%M:%S") in page
    assert f"pedida no envio, em {local(request.created_at).strftime('%d/%m/%Y %H:%M:%S')}" in page
    assert signature.signed_at >= request.created_at
    detail = clients["other"].get(f"/api/v1/memos/{memo.pk}/").json()
    assert (detail["signature_status"], detail["signature"]["signer"]) == ("assinado", "Fabi Filha")
