from django.apps import AppConfig


class OmbudsmanConfig(AppConfig):
    name = "tenant_apps.ombudsman"
    label = "ombudsman"
    verbose_name = "Ouvidoria e acesso à informação"
