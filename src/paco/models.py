from django.db import models


class BaseModel(models.Model):
    """Every table gets `created_at` and `updated_at` from here."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
