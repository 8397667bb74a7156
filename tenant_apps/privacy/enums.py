from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    EMAIL = "email", _("Avisos por e-mail sobre meus pedidos e manifestações")
    SMS = "sms", _("Avisos por SMS no celular")
    REMINDERS = "lembretes", _("Lembretes de agendamentos (24 horas e 1 hora antes)")


class ExportStatus(models.TextChoices):
    PENDING = "pendente", _("em preparação")
    READY = "pronto", _("pronto")
    FAILED = "falhou", _("falhou")


class SubjectRequestKind(models.TextChoices):
    """LGPD art. 18: III correction; VI deletion (of data processed with consent); IV anonymisation."""

    CORRECTION = "correcao", _("Correção de dados incompletos, inexatos ou desatualizados (art. 18, III)")
    DELETION = "eliminacao", _("Eliminação de dados (art. 18, VI)")
    ANONYMISATION = (
        "anonimizacao",
        _("Anonimização, bloqueio ou eliminação de dados desnecessários (art. 18, IV)"),
    )
