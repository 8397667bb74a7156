from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "tenant_apps.health"
    label = "health"
    verbose_name = "Saúde"
