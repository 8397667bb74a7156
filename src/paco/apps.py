from django.apps import AppConfig


class PacoConfig(AppConfig):
    name = "paco"
    verbose_name = "Paço"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
