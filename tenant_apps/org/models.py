from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import OrgUnitKind, Role

unit_code_validator = RegexValidator(
    r"^\d{5}$", _("O código da unidade tem 5 dígitos (usado no número NUP).")
)


class OrgUnit(BaseModel):
    """A secretaria, autarquia, empresa pública, controladoria or setor: a node of the org chart."""

    code = models.CharField(_("código"), max_length=5, unique=True, validators=[unit_code_validator])
    acronym = models.CharField(_("sigla"), max_length=40, unique=True)
    name = models.CharField(_("nome"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=20, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("unidade superior"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("ativa"), default=True)

    class Meta:
        verbose_name = _("unidade")
        verbose_name_plural = _("unidades")
        ordering = ["acronym"]

    def __str__(self) -> str:
        return f"{self.acronym} — {self.name}"


class Membership(BaseModel):
    """A staff member's role in a unit. Substitutes during leave get a membership with an end date."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("papel"), max_length=16, choices=Role.choices, default=Role.STAFF)
    starts_on = models.DateField(_("início"), null=True, blank=True)
    ends_on = models.DateField(_("fim"), null=True, blank=True)

    class Meta:
        verbose_name = _("lotação")
        verbose_name_plural = _("lotações")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="org_membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.unit_id} ({self.role})"
