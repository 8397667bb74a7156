"""The staff e-mail digest: one per person and period, only what is unread and new."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.notifications.delivery import notification_deliver
from tenant_apps.notifications.enums import Channel
from tenant_apps.notifications.models import DigestRun, Notification
from tenant_apps.notifications.services import notification_queue, staff_digests_send
from tests.notifications.conftest import case_context

MONDAY = dt.date(2026, 11, 23)
TUESDAY = dt.date(2026, 11, 24)
STAFF_EMAIL = demo.DEMO_STAFF["aracaju"]["email"]


def _inbox(user: User, nup: str) -> Notification:
    [notification] = notification_queue(
        template_key="unit_inbox",
        context={**case_context(nup), "unit": {"acronym": "SEPLOG-PROT"}, "event_summary": "novo protocolo"},
        recipient=user,
        channels=(Channel.INBOX,),
        link_url=f"http://aracaju.localhost:8000/staff/protocolos/{nup[:5]}/",
    )
    return notification


@pytest.fixture
def staff(in_aracaju) -> User:
    return User.objects.get(email=STAFF_EMAIL)


def _digests() -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(template_key="staff_digest")
        .order_by("id")
        .values_list("address", "subject")
    )


def test_running_the_digest_twice_in_a_period_sends_once(staff):
    _inbox(staff, "10005.000001/2026-11")
    _inbox(staff, "10005.000002/2026-11")
    read = _inbox(staff, "10005.000003/2026-11")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())

    first = staff_digests_send(period=MONDAY)
    second = staff_digests_send(period=MONDAY)

    assert [(run.user_id, run.period, run.item_count) for run in first] == [(staff.pk, MONDAY, 2)]
    assert second == []
    assert DigestRun.objects.count() == 1
    assert _digests() == [(STAFF_EMAIL, "Resumo de 2 novidade(s) nas suas unidades")]
    [digest] = Notification.objects.filter(template_key="staff_digest")
    assert first[0].notification == digest
    assert digest.link_url == "http://aracaju.localhost:8000/staff/notificacoes/"
    assert digest.body == (
        "Olá, Sérgio.\n\n"
        "- Novo na caixa da SEPLOG-PROT: 10005.000001/2026-11: http://aracaju.localhost:8000/staff/protocolos/10005/\n"
        "- Novo na caixa da SEPLOG-PROT: 10005.000002/2026-11: http://aracaju.localhost:8000/staff/protocolos/10005/"
    )

    notification_deliver(notification_id=digest.pk)

    [message] = mail.outbox
    assert (message.to, message.subject) == ([STAFF_EMAIL], "Resumo de 2 novidade(s) nas suas unidades")


def test_the_next_digest_has_only_what_arrived_since_the_last_one(staff):
    _inbox(staff, "10005.000001/2026-11")
    staff_digests_send(period=MONDAY, now=timezone.now())

    assert staff_digests_send(period=TUESDAY) == []  # nothing new: no e-mail, no run

    _inbox(staff, "10005.000004/2026-11")
    [run] = staff_digests_send(period=TUESDAY)

    assert run.item_count == 1
    assert _digests() == [
        (STAFF_EMAIL, "Resumo de 1 novidade(s) nas suas unidades"),
        (STAFF_EMAIL, "Resumo de 1 novidade(s) nas suas unidades"),
    ]
    assert (
        "10005.000004/2026-11"
        in Notification.objects.filter(template_key="staff_digest").order_by("id").last().body
    )


def test_the_command_sends_each_citys_digests_in_its_own_schema(aracaju, gravatai):
    with tenant_context(aracaju):
        _inbox(User.objects.get(email=STAFF_EMAIL), "10005.000001/2026-11")
    out = io.StringIO()

    call_command("send_staff_digests", "--date", "2026-11-23", stdout=out)
    call_command("send_staff_digests", "--date", "2026-11-23", stdout=out)

    assert out.getvalue().splitlines() == [
        "aracaju: 1 resumo(s) enviado(s)",
        "gravatai: 0 resumo(s) enviado(s)",
        "aracaju: 0 resumo(s) enviado(s)",
        "gravatai: 0 resumo(s) enviado(s)",
    ]
    with tenant_context(aracaju):
        assert _digests() == [(STAFF_EMAIL, "Resumo de 1 novidade(s) nas suas unidades")]
    with tenant_context(gravatai):
        assert _digests() == []
