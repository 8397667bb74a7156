"""The circular fan-out runs in a real dramatiq worker (its own thread and database connection), in
the tenant that enqueued it, and a second run (a retried message) creates and sends nothing new.

A worker's connection only sees committed rows, so this test commits its data (unique unit code and
e-mails) and removes it at the end instead of relying on the per-test transaction.
"""

from __future__ import annotations

import threading
import uuid

import dramatiq
import pytest
from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker

from paco.jobs import jobs_drain
from tenant_apps.accounts.models import User
from tenant_apps.comms.models import Circular, CircularReceipt
from tenant_apps.comms.services import circular_send
from tenant_apps.comms.tasks import circular_fanout_task
from tenant_apps.documents.models import Document, NumberSequence
from tenant_apps.notifications.models import Notification
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tests.factories import OrgUnitFactory, staff_in

RECIPIENTS = 7


@pytest.fixture
def fanout_broker() -> StubBroker:
    from django.conf import settings

    return StubBroker(middleware=[import_string(path)() for path in settings.DRAMATIQ_BROKER["MIDDLEWARE"]])


def _in_thread(function):
    """Run `function` on a thread of its own: its own connection, in autocommit, so its writes commit
    (the test's connection stays inside the test transaction, as with the live server)."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - re-raised on the test thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("value")


@pytest.fixture
def committed_circular(aracaju):
    """A circular of Aracaju to a unit of RECIPIENTS people, committed; everything removed afterwards."""
    tag = uuid.uuid4().hex[:8]

    def create():
        with tenant_context(aracaju), transaction.atomic():
            unit = OrgUnitFactory(code="92001", acronym=f"T-JOB-{tag}", name="Unidade do job")
            manager = staff_in(
                unit, role=Role.MANAGER, email=f"gestor-{tag}@teste.gov.br", full_name="Gestor do Job"
            )
            for index in range(RECIPIENTS):
                staff_in(unit, email=f"pessoa{index}-{tag}@teste.gov.br", full_name=f"Pessoa {index}")
            return circular_send(
                author=manager, sender_unit=unit, subject="Circular do job", body="Texto.", unit_ids=[unit.pk]
            )

    def remove():
        with tenant_context(aracaju), transaction.atomic():
            Notification.objects.filter(subject_kind="circular", subject_id=circular.pk).delete()
            Circular.objects.filter(pk=circular.pk).delete()
            Document.objects.filter(pk=circular.document_id).delete()
            NumberSequence.objects.filter(scope__contains=":92001:").delete()
            Membership.objects.filter(unit__code="92001").delete()
            User.objects.filter(email__endswith=f"-{tag}@teste.gov.br").delete()
            OrgUnit.objects.filter(code="92001").delete()

    circular = _in_thread(create)
    try:
        yield circular
    finally:
        _in_thread(remove)
        broker = dramatiq.get_broker()
        if isinstance(broker, StubBroker):
            broker.flush_all()  # the PDF and e-mail jobs of rows that no longer exist


def _counts(aracaju, circular) -> tuple[int, int]:
    with tenant_context(aracaju):  # the test's connection reads committed rows (READ COMMITTED)
        return (
            CircularReceipt.objects.filter(circular_id=circular.pk).count(),
            Notification.objects.filter(subject_kind="circular", subject_id=circular.pk).count(),
        )


def test_fanout_job_runs_in_a_worker_and_a_rerun_creates_and_sends_nothing(
    aracaju, committed_circular, fanout_broker
):
    circular = committed_circular
    actor = dramatiq.actor(
        circular_fanout_task.fn,
        broker=fanout_broker,
        actor_name=circular_fanout_task.actor_name,
        queue_name="default",
        max_retries=0,
    )
    global_broker = dramatiq.get_broker()
    deliveries_before = (
        global_broker.queues["default"].qsize() if isinstance(global_broker, StubBroker) else None
    )
    assert _counts(aracaju, circular) == (0, 0)

    # when: the worker runs the job
    with tenant_context(aracaju):
        actor.send(circular_id=circular.pk)
    jobs_drain(fanout_broker)

    # then: one receipt per person, inbox + e-mail each, e-mails queued for delivery
    assert _counts(aracaju, circular) == (RECIPIENTS, 2 * RECIPIENTS)
    with tenant_context(aracaju):
        circular.refresh_from_db()
        assert circular.recipient_count == RECIPIENTS
        assert circular.fanned_out_at <= timezone.now()
    if deliveries_before is not None:
        deliveries = global_broker.queues["default"].qsize()
        assert deliveries - deliveries_before == RECIPIENTS

    # when: the message is delivered again (a retry)
    with tenant_context(aracaju):
        actor.send(circular_id=circular.pk)
    jobs_drain(fanout_broker)

    # then: nothing new, nothing sent twice
    assert _counts(aracaju, circular) == (RECIPIENTS, 2 * RECIPIENTS)
    if deliveries_before is not None:
        assert global_broker.queues["default"].qsize() == deliveries
