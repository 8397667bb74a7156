"""Provisioning: a municipality is born from the migrated template schema, in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists, tenant_context

from paco.errors import ApplicationError
from paco.schemas import schema_activate_public

from .branding import (
    COAT_OF_ARMS_NAME,
    MINIMUM_CONTRAST,
    WHITE,
    CoatOfArmsRefused,
    coat_of_arms_png,
    coat_of_arms_svg,
    coat_of_arms_upload_name,
    contrast_ratio,
)
from .enums import MunicipalityStatus
from .models import Domain, Municipality
from .selectors import domain_cache_key

logger = logging.getLogger(__name__)

StepCallback = Callable[[str, float], None]


@dataclass(frozen=True)
class OrgUnitSpec:
    code: str
    acronym: str
    name: str
    kind: str
    parent: str | None = None  # acronym of the parent unit


@dataclass(frozen=True)
class AdminSpec:
    email: str
    full_name: str
    password: str | None = None
    unit: str | None = None  # acronym of the unit the admin belongs to (default: first top unit)


@dataclass(frozen=True)
class MunicipalitySpec:
    slug: str
    name: str
    display_name: str
    ibge_code: str
    state: str
    primary_color: str
    secondary_color: str
    time_zone: str = "America/Sao_Paulo"
    population: int | None = None
    status: str = MunicipalityStatus.TRIAL
    org_chart: Sequence[OrgUnitSpec] = field(default_factory=tuple)
    admin: AdminSpec | None = None
    hostname: str | None = None


def schema_name_for_slug(slug: str) -> str:
    return slug.replace("-", "_")


def domain_cache_invalidate(hostname: str) -> None:
    with schema_context("public"):
        cache.delete(domain_cache_key(hostname))


def template_schema_sync(*, verbosity: int = 0) -> None:
    """Create (if missing) and migrate the template schema new tenants are cloned from.

    `migrate_schemas` only walks tenant rows, so every release runs this after it: a template
    behind the code would clone stale tables into every new municipality.
    """
    template = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{template}"')
    call_command("migrate_schemas", schema_name=template, interactive=False, verbosity=verbosity)
    schema_activate_public()


def _timed(on_step: StepCallback | None, name: str, started: float) -> float:
    now = time.perf_counter()
    if on_step:
        on_step(name, now - started)
    return now


def _validated_municipality(spec: MunicipalitySpec) -> Municipality:
    municipality = Municipality.objects.filter(slug=spec.slug).first()
    if municipality is not None:
        if municipality.ibge_code != spec.ibge_code:
            raise ApplicationError(
                _("O identificador “%(spec_slug)s” já pertence a outro município.")
                % {"spec_slug": spec.slug},
                extra={"slug": spec.slug},
            )
        return municipality
    municipality = Municipality(
        schema_name=schema_name_for_slug(spec.slug),
        slug=spec.slug,
        name=spec.name,
        display_name=spec.display_name,
        ibge_code=spec.ibge_code,
        state=spec.state,
        time_zone=spec.time_zone,
        population=spec.population,
        status=spec.status,
        primary_color=spec.primary_color,
        secondary_color=spec.secondary_color,
    )
    try:
        municipality.full_clean()
    except ValidationError as error:
        messages = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items())
        raise ApplicationError(
            _("Dados do município inválidos: %(messages)s") % {"messages": messages}, extra=error.message_dict
        ) from error
    municipality.save()
    return municipality


ProvisioningMethod = Literal["pool", "blueprint", "clone", "migrate"]


def _schema_create(municipality: Municipality, method: ProvisioningMethod) -> bool:
    """Create the city's schema; False when it already existed (nothing done)."""
    from . import schema_pool

    if schema_exists(municipality.schema_name):
        return False
    if not schema_exists(settings.TENANT_BASE_SCHEMA):
        template_schema_sync()
    if method == "pool" and schema_pool.schema_pool_claim(municipality.schema_name):
        schema_activate_public()
        return True
    if method in ("pool", "blueprint"):
        try:
            schema_pool.schema_create_from_blueprint(municipality.schema_name)
        except schema_pool.BlueprintUnavailable as error:
            logger.warning("no blueprint (%s): cloning the template instead", error)
            method = "clone"
    if method == "clone":
        if not schema_exists(settings.TENANT_BASE_SCHEMA):
            template_schema_sync()
        municipality.create_schema(check_if_exists=True, verbosity=0)
    elif method == "migrate":
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{municipality.schema_name}"')
        call_command("migrate_schemas", schema_name=municipality.schema_name, interactive=False, verbosity=0)
    schema_activate_public()
    return True


def _coat_of_arms_ensure(municipality: Municipality) -> None:
    if municipality.coat_of_arms:
        return
    svg = coat_of_arms_svg(
        name=municipality.name,
        state=municipality.state,
        primary_color=municipality.primary_color,
        secondary_color=municipality.secondary_color,
    )
    with tenant_context(municipality):
        if default_storage.exists(COAT_OF_ARMS_NAME):
            default_storage.delete(COAT_OF_ARMS_NAME)
        stored_name = default_storage.save(COAT_OF_ARMS_NAME, ContentFile(svg.encode()))
    municipality.coat_of_arms = stored_name
    municipality.save(update_fields=["coat_of_arms", "updated_at"])


def provisioning_steps() -> list[tuple[str, Callable[..., Any]]]:
    """Tenant-side seeding steps, named in settings so this module never imports tenant apps."""
    return [(name, import_string(path)) for name, path in settings.TENANT_PROVISIONING_STEPS]


@transaction.atomic
def municipality_provision(
    *,
    spec: MunicipalitySpec,
    method: ProvisioningMethod = "pool",
    on_step: StepCallback | None = None,
) -> Municipality:
    """Create or complete a municipality: row, domain, schema, branding, org chart, admin.

    Idempotent: running it again for the same slug adds whatever is missing and changes nothing
    else. Everything happens in one transaction (PostgreSQL DDL is transactional), so a failure
    leaves no half-built schema behind.
    """
    started = time.perf_counter()
    municipality = _validated_municipality(spec)
    hostname = (spec.hostname or f"{spec.slug}.{settings.TENANT_DOMAIN_SUFFIX}").lower()
    other = Domain.objects.filter(domain=hostname).exclude(tenant=municipality).first()
    if other is not None:
        raise ApplicationError(_("O endereço %(hostname)s já está em uso.") % {"hostname": hostname})
    Domain.objects.get_or_create(domain=hostname, defaults={"tenant": municipality, "is_primary": True})
    started = _timed(on_step, "row", started)

    created = _schema_create(municipality, method)
    started = _timed(on_step, "schema", started)

    _coat_of_arms_ensure(municipality)
    started = _timed(on_step, "branding", started)

    for name, step in provisioning_steps():
        with tenant_context(municipality):
            step(municipality=municipality, spec=spec)
        started = _timed(on_step, name, started)

    transaction.on_commit(lambda: domain_cache_invalidate(hostname))
    if created:
        logger.info("provisioned municipality %s (%s)", municipality.slug, municipality.schema_name)
    return municipality


def municipality_lock(*, municipality_id: int) -> Municipality:
    """The city's row, locked until the caller's transaction ends (call it inside one): the
    control plane's actions on a city (suspend, offboard...) run one at a time."""
    return Municipality.objects.select_for_update().get(pk=municipality_id)


def municipality_last_activity_set(*, municipality_id: int, at: dt.datetime) -> None:
    """When the city was last used (the support console's "última atividade"); a plain UPDATE, no lock."""
    Municipality.objects.filter(pk=municipality_id).update(last_activity_at=at)


@transaction.atomic
def municipality_deprovision(*, municipality: Municipality) -> None:
    """Drop the city's schema and delete its row (its public rows cascade); the host -> city cache
    forgets its domains after commit. What to keep (exports, a tombstone) is the caller's business."""
    schema_name = municipality.schema_name
    if schema_name in {
        get_public_schema_name(),
        "information_schema",
        "pg_catalog",
        settings.TENANT_BASE_SCHEMA,
    }:
        raise ApplicationError(_("Este esquema não pode ser excluído."))
    quoted = '"' + schema_name.replace('"', '""') + '"'
    hostnames = list(municipality.domains.values_list("domain", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")
    with schema_context(get_public_schema_name()):
        Municipality.objects.filter(pk=municipality.pk).delete()

    def invalidate() -> None:
        for hostname in hostnames:
            domain_cache_invalidate(hostname)

    transaction.on_commit(invalidate)


@transaction.atomic
def municipality_set_status(*, municipality: Municipality, status: str) -> Municipality:
    if status not in MunicipalityStatus.values:
        raise ApplicationError(_("Situação desconhecida: %(status)s.") % {"status": status})
    municipality.status = status
    municipality.save(update_fields=["status", "updated_at"])
    hostnames = list(municipality.domains.values_list("domain", flat=True))

    def invalidate() -> None:
        for hostname in hostnames:
            domain_cache_invalidate(hostname)

    transaction.on_commit(invalidate)
    return municipality


@transaction.atomic
def municipality_branding_update(
    *,
    municipality: Municipality,
    display_name: str,
    primary_color: str,
    secondary_color: str,
    coat_of_arms: bytes | None = None,
) -> Municipality:
    """The municipal admin's branding: name shown in the header, colours and coat of arms.

    White text sits on the primary colour (header, buttons, footer), so it must reach WCAG AA
    contrast (4.5:1). An uploaded image is checked by its content and stored re-encoded as PNG in
    the city's own storage, under a name derived from its hash. Bad input changes nothing.
    """
    row = Municipality.objects.select_for_update().get(pk=municipality.pk)
    row.display_name = display_name.strip()
    row.primary_color = primary_color.strip().lower()
    row.secondary_color = secondary_color.strip().lower()
    try:
        row.full_clean()
    except ValidationError as error:
        fields = error.message_dict
        messages = "; ".join(" ".join(texts) for texts in fields.values())
        raise ApplicationError(messages, extra={"field": next(iter(fields)), "errors": fields}) from error
    ratio = contrast_ratio(WHITE, row.primary_color)
    if ratio < MINIMUM_CONTRAST:
        raise ApplicationError(
            _(
                "O texto branco sobre a cor primária %(color)s tem contraste de %(ratio)s:1, abaixo do"
                " mínimo de 4,5:1 exigido para leitura (WCAG AA). Escolha uma cor mais escura."
            )
            % {"color": row.primary_color, "ratio": f"{int(ratio * 100) / 100:.2f}".replace(".", ",")},
            extra={"field": "primary_color"},
        )
    update_fields = ["display_name", "primary_color", "secondary_color", "updated_at"]
    if coat_of_arms is not None:
        try:
            png = coat_of_arms_png(coat_of_arms)
        except CoatOfArmsRefused as error:
            raise ApplicationError(str(error), extra={"field": "coat_of_arms"}) from error
        name = coat_of_arms_upload_name(png)
        with tenant_context(row):
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(png))
        row.coat_of_arms = name
        update_fields.append("coat_of_arms")
    row.save(update_fields=update_fields)
    hostnames = list(row.domains.values_list("domain", flat=True))

    def invalidate() -> None:
        for hostname in hostnames:
            domain_cache_invalidate(hostname)

    transaction.on_commit(invalidate)
    logger.info("branding of %s updated", row.schema_name)
    return row


@transaction.atomic
def domain_add(*, municipality: Municipality, hostname: str, is_primary: bool = False) -> Domain:
    hostname = hostname.strip().lower()
    if Domain.objects.filter(domain=hostname).exists():
        raise ApplicationError(_("O endereço %(hostname)s já está em uso.") % {"hostname": hostname})
    domain = Domain(domain=hostname, tenant=municipality, is_primary=is_primary)
    domain.full_clean()
    domain.save()
    transaction.on_commit(lambda: domain_cache_invalidate(hostname))
    return domain


@transaction.atomic
def domain_remove(*, domain: Domain) -> None:
    hostname = domain.domain
    domain.delete()
    transaction.on_commit(lambda: domain_cache_invalidate(hostname))
