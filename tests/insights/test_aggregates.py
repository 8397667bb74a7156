"""The daily aggregates: exact figures from a real case story, idempotent runs, incremental days,
and a rebuild from the history."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from tenant_apps.documents.models import Document
from tenant_apps.insights import jobs
from tenant_apps.insights.models import AggregationRun, BacklogDay, CaseDay, CloseDuration, PaperDay
from tenant_apps.insights.services import aggregates_rebuild, aggregates_refresh

from .conftest import unit


def _rows() -> list[tuple]:
    return sorted(
        CaseDay.objects.values_list(
            "day",
            "unit__acronym",
            "service__code",
            "opened",
            "closed",
            "closed_in_time",
            "received",
            "stays_ended",
            "rfi_asked",
            "rfi_answered",
        )
    )


def test_a_case_story_becomes_exact_daily_figures(story):
    # when
    aggregates_refresh()

    # then: the case started in EMSURB (the service's unit) and was closed in SEPLOG-PROT
    today = timezone.localdate()
    rows = [row for row in _rows() if row[0] == today and row[2] == "poda-de-arvore"]
    assert rows == [
        (today, "EMSURB", "poda-de-arvore", 1, 0, 0, 0, 1, 0, 0),
        (today, "SEPLOG-PROT", "poda-de-arvore", 0, 1, 1, 1, 1, 1, 1),
    ]
    assert list(
        CloseDuration.objects.filter(service__code="poda-de-arvore").values_list("days", "count")
    ) == [(0, 1)]
    assert not BacklogDay.objects.filter(day=today, service__code="poda-de-arvore").exists()
    documents = (
        Document.objects.exclude(kind__in=["MEMO", "CIRC"])
        .filter(created_at__date__gte=today - dt.timedelta(days=1))
        .count()
    )
    assert (
        PaperDay.objects.get(day=today, kind="documento", unit=unit("EMSURB")).items
        + sum(
            PaperDay.objects.filter(day=today, kind="documento")
            .exclude(unit=unit("EMSURB"))
            .values_list("items", flat=True)
        )
        == documents
    )


def test_an_open_case_is_in_the_backlog_of_the_unit_where_it_waits(in_aracaju):
    from tenant_apps.cases.services import case_open
    from tenant_apps.catalog.models import Service

    from .conftest import citizen

    case_open(
        service=Service.objects.get(code="poda-de-arvore"),
        opened_by=citizen(),
        form_data={"endereco": "Rua B, 2", "motivo": "Outro"},
        notify_citizen=False,
        notify_unit=False,
    )
    aggregates_refresh()
    backlog = BacklogDay.objects.get(
        day=timezone.localdate(), unit=unit("EMSURB"), service__code="poda-de-arvore"
    )
    assert (backlog.open, backlog.overdue) == (1, 0)


def test_running_twice_changes_nothing_and_the_rebuild_agrees(story):
    aggregates_refresh()
    first = _rows()
    aggregates_refresh()
    assert _rows() == first
    aggregates_rebuild()
    assert _rows() == first
    call_command("insights_rebuild", "--schema", "aracaju", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert _rows() == first


def test_the_job_is_incremental_and_the_rebuild_starts_from_the_history(story):
    # given: a run today, and a stale row of an old day the history does not justify
    aggregates_refresh()
    old = timezone.localdate() - dt.timedelta(days=20)
    CaseDay.objects.create(day=old, unit=unit("SEMA"), service=story.service, opened=99)

    # when: the periodic job runs again, it recomputes only the days since its last run
    aggregates_refresh()
    assert CaseDay.objects.filter(day=old, opened=99).exists()
    assert AggregationRun.objects.get().last_day == timezone.localdate()

    # and the rebuild recomputes every day from the history
    aggregates_rebuild()
    assert not CaseDay.objects.filter(day=old).exists()


def test_the_job_is_registered_per_city():
    [job] = jobs.periodic_jobs()
    assert job["actor"] == "tenant_apps.insights.tasks.insights_aggregate_task"
    assert job["per_tenant"] is True
