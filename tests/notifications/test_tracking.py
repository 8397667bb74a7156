"""The open pixel and the tracked link: first open/click recorded, own link only, own tenant only."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tenant_apps.notifications.enums import DeliveryStatus, EventKind
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_queue
from tenant_apps.notifications.views import PIXEL_GIF
from tests.notifications.conftest import LINK, case_context

ARACAJU = "aracaju.localhost"
GRAVATAI = "gravatai.localhost"


@pytest.fixture
def sent(aracaju) -> Notification:
    with tenant_context(aracaju):
        [notification] = notification_queue(
            template_key="case_opened", context=case_context(), email="cidadao@exemplo.com.br", link_url=LINK
        )
        Notification.objects.filter(pk=notification.pk).update(status=DeliveryStatus.SENT)
        notification.refresh_from_db()
    return notification


def _state(municipality, notification: Notification) -> tuple:
    with tenant_context(municipality):
        notification.refresh_from_db()
        kinds = list(notification.events.order_by("id").values_list("kind", flat=True))
        return (
            notification.status,
            notification.opened_at is not None,
            notification.clicked_at is not None,
            kinds,
        )


def test_the_pixel_records_the_first_open_only(aracaju, sent):
    client = Client()

    first = client.get(f"/n/{sent.token}/p.gif", HTTP_HOST=ARACAJU)
    second = client.get(f"/n/{sent.token}/p.gif", HTTP_HOST=ARACAJU)

    for response in (first, second):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response.content == PIXEL_GIF
        assert "no-cache" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
    assert PIXEL_GIF[:10] == b"GIF89a\x01\x00\x01\x00"  # a GIF of 1 x 1 pixel
    assert _state(aracaju, sent) == (
        DeliveryStatus.OPENED,
        True,
        False,
        [EventKind.QUEUED, EventKind.OPENED],
    )
    with tenant_context(aracaju):
        assert sent.events.get(kind=EventKind.OPENED).detail == {"source": "pixel"}


def test_the_tracked_link_redirects_to_the_notifications_own_link_and_records_the_click(aracaju, sent):
    client = Client()

    first = client.get(f"/n/{sent.token}/l/", HTTP_HOST=ARACAJU)
    second = client.get(f"/n/{sent.token}/l/?next=https://evil.example/", HTTP_HOST=ARACAJU)

    assert (first.status_code, first["Location"]) == (302, LINK)
    assert (second.status_code, second["Location"]) == (302, LINK)
    assert _state(aracaju, sent) == (
        DeliveryStatus.CLICKED,
        False,
        True,
        [EventKind.QUEUED, EventKind.CLICKED],
    )


def test_an_open_after_a_click_keeps_the_clicked_status(aracaju, sent):
    client = Client()
    client.get(f"/n/{sent.token}/l/", HTTP_HOST=ARACAJU)

    client.get(f"/n/{sent.token}/p.gif", HTTP_HOST=ARACAJU)

    assert _state(aracaju, sent) == (
        DeliveryStatus.CLICKED,
        True,
        True,
        [EventKind.QUEUED, EventKind.CLICKED, EventKind.OPENED],
    )


@pytest.mark.parametrize("suffix", ["p.gif", "l/"])
def test_a_token_of_aracaju_is_unknown_on_gravatais_host(aracaju, sent, suffix):
    response = Client().get(f"/n/{sent.token}/{suffix}", HTTP_HOST=GRAVATAI)

    assert response.status_code == 404
    assert _state(aracaju, sent) == (DeliveryStatus.SENT, False, False, [EventKind.QUEUED])


@pytest.mark.parametrize("suffix", ["p.gif", "l/"])
def test_an_unknown_token_is_a_404(aracaju, sent, suffix):
    response = Client().get(f"/n/naoexiste{sent.token[:10]}/{suffix}", HTTP_HOST=ARACAJU)

    assert response.status_code == 404
    assert _state(aracaju, sent) == (DeliveryStatus.SENT, False, False, [EventKind.QUEUED])


@pytest.mark.parametrize("suffix", ["p.gif", "l/"])
def test_tracking_answers_only_get(aracaju, sent, suffix):
    response = Client().post(f"/n/{sent.token}/{suffix}", HTTP_HOST=ARACAJU)

    assert response.status_code == 405
    assert _state(aracaju, sent) == (DeliveryStatus.SENT, False, False, [EventKind.QUEUED])
