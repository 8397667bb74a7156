from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayScope(models.TextChoices):
    NATIONAL = "national", _("Nacional")
    STATE = "state", _("Estadual")
    MUNICIPAL = "municipal", _("Municipal")
