"""FHIR R4 export over REST (`/api/v1/health/fhir/<Type>`): Location, Practitioner, Schedule, Slot and
Appointment as FHIR searchset Bundles, for the health secretariat's managers (verified staff). Appointments
carry the patient's CNS only (no name, no notes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import ApplicationError, api_error_responses
from tenant_apps.accounts.api_auth import IsVerifiedStaff
from tenant_apps.scheduling.slots import slot_grid

from . import fhir
from .selectors import (
    fhir_appointments,
    fhir_locations,
    fhir_practitioners,
    fhir_schedules,
    user_is_health_manager,
)

TAGS = ["saúde (FHIR R4)"]
ERROR_RESPONSES = api_error_responses(
    bad_request="Período inválido (`start`/`end` em AAAA-MM-DD, no máximo 31 dias).",
    not_found="Tipo de recurso inexistente.",
)
MAX_DAYS = 31
TYPES = ("Location", "Practitioner", "Schedule", "Slot", "Appointment")


class IsHealthManager(BasePermission):
    message = "Só os gestores da Secretaria de Saúde exportam os dados da agenda em FHIR."

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_is_health_manager(user=request.user)


def _period(request: Request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.query_params.get("start") or today.isoformat())
        end = dt.date.fromisoformat(
            request.query_params.get("end") or (start + dt.timedelta(days=6)).isoformat()
        )
    except ValueError as error:
        raise ApplicationError("Informe as datas no formato AAAA-MM-DD.", extra={"field": "start"}) from error
    if end < start or (end - start).days >= MAX_DAYS:
        raise ApplicationError(
            f"O período vai de start a end, com no máximo {MAX_DAYS} dias.", extra={"field": "end"}
        )
    return start, end


def _resources(kind: str, request: Request) -> list[Any]:
    if kind == "Location":
        return [fhir.location(unit) for unit in fhir_locations()]
    if kind == "Practitioner":
        return [fhir.practitioner(item) for item in fhir_practitioners()]
    schedules = fhir_schedules()
    if kind == "Schedule":
        return [fhir.schedule(item) for item in schedules]
    start, end = _period(request)
    if kind == "Slot":
        found = []
        for item in schedules:
            for slot_kind in item.agenda.slot_kinds.all():
                period = slot_grid(agenda=item.agenda, first_day=start, last_day=end, slot_kind=slot_kind)
                found += [
                    fhir.slot(item, value, kind_code=slot_kind.code)
                    for value in period.slots
                    if value.slot_kind_id == slot_kind.pk
                ]
        return found
    return [
        fhir.appointment(
            item,
            patient_cns=getattr(getattr(item.citizen, "health_patient", None), "cns", None),
            checked_in=getattr(item, "health_check_in", None) is not None,
        )
        for item in fhir_appointments(first_day=start, last_day=end)
    ]


class FhirSearchApi(APIView):
    """A FHIR searchset Bundle of one resource type (Slot and Appointment for a period)."""

    permission_classes = [IsVerifiedStaff, IsHealthManager]

    @extend_schema(
        tags=TAGS,
        operation_id="health_fhir_search",
        summary="Exportar recursos FHIR R4 (Bundle searchset)",
        parameters=[
            OpenApiParameter("fhir_type", str, OpenApiParameter.PATH, enum=list(TYPES)),
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="Slot e Appointment: primeiro dia (hoje)."
            ),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="Slot e Appointment: último dia (start + 6)."
            ),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES},
    )
    def get(self, request: Request, fhir_type: str) -> Response:
        if fhir_type not in TYPES:
            raise Http404
        base = request.build_absolute_uri("/api/v1/health/fhir/")
        bundle = fhir.bundle(_resources(fhir_type, request), base_url=base)
        return Response(fhir.as_json(bundle), content_type="application/fhir+json")
