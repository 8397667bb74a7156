"""Reads of the permits module: the requester's and the units' requests, the public register, the
verification note and the business-day countdown of tacit approval."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.viewer import Viewer
from tenant_apps.documents.models import Document
from tenant_apps.documents.selectors import VerificationNote
from tenant_apps.org.selectors import user_is_municipal_admin, user_unit_ids
from tenant_apps.workdays.selectors import BusinessCalendar

from .cnae import cnae_get
from .enums import IssueMode, OpinionStatus, PermitStatus, RequesterKind, RequestStatus
from .models import ChecklistItem, Opinion, Permit, PermitKind, PermitRequest, RequestFile


def permit_kind_list_public() -> QuerySet[PermitKind]:
    return PermitKind.objects.select_related("service").filter(
        service__is_active=True, service__is_public=True
    )


def permit_kind_get_public(*, code: str) -> PermitKind:
    kind = (
        permit_kind_list_public()
        .prefetch_related("service__fields", "checklist")
        .filter(service__code=code)
        .first()
    )
    if kind is None:
        raise Http404
    return kind


def _request_queryset() -> QuerySet[PermitRequest]:
    return PermitRequest.objects.select_related("case__current_unit", "kind__service", "permit__document")


def permit_request_list_for_citizen(*, user: Viewer) -> QuerySet[PermitRequest]:
    return (
        _request_queryset().filter(case__citizen_id=getattr(user, "pk", None)).order_by("-created_at", "-id")
    )


def permit_request_get_for_citizen(*, user: Viewer, request_id: int) -> PermitRequest:
    request = _request_queryset().filter(pk=request_id, case__citizen_id=getattr(user, "pk", None)).first()
    if request is None:
        raise Http404
    return request


def permit_request_list_for_staff(*, user: Viewer) -> QuerySet[PermitRequest]:
    """Requests of the staff member's units: the licensing unit's, and those with an opinion asked
    of one of their units. A municipal admin manages the whole city and sees every request (to
    follow them; opinions, issuance and appeals stay with the units, which the services check)."""
    requests = _request_queryset()
    if getattr(user, "is_servidor", False) and user_is_municipal_admin(user_id=int(user.pk or 0)):
        return requests.order_by("decision_due", "-created_at", "-id")
    units = user_unit_ids(user)
    return (
        requests.filter(Q(case__current_unit_id__in=units) | Q(opinions__unit_id__in=units))
        .distinct()
        .order_by("decision_due", "-created_at", "-id")
    )


def permit_request_get_for_staff(*, user: Viewer, request_id: int) -> PermitRequest:
    request = permit_request_list_for_staff(user=user).filter(pk=request_id).first()
    if request is None:
        raise Http404
    return request


def request_opinions(*, request: PermitRequest) -> QuerySet[Opinion]:
    return request.opinions.select_related("unit", "decided_by", "document").order_by("stage", "id")


def request_files_current(*, request: PermitRequest) -> QuerySet[Any]:
    return request.files.filter(is_current=True).select_related("attachment", "item").order_by("id")


def decision_countdown(*, request: PermitRequest) -> int | None:
    """Business days left before tacit approval (Lei 13.874/2019, art. 3º, IX), 0 on the last day."""
    if request.decision_due is None or request.status not in (RequestStatus.IN_ANALYSIS, RequestStatus.READY):
        return None
    today = timezone.localdate()
    if request.decision_due < today:
        return 0
    return BusinessCalendar().business_days_between(today, request.decision_due)


def permit_register(*, query: str = "") -> QuerySet[Permit]:
    """The public register of issued permits (no personal data of individuals: see `register_row`)."""
    permits = Permit.objects.select_related("request__kind__service").exclude(mode=IssueMode.EXEMPTION)
    if query:
        permits = permits.filter(Q(number__icontains=query) | Q(request__neighbourhood__icontains=query))
    return permits.order_by("-issued_at", "-id")


def register_holder(*, request: PermitRequest) -> str:
    """The holder's name as the public register and the open dataset show it: a company's razão
    social, but nothing for a natural person nor for a MEI, whose razão social is the owner's own
    name, often followed by the CPF (personal data, LGPD art. 5º, I)."""
    if request.requester_kind != RequesterKind.COMPANY or request.is_mei:
        return ""
    return request.requester_name


def register_row(*, permit: Permit) -> dict[str, Any]:
    request = permit.request
    activities = [cnae_get(code) for code in request.activities]
    return {
        "number": permit.number,
        "kind": request.kind.service.name,
        "activity": "; ".join(f"{item.formatted} {item.description}" for item in activities if item),
        "holder": register_holder(request=request),
        "neighbourhood": request.neighbourhood,
        "status": permit.get_status_display(),
        "issued_at": permit.issued_at,
        "valid_until": permit.valid_until,
        "mode": permit.get_mode_display(),
        "verification_code": permit.document.verification_code,
    }


def permit_verification_note(*, document: Document) -> VerificationNote | None:
    """The permit's current status on /verificar/ (documents' verification hook)."""
    permit = Permit.objects.filter(document=document).first()
    if permit is None:
        return None
    status = permit.status
    if status == PermitStatus.VALID and permit.valid_until and permit.valid_until < timezone.localdate():
        status = PermitStatus.EXPIRED
    label = PermitStatus(status).label
    if permit.mode == IssueMode.EXEMPTION:
        return VerificationNote(
            "success",
            _("Declaração de dispensa de alvará nº %(number)s (atividade de baixo risco).")
            % {"number": permit.number},
        )
    text = _("Alvará nº %(number)s — situação atual: %(status)s.") % {
        "number": permit.number,
        "status": label,
    }
    if permit.valid_until:
        text += " " + _("Válido até %(date)s.") % {"date": permit.valid_until.strftime("%d/%m/%Y")}
    if permit.status_reason and status != PermitStatus.VALID:
        text += " " + _("Motivo: %(reason)s") % {"reason": permit.status_reason}
    return VerificationNote("success" if status == PermitStatus.VALID else "danger", text)


def checklist_corrections(*, kind: PermitKind) -> QuerySet[ChecklistItem]:
    """Per item, how many files the rules matched to it that staff then put under another item or
    none (the item whose match words the admin should improve)."""
    corrected = (
        RequestFile.objects.filter(rule_item=OuterRef("pk"), is_corrected=True)
        .order_by()
        .values("rule_item")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return kind.checklist.annotate(corrections=Coalesce(Subquery(corrected), 0)).order_by("position", "id")


def opinions_pending_for_user(*, user: Viewer) -> QuerySet[Opinion]:
    return Opinion.objects.select_related("request__case", "request__kind__service", "unit").filter(
        unit_id__in=user_unit_ids(user), status=OpinionStatus.PENDING
    )
