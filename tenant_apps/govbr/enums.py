from django.db import models
from django.utils.translation import gettext_lazy as _


class ReliabilityLevel(models.TextChoices):
    """gov.br account reliability ("confiabilidade"), lowest first."""

    BRONZE = "bronze", _("bronze")
    PRATA = "prata", _("prata")
    OURO = "ouro", _("ouro")

    @classmethod
    def rank(cls, value: str) -> int:
        """0 for none, 1 bronze, 2 prata, 3 ouro."""
        order = [str(cls.BRONZE), str(cls.PRATA), str(cls.OURO)]
        return order.index(value) + 1 if value in order else 0
