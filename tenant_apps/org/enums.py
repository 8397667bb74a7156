from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    SECRETARIA = "secretaria", _("Secretaria")
    AUTARQUIA = "autarquia", _("Autarquia")
    EMPRESA_PUBLICA = "empresa_publica", _("Empresa pública")
    CONTROLADORIA = "controladoria", _("Controladoria")
    SETOR = "setor", _("Setor")


class Role(models.TextChoices):
    STAFF = "staff", _("Servidor")
    MANAGER = "manager", _("Gestor da unidade")
    ADMIN = "admin", _("Administrador municipal")
