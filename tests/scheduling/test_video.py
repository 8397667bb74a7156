"""The video room: Jitsi tokens exactly as Jitsi's token authentication expects, only for the room
of the appointment, only inside its window, moderator only for staff; without Jitsi, a clear page."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from django.core.exceptions import PermissionDenied

from tenant_apps.scheduling.services import appointment_book, appointment_start, video_room_access

from .conftest import NOW, at

JITSI = {
    "JITSI_DOMAIN": "meet.gravatai.rs.gov.br",
    "JITSI_APP_ID": "paco-gravatai",
    "JITSI_APP_SECRET": "segredo-de-teste-com-32-caracteres!!",
    "JITSI_AUDIENCE": "jitsi",
    "JITSI_TENANT": "meet.gravatai.rs.gov.br",
}


@pytest.fixture
def jitsi(settings):
    for name, value in JITSI.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def booked(video_agenda, inspector_resource, citizen, iptu):
    return appointment_book(
        agenda=video_agenda,
        citizen=citizen,
        starts_at=at(12, 10),
        resource=inspector_resource,
        subject=iptu,
        now=NOW,
    )


def _claims(token: str) -> dict:
    return jwt.decode(
        token,
        JITSI["JITSI_APP_SECRET"],
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False},
    )


def test_staff_token_is_a_moderator_token_for_this_room_in_the_window(jitsi, booked, inspector):
    access = video_room_access(appointment=booked, user=inspector, now=at(12, 9, 50))
    assert access.join is not None
    assert access.join.script_url == "https://meet.gravatai.rs.gov.br/external_api.js"
    assert jwt.get_unverified_header(access.join.token)["alg"] == "HS256"
    assert _claims(access.join.token) == {
        "iss": "paco-gravatai",
        "aud": "jitsi",
        "sub": "meet.gravatai.rs.gov.br",
        "room": booked.video.room_name,
        "nbf": int(at(12, 9, 50).timestamp()),
        "exp": int(at(12, 10, 30).timestamp()),
        "context": {
            "user": {"name": "Gabriela Fiscal", "email": "servidor@gravatai.rs.gov.br", "moderator": "true"}
        },
    }


def test_the_citizen_waits_for_the_attendant_then_gets_a_non_moderator_token(
    jitsi, booked, citizen, inspector
):
    waiting = video_room_access(appointment=booked, user=citizen, now=at(12, 9, 55))
    assert waiting.join is None
    assert waiting.is_waiting
    assert "o atendente ainda não abriu a sala" in waiting.reason
    appointment_start(appointment=booked, actor=inspector, now=at(12, 9, 56))
    booked.refresh_from_db()
    booked.video.refresh_from_db()
    access = video_room_access(appointment=booked, user=citizen, now=at(12, 9, 57))
    claims = _claims(access.join.token)
    assert claims["context"]["user"] == {
        "name": "Maria da Silva Santos",
        "email": "cidadao@exemplo.com.br",
        "moderator": "false",
    }
    assert claims["room"] == booked.video.room_name
    assert all(isinstance(value, str) for value in claims["context"]["user"].values())


def test_no_token_outside_the_window_nor_for_someone_elses_room(jitsi, booked, other_citizen):
    from django.contrib.auth import get_user_model

    early = video_room_access(appointment=booked, user=booked.citizen, now=at(12, 9, 49))
    assert early.join is None
    assert "A sala abre às 09:50 de 12/03/2030" in early.reason
    staff = booked.resource.user
    late = video_room_access(appointment=booked, user=staff, now=at(12, 10, 30))
    assert late.join is None
    assert "já terminou" in late.reason
    with pytest.raises(PermissionDenied):
        video_room_access(appointment=booked, user=other_citizen, now=at(12, 10))
    outsider = get_user_model().objects.create_user(
        "outro@gravatai.rs.gov.br", "x", full_name="Fora", kind="staff"
    )
    with pytest.raises(PermissionDenied):
        video_room_access(appointment=booked, user=outsider, now=at(12, 10))


def test_a_token_opens_only_its_own_room(jitsi, video_agenda, booked, inspector, other_citizen, iptu):
    other = appointment_book(
        agenda=video_agenda, citizen=other_citizen, starts_at=at(12, 10), subject=iptu, now=NOW
    )
    mine = _claims(video_room_access(appointment=booked, user=inspector, now=at(12, 10)).join.token)
    assert other.video.room_name != booked.video.room_name
    assert mine["room"] == booked.video.room_name != "*"


def test_without_jitsi_the_room_says_video_is_not_configured(settings, booked, inspector):
    settings.JITSI_DOMAIN = ""
    access = video_room_access(appointment=booked, user=inspector, now=at(12, 10))
    assert access.join is None
    assert access.reason == "O atendimento por vídeo não está configurado nesta instalação."


def test_the_room_page_loads_the_iframe_api_from_the_configured_domain(jitsi, gravatai, login_as):
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from tenant_apps.accounts.models import User
    from tenant_apps.scheduling.models import Agenda, AvailabilityRule, Resource

    with tenant_context(gravatai):
        agenda = Agenda.objects.get(code="atendimento-por-video-com-fiscal")
        resource = Resource.objects.get(user__email="servidor@gravatai.rs.gov.br")
        # a window open right now, so the page can be asked for inside it
        now = timezone.localtime()
        if not dt.time(1, 0) <= now.time() <= dt.time(21, 30):
            pytest.skip("the slot of this test must fit in today's local date")
        AvailabilityRule.objects.filter(resource=resource).delete()
        start = (now - dt.timedelta(minutes=now.minute % 30 + 30)).replace(second=0, microsecond=0)
        AvailabilityRule.objects.create(
            agenda=agenda,
            resource=resource,
            weekday=start.weekday(),
            start_time=start.time(),
            end_time=min((start + dt.timedelta(hours=2)).time(), dt.time(23, 59))
            if start.hour < 22
            else dt.time(23, 59),
        )
        agenda.closes_on_holidays = False
        agenda.save()
        slot_start = start + dt.timedelta(minutes=30)
        appointment = appointment_book(
            agenda=agenda,
            citizen=User.objects.get(email="cidadao@exemplo.com.br"),
            starts_at=slot_start,
            resource=resource,
            subject=agenda.subjects.get(name="NFS-e"),
            channel="balcao",
            booked_by=resource.user,
            now=now - dt.timedelta(hours=1),
        )
    response = login_as("staff", gravatai).get(f"/staff/agenda/{appointment.code}/sala/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<script src="https://meet.gravatai.rs.gov.br/external_api.js"></script>' in body
    assert f'data-room="{appointment.video.room_name}"' in body
    assert "no-store" in response["Cache-Control"]
    assert response._csp_update == {
        "script-src": ["https://meet.gravatai.rs.gov.br"],
        "frame-src": ["https://meet.gravatai.rs.gov.br"],
    }
