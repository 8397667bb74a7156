"""The paid guide's handler runs in a real dramatiq worker, in the city that was paid, once: a
committed Pix notice enqueues `guide_paid_task` on commit, a worker thread runs it (with the
project's tenant middleware), and running the message again changes nothing."""

from __future__ import annotations

import dramatiq
import pytest
from django.conf import settings
from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context
from dramatiq.brokers.stub import StubBroker

from paco.jobs import jobs_drain
from tenant_apps.payments import tasks
from tenant_apps.payments.enums import GuideEventKind
from tenant_apps.payments.models import GuideEvent, PaymentGuide, WebhookEvent
from tenant_apps.payments.services import webhook_receive
from tests.comms.test_fanout_job import _in_thread

from .conftest import issue, notice, pix

REFERENCE = "job-real-worker"


@pytest.fixture
def job_broker(monkeypatch) -> StubBroker:
    broker = StubBroker(middleware=[import_string(path)() for path in settings.DRAMATIQ_BROKER["MIDDLEWARE"]])
    actor = dramatiq.actor(
        tasks.guide_paid_task.fn, broker=broker, actor_name=tasks.guide_paid_task.actor_name, max_retries=0
    )
    monkeypatch.setattr(tasks, "guide_paid_task", actor)
    return broker


def test_the_paid_handler_runs_in_a_real_worker_in_the_paid_city_once(aracaju, job_broker, handled_guides):
    def pay() -> int:
        with tenant_context(aracaju):
            guide = issue(REFERENCE)
            body, signature = notice(pix(guide, event_id="E-JOB-REAL-WORKER"))
            webhook_receive(body=body, signature=signature)  # commits; the job is sent on commit
            return guide.pk

    def cleanup() -> None:
        with tenant_context(aracaju):
            guides = PaymentGuide.objects.filter(reference=REFERENCE)
            WebhookEvent.objects.filter(guide__in=guides).delete()
            GuideEvent.objects.filter(guide__in=guides).delete()
            guides.delete()

    try:
        guide_id = _in_thread(pay)
        assert job_broker.queues["default"].qsize() == 1
        jobs_drain(job_broker)
        assert handled_guides == [guide_id]

        def state() -> tuple[bool, int]:
            with tenant_context(aracaju):
                guide = PaymentGuide.objects.get(pk=guide_id)
                return guide.handled_at is not None, GuideEvent.objects.filter(
                    guide=guide, kind=GuideEventKind.HANDLED
                ).count()

        assert _in_thread(state) == (True, 1)
        # the same message again (a redelivery): nothing runs twice
        job_broker.enqueue(
            dramatiq.Message(
                queue_name="default",
                actor_name=tasks.guide_paid_task.actor_name,
                args=(),
                kwargs={"guide_id": guide_id},
                options={"schema_name": "aracaju"},
            )
        )
        jobs_drain(job_broker)
        assert handled_guides == [guide_id]
        assert _in_thread(state) == (True, 1)
    finally:
        _in_thread(cleanup)
