"""Daily aggregates of the city's activity, kept by `services.aggregates_refresh` (a periodic job)
and rebuilt from the history by `manage.py insights_rebuild`. Pages, CSV, PDFs and open data read
these tables only, never the case tables.

Every aggregate row is keyed by the local day (America/Sao_Paulo) of the event it counts; a run
deletes and recomputes whole days, so running it twice changes nothing (idempotent).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import PaperKind


def _unit() -> models.ForeignKey:
    return models.ForeignKey(
        "org.OrgUnit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )


def _service() -> models.ForeignKey:
    return models.ForeignKey(
        "catalog.Service", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )


class InsightsSettings(BaseModel):
    """The city's choices for its indicators (one row per tenant)."""

    cost_per_page = models.DecimalField(
        _("custo por página (R$)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Papel, toner, transporte e arquivo de uma página impressa."),
    )
    small_cell_threshold = models.PositiveSmallIntegerField(
        _("menor contagem publicada"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_('Nos dados abertos, contagens menores aparecem como "<N".'),
    )
    city_wide_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("gabinete (vê a cidade toda)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Os gestores desta unidade (o gabinete do prefeito) veem os indicadores de toda a cidade."
        ),
    )
    shares_comparison = models.BooleanField(
        _("comparar com cidades do mesmo porte"),
        default=False,
        help_text=_("Autoriza usar os números da cidade, anonimizados, na comparação entre cidades."),
    )

    class Meta:
        verbose_name = _("configuração dos indicadores")
        verbose_name_plural = _("configurações dos indicadores")

    def __str__(self) -> str:
        return str(_("Configuração dos indicadores"))


class Neighbourhood(BaseModel):
    """A bairro of the city's own list: only these names are published (never what people typed)."""

    name = models.CharField(_("bairro"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("bairro")
        verbose_name_plural = _("bairros")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AggregationRun(models.Model):
    """Where the incremental job stopped: the next run recomputes from `last_day` to today."""

    name = models.CharField(max_length=40, unique=True)
    last_day = models.DateField()
    finished_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_day}"


class CaseDay(models.Model):
    """Cases of one day, unit and service. `unit` is the opening unit for `opened`, the closing unit
    for `closed*`, the receiving unit for `received`, the unit the case left for `stays_*`, the
    case's unit at the time of computing for RFIs and satisfaction."""

    day = models.DateField()
    unit = _unit()
    service = _service()
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_in_time = models.PositiveIntegerField(default=0)
    close_days_sum = models.FloatField(default=0)
    received = models.PositiveIntegerField(default=0)
    stays_ended = models.PositiveIntegerField(default=0)
    stay_hours_sum = models.FloatField(default=0)
    rfi_asked = models.PositiveIntegerField(default=0)
    rfi_answered = models.PositiveIntegerField(default=0)
    rfi_answer_hours_sum = models.FloatField(default=0)
    satisfaction_count = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "service"], name="insights_caseday_once")
        ]
        indexes = [models.Index(fields=["unit", "day"], name="insights_caseday_unit_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.service_id}"


class CloseDuration(models.Model):
    """How many cases closed that day took `days` (days up to 60, then weeks, 365 = a year or more)."""

    day = models.DateField()
    unit = _unit()
    service = _service()
    days = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "service", "days"], name="insights_close_once")
        ]
        indexes = [models.Index(fields=["unit", "day"], name="insights_close_unit_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.service_id} {self.days}d"


class BacklogDay(models.Model):
    """Open cases in a unit at the end of the day (from the moves), and how many were overdue."""

    day = models.DateField()
    unit = _unit()
    service = _service()
    open = models.PositiveIntegerField()
    overdue = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "service"], name="insights_backlog_once")
        ]
        indexes = [models.Index(fields=["day", "unit"], name="insights_backlog_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.service_id}"


class NeighbourhoodDay(models.Model):
    """Cases opened that day per service and bairro (of the city's list; `""` when not given)."""

    day = models.DateField()
    service = _service()
    neighbourhood = models.CharField(max_length=120, blank=True)
    opened = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service", "neighbourhood"], name="insights_neighbourhood_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.neighbourhood} {self.service_id}"


class OmbudsmanDay(models.Model):
    """Ouvidoria and LAI of one day, unit and kind (Lei 13.460 arts. 14-15; Lei 12.527 art. 30 III)."""

    day = models.DateField()
    unit = _unit()
    kind = models.CharField(max_length=20)
    received = models.PositiveIntegerField(default=0)
    received_identified = models.PositiveIntegerField(default=0)
    received_protected = models.PositiveIntegerField(default=0)
    received_anonymous = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_in_time = models.PositiveIntegerField(default=0)
    answer_days_sum = models.FloatField(default=0)
    extended = models.PositiveIntegerField(default=0)
    appeals = models.PositiveIntegerField(default=0)
    appeals_second = models.PositiveIntegerField(default=0)
    appeals_granted = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    satisfaction_count = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "kind"], name="insights_ombudsman_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.kind}"


class CircularFigure(models.Model):
    """Read rate and time to ciência of one circular (recomputed while it is recent)."""

    circular_id = models.BigIntegerField(unique=True)
    day = models.DateField()
    unit = _unit()
    recipients = models.PositiveIntegerField()
    opened = models.PositiveIntegerField()
    acknowledged = models.PositiveIntegerField()
    ack_hours_sum = models.FloatField(default=0)
    ack_hours_median = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "day"], name="insights_circular_unit_idx")]

    def __str__(self) -> str:
        return f"circular {self.circular_id}"


class PaperDay(models.Model):
    """Pages that were not printed that day: items born digital × pages × copies."""

    day = models.DateField()
    unit = models.ForeignKey(
        "org.OrgUnit", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=PaperKind.choices)
    items = models.PositiveIntegerField()
    pages = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "kind"], name="insights_paper_once", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.kind}"
