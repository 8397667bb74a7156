from django.db import models
from django.utils.translation import gettext_lazy as _


class SignatureLevel(models.TextChoices):
    """Lei 14.063/2020, art. 4º: simples (I), avançada (II), qualificada (III, ICP-Brasil)."""

    SIMPLE = "simples", _("Simples")
    ADVANCED = "avancada", _("Avançada")
    QUALIFIED = "qualificada", _("Qualificada (ICP-Brasil)")


LEVEL_RANK = {SignatureLevel.SIMPLE: 1, SignatureLevel.ADVANCED: 2, SignatureLevel.QUALIFIED: 3}


class BlockStatus(models.TextChoices):
    OPEN = "aberto", _("Em assinatura")
    COMPLETED = "concluido", _("Concluído")
    RETURNED = "devolvido", _("Devolvido ao autor")


class SignerStatus(models.TextChoices):
    PENDING = "pendente", _("Pendente")
    SIGNED = "assinado", _("Assinado")
    REFUSED = "recusado", _("Recusado")


class RequestStatus(models.TextChoices):
    """A signature made by a job after the write commits (memos: sent at once, the signed PDF follows)."""

    PENDING = "pendente", _("Assinatura em processamento")
    DONE = "assinado", _("Assinado")
    FAILED = "falhou", _("A assinatura falhou")
