"""factory_boy factories for the main models, for new tests (run them inside a city's schema:
the `in_aracaju`/`in_gravatai` fixtures).

Rows whose creation is a unit of work with rules (a case: NUP, history, documents) are made
through their service, so a factory never builds a state the product could not reach.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, cast

import factory
from factory.django import DjangoModelFactory

from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.catalog.enums import DeadlineKind, FieldKind
from tenant_apps.catalog.models import RequiredAttachment, Service, ServiceField
from tenant_apps.org.enums import OrgUnitKind, Role
from tenant_apps.org.models import Membership, OrgUnit
from tenant_apps.scheduling.models import Appointment

PASSWORD = "Paco#Teste2026"  # noqa: S105 - a test password


class UserFactory(DjangoModelFactory[User]):
    """A citizen by default; `StaffFactory` for a servidor."""

    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda number: f"pessoa{number}@exemplo.com.br")
    full_name = factory.Sequence(lambda number: f"Pessoa {number} da Silva")
    kind = UserKind.CITIZEN
    phone = ""
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda number: f"servidor{number}@prefeitura.gov.br")
    full_name = factory.Sequence(lambda number: f"Servidor {number} Souza")
    kind = UserKind.STAFF


class OrgUnitFactory(DjangoModelFactory[OrgUnit]):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("acronym",)

    code = factory.Sequence(lambda number: f"{90000 + number:05d}")
    acronym = factory.Sequence(lambda number: f"UNID{number}")
    name = factory.LazyAttribute(lambda unit: f"Unidade {unit.acronym}")
    kind = OrgUnitKind.SETOR
    parent = None
    is_active = True


class MembershipFactory(DjangoModelFactory[Membership]):
    """A person working in a unit (`starts_on`/`ends_on` empty: from always, for good)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(StaffFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    role = Role.STAFF
    starts_on = None
    ends_on = None


class ServiceFactory(DjangoModelFactory[Service]):
    """A public service of the Carta de Serviços with one required text field."""

    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda number: f"servico-{number}")
    name = factory.Sequence(lambda number: f"Serviço {number}")
    description = "Um serviço de teste."
    unit = factory.SubFactory(OrgUnitFactory)
    deadline_days = 15
    deadline_kind = DeadlineKind.BUSINESS_DAYS
    is_public = True
    is_active = True
    field = factory.RelatedFactory(
        "tests.factories.ServiceFieldFactory",
        factory_related_name="service",
        key="endereco",
        label="Endereço",
    )


class ServiceFieldFactory(DjangoModelFactory[ServiceField]):
    class Meta:
        model = ServiceField

    service = factory.SubFactory(ServiceFactory, field=None)
    key = factory.Sequence(lambda number: f"campo_{number}")
    label = factory.Sequence(lambda number: f"Campo {number}")
    kind = FieldKind.TEXT
    is_required = True
    position = factory.Sequence(lambda number: number)


class RequiredAttachmentFactory(DjangoModelFactory[RequiredAttachment]):
    class Meta:
        model = RequiredAttachment

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda number: f"Documento {number}")
    is_required = True
    position = factory.Sequence(lambda number: number)


class AppointmentFactory(DjangoModelFactory[Appointment]):
    """An appointment row at `starts_at` (20 minutes unless `ends_at` is given), booked by its citizen,
    for tests of pages, lists and caches at any time. Give `agenda`, `resource`, `citizen` and
    `starts_at`. Booking with its rules goes through `scheduling.services.appointment_book`."""

    class Meta:
        model = Appointment

    code = factory.LazyFunction(lambda: secrets.token_urlsafe(12))
    booked_by = factory.SelfAttribute("citizen")
    ends_at = factory.LazyAttribute(lambda appointment: appointment.starts_at + dt.timedelta(minutes=20))
    seat = 1


def staff_in(unit: OrgUnit, *, role: str = Role.STAFF, **fields: Any) -> User:
    """A new staff member working in `unit`."""
    membership = cast(Membership, MembershipFactory(unit=unit, role=role, user=StaffFactory(**fields)))
    return membership.user


def pdf_bytes() -> bytes:
    """A small valid PDF of one blank page (uploads are parsed: a fake PDF is refused)."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=72, height=72)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
