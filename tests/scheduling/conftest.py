import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.scheduling.models import Agenda, Resource

ZONE = ZoneInfo("America/Sao_Paulo")
# A plain Monday (no holiday), 08:00 in Gravataí: "now" for the engine tests.
NOW = dt.datetime(2030, 3, 11, 8, 0, tzinfo=ZONE)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2030, month, day, hour, minute, tzinfo=ZONE)


@pytest.fixture
def video_agenda(in_gravatai):
    return Agenda.objects.get(code="atendimento-por-video-com-fiscal")


@pytest.fixture
def inspector(in_gravatai):
    return User.objects.get(email="servidor@gravatai.rs.gov.br")


@pytest.fixture
def inspector_resource(inspector):
    return Resource.objects.get(user=inspector)


@pytest.fixture
def citizen(in_gravatai):
    return User.objects.get(email="cidadao@exemplo.com.br")


@pytest.fixture
def other_citizen(in_gravatai):
    return User.objects.create_user(
        "outra@exemplo.com.br", "x", full_name="Outra Pessoa", kind="citizen", cpf="11144477735"
    )


@pytest.fixture
def iptu(video_agenda):
    return video_agenda.subjects.get(name="IPTU")
