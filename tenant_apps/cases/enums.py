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
