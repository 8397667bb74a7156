from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    """Lei 12.527/2011 (LAI): public by default; restricted and secret need a legal basis."""

    PUBLIC = "publico", _("Público")
    RESTRICTED = "restrito", _("Restrito")
    SECRET = "sigiloso", _("Sigiloso")


class DocumentKind(models.TextChoices):
    REQUEST = "REQ", _("Requerimento")
    DISPATCH = "DESP", _("Despacho")
    RECEIPT = "REC", _("Comprovante de protocolo")
    ANSWER = "RESP", _("Resposta")
    ATTACHMENT = "ANEXO", _("Anexo")
    MEMO = "MEMO", _("Memorando")
    CIRCULAR = "CIRC", _("Circular")
    OTHER = "DOC", _("Documento")
    OFFICIAL_LETTER = "OFIC", _("Ofício")
    OPINION = "PAR", _("Parecer")
    CERTIFICATE = "CERT", _("Certidão")
    PERMIT = "ALV", _("Alvará")
    DECISION = "DEC", _("Decisão")
    NOTICE = "NOTIF", _("Notificação")


class AccessAction(models.TextChoices):
    VIEW = "view", _("Visualização")
    DOWNLOAD = "download", _("Download")
    DENIED = "denied", _("Acesso negado")
