from django.apps import AppConfig


class GovBrConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tenant_apps.govbr"
    label = "govbr"
    verbose_name = "gov.br"
