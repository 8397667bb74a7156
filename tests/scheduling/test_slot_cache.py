"""The free-slots day cache: the same slots as the uncached path, and nothing stale after a booking,
a cancellation, a new absence, an edited rule or a deactivated attendant."""

from __future__ import annotations

import datetime as dt

import pytest

from tenant_apps.scheduling.models import AvailabilityException, AvailabilityRule
from tenant_apps.scheduling.services import appointment_book, appointment_cancel
from tenant_apps.scheduling.slots import grid_cache_bypassed, grid_cache_clear, slot_grid, slot_list_free
from tenant_apps.workdays.services import municipal_holiday_create
from tests.factories import AppointmentFactory

from .conftest import NOW, at

FIRST, LAST = dt.date(2030, 3, 11), dt.date(2030, 3, 31)


@pytest.fixture(autouse=True)
def _empty_cache():
    grid_cache_clear()
    yield
    grid_cache_clear()


def both(agenda, **kwargs):
    """(cached, uncached) grids of the same period."""
    cached = slot_grid(agenda=agenda, first_day=FIRST, last_day=LAST, **kwargs)
    with grid_cache_bypassed():
        direct = slot_grid(agenda=agenda, first_day=FIRST, last_day=LAST, **kwargs)
    return cached, direct


def free(agenda, **kwargs):
    return slot_list_free(agenda=agenda, first_day=FIRST, last_day=LAST, now=NOW, **kwargs)


def test_the_cached_grid_is_the_uncached_one(video_agenda, inspector_resource, citizen):
    other = video_agenda.resources.exclude(pk=inspector_resource.pk).order_by("pk").first()
    municipal_holiday_create(date=dt.date(2030, 3, 20), name="Feriado de teste")
    AvailabilityException.objects.create(
        resource=inspector_resource, starts_at=at(14, 10, 15), ends_at=at(15, 11), reason="Curso"
    )
    AvailabilityRule.objects.filter(agenda=video_agenda, resource=other, weekday=1).update(capacity=2)
    AvailabilityRule.objects.filter(agenda=video_agenda, resource=other, weekday=3).update(
        valid_until=dt.date(2030, 3, 21)
    )
    # an appointment across three slots, two seats of one slot, one seat of another
    for index, (resource, starts, ends, seat) in enumerate(
        [
            (inspector_resource, at(12, 9, 15), at(12, 10, 15), 1),
            (other, at(12, 9), at(12, 9, 30), 1),
            (other, at(12, 9), at(12, 9, 30), 2),
            (other, at(19, 14), at(19, 14, 30), 2),
            (other, at(10, 23), at(11, 9, 10), 1),  # from the day before into the first slot
        ]
    ):
        AppointmentFactory(
            code=f"cache-{index}",
            agenda=video_agenda,
            resource=resource,
            citizen=citizen,
            starts_at=starts,
            ends_at=ends,
            seat=seat,
        )
    for kwargs in ({"resource_ids": [other.pk]}, {}):
        cold, direct = both(video_agenda, **kwargs)
        warm, _direct = both(video_agenda, **kwargs)
        assert cold.slots == direct.slots
        assert warm.slots == direct.slots
        assert warm.holidays == direct.holidays
        assert warm.absences == direct.absences
    slots = {(slot.resource_id, slot.starts_at): slot for slot in warm.slots}  # every attendant
    assert slots[(other.pk, at(12, 9))].seats_taken == (1, 2)
    assert slots[(other.pk, at(19, 14))].seats_taken == (2,)
    assert slots[(other.pk, at(11, 9))].seats_taken == (1,)
    # the absence (14th 10:15 to 15th 11:00) takes every slot it touches, over the night too
    assert (inspector_resource.pk, at(14, 9, 30)) in slots
    assert (inspector_resource.pk, at(14, 10)) not in slots
    assert (inspector_resource.pk, at(15, 10, 30)) not in slots
    assert (inspector_resource.pk, at(15, 11)) in slots


def test_nothing_stale_after_changes(video_agenda, inspector_resource, citizen, iptu):
    def mine():
        return {slot.starts_at for slot in free(video_agenda, resource_ids=[inspector_resource.pk])}

    assert at(12, 9) in mine()
    appointment = appointment_book(
        agenda=video_agenda,
        citizen=citizen,
        starts_at=at(12, 9),
        resource=inspector_resource,
        subject=iptu,
        now=NOW,
    )
    assert at(12, 9) not in mine()
    appointment_cancel(appointment=appointment, actor=citizen, reason="teste", now=NOW)
    assert at(12, 9) in mine()

    AvailabilityException.objects.create(
        resource=inspector_resource, starts_at=at(13, 9), ends_at=at(13, 12), reason="Licença"
    )
    assert at(13, 9) not in mine()
    assert at(13, 13, 30) in mine()

    AvailabilityRule.objects.filter(
        agenda=video_agenda, resource=inspector_resource, start_time=dt.time(9, 0)
    ).update(end_time=dt.time(10, 0))
    assert at(18, 9, 30) in mine()
    assert at(18, 10) not in mine()

    inspector_resource.is_active = False
    inspector_resource.save(update_fields=["is_active"])
    assert mine() == set()
