from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tenant_apps.cases"
    label = "cases"
    verbose_name = "Protocolo"
