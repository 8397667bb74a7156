"""The scheduling engine: agendas, the resources that attend them, when they attend, appointments.

The engine knows nothing of tax inspectors or doctors: an `Agenda` is anything citizens book
(a service of the city, a specialty at a health unit), a `Resource` is whoever or whatever
attends it (a staff member, a professional, a room), `AvailabilityRule` rows open weekly windows
of a resource for an agenda, `AvailabilityException` rows close a resource for a while (leave,
training), and an `Appointment` holds a resource's time range. Two appointments never hold the
same resource and seat at overlapping times: an exclusion constraint (btree_gist) refuses it in
the database, whatever the number of concurrent requests.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import (
    HOLDING_STATUSES,
    TIME_ZONES,
    AppointmentChannel,
    AppointmentStatus,
    AttendanceMode,
    AttendanceOutcome,
    ReminderKind,
    Weekday,
)


class TsTzRange(Func):
    """`tstzrange(starts_at, ends_at, '[)')`: a half-open range, so back-to-back slots do not overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Agenda(BaseModel):
    """Something citizens book: a service of the city (video attendance with a tax inspector, the
    SEFAZ counter) or, for the health module, a specialty's agenda. Its rules apply to every booking."""

    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nome"), max_length=200)
    description = models.TextField(_("descrição"), blank=True)
    purpose = models.SlugField(
        _("finalidade"),
        max_length=30,
        default="atendimento",
        help_text=_("Módulo dono da agenda (atendimento, saúde...)."),
    )
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unidade responsável"), on_delete=models.PROTECT, related_name="+"
    )
    catalog_service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("serviço da Carta de Serviços"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agendas",
        help_text=_(
            "Cada agendamento abre (ou usa) um protocolo deste serviço, onde o atendimento fica registrado."
        ),
    )
    mode = models.CharField(
        _("forma de atendimento"), max_length=12, choices=AttendanceMode.choices, default=AttendanceMode.VIDEO
    )
    location = models.CharField(_("local do atendimento"), max_length=300, blank=True)
    time_zone = models.CharField(
        _("fuso horário"), max_length=40, choices=TIME_ZONES, default="America/Sao_Paulo"
    )
    slot_minutes = models.PositiveIntegerField(
        _("duração de cada horário (minutos)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    buffer_minutes = models.PositiveIntegerField(
        _("intervalo entre horários (minutos)"), default=0, validators=[MaxValueValidator(240)]
    )
    horizon_days = models.PositiveIntegerField(
        _("agendamento com até quantos dias de antecedência"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("antecedência mínima (minutos)"), default=60, validators=[MaxValueValidator(60 * 24 * 30)]
    )
    cancel_limit_hours = models.PositiveIntegerField(
        _("cancelamento ou remarcação até quantas horas antes"),
        default=2,
        validators=[MaxValueValidator(24 * 30)],
    )
    daily_limit_per_citizen = models.PositiveIntegerField(
        _("agendamentos por cidadão por dia"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    no_show_limit = models.PositiveIntegerField(
        _("faltas que bloqueiam o agendamento pela internet"),
        default=3,
        validators=[MaxValueValidator(50)],
        help_text=_("0: nunca bloquear."),
    )
    no_show_block_days = models.PositiveIntegerField(
        _("dias de bloqueio após as faltas"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    closes_on_holidays = models.BooleanField(_("fechado em feriados"), default=True)
    booking_policy = models.CharField(
        _("regra de quem pode agendar"),
        max_length=40,
        default="default",
        help_text=_("Nome de uma regra em SCHEDULING_BOOKING_POLICIES."),
    )
    # Week-by-week opening (Gravataí: "next week's agenda opens on Friday at 7:00"): when set, citizens
    # book only up to the end of the current week, and from `opens_weekday` at `opens_time` (local)
    # up to the end of the next one, whatever the horizon.
    opens_weekday = models.PositiveSmallIntegerField(
        _("a semana seguinte abre no dia"), null=True, blank=True, choices=Weekday.choices
    )
    opens_time = models.TimeField(_("a semana seguinte abre às"), default=dt.time(7, 0))
    is_public = models.BooleanField(_("aberto ao agendamento pela internet"), default=True)
    is_active = models.BooleanField(_("ativo"), default=True)

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_video(self) -> bool:
        return self.mode == AttendanceMode.VIDEO

    @property
    def step(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.slot_minutes + self.buffer_minutes)


class Subject(BaseModel):
    """What the citizen wants to talk about (IPTU, ISS, ITBI, NFS-e...)."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(_("assunto"), max_length=120)
    position = models.PositiveIntegerField(_("ordem"), default=0)
    is_active = models.BooleanField(_("ativo"), default=True)

    class Meta:
        verbose_name = _("assunto")
        verbose_name_plural = _("assuntos")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["agenda", "name"], name="scheduling_subject_unique")]

    def __str__(self) -> str:
        return self.name


class SlotKind(BaseModel):
    """A kind of slot with its own length (first visit, return...); an agenda may have none."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="slot_kinds")
    code = models.SlugField(_("código"), max_length=40)
    name = models.CharField(_("nome"), max_length=120)
    duration_minutes = models.PositiveIntegerField(
        _("duração (minutos)"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    is_bookable_online = models.BooleanField(_("agendável pela internet"), default=True)
    position = models.PositiveIntegerField(_("ordem"), default=0)

    class Meta:
        verbose_name = _("tipo de horário")
        verbose_name_plural = _("tipos de horário")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["agenda", "code"], name="scheduling_slot_kind_unique")]

    def __str__(self) -> str:
        return self.name


class Resource(BaseModel):
    """Whoever or whatever attends: a staff member (an inspector, a doctor) or a room."""

    name = models.CharField(_("nome"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("servidor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduling_resource",
    )
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agendas = models.ManyToManyField(Agenda, through="AgendaResource", related_name="resources")
    is_active = models.BooleanField(_("ativo"), default=True)

    class Meta:
        verbose_name = _("atendente")
        verbose_name_plural = _("atendentes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AgendaResource(BaseModel):
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agenda", "resource"], name="scheduling_agenda_resource_once")
        ]

    def __str__(self) -> str:
        return f"{self.agenda_id}:{self.resource_id}"


class AvailabilityRule(BaseModel):
    """A weekly window in which a resource attends an agenda (local time of the agenda).

    `valid_from`/`valid_until` open an agenda for a period (health agendas open week by week);
    `capacity` seats per slot (group sessions); `slot_kind` reserves the window for one kind.
    """

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="rules")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(_("dia da semana"), choices=Weekday.choices)
    start_time = models.TimeField(_("início"))
    end_time = models.TimeField(_("fim"))
    valid_from = models.DateField(_("válido a partir de"), null=True, blank=True)
    valid_until = models.DateField(_("válido até"), null=True, blank=True)
    slot_kind = models.ForeignKey(SlotKind, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    capacity = models.PositiveSmallIntegerField(
        _("vagas por horário"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("horário semanal")
        verbose_name_plural = _("horários semanais")
        ordering = ["weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="scheduling_rule_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AvailabilityException(BaseModel):
    """The resource does not attend in this period (leave, training, a meeting)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="exceptions")
    starts_at = models.DateTimeField(_("de"))
    ends_at = models.DateTimeField(_("até"))
    reason = models.CharField(_("motivo"), max_length=200)

    class Meta:
        verbose_name = _("ausência")
        verbose_name_plural = _("ausências")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="scheduling_exception_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.reason}"


class Appointment(BaseModel):
    """A booking (agendamento): one citizen, one resource, one seat, one time range."""

    code = models.CharField(_("código"), max_length=32, unique=True)
    agenda = models.ForeignKey(Agenda, on_delete=models.PROTECT, related_name="appointments")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="appointments")
    seat = models.PositiveSmallIntegerField(default=1)
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    slot_kind = models.ForeignKey(SlotKind, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("início"))
    ends_at = models.DateTimeField(_("fim"))
    status = models.CharField(
        _("situação"), max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    channel = models.CharField(
        _("canal"), max_length=10, choices=AppointmentChannel.choices, default=AppointmentChannel.ONLINE
    )
    notes = models.TextField(_("observações do cidadão"), blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_to"
    )
    cancelled_at = models.DateTimeField(_("cancelado em"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(_("motivo do cancelamento"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("atendimento iniciado em"), null=True, blank=True)
    ended_at = models.DateTimeField(_("atendimento encerrado em"), null=True, blank=True)
    outcome = models.CharField(_("resultado"), max_length=20, choices=AttendanceOutcome.choices, blank=True)
    staff_notes = models.TextField(_("anotações do atendimento"), blank=True)
    attended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # the calendar invitation's SEQUENCE (RFC 5545): raised by every change the citizen is sent
    ics_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("agendamento")
        verbose_name_plural = _("agendamentos")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="scheduling_appointment_ends_after"
            ),
            # Two appointments never hold the same resource and seat at overlapping times.
            ExclusionConstraint(
                name="scheduling_no_double_booking",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("resource", RangeOperators.EQUAL),
                    ("seat", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=HOLDING_STATUSES),
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "starts_at"], name="scheduling_resource_time_idx"),
            models.Index(fields=["citizen", "-starts_at"], name="scheduling_citizen_idx"),
            models.Index(fields=["agenda", "starts_at"], name="scheduling_agenda_time_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status in (AppointmentStatus.BOOKED, AppointmentStatus.IN_PROGRESS)


class AppointmentReminder(BaseModel):
    """A reminder due before the appointment; sent at most once, never after a cancellation."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=4, choices=ReminderKind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind"], name="scheduling_reminder_once")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="scheduling_reminder_due_idx",
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.kind}"


class VideoSession(BaseModel):
    """The video room of an appointment. The room name is random (unguessable) and never reused."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="video")
    room_name = models.CharField(max_length=80, unique=True)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    minutes_reported = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("atendimento por vídeo")
        verbose_name_plural = _("atendimentos por vídeo")

    def __str__(self) -> str:
        return self.room_name


class BookingBlock(BaseModel):
    """Repeated no-shows: the citizen cannot book this agenda online until `ends_at`."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="blocks")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    no_shows = models.PositiveIntegerField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-ends_at", "-id"]

    def __str__(self) -> str:
        return f"{self.citizen_id}@{self.agenda_id} until {self.ends_at:%Y-%m-%d}"


class CalendarFeed(BaseModel):
    """A staff member's private ICS feed. Only the SHA-256 of its token is stored; revocable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} feed"


class AppointmentDay(models.Model):
    """The indicators' daily aggregate (`indicators.py`, recomputed by the insights job): per agenda
    and attendant, the bookings made that day, the appointments of that day by outcome, and the
    seats the weekly rules opened that day (holidays left out) for the occupancy."""

    day = models.DateField()
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    booked = models.PositiveIntegerField(default=0)
    lead_days_sum = models.FloatField(default=0)
    scheduled = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    offered = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agenda", "resource"], name="scheduling_appointmentday_once"
            )
        ]
        indexes = [models.Index(fields=["unit", "day"], name="scheduling_apptday_unit_idx")]

    def __str__(self) -> str:
        return f"{self.day} agenda {self.agenda_id} resource {self.resource_id}"
