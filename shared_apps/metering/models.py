from django.db import models

from paco.models import BaseModel
from tenants.models import Municipality

from .enums import Metric, ReportStatus


class UsageEvent(BaseModel):
    """One billable event of a municipality (public schema), recorded once: the unique key makes a
    repeated recording (a retried job, a replayed delivery) change nothing."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=24, choices=Metric.choices)
    idempotency_key = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    occurred_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "metric", "idempotency_key"], name="metering_event_once"
            )
        ]
        indexes = [models.Index(fields=["municipality", "occurred_at"], name="metering_event_when_idx")]

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.metric}:{self.idempotency_key}"


class UsageDaily(BaseModel):
    """A municipality's usage of one metric on one day (America/Sao_Paulo): the sum of the day's
    events for a counter, the day's measurement for a gauge (bytes for storage).

    `reported_quantity`: what Stripe has accepted, in Stripe's units (the sum of the sent reports
    for a counter, the last value sent for a gauge).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=24, choices=Metric.choices)
    day = models.DateField()
    quantity = models.PositiveBigIntegerField(default=0)
    reported_quantity = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "metric", "day"], name="metering_daily_once")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.metric}:{self.day}={self.quantity}"


class UsageReport(BaseModel):
    """One meter event sent (or to be sent) to Stripe. Created `pending` and committed before the
    call, so a crash after Stripe accepted it leaves a row that is resent with the same
    `identifier`, which Stripe counts once."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=24, choices=Metric.choices)
    day = models.DateField()
    sequence = models.PositiveIntegerField()
    quantity = models.PositiveBigIntegerField()
    identifier = models.CharField(max_length=100, unique=True)
    # Fixed when the row is created: a resend must repeat the first request exactly (Stripe refuses
    # an idempotency key reused with other parameters).
    timestamp = models.DateTimeField()
    stripe_customer_id = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "metric", "day", "sequence"], name="metering_report_sequence"
            )
        ]
        indexes = [models.Index(fields=["status", "day"], name="metering_report_status_idx")]

    def __str__(self) -> str:
        return f"{self.identifier} {self.status}"
