"""Scheduling over REST (`/api/v1/scheduling/...`): agendas and their subjects, free slots, booking,
cancelling, rescheduling (citizens) and the staff agenda. Writes go through the services, which
refuse bad input with a Portuguese message (400) and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paco.errors import ApplicationError, api_error_responses
from paco.pagination import PageParameters, next_field
from paco.parsers import query_data
from tenant_apps.accounts.api_auth import IsCitizen, IsVerifiedStaff
from tenant_apps.accounts.types import account

from . import services
from .enums import AppointmentChannel, AppointmentStatus, AttendanceMode
from .models import Agenda, Appointment, Resource
from .selectors import (
    agenda_get_public,
    agenda_list_public,
    agenda_resources,
    appointment_get_for_citizen,
    appointment_page_for_citizen,
    staff_agenda,
)
from .slots import slot_list_free

TAGS = ["agendamento"]
ERROR_RESPONSES = api_error_responses(
    bad_request='Pedido recusado: `{"campo": ["mensagem"]}`, ou `{"message": "..."}` quando uma regra do '
    "agendamento impede a operação (horário passado, fora do atendimento, feriado, já reservado, "
    "além do prazo).",
    not_found="Serviço ou agendamento inexistente, ou fora do seu alcance.",
)
MAX_SLOT_DAYS = 62


class SubjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AttendantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AgendaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    mode = serializers.ChoiceField(choices=AttendanceMode.choices)
    location = serializers.CharField()
    time_zone = serializers.CharField()
    slot_minutes = serializers.IntegerField()
    horizon_days = serializers.IntegerField()
    cancel_limit_hours = serializers.IntegerField()
    subjects = serializers.SerializerMethodField()
    attendants = serializers.SerializerMethodField()

    def get_subjects(self, agenda: Agenda) -> list[dict[str, Any]]:
        return [
            {"id": subject.pk, "name": subject.name} for subject in agenda.subjects.all() if subject.is_active
        ]

    def get_attendants(self, agenda: Agenda) -> list[dict[str, Any]]:
        return [{"id": resource.pk, "name": resource.name} for resource in agenda_resources(agenda=agenda)]


class AgendaListApi(APIView):
    """The services citizens can book, with their subjects and attendants (public)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS, responses={200: AgendaSerializer(many=True)}, operation_id="scheduling_agendas_list"
    )
    def get(self, request: Request) -> Response:
        return Response(AgendaSerializer(agenda_list_public(), many=True).data)


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    attendant_id = serializers.IntegerField(source="resource_id")
    free_seats = serializers.SerializerMethodField()

    def get_free_seats(self, slot: Any) -> int:
        return len(slot.free_seats)


class SlotListApi(APIView):
    """Free slots of a service between two days (at most 62), for any attendant or one."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    class FilterSerializer(serializers.Serializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)
        attendant = serializers.IntegerField(required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            start, end = attrs.get("start"), attrs.get("end")
            if start and end and end < start:
                raise serializers.ValidationError({"end": ["A data final deve ser depois da inicial."]})
            if start and end and (end - start).days > MAX_SLOT_DAYS:
                raise serializers.ValidationError(
                    {"end": [f"Consulte no máximo {MAX_SLOT_DAYS} dias por vez."]}
                )
            return attrs

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Primeiro dia (padrão: hoje)."),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="Último dia (padrão: o fim do prazo de agendamento)."
            ),
            OpenApiParameter("attendant", OpenApiTypes.INT, description="Só os horários deste atendente."),
        ],
        responses={200: SlotSerializer(many=True), **ERROR_RESPONSES},
        operation_id="scheduling_slots_list",
    )
    def get(self, request: Request, agenda_code: str) -> Response:
        agenda = agenda_get_public(code=agenda_code)
        filters = self.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        resource_ids = None
        if data.get("attendant") is not None:
            if not agenda_resources(agenda=agenda).filter(pk=data["attendant"]).exists():
                raise ApplicationError(
                    "Este atendente não atende este serviço.", extra={"field": "attendant"}
                )
            resource_ids = [data["attendant"]]
        first = data.get("start")
        last = data.get("end") or (first + dt.timedelta(days=MAX_SLOT_DAYS) if first else None)
        slots = slot_list_free(agenda=agenda, first_day=first, last_day=last, resource_ids=resource_ids)
        return Response(SlotSerializer(slots, many=True).data)


class AppointmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    agenda = serializers.CharField(source="agenda.code")
    agenda_name = serializers.CharField(source="agenda.name")
    subject = serializers.CharField(source="subject.name", default="")
    attendant = serializers.CharField(source="resource.name")
    attendant_id = serializers.IntegerField(source="resource_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    mode = serializers.ChoiceField(source="agenda.mode", choices=AttendanceMode.choices)
    location = serializers.CharField(source="agenda.location")
    case_nup = serializers.CharField(source="case.nup", default="")
    can_change_until = serializers.SerializerMethodField()

    def get_can_change_until(self, appointment: Appointment) -> dt.datetime:
        return services.cancel_deadline(appointment=appointment)


class StaffAppointmentSerializer(AppointmentSerializer):
    citizen_name = serializers.CharField(source="citizen.full_name")


def _subject(agenda: Agenda, subject_id: int | None) -> Any:
    if subject_id is None:
        return None
    subject = agenda.subjects.filter(pk=subject_id, is_active=True).first()
    if subject is None:
        raise ApplicationError("Escolha um dos assuntos deste serviço.", extra={"field": "subject"})
    return subject


def _resource(agenda: Agenda, resource_id: int | None) -> Resource | None:
    if resource_id is None:
        return None
    resource = agenda_resources(agenda=agenda).filter(pk=resource_id).first()
    if resource is None:
        raise ApplicationError("Este atendente não atende este serviço.", extra={"field": "attendant"})
    return resource


class BookingCollectionApi(APIView):
    """The citizen's appointments; POST books a free slot."""

    permission_classes = [IsCitizen]

    class InputSerializer(serializers.Serializer):
        agenda = serializers.SlugField(help_text="Código do serviço (veja /api/v1/scheduling/agendas/).")
        starts_at = serializers.DateTimeField(help_text="Início do horário livre, com fuso (ISO 8601).")
        subject = serializers.IntegerField(required=False, allow_null=True)
        attendant = serializers.IntegerField(
            required=False, allow_null=True, help_text="Vazio: qualquer atendente."
        )
        notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

        class Meta:
            ref_name = "SchedulingBookInput"

    class FilterSerializer(PageParameters):
        class Meta:
            ref_name = "SchedulingBookingListFilter"

    class ListOutputSerializer(serializers.Serializer):
        results = AppointmentSerializer(many=True)
        next = next_field()

        class Meta:
            ref_name = "SchedulingBookingListOutput"

    @extend_schema(
        tags=TAGS,
        summary="Os agendamentos do cidadão, do mais recente ao mais antigo",
        parameters=[FilterSerializer],
        responses={200: ListOutputSerializer, **ERROR_RESPONSES},
        operation_id="scheduling_bookings_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        page = appointment_page_for_citizen(
            user=request.user, cursor=filters.validated_data["cursor"], limit=filters.validated_data["limit"]
        )
        return Response(self.ListOutputSerializer({"results": page.results, "next": page.next}).data)

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={201: AppointmentSerializer, **ERROR_RESPONSES},
        operation_id="scheduling_bookings_create",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agenda = agenda_get_public(code=data["agenda"])
        appointment = services.appointment_book(
            agenda=agenda,
            citizen=account(request.user),
            starts_at=data["starts_at"],
            subject=_subject(agenda, data.get("subject")),
            resource=_resource(agenda, data.get("attendant")),
            notes=data["notes"],
            channel=AppointmentChannel.API,
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class BookingDetailApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(
        tags=TAGS,
        responses={200: AppointmentSerializer, **ERROR_RESPONSES},
        operation_id="scheduling_bookings_retrieve",
    )
    def get(self, request: Request, appointment_code: str) -> Response:
        return Response(
            AppointmentSerializer(appointment_get_for_citizen(user=request.user, code=appointment_code)).data
        )


class BookingCancelApi(APIView):
    """Cancel until the service's limit (hours before the slot)."""

    permission_classes = [IsCitizen]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

        class Meta:
            ref_name = "SchedulingCancelInput"

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={200: AppointmentSerializer, **ERROR_RESPONSES},
        operation_id="scheduling_bookings_cancel",
    )
    def post(self, request: Request, appointment_code: str) -> Response:
        appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cancelled = services.appointment_cancel(
            appointment=appointment, actor=account(request.user), reason=serializer.validated_data["reason"]
        )
        return Response(AppointmentSerializer(cancelled).data)


class BookingRescheduleApi(APIView):
    """Move to another free slot, until the cancellation limit; answers the new appointment."""

    permission_classes = [IsCitizen]

    class InputSerializer(serializers.Serializer):
        starts_at = serializers.DateTimeField()
        attendant = serializers.IntegerField(required=False, allow_null=True)

        class Meta:
            ref_name = "SchedulingRescheduleInput"

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={200: AppointmentSerializer, **ERROR_RESPONSES},
        operation_id="scheduling_bookings_reschedule",
    )
    def post(self, request: Request, appointment_code: str) -> Response:
        appointment = appointment_get_for_citizen(user=request.user, code=appointment_code)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.appointment_reschedule(
            appointment=appointment,
            actor=account(request.user),
            starts_at=serializer.validated_data["starts_at"],
            resource=_resource(appointment.agenda, serializer.validated_data.get("attendant")),
        )
        return Response(AppointmentSerializer(new).data)


class StaffAgendaApi(APIView):
    """The staff member's own appointments between two days (at most 62), cancelled excluded."""

    permission_classes = [IsVerifiedStaff]

    class FilterSerializer(serializers.Serializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Primeiro dia (padrão: hoje)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Último dia (padrão: 6 dias depois)."),
        ],
        responses={200: StaffAppointmentSerializer(many=True), **ERROR_RESPONSES},
        operation_id="scheduling_staff_agenda",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        first = filters.validated_data.get("start") or timezone.localdate()
        last = filters.validated_data.get("end") or first + dt.timedelta(days=6)
        if last < first or (last - first).days > MAX_SLOT_DAYS:
            raise ApplicationError(f"Escolha um período de até {MAX_SLOT_DAYS} dias.", extra={"field": "end"})
        appointments = staff_agenda(user=account(request.user), first_day=first, last_day=last)
        return Response(StaffAppointmentSerializer(appointments, many=True).data)
