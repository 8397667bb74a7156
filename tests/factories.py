"""factory_boy factories for the main models, for new tests. A city's rows are made inside its
schema (the `in_aracaju`/`in_gravatai` fixtures); the control plane's (cities, subscriptions,
usage, support) in the public schema, as any test is by default.

Rows whose creation is a unit of work with rules (a case: NUP, history, documents) are made
through their service, so a factory never builds a state the product could not reach.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, cast

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from shared_apps.billing.models import Subscription
from shared_apps.metering.enums import Metric
from shared_apps.metering.models import UsageDaily, UsageEvent
from shared_apps.onboarding.models import Signup
from shared_apps.support.enums import AccessMode
from shared_apps.support.models import ErrorTally, SupportAccessPolicy
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.catalog.enums import DeadlineKind, FieldKind
from tenant_apps.catalog.models import RequiredAttachment, Service, ServiceField
from tenant_apps.org.enums import OrgUnitKind, Role
from tenant_apps.org.models import Membership, OrgUnit
from tenant_apps.scheduling.models import Appointment
from tenants.models import Domain, Municipality

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
        skip_postgeneration_save = True  # the related rows point at it; nothing to save again

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


class MunicipalityFactory(DjangoModelFactory[Municipality]):
    """A city's control-plane rows: the municipality, its primary `<slug>.localhost` domain and a
    subscription. No schema (`auto_create_schema` is off): for the control plane's pages and lists;
    a city to work in is one of the session's (`aracaju`, `gravatai`)."""

    class Meta:
        model = Municipality
        skip_postgeneration_save = True  # the related rows point at it; nothing to save again

    slug = factory.Sequence(lambda number: f"extra{number}")
    schema_name = factory.LazyAttribute(lambda city: city.slug.replace("-", "_"))
    name = factory.Sequence(lambda number: f"Cidade Extra {number}")
    display_name = factory.LazyAttribute(lambda city: f"Prefeitura de {city.name}")
    ibge_code = factory.Sequence(lambda number: f"99{number:05d}")
    state = "SE"
    primary_color = "#123456"
    secondary_color = "#654321"
    primary_domain = factory.RelatedFactory(
        "tests.factories.DomainFactory", factory_related_name="tenant", is_primary=True
    )
    subscription_row = factory.RelatedFactory(
        "tests.factories.SubscriptionFactory", factory_related_name="municipality"
    )


class DomainFactory(DjangoModelFactory[Domain]):
    """One more host name of a city (`<slug>.localhost` unless `domain` is given)."""

    class Meta:
        model = Domain

    tenant = factory.SubFactory(MunicipalityFactory, primary_domain=None)
    domain = factory.LazyAttribute(lambda row: f"{row.tenant.slug}.localhost")
    is_primary = False


class SubscriptionFactory(DjangoModelFactory[Subscription]):
    """The city's subscription as given: a city has one, so the fields given replace those of the
    one it has (the session's cities have theirs from provisioning) and the others stay."""

    class Meta:
        model = Subscription

    municipality = factory.SubFactory(MunicipalityFactory, subscription_row=None)
    plan_code = "pequeno"
    contact_email = factory.LazyAttribute(lambda row: f"admin@{row.municipality.slug}.gov.br")

    @classmethod
    def _create(cls, model_class: type[Subscription], *args: Any, **kwargs: Any) -> Subscription:
        municipality = kwargs.pop("municipality")
        subscription, _created = model_class.objects.update_or_create(
            municipality=municipality, defaults=kwargs
        )
        return subscription


class UsageEventFactory(DjangoModelFactory[UsageEvent]):
    """One metered event of a city, now (a protocol opened unless `metric` is given)."""

    class Meta:
        model = UsageEvent

    municipality = factory.SubFactory(MunicipalityFactory)
    metric = Metric.CASES
    idempotency_key = factory.Sequence(lambda number: f"teste-{number}")
    quantity = 1
    occurred_at = factory.LazyFunction(timezone.now)


class UsageDailyFactory(DjangoModelFactory[UsageDaily]):
    """A city's total of one metric for one day (today unless `day` is given)."""

    class Meta:
        model = UsageDaily

    municipality = factory.SubFactory(MunicipalityFactory)
    metric = Metric.STORAGE_GB
    day = factory.LazyFunction(timezone.localdate)
    quantity = 0


class ErrorTallyFactory(DjangoModelFactory[ErrorTally]):
    """Server errors of a city in one hour of one day (today, midnight's hour unless given)."""

    class Meta:
        model = ErrorTally

    municipality = factory.SubFactory(MunicipalityFactory)
    day = factory.LazyFunction(timezone.localdate)
    hour = 0
    count = 1


class SupportAccessPolicyFactory(DjangoModelFactory[SupportAccessPolicy]):
    class Meta:
        model = SupportAccessPolicy

    municipality = factory.SubFactory(MunicipalityFactory)
    mode = AccessMode.ALLOWED


class SignupFactory(DjangoModelFactory[Signup]):
    """A signup waiting for its e-mail to be confirmed (its link valid for an hour; the token is
    not known: tests of the link make theirs through `onboarding.services.signup_create`)."""

    class Meta:
        model = Signup

    ibge_code = "2800308"
    city_name = "Aracaju"
    uf = "SE"
    slug = factory.Sequence(lambda number: f"cidade-nova-{number}")
    admin_full_name = "Ana Administradora"
    admin_cpf = "52998224725"
    admin_email = "ana@aracaju.se.gov.br"
    plan_code = "grande"
    payment_method = "boleto"
    verification_token_hash = "0" * 64
    verification_expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=1))


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
