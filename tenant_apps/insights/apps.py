from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tenant_apps.insights"
    label = "insights"
    verbose_name = "Indicadores, papel economizado e dados abertos"
