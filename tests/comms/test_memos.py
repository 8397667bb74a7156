"""Memos: numbering, signature, addressees, thread (reply/forward), memo -> case, access, bad input."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.cases.models import CaseDocument, CaseEvent
from tenant_apps.catalog.models import Service
from tenant_apps.catalog.services import service_create
from tenant_apps.comms.enums import MemoKind
from tenant_apps.comms.models import Memo, MemoRecipient, MemoTemplate
from tenant_apps.comms.selectors import (
    memo_get_visible,
    memo_list_received,
    memo_list_sent,
    memo_queryset_visible,
    memo_thread,
    memo_user_can_read,
    unit_activity,
)
from tenant_apps.comms.services import (
    memo_case_open,
    memo_forward,
    memo_reply,
    memo_send,
    memo_template_render,
)
from tenant_apps.documents.enums import AccessLevel, DocumentKind
from tenant_apps.documents.models import Document
from tenant_apps.documents.search import document_search
from tenant_apps.documents.selectors import document_user_can_read
from tenant_apps.documents.uploads import Upload
from tenant_apps.notifications.models import Notification
from tenant_apps.signatures import pades
from tenant_apps.signatures.enums import SignatureLevel
from tenant_apps.signatures.models import Signature
from tenant_apps.signatures.selectors import signatures_verified, signed_pdf_read, trust_roots
from tenant_apps.signatures.services import kind_policy_set

from .conftest import memo_signed, png


def _send(org, **overrides):
    arguments = {
        "author": org.root_staff,
        "sender_unit": org.root,
        "subject": "Pedido de material de escritório",
        "body": "Solicitamos 10 resmas de papel A4.",
        "to_units": [org.child],
    }
    arguments.update(overrides)
    return memo_send(**arguments)


def test_memos_are_numbered_per_unit_and_year_without_gaps(org):
    year = timezone.localdate().year
    first = _send(org)
    second = _send(org, subject="Segundo")
    other = _send(org, author=org.other_staff, sender_unit=org.other)

    assert first.document.kind == DocumentKind.MEMO
    assert [first.document.number, second.document.number, other.document.number] == [
        f"MEMO 1/{year} - T-RAIZ",
        f"MEMO 2/{year} - T-RAIZ",
        f"MEMO 1/{year} - T-OUTRA",
    ]
    assert len(first.document.verification_code) == 14


def test_the_author_signs_with_the_sha256_of_the_text_as_a_pades_signature(org):
    memo = _send(org)
    request = memo.document.signature_requests.get()
    assert (request.status, request.level, request.signer) == ("pendente", "simples", org.root_staff)
    assert not Signature.objects.filter(document=memo.document).exists()  # the job signs after commit

    memo_signed(memo)

    request.refresh_from_db()
    assert request.status == "assinado"
    # the memo's signature is a signature of tenant_apps.signatures, embedded in the PDF
    signature = Signature.objects.get(document=memo.document)
    version = memo.document.versions.get()
    assert signature.signer == org.root_staff
    assert signature.signer_name == "Rui Raiz"
    assert signature.version == version
    assert signature.body_sha256 == hashlib.sha256(version.body.encode()).hexdigest() == version.body_sha256
    assert version.body == "Para: T-FILHA\n\nSolicitamos 10 resmas de papel A4."
    assert signature.level == "simples"
    assert signature.is_embedded
    assert signature.is_certification
    reports = pades.pdf_validate(pdf=signed_pdf_read(signature=signature) or b"", trust_roots=trust_roots())
    assert [(report.ok, report.is_certification) for report in reports] == [(True, True)]
    verified, intact = signatures_verified(document=memo.document)
    assert intact
    assert [row.is_valid for row in verified] == [True]


def test_a_memo_below_the_minimum_level_for_memos_is_refused_and_nothing_is_saved(org):
    kind_policy_set(kind=DocumentKind.MEMO, minimum_level=SignatureLevel.ADVANCED)
    signatures_before = Signature.objects.count()

    with pytest.raises(ApplicationError, match="exige assinatura avançada"):
        _send(org)

    assert not Memo.objects.exists()
    assert Signature.objects.count() == signatures_before


def test_with_the_second_factor_the_memo_is_an_advanced_signature_even_when_required(org):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.signatures.conftest import otp_now

    TOTPDevice.objects.create(user=org.root_staff, name="default", confirmed=True)
    kind_policy_set(kind=DocumentKind.MEMO, minimum_level=SignatureLevel.ADVANCED)

    memo = _send(org, otp_token=otp_now(org.root_staff))
    memo_signed(memo)

    signature = Signature.objects.get(document=memo.document)
    assert (signature.level, signature.signer) == ("avancada", org.root_staff)


def test_a_memo_lands_in_each_addressees_inbox_with_a_notification(org):
    memo = _send(
        org, to_units=[org.child], to_users=[org.other_staff], uploads=[Upload(name="a.png", file=png())]
    )

    assert list(memo_list_received(user=org.child_staff, unit_id=org.child.pk)) == [memo]
    assert list(memo_list_received(user=org.other_staff, unit_id=None)) == [memo]
    assert list(memo_list_sent(user=org.root_staff, unit_id=org.root.pk)) == [memo]
    notified = set(
        Notification.objects.filter(subject_kind="memo", subject_id=memo.pk).values_list(
            "recipient__email", "channel"
        )
    )
    assert notified == {
        (org.child_staff.email, "inbox"),
        (org.child_staff.email, "email"),
        (org.other_staff.email, "inbox"),
        (org.other_staff.email, "email"),
    }
    assert memo.document.attachments.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": "  "}, "Informe o assunto."),
        ({"body": ""}, "Escreva o texto."),
        ({"to_units": []}, "Escolha ao menos um destinatário (unidade ou pessoa)."),
    ],
)
def test_bad_input_is_refused_in_portuguese_and_leaves_nothing(org, overrides, message):
    documents_before = Document.objects.count()
    notifications_before = Notification.objects.count()

    with pytest.raises(ApplicationError) as error:
        _send(org, **overrides)

    assert error.value.message == message
    assert Memo.objects.count() == 0
    assert Document.objects.count() == documents_before
    assert Notification.objects.count() == notifications_before


def test_a_bad_attachment_rolls_back_the_whole_memo(org):
    documents_before = Document.objects.count()
    with pytest.raises(ApplicationError):
        _send(org, uploads=[Upload(name="x.html", file=__import__("io").BytesIO(b"<html><script>"))])
    assert Memo.objects.count() == 0
    assert MemoRecipient.objects.count() == 0
    assert Document.objects.count() == documents_before


def test_only_staff_of_the_sender_unit_may_send_from_it(org):
    with pytest.raises(PermissionDenied):
        _send(org, author=org.other_staff)
    assert Memo.objects.count() == 0


def test_reply_goes_back_to_the_sender_unit_in_the_same_thread(org):
    memo = _send(org)

    reply = memo_reply(memo=memo, author=org.child_staff, body="Enviaremos amanhã.")

    assert reply.kind == MemoKind.REPLY
    assert reply.thread_id == memo.pk
    assert reply.parent == memo
    assert reply.sender_unit == org.child
    assert reply.subject == "Re: Pedido de material de escritório"
    assert list(reply.recipients.values_list("unit__acronym", flat=True)) == ["T-RAIZ"]
    assert [m.pk for m in memo_thread(user=org.root_staff, memo=reply)] == [memo.pk, reply.pk]
    with pytest.raises(PermissionDenied):
        memo_reply(memo=memo, author=org.root_staff, body="Eu mesmo")  # the sender is not an addressee


def test_forward_keeps_the_thread_and_lets_its_addressees_read_the_forwarded_memo(org):
    memo = _send(org, is_restricted=True)
    assert memo.document.access_level == AccessLevel.RESTRICTED
    assert not memo_user_can_read(user=org.other_staff, memo=memo)
    assert not document_user_can_read(org.other_staff, memo.document)

    forward = memo_forward(memo=memo, author=org.child_staff, note="Para providências.", to_units=[org.other])

    assert forward.kind == MemoKind.FORWARD
    assert forward.thread_id == memo.pk
    assert forward.parent == memo
    assert forward.document.access_level == AccessLevel.RESTRICTED
    assert "Solicitamos 10 resmas" in forward.document.versions.get().body
    assert memo_user_can_read(user=org.other_staff, memo=memo)
    assert document_user_can_read(org.other_staff, memo.document)
    assert [m.pk for m in memo_thread(user=org.other_staff, memo=forward)] == [memo.pk, forward.pk]
    # a reply the forward's addressees were not part of stays out of their view
    reply = memo_reply(memo=memo, author=org.child_staff, body="Resposta só para a raiz.")
    assert [m.pk for m in memo_thread(user=org.other_staff, memo=forward)] == [memo.pk, forward.pk]
    assert not memo_user_can_read(user=org.other_staff, memo=reply)
    assert not memo_user_can_read(user=org.grandchild_staff, memo=memo)


def test_forward_needs_a_note_and_addressees(org):
    memo = _send(org)
    with pytest.raises(ApplicationError, match="nota"):
        memo_forward(memo=memo, author=org.child_staff, note=" ", to_units=[org.other])
    with pytest.raises(ApplicationError, match="destinatário"):
        memo_forward(memo=memo, author=org.child_staff, note="Veja")
    assert Memo.objects.count() == 1


def test_a_memo_becomes_a_case_once_with_the_memo_in_its_file_and_history(org):
    service = service_create(code="pedido-interno", name="Pedido interno", unit_id=org.child.pk, fields=[])
    memo = _send(org)
    memo_reply(memo=memo, author=org.child_staff, body="Recebido.")

    case = memo_case_open(memo=memo, actor=org.child_staff, service=service)

    memo.refresh_from_db()
    assert memo.case == case
    assert memo.case_opened_by == org.child_staff
    assert CaseDocument.objects.filter(case=case, document=memo.document).exists()
    event = CaseEvent.objects.get(case=case, summary__startswith="Aberto a partir do memorando")
    assert event.payload["memo"] == memo.document.number
    assert [item["kind"] for item in event.payload["thread"]] == ["original", "resposta"]
    assert case.subject == memo.subject
    assert case.opened_by == org.child_staff
    with pytest.raises(ApplicationError, match="já virou o protocolo"):
        memo_case_open(memo=memo, actor=org.child_staff, service=service)
    with pytest.raises(PermissionDenied):
        memo_case_open(memo=_send(org), actor=org.other_staff, service=service)


def test_a_service_with_required_fields_refuses_the_case_and_leaves_the_memo_alone(org):
    memo = _send(org)
    with pytest.raises(ApplicationError, match="campo obrigatório"):
        memo_case_open(memo=memo, actor=org.child_staff, service=Service.objects.get(code="poda-de-arvore"))
    memo.refresh_from_db()
    assert memo.case is None


def test_only_the_sender_unit_and_addressees_see_a_memo(org):
    memo = _send(org, to_users=[org.other_staff])

    assert set(memo_queryset_visible(org.root_staff)) == {memo}
    assert set(memo_queryset_visible(org.manager)) == {memo}
    assert set(memo_queryset_visible(org.child_staff)) == {memo}
    assert set(memo_queryset_visible(org.other_staff)) == {memo}
    for stranger in (org.grandchild_staff, org.other_manager, org.outsider):
        assert list(memo_queryset_visible(stranger)) == []
        with pytest.raises(Http404):
            memo_get_visible(user=stranger, memo_id=memo.pk)


def test_memos_are_found_by_search_and_listed_in_the_unit_history(org):
    memo = _send(org, subject="Manutenção do ar-condicionado")

    page = document_search(user=org.root_staff, query="ar-condicionado")
    assert memo.document.pk in [document.pk for document in page.results]
    items = unit_activity(user=org.child_staff, unit_id=org.child.pk)
    assert [(item.kind, item.number) for item in items] == [("memo_received", memo.document.number)]


def test_memo_templates_fill_their_placeholders(org):
    template = MemoTemplate.objects.create(
        title="Férias — {{ sigla }}", body="A {{ unidade }} informa ({{ autor }})."
    )
    title, body = memo_template_render(template=template, unit=org.root, author=org.root_staff)
    assert title == "Férias — T-RAIZ"
    assert body == "A Raiz de teste informa (Rui Raiz)."
