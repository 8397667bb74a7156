from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    NEW = "novo", _("Novo")
    IN_PROGRESS = "em_andamento", _("Em andamento")
    WAITING_CITIZEN = "aguardando_cidadao", _("Aguardando o cidadão")
    CLOSED = "concluido", _("Concluído")


class CaseChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    STAFF = "balcao", _("Balcão / servidor")
    API = "api", _("API")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Protocolo aberto")
    DISPATCHED = "dispatched", _("Despacho")
    FORWARDED = "forwarded", _("Tramitado")
    ASSIGNED = "assigned", _("Atribuído")
    INFORMATION_REQUESTED = "information_requested", _("Informações solicitadas ao cidadão")
    INFORMATION_ANSWERED = "information_answered", _("Cidadão respondeu")
    ATTACHED = "attached", _("Documento anexado")
    CLOSED = "closed", _("Concluído")
    REOPENED = "reopened", _("Reaberto")
    APPOINTMENT_BOOKED = "appointment_booked", _("Atendimento agendado")
    APPOINTMENT_RESCHEDULED = "appointment_rescheduled", _("Atendimento remarcado")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Agendamento cancelado")
    ATTENDANCE_STARTED = "attendance_started", _("Atendimento iniciado")
    ATTENDANCE_ENDED = "attendance_ended", _("Atendimento realizado")
    ATTENDANCE_NO_SHOW = "attendance_no_show", _("Cidadão não compareceu")


# What other modules (scheduling) record on a case through `case_appointment_record`.
APPOINTMENT_EVENT_KINDS = (
    EventKind.APPOINTMENT_BOOKED,
    EventKind.APPOINTMENT_RESCHEDULED,
    EventKind.APPOINTMENT_CANCELLED,
    EventKind.ATTENDANCE_STARTED,
    EventKind.ATTENDANCE_ENDED,
    EventKind.ATTENDANCE_NO_SHOW,
)
