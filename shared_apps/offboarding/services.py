"""Exports, restores and the offboarding of a city (public schema, control plane)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from paco import clusters
from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.schemas import schema_activate_public
from tenants.enums import MunicipalityStatus
from tenants.models import Municipality
from tenants.selectors import municipality_base_url
from tenants.services import (
    MunicipalitySpec,
    municipality_deprovision,
    municipality_lock,
    municipality_provision,
    municipality_set_status,
)

from . import archive
from .enums import ExportStatus
from .models import ExportArchive, OffboardedMunicipality, Offboarding

logger = logging.getLogger(__name__)

PROTECTED_SCHEMAS = frozenset({"public", "information_schema", "pg_catalog"})


def _offboarding_page_url(municipality: Municipality) -> str:
    """The municipal admin's offboarding page: a city URL (ROOT_URLCONF), even from a public request."""
    return municipality_base_url(municipality) + reverse(
        "offboarding_tenant:page", urlconf=settings.ROOT_URLCONF
    )


def municipality_data(*, municipality: Municipality) -> dict[str, Any]:
    """The city's public rows, as written to municipality.json."""
    from shared_apps.billing.models import Subscription

    subscription = Subscription.objects.filter(municipality=municipality).first()
    return {
        "name": municipality.name,
        "display_name": municipality.display_name,
        "slug": municipality.slug,
        "schema_name": municipality.schema_name,
        "ibge_code": municipality.ibge_code,
        "state": municipality.state,
        "time_zone": municipality.time_zone,
        "population": municipality.population,
        "status": municipality.status,
        "primary_color": municipality.primary_color,
        "secondary_color": municipality.secondary_color,
        "coat_of_arms": municipality.coat_of_arms,
        "created_at": municipality.created_at.isoformat(),
        "domains": [
            {"domain": domain.domain, "is_primary": domain.is_primary}
            for domain in municipality.domains.order_by("domain")
        ],
        "subscription": None
        if subscription is None
        else {
            "plan_code": subscription.plan_code,
            "status": subscription.status,
            "contact_email": subscription.contact_email,
            "collection_method": subscription.collection_method,
        },
    }


def _contact_email(municipality: Municipality) -> str:
    from shared_apps.billing.models import Subscription

    subscription = Subscription.objects.filter(municipality=municipality).first()
    return subscription.contact_email if subscription else ""


# -- exports ------------------------------------------------------------------------------------


@transaction.atomic
def export_request(*, municipality: Municipality, requested_by: str) -> ExportArchive:
    """Record a pending export and have the job build it (after commit)."""
    from .tasks import offboarding_export_task

    export = ExportArchive.objects.create(
        municipality=municipality,
        municipality_slug=municipality.slug,
        municipality_name=municipality.name,
        requested_by=requested_by,
    )
    with schema_context("public"):
        enqueue_on_commit(offboarding_export_task, export_id=export.pk)
    return export


SUPPORT_EXPORT_MINIMUM_REASON = 15


@transaction.atomic
def support_export_request(*, municipality: Municipality, support_email: str, reason: str) -> ExportArchive:
    """Vendor support asks for a city's export: the city's consent first, like a support session.

    The city's support policy decides: `blocked` refuses, `allowed` builds at once, `approval` waits for
    a municipal admin (the request shows on the city's export page, and the admins get an e-mail).
    Every request is audited in the support action log.
    """
    from shared_apps.support.enums import AccessMode, SupportAction
    from shared_apps.support.selectors import support_policy_mode
    from shared_apps.support.services import support_action_record, support_admins_notify

    reason = reason.strip()
    if len(reason) < SUPPORT_EXPORT_MINIMUM_REASON:
        raise ApplicationError(
            _("Explique o motivo em pelo menos %(count)d caracteres.")
            % {"count": SUPPORT_EXPORT_MINIMUM_REASON},
            extra={"field": "reason"},
        )
    mode = support_policy_mode(municipality=municipality)
    if mode == AccessMode.BLOCKED:
        raise ApplicationError(
            _(
                "Os administradores de %(city)s bloquearam o acesso do suporte: a exportação só pode ser"
                " gerada por eles, na administração municipal."
            )
            % {"city": municipality.display_name}
        )
    allowed = mode == AccessMode.ALLOWED
    export = ExportArchive.objects.create(
        municipality=municipality,
        municipality_slug=municipality.slug,
        municipality_name=municipality.name,
        requested_by=support_email,
        requested_by_support=True,
        reason=reason,
        status=ExportStatus.PENDING if allowed else ExportStatus.AWAITING_CONSENT,
        decided_by=_("automático (acesso liberado)") if allowed else "",
        decided_at=timezone.now() if allowed else None,
    )
    support_action_record(
        municipality=municipality,
        support_email=support_email,
        action=SupportAction.EXPORT_REQUEST,
        detail=_("Exportação %(id)d: %(reason)s") % {"id": export.pk, "reason": reason},
    )
    support_admins_notify(
        municipality=municipality,
        subject=_("Pedido de exportação dos dados pelo suporte do Paço"),
        lines=[
            _("%(email)s, do suporte do Paço, pediu a exportação completa dos dados de %(city)s.")
            % {"email": support_email, "city": municipality.display_name},
            _("Motivo: %(reason)s") % {"reason": reason},
            _("A exportação foi liberada automaticamente pela política do município.")
            if allowed
            else _("A exportação só é gerada se um administrador aprovar em:"),
            _offboarding_page_url(municipality),
        ],
    )
    if allowed:
        _export_enqueue(export)
    return export


def _export_enqueue(export: ExportArchive) -> None:
    from .tasks import offboarding_export_task

    with schema_context("public"):
        enqueue_on_commit(offboarding_export_task, export_id=export.pk)


@transaction.atomic
def export_decide(
    *, municipality: Municipality, export_id: int, approve: bool, admin_email: str
) -> ExportArchive:
    """A municipal admin approves or denies support's export request of their own city."""
    export = ExportArchive.objects.select_for_update().filter(municipality=municipality, pk=export_id).first()
    if export is None or export.status != ExportStatus.AWAITING_CONSENT:
        raise ApplicationError(_("Este pedido de exportação não está aguardando decisão."))
    export.status = ExportStatus.PENDING if approve else ExportStatus.DENIED
    export.decided_by = admin_email
    export.decided_at = timezone.now()
    export.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    if approve:
        _export_enqueue(export)
    return export


def support_export_for_download(*, export_id: int, support_email: str) -> ExportArchive | None:
    """An export support may download, audited: one the city consented to (asked by support), or
    the export of an offboarding (the vendor keeps it for the city). Any other export is None."""
    from shared_apps.support.enums import SupportAction
    from shared_apps.support.services import support_action_record

    export = ExportArchive.objects.select_related("municipality").filter(pk=export_id).first()
    if export is None:
        return None
    offboarded = (
        Offboarding.objects.filter(export=export).exists()
        or OffboardedMunicipality.objects.filter(export=export).exists()
    )
    if not (export.requested_by_support or offboarded):
        return None
    if export.municipality is not None and export.status == ExportStatus.READY:
        support_action_record(
            municipality=export.municipality,
            support_email=support_email,
            action=SupportAction.EXPORT_DOWNLOAD,
            detail=_("Exportação %(id)d baixada") % {"id": export.pk},
        )
    return export


def export_build(*, export: ExportArchive) -> ExportArchive:
    """Build a pending export: dump into a temporary zip, store it in the control plane's storage.

    Idempotent: a ready export is returned unchanged. A failure marks the export failed (with the
    error) and raises.
    """
    export = ExportArchive.objects.select_related("municipality").get(pk=export.pk)
    if export.status in (ExportStatus.READY, ExportStatus.AWAITING_CONSENT, ExportStatus.DENIED):
        return export  # built already, or the city has not consented
    municipality = export.municipality
    if municipality is None:
        raise ApplicationError(_("O município desta exportação não existe mais."))
    started = timezone.now()
    try:
        with tempfile.TemporaryFile(suffix=".zip") as temporary:
            archive.archive_write(
                target=temporary,
                schema_name=municipality.schema_name,
                municipality_data=municipality_data(municipality=municipality),
                exported_at=started.isoformat(),
            )
            temporary.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: temporary.read(archive.CHUNK), b""):
                digest.update(chunk)
            size = temporary.tell()
            temporary.seek(0)
            folder = f"{settings.OFFBOARDING_EXPORT_PREFIX}/{municipality.slug}"
            name = f"{folder}/{started:%Y%m%dT%H%M%S}-{export.pk}.zip"
            with schema_context("public"):
                stored = default_storage.save(name, File(temporary, name=os.path.basename(name)))
    except Exception as error:
        ExportArchive.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        logger.exception("export %s of %s failed", export.pk, municipality.schema_name)
        raise
    export.status = ExportStatus.READY
    export.file_name = stored
    export.sha256 = digest.hexdigest()
    export.size = size
    export.finished_at = timezone.now()
    export.error = ""
    export.save(update_fields=["status", "file_name", "sha256", "size", "finished_at", "error", "updated_at"])
    logger.info("export %s of %s ready (%s bytes)", export.pk, municipality.schema_name, size)
    return export


def tenant_export(*, municipality: Municipality, requested_by: str) -> ExportArchive:
    """Export a city now (management command, tests): the zip of its schema and files, stored and recorded."""
    export = ExportArchive.objects.create(
        municipality=municipality,
        municipality_slug=municipality.slug,
        municipality_name=municipality.name,
        requested_by=requested_by,
    )
    return export_build(export=export)


def export_open(*, export: ExportArchive) -> IO[bytes]:
    """The stored zip, opened for reading (streamed by the download views)."""
    if export.status != ExportStatus.READY or not export.file_name:
        raise ApplicationError(_("Esta exportação ainda não está pronta."))
    with schema_context("public"):
        return default_storage.open(export.file_name, "rb")  # type: ignore[return-value]


# -- restore ------------------------------------------------------------------------------------


def _migration_keys(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(row["app"], row["name"]) for row in rows}


@transaction.atomic
def tenant_restore(
    *,
    archive_file: IO[bytes] | str | Path,
    slug: str,
    ibge_code: str | None = None,
    hostname: str | None = None,
) -> Municipality:
    """Create a new city from an export: every hash checked first, then schema, rows, sequences, files.

    One transaction: a refused or failing archive leaves no city, schema or row behind (the files
    copied before a failure are removed).
    """
    try:
        zip_file = zipfile.ZipFile(archive_file)
    except (zipfile.BadZipFile, OSError) as error:
        raise ApplicationError(
            _("Arquivo de exportação recusado: não é um arquivo zip válido. Nada foi criado.")
        ) from error
    with zip_file:
        archive.archive_verify(zip_file)
        data = archive.archive_read_json(zip_file, archive.MUNICIPALITY)
        schema = archive.archive_read_json(zip_file, archive.SCHEMA)
        exported_migrations = _migration_keys(archive.archive_read_json(zip_file, archive.MIGRATIONS))
        if Municipality.objects.filter(slug=slug).exists():
            raise ApplicationError(_("O identificador “%(slug)s” já está em uso.") % {"slug": slug})
        spec = MunicipalitySpec(
            slug=slug,
            name=data["name"],
            display_name=data["display_name"],
            ibge_code=ibge_code or data["ibge_code"],
            state=data["state"],
            primary_color=data["primary_color"],
            secondary_color=data["secondary_color"],
            time_zone=data.get("time_zone") or "America/Sao_Paulo",
            population=data.get("population"),
            status=MunicipalityStatus.TRIAL,
            hostname=hostname,
        )
        municipality = municipality_provision(spec=spec)
        try:
            _schema_load(
                municipality=municipality, zip_file=zip_file, schema=schema, exported=exported_migrations
            )
            municipality.display_name = data["display_name"]
            municipality.primary_color = data["primary_color"]
            municipality.secondary_color = data["secondary_color"]
            municipality.coat_of_arms = data.get("coat_of_arms") or municipality.coat_of_arms
            municipality.save(
                update_fields=[
                    "display_name",
                    "primary_color",
                    "secondary_color",
                    "coat_of_arms",
                    "updated_at",
                ]
            )
            written = archive.files_restore(zip_file=zip_file, schema_name=municipality.schema_name)
        except BaseException:
            _schema_discard(municipality)
            raise
    logger.info(
        "restored %s from an export on cluster %s (%s files)",
        municipality.schema_name,
        municipality.database,
        len(written),
    )
    return municipality


def _schema_load(
    *,
    municipality: Municipality,
    zip_file: zipfile.ZipFile,
    schema: dict[str, Any],
    exported: set[tuple[str, str]],
) -> None:
    """The archive's rows into the new city's schema, on the cluster holding it (paco.clusters), in
    one transaction there (with one cluster: a savepoint in the caller's).

    Each step enters the cluster on its own: a step that goes back to `public` (the migrations do)
    leaves it, and the next must not run on the control plane's database.
    """
    alias = municipality.database
    schema_name = municipality.schema_name
    with transaction.atomic(using=alias):
        with clusters.cluster_use(alias):
            code_migrations = _migration_keys(archive.schema_migrations(schema_name))
        unknown = exported - code_migrations
        if unknown:
            raise ApplicationError(
                _(
                    "O arquivo foi exportado por uma versão mais nova do Paço (%(count)s migrações"
                    " desconhecidas). Atualize o sistema antes de restaurar."
                )
                % {"count": len(unknown)}
            )
        older = exported != code_migrations
        if older:
            # exported by an earlier release: load into the schema as it was then, then migrate forward
            with clusters.cluster_use(alias):
                _schema_rebuild_at(schema_name, exported)
        with clusters.cluster_use(alias):
            archive.database_load(zip_file=zip_file, schema_name=schema_name, schema=schema)
        if older:
            with clusters.cluster_use(alias):
                _schema_migrate_forward(schema_name)


def _schema_discard(municipality: Municipality) -> None:
    """A failed restore on another cluster: its schema there was committed by the provisioning, so
    it is dropped (on the control plane's cluster the caller's transaction rolls it back)."""
    if municipality.database == clusters.DEFAULT_DB_ALIAS:
        return
    quoted = archive.quote_identifier(municipality.schema_name)
    with clusters.cluster_connection(municipality.database).cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")


def _leaf(graph: Any, nodes: list[tuple[str, str]]) -> tuple[str, str]:
    """The applied migration of one app that comes after all the others."""
    return max(nodes, key=lambda node: len(graph.forwards_plan(node)))


def _schema_rebuild_at(schema_name: str, applied: set[tuple[str, str]]) -> None:
    """Recreate `schema_name` empty and migrate it to exactly the `applied` migrations."""
    from django.db.migrations.executor import MigrationExecutor

    tenant_connection: Any = connection
    with connection.cursor() as cursor:
        quoted = archive.quote_identifier(schema_name)
        cursor.execute(f"DROP SCHEMA {quoted} CASCADE")
        cursor.execute(f"CREATE SCHEMA {quoted}")
    # as django-tenants' migrate_schemas does: the tenant schema alone in the search path
    tenant_connection.set_schema(schema_name, include_public=False)
    try:
        executor = MigrationExecutor(connection)
        graph = executor.loader.graph
        targets: list[tuple[str, str | None]] = []
        for app in sorted(executor.loader.migrated_apps):
            nodes = [node for node in applied if node[0] == app]
            targets.append(_leaf(graph, nodes) if nodes else (app, None))
        executor.migrate(targets)  # type: ignore[arg-type]
        reached = {(app, name) for app, name in executor.recorder.applied_migrations()}
    finally:
        tenant_connection.set_schema_to_public()
    if reached != applied:
        raise ApplicationError(
            _(
                "O estado de migrações do arquivo não pode ser reproduzido por esta versão do Paço"
                " (%(count)s migrações divergentes)."
            )
            % {"count": len(reached ^ applied)}
        )


def _schema_migrate_forward(schema_name: str) -> None:
    call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
    schema_activate_public()


# -- offboarding --------------------------------------------------------------------------------


def offboarding_pending(*, municipality: Municipality) -> Offboarding | None:
    return (
        Offboarding.objects.filter(municipality=municipality, cancelled_at__isnull=True)
        .select_related("export")
        .first()
    )


@transaction.atomic
def offboarding_request(
    *, municipality: Municipality, requested_by: str, reason: str, now: dt.datetime | None = None
) -> Offboarding:
    """The city leaves: read-only at once, exported by a job, deleted after OFFBOARDING_GRACE_DAYS."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Informe o motivo do encerramento."), extra={"field": "reason"})
    municipality = municipality_lock(municipality_id=municipality.pk)
    if offboarding_pending(municipality=municipality) is not None:
        raise ApplicationError(_("O encerramento deste município já foi solicitado."))
    municipality_set_status(municipality=municipality, status=MunicipalityStatus.CANCELLED)
    export = export_request(municipality=municipality, requested_by=requested_by)
    offboarding = Offboarding.objects.create(
        municipality=municipality,
        requested_by=requested_by,
        reason=reason,
        delete_after=now + dt.timedelta(days=settings.OFFBOARDING_GRACE_DAYS),
        export=export,
    )
    contact = _contact_email(municipality)
    if contact:
        subject = _("Encerramento do Paço de %(city)s") % {"city": municipality.display_name}
        body = "\n".join(
            [
                _("Olá,"),
                "",
                _(
                    "O encerramento do Paço de %(city)s foi solicitado por %(who)s. O portal passou a"
                    " funcionar somente para consulta."
                )
                % {"city": municipality.display_name, "who": requested_by},
                _(
                    "Todos os dados e arquivos serão excluídos definitivamente a partir de %(date)s. Até lá é"
                    " possível cancelar o encerramento e baixar a exportação completa dos dados em:"
                )
                % {"date": timezone.localtime(offboarding.delete_after).strftime("%d/%m/%Y")},
                _offboarding_page_url(municipality),
            ]
        )
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact]))
    logger.info("offboarding of %s requested by %s", municipality.schema_name, requested_by)
    return offboarding


@transaction.atomic
def offboarding_cancel(
    *, municipality: Municipality, cancelled_by: str, now: dt.datetime | None = None
) -> Offboarding:
    """Undo an offboarding request during its grace period; the status returns to what billing implies."""
    from shared_apps.billing.models import Subscription
    from shared_apps.billing.services import municipality_status_for

    now = now or timezone.now()
    municipality = municipality_lock(municipality_id=municipality.pk)
    offboarding = offboarding_pending(municipality=municipality)
    if offboarding is None:
        raise ApplicationError(_("Não há encerramento pendente para cancelar."))
    if offboarding.delete_after <= now:
        raise ApplicationError(_("O prazo para cancelar o encerramento terminou."))
    offboarding.cancelled_at = now
    offboarding.cancelled_by = cancelled_by
    offboarding.save(update_fields=["cancelled_at", "cancelled_by", "updated_at"])
    subscription = Subscription.objects.filter(municipality=municipality).first()
    target = municipality_status_for(subscription=subscription, now=now) if subscription else None
    if target is None:
        target = MunicipalityStatus.TRIAL
    elif target == MunicipalityStatus.CANCELLED:
        # the subscription itself was cancelled: the admin can subscribe again from a read-only portal
        target = MunicipalityStatus.READ_ONLY
    municipality_set_status(municipality=municipality, status=target)
    logger.info("offboarding of %s cancelled by %s", municipality.schema_name, cancelled_by)
    return offboarding


def _ready_export(municipality: Municipality) -> ExportArchive | None:
    return (
        ExportArchive.objects.filter(municipality=municipality, status=ExportStatus.READY)
        .order_by("-finished_at", "-id")
        .first()
    )


@transaction.atomic
def municipality_delete(
    *,
    municipality: Municipality,
    requested_by: str,
    reason: str = "",
    force: bool = False,
    now: dt.datetime | None = None,
) -> OffboardedMunicipality:
    """Drop the city's schema, delete its row (public rows cascade) and, after commit, its files.

    Refused without a ready export unless `force`. The export archive itself is kept.
    """
    now = now or timezone.now()
    schema_name = municipality.schema_name
    if schema_name in PROTECTED_SCHEMAS or schema_name == settings.TENANT_BASE_SCHEMA:
        raise ApplicationError(_("Este esquema não pode ser excluído."))
    export = _ready_export(municipality)
    if export is None and not force:
        raise ApplicationError(
            _("O município %(city)s não tem exportação pronta: gere uma antes de excluir.")
            % {"city": municipality.name}
        )
    tombstone = OffboardedMunicipality.objects.create(
        name=municipality.name,
        slug=municipality.slug,
        ibge_code=municipality.ibge_code,
        state=municipality.state,
        requested_by=requested_by,
        reason=reason,
        deleted_at=now,
        export=export,
        export_sha256=export.sha256 if export else "",
    )
    municipality_deprovision(municipality=municipality)

    def after_commit() -> None:
        removed = archive.storage_delete_all(schema_name)
        logger.info("deleted the files of %s (%s files)", schema_name, removed)

    transaction.on_commit(after_commit)
    logger.info("deleted municipality %s (schema dropped) by %s", schema_name, requested_by)
    return tombstone


def offboarding_deletions_run(*, now: dt.datetime | None = None) -> list[OffboardedMunicipality]:
    """Delete the cities whose grace period ended and whose export is ready (the daily job).

    A city whose export failed gets a new export request and waits for the next run.
    """
    now = now or timezone.now()
    deleted = []
    due = Offboarding.objects.select_related("municipality", "export").filter(
        cancelled_at__isnull=True, delete_after__lte=now
    )
    for offboarding in due:
        with transaction.atomic():
            export = offboarding.export
            if export is None or export.status == ExportStatus.FAILED:
                offboarding.export = export_request(
                    municipality=offboarding.municipality, requested_by=offboarding.requested_by
                )
                offboarding.save(update_fields=["export", "updated_at"])
                continue
            if export.status != ExportStatus.READY:
                continue
            deleted.append(
                municipality_delete(
                    municipality=offboarding.municipality,
                    requested_by=offboarding.requested_by,
                    reason=offboarding.reason,
                    now=now,
                )
            )
    return deleted
