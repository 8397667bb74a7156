"""The offboarding flow: request (read-only, scheduled, exported, e-mailed), cancel, the deletion job."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists, tenant_context

from paco.errors import ApplicationError
from paco.scheduler import periodic_jobs
from shared_apps.billing.enums import SubscriptionStatus
from shared_apps.billing.models import Subscription
from shared_apps.offboarding.enums import ExportStatus
from shared_apps.offboarding.models import ExportArchive, OffboardedMunicipality, Offboarding
from shared_apps.offboarding.services import (
    export_build,
    municipality_delete,
    offboarding_cancel,
    offboarding_deletions_run,
    offboarding_request,
)
from shared_apps.offboarding.tasks import offboarding_deletions_task, offboarding_export_task
from tenants.enums import MunicipalityStatus
from tenants.models import Municipality
from tenants.read_only import municipality_is_read_only
from tenants.services import MunicipalitySpec, municipality_provision

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def small_city(db, stored_files_cleanup) -> Municipality:
    """A city made for this test only: its schema rolls back, its files are removed afterwards."""
    stored_files_cleanup.append("itaporanga")
    municipality = municipality_provision(
        spec=MunicipalitySpec(
            slug="itaporanga",
            name="Itaporanga d'Ajuda",
            display_name="Prefeitura de Itaporanga d'Ajuda",
            ibge_code="2803203",
            state="SE",
            primary_color="#1351b4",
            secondary_color="#ffcd07",
        )
    )
    with tenant_context(municipality):
        default_storage.save("anexos/2026/ata.txt", ContentFile(b"ata da ultima reuniao"))
    return municipality


def test_request_makes_the_city_read_only_schedules_the_deletion_and_mails_the_contact(
    aracaju, django_capture_on_commit_callbacks
):
    Subscription.objects.create(
        municipality=aracaju, plan_code="grande", contact_email="financas@aracaju.se.gov.br"
    )

    with django_capture_on_commit_callbacks(execute=True):
        offboarding = offboarding_request(
            municipality=aracaju, requested_by="admin@aracaju.se.gov.br", reason="Fim do contrato", now=NOW
        )

    aracaju.refresh_from_db()
    assert aracaju.status == MunicipalityStatus.CANCELLED
    assert municipality_is_read_only(aracaju) is True
    assert offboarding.delete_after == NOW + dt.timedelta(days=30)
    assert (offboarding.requested_by, offboarding.reason) == ("admin@aracaju.se.gov.br", "Fim do contrato")
    assert offboarding.export.status == ExportStatus.PENDING
    assert [message.to for message in mail.outbox] == [["financas@aracaju.se.gov.br"]]
    assert mail.outbox[0].subject == f"Encerramento do Paço de {aracaju.display_name}"
    assert "a partir de 31/12/2026" in mail.outbox[0].body
    with pytest.raises(ApplicationError) as twice:
        offboarding_request(municipality=aracaju, requested_by="outro@aracaju.se.gov.br", reason="De novo")
    assert twice.value.message == "O encerramento deste município já foi solicitado."
    assert Offboarding.objects.filter(municipality=aracaju).count() == 1


def test_a_request_without_reason_changes_nothing(aracaju):
    status_before = aracaju.status
    with pytest.raises(ApplicationError) as refused:
        offboarding_request(municipality=aracaju, requested_by="admin@aracaju.se.gov.br", reason="  ")
    assert refused.value.message == "Informe o motivo do encerramento."
    aracaju.refresh_from_db()
    assert aracaju.status == status_before
    assert Offboarding.objects.count() == 0
    assert ExportArchive.objects.count() == 0


def test_the_export_job_builds_the_pending_export_once(small_city, stored_files_cleanup):
    offboarding = offboarding_request(municipality=small_city, requested_by="admin", reason="Teste", now=NOW)

    offboarding_export_task(export_id=offboarding.export_id)
    export = ExportArchive.objects.get(pk=offboarding.export_id)
    first = (export.file_name, export.sha256, export.size)
    offboarding_export_task(export_id=offboarding.export_id)  # a retry changes nothing
    export.refresh_from_db()

    assert export.status == ExportStatus.READY
    assert len(export.sha256) == 64
    assert export.size > 0
    assert (export.file_name, export.sha256, export.size) == first
    assert ExportArchive.objects.filter(municipality=small_city).count() == 1


def test_cancel_restores_the_status_billing_implies(aracaju):
    status_before = aracaju.status
    offboarding_request(municipality=aracaju, requested_by="admin", reason="Engano", now=NOW)

    offboarding = offboarding_cancel(municipality=aracaju, cancelled_by="admin@aracaju.se.gov.br", now=NOW)

    aracaju.refresh_from_db()
    assert status_before in (MunicipalityStatus.TRIAL, MunicipalityStatus.ACTIVE)
    assert aracaju.status == MunicipalityStatus.TRIAL  # no subscription: back to trial
    assert (offboarding.cancelled_at, offboarding.cancelled_by) == (NOW, "admin@aracaju.se.gov.br")


def test_cancel_with_an_active_subscription_makes_the_city_active_again(aracaju):
    Subscription.objects.create(
        municipality=aracaju,
        plan_code="grande",
        contact_email="financas@aracaju.se.gov.br",
        status=SubscriptionStatus.ACTIVE,
    )
    offboarding_request(municipality=aracaju, requested_by="admin", reason="Engano", now=NOW)

    offboarding_cancel(municipality=aracaju, cancelled_by="admin", now=NOW + dt.timedelta(days=29))

    aracaju.refresh_from_db()
    assert aracaju.status == MunicipalityStatus.ACTIVE


def test_cancel_after_the_grace_period_is_refused(aracaju):
    offboarding_request(municipality=aracaju, requested_by="admin", reason="Fim", now=NOW)

    with pytest.raises(ApplicationError) as refused:
        offboarding_cancel(municipality=aracaju, cancelled_by="admin", now=NOW + dt.timedelta(days=31))

    assert refused.value.message == "O prazo para cancelar o encerramento terminou."
    aracaju.refresh_from_db()
    assert aracaju.status == MunicipalityStatus.CANCELLED


def _city_folder(schema_name: str) -> str:
    return os.path.join(str(settings.MEDIA_ROOT), schema_name)


def test_the_deletion_job_waits_for_the_date_and_a_ready_export_then_deletes(
    small_city, django_capture_on_commit_callbacks
):
    offboarding = offboarding_request(municipality=small_city, requested_by="admin", reason="Fim", now=NOW)
    assert os.path.isfile(os.path.join(_city_folder("itaporanga"), "anexos", "2026", "ata.txt"))

    # before the date: nothing, even with the export ready
    export = export_build(export=offboarding.export)
    assert offboarding_deletions_run(now=NOW + dt.timedelta(days=29)) == []
    assert schema_exists("itaporanga")

    # after the date but the export not ready: nothing
    ExportArchive.objects.filter(pk=export.pk).update(status=ExportStatus.PENDING)
    assert offboarding_deletions_run(now=NOW + dt.timedelta(days=31)) == []
    assert schema_exists("itaporanga")
    ExportArchive.objects.filter(pk=export.pk).update(status=ExportStatus.READY)

    # after the date with the export ready: schema, files and row gone, tombstone kept
    with django_capture_on_commit_callbacks(execute=True):
        deleted = offboarding_deletions_run(now=NOW + dt.timedelta(days=31))

    assert [tombstone.slug for tombstone in deleted] == ["itaporanga"]
    assert not schema_exists("itaporanga")
    assert not os.path.exists(_city_folder("itaporanga"))
    assert not Municipality.objects.filter(slug="itaporanga").exists()
    assert not Offboarding.objects.filter(pk=offboarding.pk).exists()
    tombstone = OffboardedMunicipality.objects.get()
    assert (tombstone.name, tombstone.ibge_code, tombstone.requested_by, tombstone.reason) == (
        "Itaporanga d'Ajuda",
        "2803203",
        "admin",
        "Fim",
    )
    assert tombstone.deleted_at == NOW + dt.timedelta(days=31)
    assert tombstone.export_sha256 == export.sha256
    export.refresh_from_db()
    assert export.municipality_id is None  # the archive outlives the city
    with schema_context("public"):
        assert default_storage.exists(export.file_name)
    assert offboarding_deletions_task(period="2027-01-02") is None  # nothing left to delete


def test_a_failed_export_is_requested_again_and_the_city_kept(small_city):
    offboarding = offboarding_request(municipality=small_city, requested_by="admin", reason="Fim", now=NOW)
    ExportArchive.objects.filter(pk=offboarding.export_id).update(
        status=ExportStatus.FAILED, error="disco cheio"
    )

    assert offboarding_deletions_run(now=NOW + dt.timedelta(days=31)) == []

    offboarding.refresh_from_db()
    assert schema_exists("itaporanga")
    assert offboarding.export.status == ExportStatus.PENDING
    assert ExportArchive.objects.filter(municipality=small_city).count() == 2


def test_delete_without_a_ready_export_is_refused_unless_forced(
    small_city, django_capture_on_commit_callbacks
):
    with pytest.raises(ApplicationError) as refused:
        municipality_delete(municipality=small_city, requested_by="suporte")
    assert refused.value.message == (
        "O município Itaporanga d'Ajuda não tem exportação pronta: gere uma antes de excluir."
    )
    assert schema_exists("itaporanga")

    with django_capture_on_commit_callbacks(execute=True):
        tombstone = municipality_delete(municipality=small_city, requested_by="suporte", force=True)

    assert tombstone.export_sha256 == ""
    assert not schema_exists("itaporanga")


def test_the_deletion_job_is_scheduled_daily_in_public():
    entry = next(entry for entry in periodic_jobs() if entry["name"] == "offboarding-deletions")
    assert entry == {
        "name": "offboarding-deletions",
        "actor": "shared_apps.offboarding.tasks.offboarding_deletions_task",
        "every": "daily",
        "at": "03:00",
        "per_tenant": False,
    }
    assert timezone.is_aware(NOW)
