"""Health appointments on the scheduling engine.

The engine holds the agendas, slots, appointments, reminders and no-shows; this module adds what is
health's own: the units (CNES), the professionals (CNS, CBO, specialties), each professional's
agenda at a unit for a specialty (`Schedule`, one engine `Agenda` of purpose "saude"), the patients
(CNS, legal priority group), the waiting list and its slot offers, the reception's check-in and the
log of every access to a patient's health record (LGPD, Lei 13.709/2018, art. 5º II and art. 11:
health data is sensitive personal data; the citizen sees this log in "quem acessou meus dados").
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenant_apps.scheduling.enums import Weekday

from .enums import OfferStatus, PriorityGroup, UnitKind, WaitStatus
from .validators import validate_cbo, validate_cnes, validate_cns


class HealthSettings(BaseModel):
    """The city's rules for health appointments (one row per city)."""

    secretariat = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("secretaria de saúde"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Os gestores desta unidade administram a saúde e veem os indicadores."),
    )
    opens_weekday = models.PositiveSmallIntegerField(
        _("a agenda da semana seguinte abre no dia"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    opens_time = models.TimeField(_("às"), default=dt.time(7, 0))
    cancel_limit_hours = models.PositiveIntegerField(
        _("cancelamento até quantas horas antes"), default=24, validators=[MaxValueValidator(24 * 14)]
    )
    open_bookings_per_specialty = models.PositiveIntegerField(
        _("consultas em aberto por especialidade, por cidadão"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    no_show_limit = models.PositiveIntegerField(
        _("faltas que suspendem o agendamento pela internet"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    no_show_window_days = models.PositiveIntegerField(
        _("contadas nos últimos (dias)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    suspension_days = models.PositiveIntegerField(
        _("dias de suspensão"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    offer_hold_minutes = models.PositiveIntegerField(
        _("minutos que a vaga fica reservada para quem está na lista de espera"),
        default=120,
        validators=[MinValueValidator(5), MaxValueValidator(60 * 48)],
    )
    return_window_days = models.PositiveIntegerField(
        _("é retorno quando houve consulta na especialidade nos últimos (dias)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )

    class Meta:
        verbose_name = _("regras da saúde")

    def __str__(self) -> str:
        return "health settings"


class Specialty(BaseModel):
    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("especialidade"), max_length=120, unique=True)
    is_active = models.BooleanField(_("ativa"), default=True)

    class Meta:
        verbose_name = _("especialidade")
        verbose_name_plural = _("especialidades")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HealthUnit(BaseModel):
    """A health establishment (UBS, policlínica) with its CNES code. Its reception is the staff of
    `org_unit` (the org chart's unit where the establishment's people are members)."""

    name = models.CharField(_("nome"), max_length=200)
    cnes = models.CharField(_("CNES"), max_length=7, unique=True, validators=[validate_cnes])
    kind = models.CharField(_("tipo"), max_length=20, choices=UnitKind.choices, default=UnitKind.UBS)
    org_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("setor no organograma (recepção)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("endereço"), max_length=300, blank=True)
    is_active = models.BooleanField(_("ativa"), default=True)

    class Meta:
        verbose_name = _("unidade de saúde")
        verbose_name_plural = _("unidades de saúde")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Professional(BaseModel):
    """A health professional: a staff account, its CNS, CBO occupation, specialties and the engine
    `Resource` that holds its appointments."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("servidor"),
        on_delete=models.PROTECT,
        related_name="health_professional",
    )
    name = models.CharField(_("nome"), max_length=200)
    cns = models.CharField(_("CNS"), max_length=15, unique=True, validators=[validate_cns])
    cbo = models.CharField(_("CBO"), max_length=6, validators=[validate_cbo])
    council = models.CharField(_("registro no conselho (CRM/COREN...)"), max_length=40, blank=True)
    specialties = models.ManyToManyField(
        Specialty, verbose_name=_("especialidades"), related_name="professionals"
    )
    resource = models.OneToOneField(
        "scheduling.Resource", on_delete=models.PROTECT, related_name="health_professional"
    )
    is_active = models.BooleanField(_("ativo"), default=True)

    class Meta:
        verbose_name = _("profissional de saúde")
        verbose_name_plural = _("profissionais de saúde")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Schedule(BaseModel):
    """A professional's agenda at a unit for a specialty: one engine agenda (purpose "saude") whose
    weekly windows are first visits, returns or priority slots, and whose absences are blocked days."""

    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="schedules")
    unit = models.ForeignKey(HealthUnit, on_delete=models.PROTECT, related_name="schedules")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="schedules")
    agenda = models.OneToOneField(
        "scheduling.Agenda", on_delete=models.PROTECT, related_name="health_schedule"
    )
    is_active = models.BooleanField(_("ativa"), default=True)

    class Meta:
        verbose_name = _("agenda do profissional")
        verbose_name_plural = _("agendas dos profissionais")
        ordering = ["unit__name", "specialty__name", "professional__name"]
        constraints = [
            models.UniqueConstraint(fields=["professional", "unit", "specialty"], name="health_schedule_once")
        ]

    def __str__(self) -> str:
        return f"{self.professional} — {self.specialty} — {self.unit}"


class Patient(BaseModel):
    """A citizen as a patient: identified by CPF (their account) and CNS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="health_patient"
    )
    cns = models.CharField(_("CNS"), max_length=15, unique=True, validators=[validate_cns])
    birth_date = models.DateField(_("data de nascimento"))
    priority_group = models.CharField(
        _("atendimento prioritário"), max_length=20, choices=PriorityGroup.choices, blank=True
    )

    class Meta:
        verbose_name = _("paciente")
        verbose_name_plural = _("pacientes")

    def __str__(self) -> str:
        return f"patient {self.pk}"


class WaitingListEntry(BaseModel):
    """A patient waiting for a slot of a specialty (at a unit, or any). First come, first offered."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waiting")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="waiting")
    unit = models.ForeignKey(HealthUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=WaitStatus.choices, default=WaitStatus.WAITING)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "specialty"],
                condition=Q(status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]),
                name="health_waiting_once",
            )
        ]

    def __str__(self) -> str:
        return f"wait {self.pk}"


class SlotOffer(BaseModel):
    """A freed slot offered to a waiting patient. The slot is held by an engine absence
    (`hold`) until the patient accepts (it becomes their appointment) or `expires_at` passes."""

    entry = models.ForeignKey(WaitingListEntry, on_delete=models.CASCADE, related_name="offers")
    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    slot_kind = models.ForeignKey(
        "scheduling.SlotKind", null=True, on_delete=models.PROTECT, related_name="+"
    )
    hold = models.OneToOneField(
        "scheduling.AvailabilityException", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    appointment = models.OneToOneField(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["expires_at"], name="health_offer_open_idx", condition=Q(status="open"))
        ]

    def __str__(self) -> str:
        return f"offer {self.pk}"


class CheckIn(BaseModel):
    """The reception saw the patient arrive."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.CASCADE, related_name="health_check_in"
    )
    arrived_at = models.DateTimeField()
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"check-in {self.appointment_id}"


class RecordAccess(BaseModel):
    """Every opening of a patient's health record (append-only; LGPD art. 11 and art. 37)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="accesses")
    professional = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="accesses")
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_emergency = models.BooleanField(default=False)
    reason = models.CharField(_("motivo"), max_length=500, blank=True)
    accessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-accessed_at"], name="health_access_patient_idx")]

    def __str__(self) -> str:
        return f"access {self.pk}"


class WaitingDay(models.Model):
    """The indicators' daily aggregate of the waiting lists (`indicators.py`, recomputed by the
    insights job): per specialty, who joined, who got a slot through the list and who left, that day.
    The length on a day is the running sum of joined minus served minus departed."""

    day = models.DateField()
    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="+")
    joined = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    departed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "specialty"], name="health_waitingday_once")]

    def __str__(self) -> str:
        return f"{self.day} specialty {self.specialty_id}"


class SuspensionLift(BaseModel):
    """The reception (or a health manager) lifted a citizen's no-show suspension, with a reason: the
    no-shows before `lifted_at` no longer count. Kept for good as the audit record (who, when, why)."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField()
    reason = models.CharField(_("motivo"), max_length=500)

    class Meta:
        verbose_name = _("suspensão retirada")
        verbose_name_plural = _("suspensões retiradas")
        ordering = ["-lifted_at", "-id"]

    def __str__(self) -> str:
        return f"lift {self.pk}"
