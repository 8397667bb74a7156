from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel


class MunicipalHoliday(BaseModel):
    """A municipal holiday or optional closure (ponto facultativo) entered by the municipal admin.

    National and state holidays come from the `holidays` package; only the city's own go here.
    """

    date = models.DateField(_("data"), unique=True)
    name = models.CharField(_("nome"), max_length=200)

    class Meta:
        verbose_name = _("feriado municipal")
        verbose_name_plural = _("feriados municipais")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
