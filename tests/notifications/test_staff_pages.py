"""What staff see: their inbox (read on open) and the delivery table of a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco_demo import cities as demo
from tenant_apps.accounts.models import User
from tenant_apps.notifications.enums import Channel, DeliveryStatus
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.selectors import notification_list_for_subject
from tenant_apps.notifications.services import notification_queue
from tests.conftest import client_for
from tests.notifications.conftest import CITIZEN_EMAIL, CITIZEN_PHONE, case_context

STAFF_LINK = "http://aracaju.localhost:8000/staff/protocolos/10005000001202611/"


def _inbox_item(user: User, nup: str = "10005.000001/2026-11", subject_id: int = 1) -> Notification:
    [notification] = notification_queue(
        template_key="unit_inbox",
        context={**case_context(nup), "unit": {"acronym": "SEPLOG-PROT"}, "event_summary": "novo protocolo"},
        recipient=user,
        channels=(Channel.INBOX,),
        link_url=STAFF_LINK,
        subject_kind="case",
        subject_id=subject_id,
    )
    return notification


@pytest.fixture
def staff_items(aracaju):
    with tenant_context(aracaju):
        staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
        manager = User.objects.get(email="gestor@aracaju.gov.br")
        return {
            "own": [_inbox_item(staff, f"10005.00000{n}/2026-11") for n in (1, 2, 3)],
            "other": _inbox_item(manager, "10005.000009/2026-11"),
        }


def test_the_inbox_lists_only_the_staff_members_own_notifications(aracaju, staff_items):
    client = client_for("staff", aracaju)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/notificacoes/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "3 notificações não lidas." in page
    for nup in ("10005.000001/2026-11", "10005.000002/2026-11", "10005.000003/2026-11"):
        assert f"Novo na caixa da SEPLOG-PROT: {nup}" in page
    assert "10005.000009/2026-11" not in page
    # session, user, OTP device, unread count, the list: the same for 3 items or 100 (the host's
    # city and its domains are the tenancy's, cached after the first request: not counted here)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in selects if '"tenants_' not in sql]) == 5


def test_opening_an_inbox_notification_marks_it_read_and_goes_to_its_page(aracaju, staff_items):
    client = client_for("staff", aracaju)
    item = staff_items["own"][0]

    response = client.post(f"/staff/notificacoes/{item.pk}/lida/")

    assert (response.status_code, response["Location"]) == (302, "/staff/protocolos/10005000001202611/")
    with tenant_context(aracaju):
        item.refresh_from_db()
        first_read = item.read_at
        assert first_read is not None
    client.post(f"/staff/notificacoes/{item.pk}/lida/")
    with tenant_context(aracaju):
        item.refresh_from_db()
        assert item.read_at == first_read
    assert "2 notificações não lidas." in client.get("/staff/notificacoes/").content.decode()


def test_someone_elses_notification_is_a_404_and_stays_unread(aracaju, staff_items):
    client = client_for("staff", aracaju)
    other = staff_items["other"]

    response = client.post(f"/staff/notificacoes/{other.pk}/lida/")

    assert response.status_code == 404
    with tenant_context(aracaju):
        other.refresh_from_db()
        assert other.read_at is None


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("citizen", 302), ("support", 302)])
def test_the_inbox_is_for_staff_only(aracaju, staff_items, role, status):
    client = client_for(role, aracaju)
    item = staff_items["own"][0]

    assert client.get("/staff/notificacoes/", HTTP_HOST="aracaju.localhost").status_code == status
    assert (
        client.post(f"/staff/notificacoes/{item.pk}/lida/", HTTP_HOST="aracaju.localhost").status_code
        == status
    )
    with tenant_context(aracaju):
        item.refresh_from_db()
        assert item.read_at is None


def test_the_delivery_table_shows_channel_masked_address_status_times_and_fallback(in_aracaju):
    citizen = User.objects.get(email=CITIZEN_EMAIL)
    [email] = notification_queue(
        template_key="case_opened",
        context=case_context(),
        recipient=citizen,
        phone=CITIZEN_PHONE,
        link_url="http://aracaju.localhost/x/",
        subject_kind="case",
        subject_id=77,
    )
    staff = User.objects.get(email=demo.DEMO_STAFF["aracaju"]["email"])
    _inbox_item(staff, subject_id=77)
    sent_at = dt.datetime(2026, 11, 23, 9, 30, tzinfo=timezone.get_current_timezone())
    opened_at = dt.datetime(2026, 11, 23, 10, 45, tzinfo=timezone.get_current_timezone())
    Notification.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.FAILED, sent_at=sent_at, opened_at=opened_at
    )
    email.refresh_from_db()
    from tenant_apps.notifications.services import notification_fallback_queue

    sms = notification_fallback_queue(notification=email)
    Notification.objects.filter(pk=sms.pk).update(status=DeliveryStatus.OPENED, opened_at=opened_at)

    with CaptureQueriesContext(connection) as queries:
        rows = list(notification_list_for_subject(subject_kind="case", subject_id=77))
        html = render_to_string("notifications/_delivery_table.html", {"notifications": rows})

    assert [(row.channel, row.fallback_of_id) for row in rows] == [("email", None), ("sms", email.pk)]
    assert len([query for query in queries.captured_queries if query["sql"].startswith("SELECT")]) == 1
    assert "ci***@exemplo.com.br" in html
    assert "+55 79 9****-5432" in html
    assert CITIZEN_EMAIL not in html
    assert "Falhou" in html
    assert "reenviada por SMS" in html
    assert "reenvio" in html
    assert "Aberta (aproximado)" in html
    assert "23/11/2026 09:30" in html
    assert "23/11/2026 10:45" in html
    assert "Sérgio" not in html  # staff inbox entries are not deliveries to the parties
