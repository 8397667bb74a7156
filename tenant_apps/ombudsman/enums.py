from django.db import models
from django.utils.translation import gettext_lazy as _


class ManifestationKind(models.TextChoices):
    """Lei 13.460/2017, art. 2º, V; plus the access-to-information request of Lei 12.527/2011 (LAI)."""

    COMPLAINT = "reclamacao", _("Reclamação")
    REPORT = "denuncia", _("Denúncia")
    SUGGESTION = "sugestao", _("Sugestão")
    PRAISE = "elogio", _("Elogio")
    ACTION_REQUEST = "providencias", _("Solicitação de providências")
    INFORMATION_ACCESS = "acesso_informacao", _("Pedido de acesso à informação (LAI)")


class IdentityMode(models.TextChoices):
    IDENTIFIED = "identificado", _("Identificado")
    PROTECTED = "sigilo", _("Identificado, com identidade preservada (sigilo)")
    ANONYMOUS = "anonimo", _("Anônimo")


class CountKind(models.TextChoices):
    CALENDAR_DAYS = "corridos", _("dias corridos")
    BUSINESS_DAYS = "uteis", _("dias úteis")


class AppealInstance(models.IntegerChoices):
    FIRST = 1, _("1ª instância")
    SECOND = 2, _("2ª instância")
