from django.db import models
from django.utils.translation import gettext_lazy as _

PURPOSE = "saude"  # scheduling.Agenda.purpose of the agendas this module owns
POLICY = "saude"  # its booking policy in SCHEDULING_BOOKING_POLICIES

# slot kinds of every health agenda (scheduling.SlotKind codes)
KIND_FIRST = "primeira"
KIND_RETURN = "retorno"
KIND_PRIORITY = "prioritario"


class UnitKind(models.TextChoices):
    UBS = "ubs", _("Unidade Básica de Saúde (UBS)")
    POLICLINICA = "policlinica", _("Policlínica")
    CAPS = "caps", _("CAPS")
    OTHER = "outro", _("Outro")


class PriorityGroup(models.TextChoices):
    """Legal priority: Lei 10.048/2000 art. 1º (and Lei 13.146/2015) and Lei 10.741/2003 (Estatuto da
    Pessoa Idosa, 60 anos ou mais)."""

    NONE = "", _("Nenhum")
    ELDERLY = "idoso", _("Pessoa idosa (60 anos ou mais) — Lei 10.741/2003")
    DISABILITY = "deficiencia", _("Pessoa com deficiência — Lei 10.048/2000")
    PREGNANT = "gestante", _("Gestante — Lei 10.048/2000")
    LACTATING = "lactante", _("Lactante — Lei 10.048/2000")
    INFANT = "crianca_colo", _("Pessoa com criança de colo — Lei 10.048/2000")
    OBESITY = "obesidade", _("Pessoa com obesidade — Lei 10.048/2000")


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("Aguardando vaga")
    OFFERED = "offered", _("Vaga oferecida")
    BOOKED = "booked", _("Agendado pela lista")
    LEFT = "left", _("Saiu da lista")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Aguardando resposta")
    ACCEPTED = "accepted", _("Aceita")
    EXPIRED = "expired", _("Expirou")
    DECLINED = "declined", _("Recusada")


class DayStatus(models.TextChoices):
    """Where a patient is in the professional's day."""

    EXPECTED = "expected", _("Aguardando chegada")
    WAITING = "waiting", _("Chegou — aguardando")
    IN_PROGRESS = "in_progress", _("Em atendimento")
    ATTENDED = "attended", _("Atendido")
    MISSED = "missed", _("Faltou")
    CANCELLED = "cancelled", _("Cancelado")
