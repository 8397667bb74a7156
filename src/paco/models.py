from django.db import models


class BaseModel(models.Model):
    """Every table gets `created_at` and `updated_at` from here."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """One row per scheduled job and period: the unique key makes a run happen once per period,
    however many worker processes tick the scheduler at the same moment (public schema)."""

    name = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(auto_now_add=True)
    tenants = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="paco_scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.name}@{self.period}"
