from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tenant_apps.org"
    label = "org"
    verbose_name = "Estrutura organizacional"
