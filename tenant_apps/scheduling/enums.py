from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceMode(models.TextChoices):
    IN_PERSON = "presencial", _("Presencial")
    VIDEO = "video", _("Por vídeo")


class AppointmentStatus(models.TextChoices):
    BOOKED = "agendado", _("Agendado")
    IN_PROGRESS = "em_atendimento", _("Em atendimento")
    DONE = "realizado", _("Realizado")
    NO_SHOW = "nao_compareceu", _("Não compareceu")
    CANCELLED = "cancelado", _("Cancelado")


# Appointments that hold their attendant's time (the exclusion constraint covers these).
HOLDING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.IN_PROGRESS,
    AppointmentStatus.DONE,
    AppointmentStatus.NO_SHOW,
)


class AppointmentChannel(models.TextChoices):
    ONLINE = "online", _("Pela internet")
    STAFF = "balcao", _("Pelo servidor")
    API = "api", _("API")


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "24h", _("24 horas antes")
    HOUR_BEFORE = "1h", _("1 hora antes")


class AttendanceOutcome(models.TextChoices):
    RESOLVED = "resolvido", _("Resolvido no atendimento")
    FORWARDED = "encaminhado", _("Encaminhado para análise")
    DOCUMENTS_PENDING = "documentos", _("Aguardando documentos do cidadão")
    OTHER = "outro", _("Outro")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Segunda-feira")
    TUESDAY = 1, _("Terça-feira")
    WEDNESDAY = 2, _("Quarta-feira")
    THURSDAY = 3, _("Quinta-feira")
    FRIDAY = 4, _("Sexta-feira")
    SATURDAY = 5, _("Sábado")
    SUNDAY = 6, _("Domingo")


# Brazil's time zones (IANA), for agendas of cities outside Brasília time.
TIME_ZONES = [
    ("America/Sao_Paulo", _("Horário de Brasília")),
    ("America/Bahia", _("Bahia")),
    ("America/Fortaleza", _("Fortaleza")),
    ("America/Recife", _("Recife")),
    ("America/Belem", _("Belém")),
    ("America/Manaus", _("Manaus")),
    ("America/Cuiaba", _("Cuiabá")),
    ("America/Campo_Grande", _("Campo Grande")),
    ("America/Porto_Velho", _("Porto Velho")),
    ("America/Boa_Vista", _("Boa Vista")),
    ("America/Rio_Branco", _("Rio Branco")),
    ("America/Noronha", _("Fernando de Noronha")),
]


# Agendas of this purpose are the engine's own (its citizen, staff, admin and manager pages and
# API); an agenda of another purpose ("saude") belongs to the module that created it, whose pages
# decide who sees it: the engine's generic lists leave it out (health notes are sensitive data,
# LGPD art. 11).
GENERAL_PURPOSE = "atendimento"
