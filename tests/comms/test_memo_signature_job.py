"""A memo is sent at once and its PDF signed by a job after commit, in a real dramatiq worker (its
own thread and database connection), in the tenant that sent it; until then its pages and the
verification page say "assinatura em processamento"; a second delivery signs nothing twice.

A worker's connection only sees committed rows, so this test commits its data (a unit and a person
of their own) and removes it at the end instead of relying on the per-test transaction.
"""

from __future__ import annotations

import uuid

import dramatiq
import pytest
from django.test import Client
from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker

from paco.jobs import jobs_drain
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.comms.models import Memo
from tenant_apps.comms.services import memo_send
from tenant_apps.documents.models import Document, NumberSequence
from tenant_apps.notifications.models import Notification
from tenant_apps.org.enums import OrgUnitKind, Role
from tenant_apps.org.models import Membership, OrgUnit
from tenant_apps.signatures import pades
from tenant_apps.signatures.models import Signature, SignatureRequest
from tenant_apps.signatures.selectors import signed_pdf_read, trust_roots
from tenant_apps.signatures.services import authority_ensure
from tenant_apps.signatures.tasks import SIGNATURE_JOB_ATTEMPTS, signature_request_task
from tests.comms.test_fanout_job import _in_thread

UNIT_CODE = "92003"


@pytest.fixture
def job_broker() -> StubBroker:
    from django.conf import settings

    return StubBroker(middleware=[import_string(path)() for path in settings.DRAMATIQ_BROKER["MIDDLEWARE"]])


@pytest.fixture
def committed_memo(aracaju):
    tag = uuid.uuid4().hex[:8]

    def create():
        with tenant_context(aracaju):
            authority_ensure()
            unit = OrgUnit.objects.create(
                code=UNIT_CODE, acronym=f"T-ASS-{tag}", name="Unidade da assinatura", kind=OrgUnitKind.SETOR
            )
            author = User.objects.create_user(
                f"autora-{tag}@teste.gov.br", "x", full_name="Autora do Memorando", kind=UserKind.STAFF
            )
            Membership.objects.create(user=author, unit=unit, role=Role.STAFF)
            return memo_send(
                author=author, sender_unit=unit, subject="Memorando do job", body="Texto.", to_units=[unit]
            )

    def remove():
        with tenant_context(aracaju):
            Notification.objects.filter(subject_kind="memo", subject_id=memo.pk).delete()
            SignatureRequest.objects.filter(document_id=memo.document_id).delete()
            Signature.objects.filter(document_id=memo.document_id).delete()
            Memo.objects.filter(pk=memo.pk).delete()
            Document.objects.filter(pk=memo.document_id).delete()
            NumberSequence.objects.filter(scope__contains=f":{UNIT_CODE}:").delete()
            Membership.objects.filter(unit__code=UNIT_CODE).delete()
            User.objects.filter(email=f"autora-{tag}@teste.gov.br").delete()
            OrgUnit.objects.filter(code=UNIT_CODE).delete()

    memo = _in_thread(create)
    try:
        yield memo
    finally:
        _in_thread(remove)
        broker = dramatiq.get_broker()
        if isinstance(broker, StubBroker):
            broker.flush_all()


def _verification_page(memo) -> str:
    response = Client(HTTP_HOST="aracaju.localhost").get(f"/verificar/{memo.document.verification_code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_memo_is_sent_at_once_and_a_worker_signs_its_pdf_after_commit(
    aracaju, committed_memo, job_broker
):
    memo = committed_memo
    actor = dramatiq.actor(
        signature_request_task.fn,
        broker=job_broker,
        actor_name=signature_request_task.actor_name,
        queue_name="default",
        max_retries=0,
    )
    with tenant_context(aracaju):
        request = SignatureRequest.objects.get(document_id=memo.document_id)
        assert (request.status, request.level) == ("pendente", "simples")
        assert not Signature.objects.filter(document_id=memo.document_id).exists()
    assert "Assinatura em processamento" in _verification_page(memo)

    # when: the worker runs the job
    with tenant_context(aracaju):
        actor.send(request_id=request.pk)
    jobs_drain(job_broker)

    # then: the memo's PDF carries its author's PAdES signature, valid; the page no longer waits
    with tenant_context(aracaju):
        request.refresh_from_db()
        signature = Signature.objects.get(document_id=memo.document_id)
        assert (request.status, request.signature_id) == ("assinado", signature.pk)
        assert signature.signer_name == "Autora do Memorando"
        reports = pades.pdf_validate(
            pdf=signed_pdf_read(signature=signature) or b"", trust_roots=trust_roots()
        )
        assert [(report.ok, report.is_certification) for report in reports] == [(True, True)]
    page = _verification_page(memo)
    assert "Assinatura em processamento" not in page
    assert "1 assinatura válida" in page

    # when: the message is delivered again (a retry): nothing is signed twice
    with tenant_context(aracaju):
        actor.send(request_id=request.pk)
    jobs_drain(job_broker)
    with tenant_context(aracaju):
        assert Signature.objects.filter(document_id=memo.document_id).count() == 1


def test_a_signature_that_failed_in_the_worker_is_signed_after_the_author_presses_try_again(
    aracaju, committed_memo, job_broker, settings, monkeypatch
):
    """A real failure in the worker (the city's signing key cannot be opened) on the last attempt
    leaves the request "falhou"; the author's "Tentar de novo" (a committed POST on the memo page)
    enqueues the job again, and the worker signs."""
    from tests.comms.test_views import client_as

    memo = committed_memo
    # the job's actor sends to this test's stub broker (the one the worker below drains)
    monkeypatch.setattr(signature_request_task, "broker", job_broker)
    job_broker.declare_actor(signature_request_task)

    def earlier_attempts() -> int:
        with tenant_context(aracaju):
            return SignatureRequest.objects.filter(document_id=memo.document_id).update(
                attempts=SIGNATURE_JOB_ATTEMPTS - 1
            )

    _in_thread(earlier_attempts)  # four attempts already failed: the next is the last
    passphrase = settings.SIGNATURES_KEY_PASSPHRASE
    settings.SIGNATURES_KEY_PASSPHRASE = "não-é-a-senha"
    with tenant_context(aracaju):
        request = SignatureRequest.objects.get(document_id=memo.document_id)
        signature_request_task.send(request_id=request.pk)
    jobs_drain(job_broker)
    with tenant_context(aracaju):
        request.refresh_from_db()
        assert (request.status, request.attempts) == ("falhou", SIGNATURE_JOB_ATTEMPTS)
        assert request.last_error == "Erro ao gerar o PDF assinado (ValueError)."
        assert not Signature.objects.filter(document_id=memo.document_id).exists()

    settings.SIGNATURES_KEY_PASSPHRASE = passphrase

    def press_try_again() -> tuple[str, str]:
        with tenant_context(aracaju):
            author = User.objects.get(pk=memo.author_id)
            client = client_as(author)
        page = client.get(f"/staff/memorandos/{memo.pk}/").content.decode()
        answer = client.post(
            f"/staff/documentos/{memo.document_id}/assinatura/tentar-de-novo/", {"back": "memorando"}
        )
        return page, answer["Location"]

    page, location = _in_thread(press_try_again)
    assert "A assinatura falhou" in page
    assert "Tentar de novo" in page
    assert location == f"/staff/memorandos/{memo.pk}/"
    jobs_drain(job_broker)  # the job the button enqueued after its commit

    with tenant_context(aracaju):
        request.refresh_from_db()
        signature = Signature.objects.get(document_id=memo.document_id)
        assert (request.status, request.signature_id) == ("assinado", signature.pk)
        reports = pades.pdf_validate(
            pdf=signed_pdf_read(signature=signature) or b"", trust_roots=trust_roots()
        )
        assert [report.ok for report in reports] == [True]
