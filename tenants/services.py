"""Provisioning: a municipality is born from the migrated template schema, in one transaction."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import secrets
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists, tenant_context

from paco import clusters
from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
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
from .clusters import cluster_choose, cluster_prepare
from .dns_lookup import DnsLookupError, txt_records
from .enums import MunicipalityStatus
from .host_probe import HostProbeError, host_schema
from .models import CustomDomain, Domain, Municipality
from .selectors import (
    custom_domain_pending_ids,
    custom_domain_txt_name,
    custom_domain_txt_value,
    domain_cache_key,
    pending_cache_key,
    redirect_cache_key,
)
from .tasks import custom_domain_verify_task

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


def schema_name_for_slug(*, slug: str) -> str:
    return slug.replace("-", "_")


def domain_cache_invalidate(*, hostname: str) -> None:
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
        schema_name=schema_name_for_slug(slug=spec.slug),
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
        database=cluster_choose(),
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
    clusters.control_plane_connection()  # the template lives on the control plane's database
    if not schema_exists(settings.TENANT_BASE_SCHEMA, database=clusters.CONTROL_PLANE_ALIAS):
        with clusters.cluster_use(DEFAULT_DB_ALIAS):
            template_schema_sync()
    if municipality.database != DEFAULT_DB_ALIAS and method in ("clone", "migrate"):
        method = "blueprint"  # the template lives on the control plane's cluster only
    if method == "pool" and schema_pool.schema_pool_claim(municipality.schema_name):
        schema_activate_public()
        return True
    if method in ("pool", "blueprint"):
        try:
            schema_pool.schema_create_from_blueprint(municipality.schema_name)
        except schema_pool.BlueprintUnavailable as error:
            if municipality.database != DEFAULT_DB_ALIAS:
                raise ApplicationError(
                    _("Sem pg_dump não é possível criar o esquema em outro cluster.")
                ) from error
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

    with ExitStack() as on_cluster:
        if municipality.database != DEFAULT_DB_ALIAS:
            # the city's schema and rows on its own cluster, in one transaction there (committed
            # just before the control plane's: a failure in between leaves an unused schema that a
            # rerun of the provisioning completes)
            cluster_prepare(municipality.database)
            on_cluster.enter_context(clusters.cluster_use(municipality.database))
            on_cluster.enter_context(transaction.atomic(using=municipality.database))
        created = _schema_create(municipality, method)
        started = _timed(on_step, "schema", started)

        _coat_of_arms_ensure(municipality)
        started = _timed(on_step, "branding", started)

        for name, step in provisioning_steps():
            with tenant_context(municipality):
                step(municipality=municipality, spec=spec)
            started = _timed(on_step, name, started)

    transaction.on_commit(lambda: domain_cache_invalidate(hostname=hostname))
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
    forgets its domains after commit. What to keep (exports, a tombstone) is the caller's business.

    The schema is dropped on the cluster holding it (`Municipality.database`, paco.clusters). On
    another cluster than the control plane's the drop commits there at once, before the row's
    deletion commits here: a failure in between leaves the row of a city without a schema, and
    running the deletion again finishes it (`DROP SCHEMA IF EXISTS`); never a schema without a row.
    """
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
    with clusters.cluster_connection(municipality.database).cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")
    with schema_context(get_public_schema_name()):
        Municipality.objects.filter(pk=municipality.pk).delete()

    def invalidate() -> None:
        for hostname in hostnames:
            domain_cache_invalidate(hostname=hostname)

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
            domain_cache_invalidate(hostname=hostname)

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
            domain_cache_invalidate(hostname=hostname)

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
    transaction.on_commit(lambda: domain_cache_invalidate(hostname=hostname))
    return domain


@transaction.atomic
def domain_remove(*, domain: Domain) -> None:
    hostname = domain.domain
    domain.delete()
    transaction.on_commit(lambda: domain_cache_invalidate(hostname=hostname))


# --- a city's own domain (issue 18) -------------------------------------------------------------

# the periodic job checks every pending one: a bound keeps one city from making it slow for all
CUSTOM_DOMAINS_PER_CITY = 5
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def custom_domain_normalize(*, raw: str) -> str:
    """The hostname the admin meant, lower-case and in ASCII (IDNA), or an ApplicationError saying
    in Portuguese what is wrong with it. Only names under CUSTOM_DOMAIN_REQUIRED_SUFFIX (`.gov.br`):
    gov.br gives production credentials only to systems on an official government domain, and it
    keeps Paço from serving a city's portal on a look-alike domain nobody can check."""
    value = raw.strip().lower()
    for scheme in ("https://", "http://"):
        value = value.removeprefix(scheme)
    value = value.rstrip("/").rstrip(".")
    example = _("por exemplo servicos.suacidade.uf.gov.br")
    if not value:
        raise ApplicationError(
            _("Informe o domínio (%(example)s).") % {"example": example}, extra={"field": "hostname"}
        )
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        pass
    else:
        raise ApplicationError(
            _("Informe um nome de domínio, não um endereço IP (%(example)s).") % {"example": example},
            extra={"field": "hostname"},
        )
    if any(char in value for char in "/:@?#") or any(char.isspace() for char in value):
        raise ApplicationError(
            _("Informe só o nome do domínio, sem caminho, porta ou espaços (%(example)s).")
            % {"example": example},
            extra={"field": "hostname"},
        )
    ours = settings.TENANT_DOMAIN_SUFFIX.lower()
    if value in settings.CONTROL_PLANE_HOSTS or value == ours or value.endswith(f".{ours}"):
        raise ApplicationError(
            _("%(value)s já é um endereço do Paço; informe o domínio da prefeitura.") % {"value": value},
            extra={"field": "hostname"},
        )
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        value = ""
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 3 or not all(_LABEL.match(label) for label in labels):
        raise ApplicationError(
            _("“%(value)s” não é um nome de domínio válido (%(example)s).")
            % {"value": raw.strip(), "example": example},
            extra={"field": "hostname"},
        )
    suffix = settings.CUSTOM_DOMAIN_REQUIRED_SUFFIX.lower()
    if suffix and (not value.endswith(suffix) or value == suffix.lstrip(".")):
        raise ApplicationError(
            _(
                "Use um domínio oficial terminado em %(suffix)s: o gov.br só libera credenciais de "
                "produção para sistemas em domínios de governo (%(example)s)."
            )
            % {"suffix": suffix, "example": example},
            extra={"field": "hostname"},
        )
    return value


@transaction.atomic
def custom_domain_add(*, municipality: Municipality, hostname: str) -> CustomDomain:
    """Record a pending domain with a fresh verification token, and check it once after commit
    (the periodic job `custom-domains-verify` keeps checking it)."""
    value = custom_domain_normalize(raw=hostname)
    taken = (
        Domain.objects.filter(domain=value).exclude(tenant=municipality).exists()
        or CustomDomain.objects.filter(hostname=value).exclude(municipality=municipality).exists()
    )
    if taken:
        raise ApplicationError(
            _("O domínio %(value)s já está cadastrado para outro município.") % {"value": value},
            extra={"field": "hostname"},
        )
    if CustomDomain.objects.filter(hostname=value).exists() or Domain.objects.filter(domain=value).exists():
        raise ApplicationError(
            _("O domínio %(value)s já foi adicionado a esta prefeitura.") % {"value": value},
            extra={"field": "hostname"},
        )
    if CustomDomain.objects.filter(municipality=municipality).count() >= CUSTOM_DOMAINS_PER_CITY:
        raise ApplicationError(
            _("Cada prefeitura pode ter até %(count)d domínios próprios. Remova um antes de adicionar outro.")
            % {"count": CUSTOM_DOMAINS_PER_CITY},
            extra={"field": "hostname"},
        )
    try:
        with transaction.atomic():
            row = CustomDomain.objects.create(
                municipality=municipality, hostname=value, token=secrets.token_hex(16)
            )
    except IntegrityError as error:  # the same name added at the same moment elsewhere
        raise ApplicationError(
            _("O domínio %(value)s acabou de ser cadastrado. Recarregue a página.") % {"value": value},
            extra={"field": "hostname"},
        ) from error
    logger.info("custom domain %s added to %s", value, municipality.schema_name)
    _municipality_hosts_invalidate(municipality)
    enqueue_on_commit(custom_domain_verify_task, custom_domain_id=row.pk)
    return row


def _municipality_hosts_invalidate(municipality: Municipality) -> None:
    """After commit, forget what the cache knows of the city's hosts and own domains."""
    hostnames = list(Domain.objects.filter(tenant=municipality).values_list("domain", flat=True))
    hostnames += list(
        CustomDomain.objects.filter(municipality=municipality).values_list("hostname", flat=True)
    )
    schema_name = municipality.schema_name

    def invalidate() -> None:
        for hostname in set(hostnames):
            domain_cache_invalidate(hostname=hostname)
        with schema_context("public"):
            cache.delete(redirect_cache_key(schema_name))
            cache.delete_many([pending_cache_key(hostname) for hostname in hostnames])

    transaction.on_commit(invalidate)


def _txt_check(row: CustomDomain) -> tuple[bool, str]:
    name = custom_domain_txt_name(row.hostname)
    try:
        values = txt_records(name)
    except DnsLookupError as error:
        return False, error.message
    if custom_domain_txt_value(row.token) in values:
        return True, ""
    if not values:
        return False, _("Nenhum registro TXT encontrado em %(name)s.") % {"name": name}
    return False, _("Há registro TXT em %(name)s, mas nenhum com o código esperado.") % {"name": name}


def _serving_check(row: CustomDomain) -> tuple[bool, str]:
    try:
        schema = host_schema(row.hostname)
    except HostProbeError as error:
        return False, error.message
    if schema != row.municipality.schema_name:
        return False, _(
            "O endereço %(hostname)s responde pelo Paço, mas não por esta prefeitura. Confira se o "
            "registro CNAME aponta para o endereço indicado."
        ) % {"hostname": row.hostname}
    return True, ""


def custom_domain_verify(*, custom_domain_id: int, now: dt.datetime | None = None) -> CustomDomain:
    """Take a city's own domain one step further, as far as it goes:

    1. the DNS TXT record holds the token: the domain is verified and becomes a (non-primary)
       `Domain` of the city, so Paço answers there and the ingress can get its certificate;
    2. Paço answers on the domain itself (`/healthz` names this city: CNAME, ingress and
       certificate in place): it becomes the city's primary host, and every other host of the city
       redirects to it (TenantMiddleware).

    The DNS and HTTP checks run outside any transaction (they may take seconds); each outcome is
    written under a row lock, so the periodic job, "Verificar agora" and a retry can run at once:
    the first that sees a step done records it, the others change nothing (idempotent)."""
    row = CustomDomain.objects.select_related("municipality").filter(pk=custom_domain_id).first()
    if row is None:
        raise ApplicationError(_("Domínio não encontrado."))
    now = now or timezone.now()
    if not row.is_verified:
        found, problem = _txt_check(row)
        row = _custom_domain_txt_record(row.pk, found=found, problem=problem, now=now)
    if row.is_verified and not row.is_serving:
        serving, problem = _serving_check(row)
        row = _custom_domain_serving_record(row.pk, serving=serving, problem=problem, now=now)
    return row


@transaction.atomic
def _custom_domain_txt_record(pk: int, *, found: bool, problem: str, now: dt.datetime) -> CustomDomain:
    row = CustomDomain.objects.select_for_update().select_related("municipality").get(pk=pk)
    if row.is_verified:
        return row
    if found and Domain.objects.filter(domain=row.hostname).exclude(tenant=row.municipality).exists():
        found, problem = False, _("O domínio já está em uso por outro município.")
    row.last_checked_at = now
    row.checks += 1
    row.last_error = problem[:300]
    fields = ["last_checked_at", "checks", "last_error", "updated_at"]
    if found:
        if not Domain.objects.filter(domain=row.hostname).exists():
            Domain(domain=row.hostname, tenant=row.municipality, is_primary=False).save()
        row.verified_at = now
        fields.append("verified_at")
        _municipality_hosts_invalidate(row.municipality)
        logger.info("custom domain %s verified for %s", row.hostname, row.municipality.schema_name)
    row.save(update_fields=fields)
    if found:
        _custom_domain_verified_notify(row)
    return row


def _custom_domain_verified_notify(row: CustomDomain) -> None:
    """The city's admins get an e-mail (the notifications module's editable text), queued in the
    city's schema inside the transaction that records the verification: once per domain."""
    notify = import_string(settings.CUSTOM_DOMAIN_VERIFIED_NOTIFY)
    with tenant_context(row.municipality):
        notify(
            hostname=row.hostname,
            verified_at=row.verified_at,
            link_url=reverse("domains:list", urlconf=settings.ROOT_URLCONF),
        )


@transaction.atomic
def _custom_domain_serving_record(pk: int, *, serving: bool, problem: str, now: dt.datetime) -> CustomDomain:
    row = CustomDomain.objects.select_for_update().select_related("municipality").get(pk=pk)
    if row.is_serving or not row.is_verified:
        return row
    row.last_checked_at = now
    row.last_error = problem[:300]
    fields = ["last_checked_at", "last_error", "updated_at"]
    domain = Domain.objects.filter(domain=row.hostname, tenant=row.municipality).first()
    if serving and domain is not None:
        domain.is_primary = True
        domain.save()  # DomainMixin.save: the city's other domains stop being primary
        row.serving_at = now
        fields.append("serving_at")
        _municipality_hosts_invalidate(row.municipality)
        logger.info(
            "custom domain %s answers: primary host of %s", row.hostname, row.municipality.schema_name
        )
    row.save(update_fields=fields)
    return row


def custom_domains_verify_pending(*, now: dt.datetime | None = None) -> int:
    """Take every domain added in the last CUSTOM_DOMAIN_PENDING_DAYS and not yet serving one step
    further; returns how many are now the primary host of their city (the periodic job)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.CUSTOM_DOMAIN_PENDING_DAYS)
    verified = 0
    for custom_domain_id in custom_domain_pending_ids(since=since):
        verified += custom_domain_verify(custom_domain_id=custom_domain_id, now=now).is_serving
    return verified


@transaction.atomic
def custom_domain_remove(*, municipality: Municipality, custom_domain_id: int) -> str:
    """Remove a domain of the city (pending or verified). When it was the primary host, the most
    recently verified other custom domain, or else the city's own subdomain, becomes primary.
    Returns the primary hostname after the removal."""
    row = (
        CustomDomain.objects.select_for_update()
        .filter(pk=custom_domain_id, municipality=municipality)
        .first()
    )
    if row is None:
        raise ApplicationError(_("Domínio não encontrado."))
    _municipality_hosts_invalidate(municipality)
    Domain.objects.filter(domain=row.hostname, tenant=municipality).delete()
    hostname = row.hostname
    row.delete()
    primary = Domain.objects.filter(tenant=municipality, is_primary=True).first()
    if primary is None:
        verified = (
            CustomDomain.objects.filter(municipality=municipality, serving_at__isnull=False)
            .order_by("-serving_at")
            .values_list("hostname", flat=True)
        )
        candidates = Domain.objects.filter(tenant=municipality)
        primary = (
            candidates.filter(domain__in=list(verified[:1])).first() or candidates.order_by("pk").first()
        )
        if primary is not None:
            primary.is_primary = True
            primary.save()
    logger.info("custom domain %s removed from %s", hostname, municipality.schema_name)
    return primary.domain if primary else ""
