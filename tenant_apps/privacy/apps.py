from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tenant_apps.privacy"
    label = "privacy"
    verbose_name = "Privacidade (LGPD)"
