import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.health.demo import cns_for
from tenant_apps.health.models import Patient, Schedule
from tenant_apps.health.services import patient_register

ZONE = ZoneInfo("America/Sao_Paulo")
# A plain Monday 08:00 in Gravataí (no holiday that week): "now" for the health tests. The week of
# 11/03 is open; the next one (18/03 to 24/03) opens on Friday 15/03 at 07:00.
NOW = dt.datetime(2030, 3, 11, 8, 0, tzinfo=ZONE)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2030, month, day, hour, minute, tzinfo=ZONE)


@pytest.fixture
def helena(in_gravatai) -> Schedule:
    """Dra. Helena Prado, clínico geral at UBS Morada do Vale (demo)."""
    return Schedule.objects.select_related("professional__user", "unit", "specialty", "agenda").get(
        professional__user__email="medica1@gravatai.rs.gov.br"
    )


@pytest.fixture
def rodrigo(in_gravatai) -> Schedule:
    return Schedule.objects.select_related("professional__user", "unit", "specialty", "agenda").get(
        professional__user__email="medico2@gravatai.rs.gov.br"
    )


@pytest.fixture
def citizen(in_gravatai) -> User:
    return User.objects.get(email="cidadao@exemplo.com.br")


def make_patient(
    email: str, cpf: str, *, seed: int, birth: dt.date = dt.date(1990, 1, 1), group: str = ""
) -> User:
    user = User.objects.create_user(
        email, "x", full_name=email.split("@")[0].title(), kind="citizen", cpf=cpf
    )
    patient_register(user=user, cns=cns_for(seed), birth_date=birth, priority_group=group)
    return user


@pytest.fixture
def other(in_gravatai) -> User:
    return make_patient("joana@exemplo.com.br", "11144477735", seed=901)


@pytest.fixture
def third(in_gravatai) -> User:
    return make_patient("pedro@exemplo.com.br", "39053344705", seed=902)


@pytest.fixture
def elderly(in_gravatai) -> User:
    return make_patient("idosa@exemplo.com.br", "71428793860", seed=903, birth=dt.date(1950, 5, 2))


@pytest.fixture
def reception(in_gravatai) -> User:
    return User.objects.get(email="recepcao1@gravatai.rs.gov.br")


def patient(user: User) -> Patient:
    return Patient.objects.get(user=user)
