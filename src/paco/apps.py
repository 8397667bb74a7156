from django.apps import AppConfig


class PacoConfig(AppConfig):
    name = "paco"
    verbose_name = "Paço"
