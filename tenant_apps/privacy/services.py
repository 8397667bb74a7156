"""LGPD rights of the data subject (Lei 13.709/2018), written here:

- art. 18 II and V, art. 19 II: the copy of all the person's data (`data_export_request` and the
  job `data_export_build`), JSON (machine-readable) and PDF (readable), delivered by a link that
  only that person, signed in, can use, for `EXPORT_LINK_DAYS` days;
- art. 18 III, IV and VI, art. 18 § 5º, art. 19 II: correction or deletion requests, opened as a case
  of the encarregado's unit with a 15-day deadline (`subject_request_file`); records the city must
  keep (art. 16 I: legal obligation; Lei 13.460 and the Protocolo's history) are explained, never
  deleted by this request;
- art. 8 (§ 2º, § 5º): consents recorded with the text shown and time (`consent_record`);
- art. 41 § 1º: the encarregado's identity and contact on the city's privacy page
  (`privacy_notice_save`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint.urls import URLFetcher

from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.schemas import current_schema_name, current_tenant
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_deadline_set, case_open
from tenant_apps.catalog.enums import DeadlineKind
from tenant_apps.catalog.services import service_ensure
from tenant_apps.notifications.services import notification_queue
from tenant_apps.org.models import OrgUnit
from tenants.models import Municipality
from tenants.selectors import municipality_base_url

from .enums import ConsentPurpose, ExportStatus, SubjectRequestKind
from .models import Consent, DataExport, PrivacyNotice, SubjectRequest
from .selectors import personal_data_collect, privacy_notice_get
from .tasks import data_export_build_task

EXPORT_LINK_DAYS = 7
SUBJECT_REQUEST_DAYS = 15  # LGPD art. 19 II
SUBJECT_SERVICE_CODE = "lgpd-direitos-do-titular"


@transaction.atomic
def privacy_notice_save(
    *, body: str, dpo_name: str, dpo_email: str, dpo_phone: str = "", dpo_unit: OrgUnit | None = None
) -> PrivacyNotice:
    notice = privacy_notice_get() or PrivacyNotice()
    notice.body = body.strip()
    notice.dpo_name = dpo_name.strip()
    notice.dpo_email = dpo_email.strip().lower()
    notice.dpo_phone = dpo_phone.strip()
    notice.dpo_unit = dpo_unit
    if not notice.body or not notice.dpo_name or not notice.dpo_email:
        raise ApplicationError(
            _("Informe o texto do aviso e o nome e o e-mail do encarregado (LGPD art. 41).")
        )
    notice.save()
    return notice


@transaction.atomic
def consent_record(
    *, user: User, purpose: str, granted: bool, text_shown: str, ip_address: str | None = None
) -> Consent:
    """A new row per choice (never an update): the history is the proof (LGPD art. 8 § 2º)."""
    if purpose not in ConsentPurpose.values:
        raise ApplicationError(_("Finalidade desconhecida."))
    if not text_shown.strip():
        raise ApplicationError(_("O texto mostrado à pessoa é obrigatório."))
    return Consent.objects.create(
        user=user, purpose=purpose, granted=granted, text_shown=text_shown.strip(), ip_address=ip_address
    )


@transaction.atomic
def data_export_request(*, user: User) -> DataExport:
    """Ask for a copy; the job assembles it (it can be large) and e-mails the link."""
    pending = DataExport.objects.filter(user=user, status=ExportStatus.PENDING).first()
    if pending is not None:
        return pending
    export = DataExport.objects.create(user=user)
    enqueue_on_commit(data_export_build_task, export_id=export.pk)
    return export


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def data_export_build(*, export_id: int) -> DataExport:
    """Write the JSON and the PDF, make the link, e-mail it (idempotent: a ready export is kept)."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").get(pk=export_id)
        if export.status != ExportStatus.PENDING:
            return export
        user = export.user
        data = personal_data_collect(user)
        stamp = timezone.now()
        folder = f"privacy/exports/{export.pk}-{secrets.token_hex(8)}"
        export.json_name = default_storage.save(
            f"{folder}/meus-dados.json",
            ContentFile(json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()),
        )
        export.pdf_name = default_storage.save(f"{folder}/meus-dados.pdf", ContentFile(_pdf(data, stamp)))
        token = secrets.token_urlsafe(32)
        export.token_hash = _token_hash(token)
        export.status = ExportStatus.READY
        export.ready_at = stamp
        export.expires_at = stamp + dt.timedelta(days=EXPORT_LINK_DAYS)
        export.save()
        link = municipality_base_url_current() + reverse(
            "privacy:export_download", kwargs={"export_id": export.pk, "token": token, "fmt": "pdf"}
        )
        notification_queue(
            template_key="privacy_export_ready",
            context={"expires_at": export.expires_at, "link": link},
            recipient=user,
            link_url=link,
            subject_kind="data_export",
            subject_id=export.pk,
        )
    return export


def municipality_base_url_current() -> str:
    """The city's base URL, for the link; a job may run under a bare schema switch (no tenant row)."""
    tenant = current_tenant()
    if not isinstance(tenant, Municipality):
        tenant = Municipality.objects.get(schema_name=current_schema_name())
    return municipality_base_url(tenant)


def _pdf(data: dict, stamp: dt.datetime) -> bytes:
    with translation.override("pt-br"):
        html = render_to_string("privacy/export_pdf.html", {"data": data, "generated_at": stamp})
    pdf = weasyprint.HTML(
        string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}), base_url=None
    ).write_pdf()
    return bytes(pdf or b"")


@transaction.atomic
def data_export_open(*, user: User, export_id: int, token: str) -> DataExport:
    """The export behind a link, for its own person only, before it expires; anything else is one
    clear refusal that reveals nothing."""
    export = DataExport.objects.filter(pk=export_id).first()
    refused = ApplicationError(
        _('Este link não vale para a sua conta ou já venceu. Peça uma nova cópia em "Meus dados".')
    )
    if (
        export is None
        or export.user_id != user.pk
        or export.status != ExportStatus.READY
        or not secrets.compare_digest(export.token_hash, _token_hash(token))
        or export.expires_at is None
        or export.expires_at < timezone.now()
    ):
        raise refused
    if export.downloaded_at is None:
        export.downloaded_at = timezone.now()
        export.save(update_fields=["downloaded_at", "updated_at"])
    return export


def _subject_service(unit: OrgUnit):  # type: ignore[no-untyped-def]
    return service_ensure(
        code=SUBJECT_SERVICE_CODE,
        name="Direitos do titular de dados pessoais (LGPD)",
        unit=unit,
        group="Privacidade",
        deadline_days=SUBJECT_REQUEST_DAYS,
        deadline_kind=DeadlineKind.CALENDAR_DAYS,
        is_public=True,
    )


@transaction.atomic
def subject_request_file(*, user: User, kind: str, details: str) -> SubjectRequest:
    """Open the request as a case of the encarregado's unit, answer due in 15 days (art. 19 II)."""
    if kind not in SubjectRequestKind.values:
        raise ApplicationError(_("Escolha o tipo de pedido."), extra={"field": "kind"})
    if len(details.strip()) < 10:
        raise ApplicationError(_("Conte o que deve ser corrigido ou eliminado."), extra={"field": "details"})
    notice = privacy_notice_get()
    if notice is None or notice.dpo_unit is None:
        raise ApplicationError(
            _("A prefeitura ainda não indicou o encarregado de dados. Escreva para a ouvidoria.")
        )
    label = SubjectRequestKind(kind).label
    case: Case = case_open(
        service=_subject_service(notice.dpo_unit),
        opened_by=user,
        form_data={},
        subject=f"LGPD: {label}"[:200],
        description=details.strip(),
    )
    case_deadline_set(
        case=case, deadline=timezone.localdate(case.opened_at) + dt.timedelta(days=SUBJECT_REQUEST_DAYS)
    )
    return SubjectRequest.objects.create(user=user, kind=kind, details=details.strip(), case=case)
