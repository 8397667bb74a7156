from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Cidadão")
    STAFF = "staff", _("Servidor")
    SUPPORT = "support", _("Suporte do fornecedor")
