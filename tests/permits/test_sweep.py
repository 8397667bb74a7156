"""The pre-analysis sweep: a request whose pre-analysis job was lost (broker down at the commit, retries
spent) gets the job queued again once it waited PERMITS_PREANALYSIS_STALLED_MINUTES; a fresh one does
not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dramatiq
from django.utils import timezone
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from tenant_apps.permits import services
from tenant_apps.permits.enums import RequestStatus
from tenant_apps.permits.models import PermitRequest
from tenant_apps.permits.tasks import permit_request_analyse_task

from .conftest import operation_answers, operation_files

TODAY = timezone.localdate().strftime("%d/%m/%Y")
ACTOR = "permit_request_analyse_task"


def _queued() -> list[tuple[str, Message[Any]]]:
    """(raw id, message) of the pre-analysis messages waiting in the broker (in-process or Redis)."""
    broker = dramatiq.get_broker()
    queue = permit_request_analyse_task.queue_name
    if isinstance(broker, StubBroker):
        waiting = broker.queues.get(queue)
        raw = [(str(index), item) for index, item in enumerate(waiting.queue if waiting else [])]
    elif isinstance(broker, RedisBroker):
        raw = list(broker.client.hgetall(f"{broker.namespace}:{queue}.msgs").items())
    else:  # pragma: no cover - only the two brokers are configured
        raise AssertionError(type(broker))
    found = [(str(key), Message.decode(item)) for key, item in raw]
    return [(key, message) for key, message in found if message.actor_name == ACTOR]


def _forget(keys: list[str]) -> None:
    broker = dramatiq.get_broker()
    queue = permit_request_analyse_task.queue_name
    if isinstance(broker, StubBroker):
        broker.flush(queue)
        return
    assert isinstance(broker, RedisBroker)
    for key in keys:
        broker.client.hdel(f"{broker.namespace}:{queue}.msgs", key)
        broker.client.lrem(f"{broker.namespace}:{queue}", 0, key)


def _submit(kind: Any, citizen: Any, name: str) -> PermitRequest:
    # a restaurant (5611-2/01, level III in Aracaju), MEI: no fee, the checklist complete
    return services.permit_request_submit(
        kind=kind,
        citizen=citizen,
        form_data=operation_answers("5611-2/01", mei="Sim", nome_razao_social=name),
        uploads=operation_files(today_text=TODAY),
    )


def test_a_request_whose_pre_analysis_job_was_lost_is_queued_again_and_leaves_pre_analysis(
    operation_kind, citizen, media_root, django_capture_on_commit_callbacks
):
    # given: two requests in pre-analysis whose jobs never ran (enqueued "on commit", which the test's
    # transaction never reaches: the lost job); one got there 11 minutes ago, the other just now
    stalled = _submit(operation_kind, citizen, "Restaurante Parado Ltda")
    fresh = _submit(operation_kind, citizen, "Restaurante Novo Ltda")
    now = timezone.now()
    PermitRequest.objects.filter(pk=stalled.pk).update(updated_at=now - dt.timedelta(minutes=11))
    PermitRequest.objects.filter(pk=fresh.pk).update(updated_at=now - dt.timedelta(minutes=2))
    before = {key for key, _message in _queued()}
    keys: list[str] = []
    try:
        # when: the sweep runs (its enqueue leaves at the commit, here run at once)
        with django_capture_on_commit_callbacks(execute=True):
            requeued = services.pre_analysis_stalled_requeue(minutes=10, now=now)

        # then: only the stalled request's job is queued again, in Aracaju's schema
        assert requeued == [stalled.pk]
        new = [(key, message) for key, message in _queued() if key not in before]
        keys = [key for key, _message in new]
        assert [(message.kwargs, message.options["schema_name"]) for _key, message in new] == [
            ({"request_id": stalled.pk}, "aracaju")
        ]

        # when: the job runs (the message's own arguments)
        permit_request_analyse_task.fn(**new[0][1].kwargs)

        # then: the request left pre-analysis (level III with the checklist complete: to the units);
        # the fresh one is untouched, and a second sweep finds only it once it is old enough
        stalled.refresh_from_db()
        fresh.refresh_from_db()
        assert stalled.status == RequestStatus.IN_ANALYSIS
        assert stalled.pre_analysis_runs == 1
        assert fresh.status == RequestStatus.PRE_ANALYSIS
        assert fresh.pre_analysis_runs == 0
        assert services.pre_analysis_stalled_requeue(minutes=10, now=now) == []
        assert services.pre_analysis_stalled_requeue(minutes=10, now=now + dt.timedelta(minutes=9)) == [
            fresh.pk
        ]
        # a request whose job has failed at every sweep for a day is left for a person
        later = now + services.STALLED_GIVE_UP + dt.timedelta(minutes=1)
        assert services.pre_analysis_stalled_requeue(minutes=10, now=later) == []
    finally:
        _forget(keys + [key for key, _message in _queued() if key not in before])
